"""Product images on disk, one folder per tenant, with WebP thumbnails for ``srcset``.

Files live under ``MEDIA_ROOT/<tenant_id>/``; the media route only ever serves from the
current tenant's folder, so one tenant's URL cannot reach another's files.
"""
from __future__ import annotations

import hashlib
from io import BytesIO
from pathlib import Path

from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError

THUMB_WIDTHS = (160, 320, 640)
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_PIXELS = 40_000_000


class MediaError(ValueError):
    pass


def tenant_media_dir(tenant_id: int) -> Path:
    return Path(current_app.config["MEDIA_ROOT"]) / str(tenant_id)


def thumb_name(path: str, width: int) -> str:
    stem = path.rsplit(".", 1)[0]
    return f"{stem}-{width}.webp"


def store_image(tenant_id: int, data: bytes) -> tuple[str, int, int]:
    """Check, normalise and store an upload; write its thumbnails. Returns (path, w, h)."""
    try:
        with Image.open(BytesIO(data)) as probe:
            fmt = probe.format
            probe.verify()
        image = Image.open(BytesIO(data))
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise MediaError("not an image") from exc
    if fmt not in ALLOWED_FORMATS:
        raise MediaError(f"format {fmt} not accepted")
    if image.width * image.height > MAX_PIXELS:
        raise MediaError("image too large")
    image = ImageOps.exif_transpose(image)  # phone photos carry their rotation in EXIF
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))  # transparency on white, not black
        image = background
    image = image.convert("RGB")
    digest = hashlib.sha256(data).hexdigest()[:24]
    relative = f"products/{digest[:2]}/{digest}.webp"
    folder = tenant_media_dir(tenant_id)
    target = folder / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        image.save(target, "WEBP", quality=82, method=4)
        for width in THUMB_WIDTHS:
            thumb = image.copy()
            thumb.thumbnail((width, width * 4))
            thumb.save(folder / thumb_name(relative, width), "WEBP", quality=78, method=4)
    return relative, image.width, image.height

"""Product images in the tenant's media folder, with WebP thumbnails for ``srcset``."""
from __future__ import annotations

import hashlib

from PIL import Image, ImageOps

from app.core.media import open_image, tenant_media_dir

THUMB_WIDTHS = (160, 320, 640)
MAX_PIXELS = 40_000_000


def thumb_name(path: str, width: int) -> str:
    stem = path.rsplit(".", 1)[0]
    return f"{stem}-{width}.webp"


def store_image(tenant_id: int, data: bytes) -> tuple[str, int, int]:
    """Check (MediaError), normalise and store an upload; write its thumbnails. Returns
    (path, w, h)."""
    image = open_image(data, MAX_PIXELS)
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

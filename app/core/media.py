"""Uploaded pictures: one media folder per tenant, and the check every upload goes through.

Files live under ``MEDIA_ROOT/<tenant_id>/``; the media route only ever serves from the
current tenant's folder, so one tenant's URL cannot reach another's files.
"""
from __future__ import annotations

from io import BytesIO
from pathlib import Path

from flask import current_app
from PIL import Image, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}


class MediaError(ValueError):
    """Not a readable JPEG, PNG or WebP: whatever the file's name says."""


class ImageTooLarge(MediaError):
    """More pixels than the caller accepts."""


def tenant_media_dir(tenant_id: int) -> Path:
    return Path(current_app.config["MEDIA_ROOT"]) / str(tenant_id)


def open_image(data: bytes, max_pixels: int) -> Image.Image:
    """Sniff the upload with Pillow (never by its name), verify it, and return it decoded."""
    try:
        with Image.open(BytesIO(data)) as probe:
            fmt = probe.format
            probe.verify()
        image = Image.open(BytesIO(data))  # verify() leaves the probe unusable
        if fmt not in ALLOWED_FORMATS:
            raise MediaError(f"format {fmt} not accepted")
        if image.width * image.height > max_pixels:
            raise ImageTooLarge("image too large")
        image.load()  # a truncated file fails here, not halfway through the resize
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise MediaError("not an image") from exc
    return image

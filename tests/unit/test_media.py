from io import BytesIO

import pytest
from PIL import Image

from app.core.media import ImageTooLarge, MediaError, open_image


def encoded(fmt: str, size=(40, 30)) -> bytes:
    buf = BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(buf, fmt)
    return buf.getvalue()


def test_open_image_accepts_jpeg_png_webp_by_content():
    for fmt in ("JPEG", "PNG", "WEBP"):
        image = open_image(encoded(fmt), 10_000)
        assert (image.format, image.size) == (fmt, (40, 30))


def test_open_image_refuses_other_formats_text_and_truncated_files():
    for data in (encoded("GIF"), encoded("BMP"), b"<svg onload=alert(1)>", encoded("PNG")[:60]):
        with pytest.raises(MediaError) as refused:
            open_image(data, 10_000)
        assert not isinstance(refused.value, ImageTooLarge)


def test_open_image_refuses_more_pixels_than_allowed():
    with pytest.raises(ImageTooLarge):
        open_image(encoded("PNG", size=(101, 100)), 10_000)
    assert open_image(encoded("PNG", size=(100, 100)), 10_000).size == (100, 100)

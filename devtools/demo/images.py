"""Placeholder product pictures drawn with Pillow.

Encoding WebP thumbnails costs ~0.1 s per picture, so a tenant gets a small budget of
distinct pictures (one per product label, then per label and colour while the budget
lasts) and products share them; ``store_image`` deduplicates identical bytes on disk.
"""
from __future__ import annotations

import hashlib
import unicodedata
from io import BytesIO

from PIL import Image, ImageDraw, ImageFont

from app.catalog.media import store_image

SIZE = 800
PALETTE = ["#0b6e4f", "#f2a541", "#c2410c", "#1d4ed8", "#7c3aed", "#be185d", "#0f766e", "#a16207",
           "#4d7c0f", "#b91c1c", "#155e75", "#9a3412"]


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    value = hex_colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _tint(rgb: tuple[int, int, int], percent_white: int) -> tuple[int, int, int]:
    return tuple(c + (255 - c) * percent_white // 100 for c in rgb)  # type: ignore[return-value]


def _dark(rgb: tuple[int, int, int]) -> bool:
    r, g, b = rgb
    return (299 * r + 587 * g + 114 * b) // 1000 < 140


def _ascii(text: str) -> str:
    """Pillow's built-in font has no accented letters: "Téléphone" is drawn "Telephone"."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def render(label: str, colour_hex: str, caption: str) -> bytes:
    """An 800×800 JPEG: tinted background, a shape in the colour, the label underneath."""
    digest = hashlib.sha256(label.encode()).digest()
    colour = _rgb(colour_hex)
    image = Image.new("RGB", (SIZE, SIZE), _tint(colour, 78))
    draw = ImageDraw.Draw(image)
    outline = (255, 255, 255) if _dark(colour) else (40, 40, 40)
    box = (200, 110, 600, 510)
    shape = digest[0] % 3
    if shape == 0:
        draw.ellipse(box, fill=colour, outline=outline, width=6)
    elif shape == 1:
        draw.rounded_rectangle(box, radius=60, fill=colour, outline=outline, width=6)
    else:
        draw.regular_polygon((400, 330, 210), n_sides=6, rotation=digest[1] % 60, fill=colour, outline=outline)
    ink = (30, 30, 30)
    draw.text((400, 630), _ascii(label), font=ImageFont.load_default(size=76), fill=ink, anchor="mm")
    draw.text((400, 730), _ascii(caption), font=ImageFont.load_default(size=30), fill=(90, 90, 90), anchor="mm")
    out = BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


class ImageBank:
    """Picture bytes per (label, colour), rendered lazily within a budget."""

    def __init__(self, tenant_id: int, caption: str, budget: int = 40):
        self.tenant_id, self.caption, self.budget = tenant_id, caption, budget
        self._bytes: dict[tuple[str, str | None], bytes] = {}
        self._stored: dict[tuple[str, str | None], tuple[str, int, int]] = {}

    @property
    def rendered(self) -> int:
        return len(self._bytes)

    def reserve_labels(self, labels: list[str]) -> None:
        """Render the plain picture of each label first, so colours never starve a label."""
        for label in labels:
            key = (label, None)
            if key not in self._bytes:
                colour = PALETTE[hashlib.sha256(label.encode()).digest()[2] % len(PALETTE)]
                self._bytes[key] = render(label, colour, self.caption)

    def key_for(self, label: str, colour: str | None = None, colour_hex: str | None = None) -> tuple[str, str | None]:
        """The picture to use: the coloured one if it exists or fits the budget, else the label's."""
        key = (label, colour)
        if key in self._bytes:
            return key
        if colour is not None and colour_hex and len(self._bytes) < self.budget:
            self._bytes[key] = render(label, colour_hex, f"{self.caption} · {colour}")
            return key
        self.reserve_labels([label])
        return (label, None)

    def data(self, key: tuple[str, str | None]) -> bytes:
        return self._bytes[key]

    def stored(self, key: tuple[str, str | None]) -> tuple[str, int, int]:
        """(path, width, height) of a picture on disk, for rows inserted without the ORM."""
        if key not in self._stored:
            self._stored[key] = store_image(self.tenant_id, self._bytes[key])
        return self._stored[key]

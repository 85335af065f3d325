"""Catalog CSV export: the format :mod:`app.catalog_admin.importer` reads back, streamed."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from decimal import Decimal
from functools import lru_cache

from app.catalog_admin.importer import COLUMNS, FORMULA_START, format_attributes
from app.core.money import precision


def _safe(value) -> str:
    """Text a spreadsheet will not run as a formula (OWASP CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


_precision = lru_cache(maxsize=16)(precision)  # Babel's lookup, 300 000 times in a big export


def major(amount: int | None, currency: str) -> str:
    """Minor units as plain major units for a form or a file: 1500 XAF → "1500", 1250 EUR → "12.50"."""
    return "" if amount is None else format(Decimal(amount).scaleb(-_precision(currency)), "f")


def export_lines(batches, currency: str, paths: dict[int, str]) -> Iterator[str]:
    """CSV text, a header then one row per variant: what :func:`~app.catalog_admin.importer.check`
    reads back."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    buffer.write("\ufeff")  # Excel reads UTF-8 only with its BOM
    writer.writerow(COLUMNS)
    yield flush()
    for products in batches:
        for p, variants in products:
            head = [p.sku, p.name, paths.get(p.category_id, ""), major(p.base_price, currency),
                    major(p.cost, currency), major(p.price_override, currency), p.status,
                    "oui" if p.visible else "non", "oui" if p.featured else "non", p.sort_order, p.brand,
                    p.barcode, p.seo_title, p.seo_description, p.web_description]
            for i, v in enumerate(variants or [None]):
                tail = ["", "", "", "", "", ""] if v is None else [
                    v.sku, format_attributes(v.attributes), major(v.price, currency),
                    major(v.compare_at_price, currency), v.weight_grams, v.barcode]
                # The product columns once, on its first row (as the import reads them):
                # repeating the description on every variant row doubled the file.
                writer.writerow([_safe(x) for x in (head if i == 0 else [p.sku] + [""] * (len(head) - 1)) + tail])
        yield flush()

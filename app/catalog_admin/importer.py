"""Catalog CSV: the file format and the per-row check (dry run); the export writes the same.

One row per variant; rows with the same ``sku`` are one product, whose product columns
are read from its first row (the export fills them on that row only).
UTF-8 (Excel's BOM accepted; Windows-1252 as a fallback), comma or semicolon separated,
a header line first. Columns, by header name:

==========================  =================================================================
``sku``  (required)         the product's SKU: the import creates it or updates it (upsert)
``name`` (required)         product name
``price`` (required)        base price in major units of the shop's currency ("15000", "12,50")
``category``                category path, ``Vêtements > Chemises``; missing ones are created
``cost``, ``price_override``  amounts like ``price``; an empty override means none
``status``                  active / draft / archived (actif / brouillon / archivé)
``visible``, ``featured``   oui / non (yes/no, 1/0, true/false)
``sort_order``              whole number
``brand``, ``barcode``, ``seo_title``, ``seo_description``
``description``             rich text (HTML); sanitised (nh3) like the editor's
``variant_sku``             the variant's SKU; empty: the product's default variant
``variant_attributes``      ``Taille=M; Couleur=Bleu``
``variant_price``, ``variant_compare_at_price``, ``variant_weight_grams``, ``variant_barcode``
==========================  =================================================================

A column missing from the header leaves that field of existing products as it is; a
column that is there sets it (an empty cell is the empty value or the default). Stock is
not imported: it belongs to the inventory (stores, core sync).
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from app.catalog.models import Product, Variant
from app.catalog.services import STATUSES, VariantData
from app.catalog_admin.queries import category_paths
from app.core.fields import MAX_AMOUNT
from app.core.money import MoneyError, parse_major
from app.extensions import db

PRODUCT_COLUMNS = ("sku", "name", "category", "price", "cost", "price_override", "status", "visible", "featured",
                   "sort_order", "brand", "barcode", "seo_title", "seo_description", "description")
VARIANT_COLUMNS = ("variant_sku", "variant_attributes", "variant_price", "variant_compare_at_price",
                   "variant_weight_grams", "variant_barcode")
COLUMNS = PRODUCT_COLUMNS + VARIANT_COLUMNS
REQUIRED = ("sku", "name", "price")
ALIASES = {"nom": "name", "prix": "price", "catégorie": "category", "categorie": "category", "marque": "brand",
           "statut": "status", "coût": "cost", "cout": "cost"}
MAX_ROWS = 20_000
ERROR_LIMIT = 500  # bad rows kept for the report (all are counted)
LENGTHS = {"sku": 64, "name": 200, "brand": 80, "barcode": 64, "seo_title": 160, "seo_description": 320,
           "description": 20_000, "category": 500, "variant_sku": 64, "variant_barcode": 64,
           "variant_attributes": 1000}
STATUS_WORDS = {"active": "active", "actif": "active", "draft": "draft", "brouillon": "draft",
                "archived": "archived", "archivé": "archived", "archive": "archived", "archivée": "archived"}
TRUE_WORDS, FALSE_WORDS = {"oui", "yes", "true", "vrai", "1", "o", "y"}, {"non", "no", "false", "faux", "0", "n"}
FORMULA_START = ("=", "+", "-", "@")


class FileRefused(ValueError):
    """The file as a whole cannot be read (encoding, header, size)."""


@dataclass
class ParsedRow:
    line: int
    sku: str
    product: dict  # field -> parsed value, only the header's product columns
    category: str | None  # path, when the column is there
    variant: VariantData | None
    variant_columns: set[str]
    messages: list[str] = field(default_factory=list)


@dataclass
class Checked:
    columns: set[str]
    total_rows: int = 0
    groups: dict[str, list[ParsedRow]] = field(default_factory=dict)  # by product SKU, in file order
    bad_skus: set[str] = field(default_factory=set)
    errors: list[dict] = field(default_factory=list)  # {"line", "sku", "messages"}
    new_categories: list[str] = field(default_factory=list)
    existing_skus: set[str] = field(default_factory=set)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def valid_groups(self) -> list[tuple[str, list[ParsedRow]]]:
        return [(sku, rows) for sku, rows in self.groups.items() if sku not in self.bad_skus]

    @property
    def valid_rows(self) -> int:
        return sum(len(rows) for _, rows in self.valid_groups)

    @property
    def to_create(self) -> int:
        return sum(1 for sku, _ in self.valid_groups if sku not in self.existing_skus)


def parse_attributes(text: str) -> dict[str, str]:
    """``"Taille=M; Couleur=Bleu"`` → ``{"Taille": "M", "Couleur": "Bleu"}``; ValueError if malformed."""
    attributes: dict[str, str] = {}
    for part in (text or "").split(";"):
        if not part.strip():
            continue
        name, sep, value = part.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name or not value:
            raise ValueError(part.strip())
        if len(name) > 40 or len(value) > 60:
            raise ValueError(part.strip())
        attributes[name] = value
    return attributes


def format_attributes(attributes: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in attributes.items())


def decode(data: bytes) -> str:
    """Raises FileRefused("binary") for what is not text (a UTF-16 export, a spreadsheet):
    no text column takes a NUL byte."""
    if b"\x00" in data:
        raise FileRefused("binary")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")  # Excel on Windows


def _cell(value: str) -> str:
    value = (value or "").strip()
    if value.startswith("'") and value[1:2] in FORMULA_START:
        return value[1:]  # our export's guard against spreadsheet formulas
    return value


def _rows(text: str) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    first = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";" if first.count(";") > first.count(",") else ",")
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise FileRefused("empty") from exc

    def numbered() -> Iterator[tuple[int, list[str]]]:
        start = reader.line_num + 1
        for cells in reader:
            # A quoted cell may span lines: a row is numbered by the line it starts on.
            if any(c.strip() for c in cells):
                yield start, cells
            start = reader.line_num + 1

    return header, numbered()


def _money(raw: str, currency: str, label: str, messages: list[str]) -> int | None:
    if not raw:
        return None
    try:
        amount = parse_major(raw, currency)
    except MoneyError:
        amount = None
    if amount is None or amount > MAX_AMOUNT:
        messages.append(_("%(column)s : montant invalide « %(value)s »", column=label, value=raw[:30]))
        return None
    return amount


def _whole(raw: str, label: str, messages: list[str], low: int, high: int) -> int | None:
    try:
        value = int(raw)
    except ValueError:
        messages.append(_("%(column)s : nombre entier attendu « %(value)s »", column=label, value=raw[:30]))
        return None
    if not low <= value <= high:
        messages.append(_("%(column)s : hors limites (%(low)s à %(high)s)", column=label, low=low, high=high))
        return None
    return value


def _bool(raw: str, label: str, default: bool, messages: list[str]) -> bool:
    if not raw:
        return default
    if raw.lower() in TRUE_WORDS:
        return True
    if raw.lower() in FALSE_WORDS:
        return False
    messages.append(_("%(column)s : oui ou non attendu « %(value)s »", column=label, value=raw[:30]))
    return default


def _parse_row(line: int, values: dict[str, str], columns: set[str], currency: str, first: bool) -> ParsedRow:
    m: list[str] = []
    for name, limit in LENGTHS.items():
        if len(values.get(name, "")) > limit:
            m.append(_("%(column)s : %(n)s caractères au plus", column=name, n=limit))
    sku = values.get("sku", "")
    if not sku:
        m.append(_("%(column)s : obligatoire", column="sku"))
    product: dict = {}
    if first:
        if not values.get("name"):
            m.append(_("%(column)s : obligatoire", column="name"))
        product["name"] = values.get("name", "")
        price = _money(values.get("price", ""), currency, "price", m)
        if price is None and not values.get("price"):
            m.append(_("%(column)s : obligatoire", column="price"))
        product["base_price"] = price
        if "cost" in columns:
            product["cost"] = _money(values["cost"], currency, "cost", m) or 0
        if "price_override" in columns:
            product["price_override"] = _money(values["price_override"], currency, "price_override", m)
        if "status" in columns:
            status = STATUS_WORDS.get(values["status"].lower() or "active")
            if status not in STATUSES:
                m.append(_("%(column)s : active, draft ou archived attendu « %(value)s »", column="status",
                           value=values["status"][:30]))
            product["status"] = status or "active"
        for name, default in (("visible", True), ("featured", False)):
            if name in columns:
                product[name] = _bool(values[name], name, default, m)
        if "sort_order" in columns:
            product["sort_order"] = _whole(values["sort_order"] or "0", "sort_order", m, -10**6, 10**6) or 0
        for name in ("brand", "barcode", "seo_title", "seo_description"):
            if name in columns:
                product[name] = values[name]
        if "description" in columns:
            product["description"] = values["description"]
    category = None
    if first and "category" in columns:
        parts = [p.strip() for p in values["category"].split(">")]
        if values["category"] and (not all(parts) or any(len(p) > 120 for p in parts)):
            m.append(_("%(column)s : chemin invalide (« Rayon > Sous-rayon »)", column="category"))
        category = " > ".join(parts) if values["category"] else ""
    variant, present = None, {c for c in VARIANT_COLUMNS if values.get(c)}
    if values.get("variant_sku"):
        try:
            attributes = parse_attributes(values.get("variant_attributes", ""))
        except ValueError as exc:
            m.append(_("%(column)s : « %(value)s » n’est pas de la forme Nom=Valeur", column="variant_attributes",
                       value=str(exc)[:40]))
            attributes = {}
        weight = values.get("variant_weight_grams") or "0"
        variant = VariantData(
            sku=values["variant_sku"], attributes=attributes,
            price=_money(values.get("variant_price", ""), currency, "variant_price", m),
            compare_at_price=_money(values.get("variant_compare_at_price", ""), currency,
                                    "variant_compare_at_price", m),
            weight_grams=_whole(weight, "variant_weight_grams", m, 0, 10**7) or 0,
            barcode=values.get("variant_barcode", ""))
    elif present:
        m.append(_("%(column)s : obligatoire quand une autre colonne de variante est remplie",
                   column="variant_sku"))
    return ParsedRow(line, sku, product, category, variant, present, m)


def check(text: str, currency: str) -> Checked:
    """Read and check every row against the file and the database; writes nothing."""
    header, rows = _rows(text)
    names = [ALIASES.get(h.strip().lower(), h.strip().lower()) for h in header]
    if len(set(names)) != len(names):
        raise FileRefused("duplicate column")
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise FileRefused("missing: " + ", ".join(missing))
    result = Checked(columns={n for n in names if n in COLUMNS}, ignored_columns=[n for n in names if n not in COLUMNS])
    try:
        _read(result, rows, names, currency)
    except csv.Error as exc:  # a cell over the csv module's size limit, a stray quote at the end
        raise FileRefused("unreadable") from exc
    _check_against_database(result)
    for rows_of in result.groups.values():
        for row in rows_of:
            if row.messages:
                result.bad_skus.add(row.sku)
                result.errors.append({"line": row.line, "sku": row.sku[:64], "messages": row.messages})
    result.errors.sort(key=lambda e: e["line"])
    return result


def _read(result: Checked, rows, names: list[str], currency: str) -> None:
    for line, cells in rows:
        result.total_rows += 1
        if result.total_rows > MAX_ROWS:
            raise FileRefused("too many rows")
        values = {name: _cell(cells[i]) if i < len(cells) else "" for i, name in enumerate(names)}
        sku = values.get("sku", "")
        parsed = _parse_row(line, values, result.columns, currency, first=sku not in result.groups)
        if len(cells) > len(names):
            parsed.messages.append(_("%(cells)s cellules pour %(columns)s colonnes", cells=len(cells),
                                     columns=len(names)))
        result.groups.setdefault(sku, []).append(parsed)


def _chunks(items: list, size: int = 500) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _check_against_database(result: Checked) -> None:
    """SKU conflicts inside the file and with other products; categories to create."""
    skus = [s for s in result.groups if s]
    for chunk in _chunks(skus):
        result.existing_skus.update(db.session.scalars(select(Product.sku).where(Product.sku.in_(chunk))))
    # Each product's variant SKUs once it is imported (a new product without variant
    # rows gets a default variant carrying its own SKU).
    claims: dict[str, tuple[str, ParsedRow]] = {}
    for sku, rows in result.groups.items():
        wanted = [(r.variant.sku, r) for r in rows if r.variant]
        if not wanted and sku and sku not in result.existing_skus:
            wanted = [(sku, rows[0])]
        for variant_sku, row in wanted:
            if variant_sku in claims:
                other = claims[variant_sku][1].line
                row.messages.append(_("%(column)s : « %(value)s » déjà utilisé ligne %(line)s",
                                      column="variant_sku", value=variant_sku, line=other))
            else:
                claims[variant_sku] = (sku, row)
    owners: dict[str, str] = {}
    for chunk in _chunks(list(claims)):
        owners.update(db.session.execute(
            select(Variant.sku, Product.sku).join(Product, Product.id == Variant.product_id)
            .where(Variant.sku.in_(chunk))).all())
    for variant_sku, (sku, row) in claims.items():
        if variant_sku in owners and owners[variant_sku] != sku:
            row.messages.append(_("%(column)s : « %(value)s » appartient au produit %(sku)s", column="variant_sku",
                                  value=variant_sku, sku=owners[variant_sku]))
    known = set(category_ids_by_path())
    paths = {r.category for rows in result.groups.values() for r in rows if r.category and not r.messages}
    new: set[str] = set()
    for path in paths:
        parts = path.split(" > ")
        new.update(" > ".join(parts[:i]) for i in range(1, len(parts) + 1)
                   if " > ".join(parts[:i]).lower() not in known)
    result.new_categories = sorted(new, key=lambda p: (p.count(">"), p.lower()))


def category_ids_by_path() -> dict[str, int]:
    """{"vêtements > chemises": id}: case-insensitive paths of names."""
    return {path.lower(): cid for cid, path in category_paths().items()}

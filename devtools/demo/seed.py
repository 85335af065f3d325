"""``flask seed-demo``: two demo tenants with stores, a French catalog, stock and a CEO login.

The realistic part (≤ 250 products per tenant) goes through the catalog, inventory and
staff services, so it exercises the same write path as production. ``--products N``
above that adds generated products with Core bulk inserts: those bypass the ORM hooks,
so every row carries its ``tenant_id`` and the product read model (listed, price,
in_stock) is computed here, with one ``receipt`` movement per stock level so the ledger
still sums to ``on_hand``.

Everything is drawn from a ``random.Random`` seeded per tenant: the same command gives the
same catalog. Each tenant is one transaction; an existing slug is left untouched.
"""
from __future__ import annotations

import html
import random
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import insert, select, text

from app.catalog.categories import create_category
from app.catalog.models import Category, Product, ProductImage, Variant, VariantOption
from app.catalog.services import VariantData, add_image, create_product, slugify
from app.core.db import tenant_context, utcnow
from app.extensions import db
from app.inventory.models import StockLevel, StockMovement
from app.inventory.services import change_on_hand, eligible_stores
from app.payments.providers.registry import PROVIDERS
from app.staff.services import create_staff
from app.tenancy.geo import city_coordinates
from app.tenancy.models import Store, Tenant
from app.tenancy.services import add_store, create_tenant
from devtools.demo.data import (
    BULK_QUALIFIERS,
    CATEGORIES,
    CLOTH_COLOURS,
    COLOURS,
    PHONE_COLOURS,
    PHONE_PRICES,
    PRICE_HINTS,
    SHOE_COLOURS,
    SIZES,
    STORAGE,
    TENANTS,
    TYPES,
    ProductType,
)
from devtools.demo.images import ImageBank

BASE_PRODUCTS = 250
FEATURED = 12
BATCH = 5000
PROGRESS_EVERY = 20_000
OPENING = "Stock initial / opening stock"
ACTOR = "seed-demo"
STORAGE_STEP = {label: step for label, _token, step in STORAGE}
STORAGE_TOKEN = {label: token for label, token, _step in STORAGE}

# (sku, attributes, own price or None, compare-at price or None)
PlannedVariant = tuple[str, dict[str, str], int | None, int | None]


@dataclass
class Ctx:
    tenant: Tenant
    spec: dict
    rng: random.Random
    stores: list[Store]
    leaves: dict[str, Category]
    bank: ImageBank
    now: datetime
    seq: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=lambda: {"products": 0, "variants": 0, "images": 0, "levels": 0})

    def next_sku(self, code: str) -> str:
        self.seq[code] = self.seq.get(code, 0) + 1
        return f"{self.spec['sku_prefix']}-{code}-{self.seq[code]:04d}"


def seed(products: int | None = None, only: str | None = None) -> Iterator[str]:
    specs = [spec for spec in TENANTS if only in (None, spec["slug"])]
    if not specs:
        known = ", ".join(spec["slug"] for spec in TENANTS)
        yield f"Boutique de démo « {only} » inconnue ({known}) / unknown demo tenant {only!r} ({known})"
        return
    if products is not None and products < 0:
        raise ValueError("--products must be positive")
    for spec in specs:
        slug = spec["slug"]
        if db.session.scalar(select(Tenant.id).where(Tenant.slug == slug)) is not None:
            yield f"Boutique {slug} déjà présente, rien à faire / tenant {slug} already there, skipped"
            continue
        started = time.perf_counter()
        try:
            yield from _seed_tenant(spec, products)
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
        seconds = time.perf_counter() - started
        french = f"{seconds:.1f}".replace(".", ",")
        yield f"Boutique {slug} enregistrée en {french} s / tenant {slug} committed in {seconds:.1f} s"
        # Fresh planner statistics: without them SQLite can pick a poor index for the
        # listing queries on a large catalog (PostgreSQL's autovacuum would get there later).
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def _seed_tenant(spec: dict, products: int | None) -> Iterator[str]:
    slug = spec["slug"]
    tenant, stores = _create_tenant(spec)
    yield (f"Boutique {slug} créée : {spec['name']} ({spec['country']}, {spec['currency']}), {len(stores)} magasins"
           f" / tenant {slug} created: {spec['name']} ({spec['country']}, {spec['currency']}), {len(stores)} stores")
    with tenant_context(tenant.id):
        ctx = Ctx(tenant=tenant, spec=spec, rng=random.Random(f"afrigest-demo-{slug}"), stores=stores,
                  leaves=_create_categories(), bank=ImageBank(tenant.id, spec["name"]), now=utcnow())
        yield (f"  {len(CATEGORIES)} rayons, {len(ctx.leaves)} sous-rayons"
               f" / {len(CATEGORIES)} root categories, {len(ctx.leaves)} subcategories")
        target = BASE_PRODUCTS if products is None else products
        candidates = _candidates()[:min(target, BASE_PRODUCTS)]
        ctx.bank.reserve_labels(sorted({ptype.label for ptype, _name, _brand in candidates}))
        featured = set(ctx.rng.sample(range(len(candidates)), min(FEATURED, (len(candidates) + 3) // 4)))
        for i, (ptype, name, brand) in enumerate(candidates):
            _real_product(ctx, ptype, name, brand, featured=i in featured, sort_order=i)
        c = ctx.counts
        yield (f"  {c['products']} produits, {c['variants']} variantes, {c['images']} images"
               f" ({ctx.bank.rendered} dessinées), {c['levels']} niveaux de stock"
               f" / {c['products']} products, {c['variants']} variants, {c['images']} images"
               f" ({ctx.bank.rendered} drawn), {c['levels']} stock levels")
        if target > len(candidates):
            yield from _bulk(ctx, len(candidates), target)
        name, role = spec["staff"]
        email, password = f"pdg@{slug}.demo", f"demo-{slug}-2026"
        create_staff(email=email, name=name, role=role, password=password)
        yield (f"  Compte {role.upper()} : {email}, mot de passe {password}"
               f" / {'CEO' if role == 'pdg' else role} login: {email}, password {password}")


def _create_tenant(spec: dict) -> tuple[Tenant, list[Store]]:
    fields = {key: spec[key] for key in ("legal_name", "primary_color", "secondary_color", "contact_email",
                                         "contact_phone")}
    tenant = create_tenant(spec["slug"], spec["name"], country=spec["country"], currency=spec["currency"],
                           locale=spec["locale"], timezone=spec["timezone"], **fields)
    # Every payment method, answered in the demo by the local simulators (make demo).
    tenant.settings = {**(tenant.settings or {}), **{cls.setting_key: True for cls in PROVIDERS.values()}}
    stores = []
    for position, store in enumerate(spec["stores"]):
        lat, lon = city_coordinates(spec["country"], store["city"])
        dlat, dlon = store["offset"]
        stores.append(add_store(tenant, name=store["name"], code=store["code"], city=store["city"],
                                latitude=round(lat + dlat, 4), longitude=round(lon + dlon, 4),
                                address=store["address"], opening_hours=store["opening_hours"],
                                is_ecommerce_warehouse=store.get("is_ecommerce_warehouse", False),
                                position=position))
    return tenant, stores


def _create_categories() -> dict[str, Category]:
    leaves = {}
    for position, (root_name, children) in enumerate(CATEGORIES):
        root = create_category(root_name, position=position, seo_title=root_name)
        for child_position, child in enumerate(children):
            leaves[f"{root_name}/{child}"] = create_category(
                child, root, slug=f"{root.slug}-{slugify(child)}", position=child_position,
                seo_title=f"{child} – {root_name}")
    return leaves


def _candidates() -> list[tuple[ProductType, str, str]]:
    """Every type's first product, then every type's second…: any prefix mixes all aisles.

    A type with several brands lists its names again under its other brands, the way a
    marketplace carries the same item from two suppliers.
    """
    ranked = []
    for order, ptype in enumerate(TYPES):
        for round_, brand in enumerate(ptype.brands or ("",)):
            for index, name in enumerate(ptype.names):
                label = name if round_ == 0 else f"{name} {brand}"
                ranked.append(((round_, index, order), ptype, label, brand or name.split()[1]))
    ranked.sort(key=lambda row: row[0])
    return [(ptype, name, brand) for _rank, ptype, name, brand in ranked]


def _fr(number: int) -> str:
    return f"{number:,}".replace(",", " ")  # French groups thousands with a space


def _round_price(value: int) -> int:
    step = 100 if value < 5000 else 500 if value < 100_000 else 5000
    return max(step, (value + step // 2) // step * step)


def _base_price(rng: random.Random, ptype: ProductType, name: str) -> int:
    if name in PHONE_PRICES:
        return PHONE_PRICES[name]
    low, high = PRICE_HINTS.get(name, ptype.price)
    return _round_price(rng.randint(low, high))


def _token(value: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", slugify(value).upper())


def _axes(rng: random.Random, ptype: ProductType, lean: bool = False) -> list[dict[str, str]]:
    """Attribute combinations of one product; ``lean`` keeps bulk products to fewer variants."""
    kind = ptype.kind
    if kind in SIZES:
        ladder = SIZES[kind]
        count = rng.randint(2, 3 if lean else 4)
        start = rng.randint(0, len(ladder) - count)
        palette = SHOE_COLOURS if kind.startswith("shoes") else CLOTH_COLOURS
        colours = rng.sample(palette, 1 if lean else rng.randint(1, 3))
        return [{"Taille": size, "Couleur": colour} for colour in colours for size in ladder[start:start + count]]
    if kind == "colour":
        return [{"Couleur": colour} for colour in rng.sample(CLOTH_COLOURS, rng.randint(1 if lean else 2, 3))]
    if kind == "phone":
        colours = rng.sample(PHONE_COLOURS, rng.randint(1, 2 if lean else 3))
        count = rng.randint(1, 2)
        start = rng.randint(0, len(STORAGE) - count)
        return [{"Couleur": colour, "Stockage": label} for colour in colours
                for label, _token, _step in STORAGE[start:start + count]]
    return [{}]


def _plan_variants(rng: random.Random, ptype: ProductType, sku: str, price: int, promo: bool,
                   axes: list[dict[str, str]]) -> list[PlannedVariant]:
    """SKUs and prices: bigger storage and XXL cost more; a promo keeps the old price to compare."""
    percent = rng.choice((10, 15, 20, 25, 30)) if promo else 0
    xxl_extra = 1000 if ptype.kind == "adult" and rng.random() < 0.5 else 0
    planned = []
    for attrs in axes:
        own = None
        if attrs.get("Stockage") and STORAGE_STEP[attrs["Stockage"]]:
            own = price + STORAGE_STEP[attrs["Stockage"]]
        elif attrs.get("Taille") == "XXL" and xxl_extra:
            own = price + xxl_extra
        compare = None
        if percent:
            regular = own if own is not None else price
            reduced = _round_price(regular * (100 - percent) // 100)
            if reduced < regular:
                own, compare = reduced, regular
        tokens = [sku]
        for key, value in attrs.items():
            tokens.append(STORAGE_TOKEN[value] if key == "Stockage" else
                          COLOURS[value][1] if key == "Couleur" else _token(value))
        planned.append(("-".join(tokens), attrs, own, compare))
    return planned


def _description(rng: random.Random, ptype: ProductType, brand: str, made_in: str | None) -> str:
    features = rng.sample(ptype.features, min(len(ptype.features), rng.randint(2, 3)))
    parts = [f"<p>{html.escape(ptype.pitch)}</p>"]
    if made_in:
        parts.append(f"<p>{html.escape(made_in)}, par nos partenaires locaux.</p>")
    items = [*features, f"Marque : {brand}"]
    parts.append("<ul>" + "".join(f"<li>{html.escape(item)}</li>" for item in items) + "</ul>")
    return "".join(parts)


def _stock_plan(rng: random.Random, variants: int, stores: int) -> list[list[int]]:
    """Quantities per variant and store: some zeros, and ~5 % of products empty everywhere."""
    if rng.random() < 0.05:
        return [[0] * stores for _ in range(variants)]
    return [[0 if rng.random() < 0.25 else rng.randint(1, 25) for _ in range(stores)] for _ in range(variants)]


def _real_product(ctx: Ctx, ptype: ProductType, name: str, brand: str, *, featured: bool, sort_order: int) -> None:
    rng = ctx.rng
    base_name = name.removesuffix(f" {brand}")  # second-round names carry their brand
    price = _base_price(rng, ptype, base_name)
    sku = ctx.next_sku(ptype.code)
    promo = rng.random() < 0.15
    planned = _plan_variants(rng, ptype, sku, price, promo, _axes(rng, ptype))
    fresh = rng.random() < 0.12
    local = ptype.local and rng.random() < 0.6
    tags = (["Promo"] if promo else []) + (["Nouveautés"] if fresh else [])
    tags += ([ctx.spec["made_in"]] if local else []) + (["Wax"] if "wax" in base_name.lower() else [])
    age_days = rng.randint(0, 29) if fresh else rng.randint(30, 365)
    product = create_product(
        name, sku, price, category=ctx.leaves[ptype.leaf], tags=tags, brand=brand,
        variants=[VariantData(sku=v_sku, attributes=attrs, price=own, compare_at_price=compare,
                              weight_grams=ptype.weight) for v_sku, attrs, own, compare in planned],
        description=_description(rng, ptype, brand, ctx.spec["made_in"] if local else None),
        cost=price * rng.randint(55, 75) // 100, featured=featured, sort_order=0 if featured else sort_order,
        sales_count=rng.randint(0, 500), created_at=ctx.now - timedelta(days=age_days, minutes=rng.randint(0, 1439)),
    )
    _attach_images(ctx, product, ptype, name)
    for variant, quantities in zip(product.variants, _stock_plan(rng, len(planned), len(ctx.stores)), strict=True):
        for store, quantity in zip(ctx.stores, quantities, strict=True):
            if quantity:
                change_on_hand(variant.id, store.id, quantity, "receipt", reason=OPENING, actor=ACTOR)
                ctx.counts["levels"] += 1
    ctx.counts["products"] += 1
    ctx.counts["variants"] += len(planned)


def _attach_images(ctx: Ctx, product: Product, ptype: ProductType, name: str) -> None:
    """One picture per colour while the budget lasts; colour variants point at theirs."""
    colours = list(dict.fromkeys(v.attributes["Couleur"] for v in product.variants if "Couleur" in v.attributes))
    added: dict[tuple[str, str | None], ProductImage] = {}
    for colour in colours or [None]:
        key = ctx.bank.key_for(ptype.label, colour, COLOURS[colour][0] if colour else None)
        if key not in added:
            alt = f"{name} – {colour}" if key[1] else name
            added[key] = add_image(product, ctx.bank.data(key), alt=alt)
            ctx.counts["images"] += 1
        if key[1] is not None:
            for variant in product.variants:
                if variant.attributes.get("Couleur") == colour:
                    variant.image_id = added[key].id


def _bulk(ctx: Ctx, start: int, total: int) -> Iterator[str]:
    """Products ``start``..``total``-1 as Core inserts, one batch of products at a time."""
    db.session.flush()
    rng, tenant_id = ctx.rng, ctx.tenant.id
    pool = [(ptype, name) for ptype in TYPES for name in ptype.names]
    store_ids = [store.id for store in ctx.stores]
    eligible = {store.id for store in eligible_stores()}
    taken = set(db.session.scalars(select(Product.slug)))
    began = time.perf_counter()
    low = start
    while low < total:
        high = min((low // BATCH + 1) * BATCH, total)  # round batch ends: progress at 20 000, 40 000…
        products, plans = [], []
        for i in range(low, high):
            ptype, base_name = rng.choice(pool)
            brand = ptype.brands[i % len(ptype.brands)] if ptype.brands else base_name.split()[1]
            qualifier = rng.choice(BULK_QUALIFIERS)
            name = f"{base_name} {brand} {qualifier}" if ptype.brands else f"{base_name} {qualifier}"
            sku = f"{ctx.spec['sku_prefix']}-{ptype.code}-B{i:06d}"
            price = _base_price(rng, ptype, base_name)
            planned = _plan_variants(rng, ptype, sku, price, rng.random() < 0.12, _axes(rng, ptype, lean=True))
            colours = {attrs["Couleur"] for _s, attrs, _o, _c in planned if "Couleur" in attrs}
            if len(colours) == 1 and ptype.kind != "phone":
                name = f"{name} – {colours.pop()}"  # more distinct names: sorting by name stays meaningful
            slug = f"{slugify(name)}-{i}"
            while slug in taken:
                slug += "-x"
            stock = _stock_plan(rng, len(planned), len(store_ids))
            created = ctx.now - timedelta(seconds=rng.randrange(365 * 86400))
            feature = ptype.features[i % len(ptype.features)]
            products.append({
                "tenant_id": tenant_id, "name": name, "sku": sku, "barcode": "", "brand": brand,
                "base_price": price, "cost": price * 65 // 100, "status": "active",
                "category_id": ctx.leaves[ptype.leaf].id, "slug": slug, "seo_title": "", "seo_description": "",
                "canonical_url": "", "noindex": False, "visible": True, "featured": False, "sort_order": 0,
                "price_override": None, "listed": True,
                "web_description": (f"<p>{html.escape(ptype.pitch)} Version {html.escape(qualifier)}.</p>"
                                    f"<ul><li>{html.escape(feature)}</li><li>Marque : {html.escape(brand)}</li></ul>"),
                "price": min(own if own is not None else price for _s, _a, own, _c in planned),
                "in_stock": any(q > 0 and sid in eligible
                                for row in stock for q, sid in zip(row, store_ids, strict=False)),
                "sales_count": rng.randint(0, 500), "created_at": created, "updated_at": created,
            })
            plans.append((sku, ptype, planned, stock, created))
        _insert_batch(ctx, products, plans, store_ids)
        if high // PROGRESS_EVERY > low // PROGRESS_EVERY or high == total:
            seconds = time.perf_counter() - began
            yield (f"  {_fr(high)} / {_fr(total)} produits ({seconds:.0f} s)"
                   f" / {high:,} of {total:,} products ({seconds:.0f} s)")
        low = high
    c = ctx.counts
    yield (f"  Total : {_fr(c['products'])} produits, {_fr(c['variants'])} variantes"
           f" / total: {c['products']:,} products, {c['variants']:,} variants")


def _insert_batch(ctx: Ctx, products: list[dict], plans: list[tuple], store_ids: list[int]) -> None:
    tenant_id = ctx.tenant.id
    product_table, variant_table = Product.__table__, Variant.__table__
    result = db.session.execute(insert(product_table).returning(product_table.c.id, product_table.c.sku), products)
    product_ids = {sku: id_ for id_, sku in result}
    variants = []
    for sku, ptype, planned, _stock, _created in plans:
        for position, (v_sku, attrs, own, compare) in enumerate(planned):
            variants.append({"tenant_id": tenant_id, "product_id": product_ids[sku], "sku": v_sku, "barcode": "",
                             "attributes": attrs, "price": own, "compare_at_price": compare,
                             "weight_grams": ptype.weight, "image_id": None, "position": position, "active": True})
    result = db.session.execute(insert(variant_table).returning(variant_table.c.id, variant_table.c.sku), variants)
    variant_ids = {sku: id_ for id_, sku in result}
    options, images, levels, movements = [], [], [], []
    for (sku, ptype, planned, stock, created), row in zip(plans, products, strict=True):
        product_id = product_ids[sku]
        first_colour = planned[0][1].get("Couleur")
        key = ctx.bank.key_for(ptype.label, first_colour, COLOURS[first_colour][0] if first_colour else None)
        path, width, height = ctx.bank.stored(key)
        images.append({"tenant_id": tenant_id, "product_id": product_id, "path": path, "alt": row["name"],
                       "position": 0, "width": width, "height": height})
        for (v_sku, attrs, _own, _compare), quantities in zip(planned, stock, strict=True):
            variant_id = variant_ids[v_sku]
            options.extend({"tenant_id": tenant_id, "variant_id": variant_id, "product_id": product_id,
                            "name": name, "value": value} for name, value in attrs.items())
            for store_id, quantity in zip(store_ids, quantities, strict=True):
                if quantity:
                    levels.append({"tenant_id": tenant_id, "variant_id": variant_id, "store_id": store_id,
                                   "on_hand": quantity, "reserved": 0, "low_stock_threshold": 3})
                    movements.append({"tenant_id": tenant_id, "variant_id": variant_id, "store_id": store_id,
                                      "kind": "receipt", "on_hand_delta": quantity, "reserved_delta": 0,
                                      "reason": OPENING, "order_id": None, "actor": ACTOR, "created_at": created})
    for model, rows in ((VariantOption, options), (ProductImage, images), (StockLevel, levels),
                        (StockMovement, movements)):
        if rows:
            db.session.execute(insert(model.__table__), rows)
    ctx.counts["products"] += len(products)
    ctx.counts["variants"] += len(variants)

"""Test data. Every world has two tenants, so every test can check the other is sealed."""
from __future__ import annotations

from dataclasses import dataclass, field
from io import BytesIO
from types import SimpleNamespace

from PIL import Image

from app.catalog import services as catalog
from app.catalog.categories import create_category
from app.catalog.services import VariantData
from app.core.db import tenant_context
from app.extensions import db
from app.inventory import services as inventory
from app.tenancy.services import add_store, create_tenant


def snap(obj, *names) -> SimpleNamespace:
    """Plain values of a row, usable after its session is gone."""
    return SimpleNamespace(**{n: getattr(obj, n) for n in names})


def product_snap(product) -> SimpleNamespace:
    ref = snap(product, "id", "slug", "name", "sku", "tenant_id", "price")
    ref.variant_ids = [v.id for v in product.variants]
    return ref


@dataclass
class Shop:
    tenant: SimpleNamespace
    stores: list
    category: SimpleNamespace = None
    child: SimpleNamespace = None
    products: dict = field(default_factory=dict)

    def __getitem__(self, key):
        return self.products[key]


@dataclass
class World:
    a: Shop
    b: Shop


def png(color=(200, 80, 40), size=(64, 48)) -> bytes:
    buf = BytesIO()
    Image.new("RGB", size, color).save(buf, "PNG")
    return buf.getvalue()


def make_shop(slug: str, *, country: str, currency: str, stores: list[tuple[str, str, float, float]],
              prefix: str) -> Shop:
    tenant = create_tenant(slug, f"Boutique {slug}", country=country, currency=currency,
                           contact_phone="+237600000000")
    made = [add_store(tenant, name=name, code=f"S{i}", city=city, latitude=lat, longitude=lon, position=i)
            for i, (name, city, lat, lon) in enumerate(stores)]
    shop = Shop(snap(tenant, "id", "slug", "currency", "country"), [snap(s, "id", "name", "city") for s in made])
    with tenant_context(tenant.id):
        clothes = create_category("Vêtements")
        shirts = create_category("Chemises", clothes)
        shoes = create_category("Chaussures")
        shirt = catalog.create_product(
            "Chemise pagne wax", f"{prefix}-CH", 15000, category=shirts, featured=True,
            description="<p>Coton <strong>wax</strong></p><script>alert(1)</script>",
            variants=[VariantData(f"{prefix}-CH-M-B", {"Taille": "M", "Couleur": "Bleu"}),
                      VariantData(f"{prefix}-CH-L-B", {"Taille": "L", "Couleur": "Bleu"}, price=16000),
                      VariantData(f"{prefix}-CH-M-R", {"Taille": "M", "Couleur": "Rouge"})],
        )
        catalog.add_image(shirt, png(), "Chemise wax bleue")
        sandals = catalog.create_product("Sandales en cuir tressé", f"{prefix}-SD", 9000, category=shoes,
                                         tags=["Fait main"])
        rare = catalog.create_product("Montre dorée édition limitée", f"{prefix}-MT", 50000, category=clothes)
        hidden = catalog.create_product("Produit caché", f"{prefix}-HID", 1000, visible=False)
        for v in shirt.variants:
            inventory.change_on_hand(v.id, made[0].id, 10, "receipt")
        inventory.change_on_hand(shirt.variants[0].id, made[1].id, 4, "receipt")
        inventory.change_on_hand(sandals.variants[0].id, made[-1].id, 6, "receipt")
        inventory.change_on_hand(hidden.variants[0].id, made[0].id, 6, "receipt")
        db.session.commit()
        shop.category, shop.child = snap(clothes, "id", "slug", "path"), snap(shirts, "id", "slug", "path")
        shop.products = {k: product_snap(p) for k, p in
                         {"shirt": shirt, "sandals": sandals, "rare": rare, "hidden": hidden}.items()}
    return shop


def make_world() -> World:
    a = make_shop("akwa", country="CM", currency="XAF", prefix="AK", stores=[
        ("Douala Akwa", "Douala", 4.0500, 9.7000), ("Yaoundé Centre", "Yaoundé", 3.8667, 11.5167),
        ("Bafoussam Marché", "Bafoussam", 5.4781, 10.4176)])
    b = make_shop("plateau", country="CI", currency="XOF", prefix="PL", stores=[
        ("Abidjan Plateau", "Abidjan", 5.3200, -4.0200), ("Bouaké Centre", "Bouaké", 7.6900, -5.0300)])
    return World(a, b)

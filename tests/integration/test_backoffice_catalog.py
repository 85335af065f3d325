"""Back-office catalog: product list, editor (version check), images, categories, CSV."""
from __future__ import annotations

import csv
import io
import logging
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

from sqlalchemy import func, select, update

from app.audit.models import AuditEntry
from app.catalog import services as catalog
from app.catalog.models import Category, ImportJob, Product, ProductImage, VariantOption
from app.core.db import tenant_context, utcnow
from app.extensions import db
from app.staff.services import create_staff
from tests.support.backoffice import PASSWORD, login
from tests.support.clients import client_for, csrf_token, run_jobs
from tests.support.factories import png

HX = {"HX-Request": "true"}


class FormReader(HTMLParser):
    """The fields of the form posting to ``action``, as a browser would send them."""

    def __init__(self, action: str):
        super().__init__()
        self.action, self.inside, self.fields, self._select, self._textarea = action, False, {}, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("action") == self.action
        elif not self.inside:
            return
        elif tag == "input" and a.get("name"):
            if a.get("type") == "checkbox":
                if "checked" in a:
                    self.fields[a["name"]] = a.get("value", "y")
            elif a.get("type") not in ("submit", "file"):
                self.fields[a["name"]] = a.get("value", "")
        elif tag == "select":
            self._select = a.get("name")
            self.fields.setdefault(self._select, "")
        elif tag == "option" and self._select and "selected" in a:
            self.fields[self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.fields[self._textarea] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data.removeprefix("\n") if not self.fields[self._textarea] else data


def form_fields(client, page: str, action: str | None = None) -> dict:
    reader = FormReader(action or page)
    reader.feed(client.get(page).get_data(as_text=True))
    assert reader.fields, f"no form posting to {action or page}"
    return reader.fields


def query(app, tenant_id, fn):
    with app.app_context(), tenant_context(tenant_id):
        return fn()


# List -------------------------------------------------------------------------------------

def test_product_list_filters_pages_and_htmx_fragment(app, tenants, pdg):
    with app.app_context(), tenant_context(tenants.a.tenant.id):
        for i in range(55):
            catalog.create_product(f"Pagne série {i:02d}", f"AK-PG-{i:02d}", 5000 + i)
        db.session.commit()
    page = pdg.get("/backoffice/products")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<h1>" in html
    assert "Pagne série 54" in html and "Chemise pagne wax" not in html  # newest first, 50 a page
    assert "Chemise pagne wax" not in html and "PL-CH" not in html
    next_link = html.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    second = pdg.get(next_link).get_data(as_text=True)
    assert "Chemise pagne wax" in second and "Pagne série 54" not in second and 'rel="prev"' in second
    fragment = pdg.get("/backoffice/products?q=sandales", headers=HX)
    body = fragment.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="products"') and "<h1>" not in body
    assert "Sandales en cuir tressé" in body and "Chemise pagne" not in body
    assert "HX-Request" in fragment.headers["Vary"]
    by_variant_sku = pdg.get("/backoffice/products?q=AK-CH-L-B").get_data(as_text=True)
    assert "Chemise pagne wax" in by_variant_sku and "Sandales" not in by_variant_sku
    hidden = pdg.get("/backoffice/products?visibility=hidden").get_data(as_text=True)
    assert "Produit caché" in hidden and "Sandales" not in hidden
    clothes = pdg.get(f"/backoffice/products?category={tenants.a.category.id}").get_data(as_text=True)
    assert "Chemise pagne wax" in clothes and "Montre dorée" in clothes and "Sandales" not in clothes
    out = pdg.get("/backoffice/products?stock=out&q=montre").get_data(as_text=True)
    assert "Montre dorée" in out
    assert "Montre dorée" not in pdg.get("/backoffice/products?stock=in&q=montre").get_data(as_text=True)
    # another tenant's category id in the filter is ignored, never a window on its data
    foreign = pdg.get(f"/backoffice/products?category={tenants.b.category.id}&q=chemise").get_data(as_text=True)
    assert "Chemise pagne wax" in foreign and "PL-CH" not in foreign
    assert pdg.get("/backoffice/products?after=abc&visibility=zzz&category=-1").status_code == 200


def test_roles_support_is_refused_and_logged_viewer_reads_only(app, tenants, staff, caplog):
    support, _ = login(app, "akwa", "support@akwa.cm")
    shirt = tenants.a["shirt"]
    with caplog.at_level(logging.WARNING):
        refused = support.get("/backoffice/products")
    assert refused.status_code == 403 and "Accès refusé" in refused.get_data(as_text=True)
    assert any("catalog:read" in r.getMessage() for r in caplog.records)
    token = csrf_token(support, "/backoffice/messages")
    for path in (f"/backoffice/products/{shirt.id}", f"/backoffice/products/{shirt.id}/archive",
                 "/backoffice/products/import", "/backoffice/categories"):
        assert support.post(path, data={"csrf_token": token, "name": "x", "base_price": "1"}).status_code == 403
    viewer, _ = login(app, "akwa", "viewer@akwa.cm")
    page = viewer.get(f"/backoffice/products/{shirt.id}").get_data(as_text=True)
    assert "Chemise pagne wax" in page and "<fieldset disabled>" in page and "Enregistrer" not in page
    data = form_fields(viewer, f"/backoffice/products/{shirt.id}")
    assert viewer.post(f"/backoffice/products/{shirt.id}", data={**data, "base_price": "1"}).status_code == 403
    assert viewer.get("/backoffice/products/new").status_code == 403
    assert query(app, tenants.a.tenant.id, lambda: db.session.get(Product, shirt.id).base_price) == 15000


def test_another_tenants_ids_answer_404(app, tenants, pdg):
    shirt, other = tenants.a["shirt"], tenants.b["shirt"]
    image_id = query(app, tenants.b.tenant.id, lambda: db.session.scalar(select(ProductImage.id)))
    token = csrf_token(pdg, "/backoffice/products")
    assert pdg.get(f"/backoffice/products/{other.id}").status_code == 404
    data = form_fields(pdg, f"/backoffice/products/{shirt.id}")
    assert pdg.post(f"/backoffice/products/{other.id}", data=data).status_code == 404
    assert pdg.post(f"/backoffice/products/{other.id}/archive", data={"csrf_token": token}).status_code == 404
    assert pdg.post(f"/backoffice/products/{other.id}/images/{image_id}/delete",
                    data={"csrf_token": token}).status_code == 404
    assert pdg.post(f"/backoffice/products/{shirt.id}/images/{image_id}/delete",
                    data={"csrf_token": token}).status_code == 404
    assert pdg.get(f"/backoffice/categories/{tenants.b.category.id}").status_code == 404
    assert pdg.post(f"/backoffice/categories/{tenants.b.category.id}/move",
                    data={"csrf_token": token, "direction": "up"}).status_code == 404
    with app.app_context(), tenant_context(tenants.b.tenant.id):
        job = ImportJob(filename="b.csv", content="sku,name,price\n")
        db.session.add(job)
        db.session.commit()
        job_id = job.id
    assert pdg.get(f"/backoffice/products/import/{job_id}").status_code == 404
    assert pdg.post(f"/backoffice/products/import/{job_id}/start",
                    data={"csrf_token": token, "mode": "all"}).status_code == 404
    assert query(app, tenants.b.tenant.id, lambda: db.session.get(Product, other.id).status) == "active"


# Editor -----------------------------------------------------------------------------------

def test_edit_product_shows_on_the_shop_at_once_and_is_audited(app, tenants, pdg):
    shirt = tenants.a["shirt"]
    path = f"/backoffice/products/{shirt.id}"
    data = form_fields(pdg, path)
    version = int(data["version"])
    assert data["base_price"] == "15000" and data["variants-1-price"] == "16000"
    data.update({"name": "Chemise wax indigo", "price_override": "12 500", "seo_title": "Chemise wax – Akwa",
                 "description": '<p>Coton <em>épais</em></p><img src=x onerror="alert(1)"><script>x()</script>',
                 "variants-2-active": None, "variants-3-sku": "AK-CH-XL-B",
                 "variants-3-attributes": "Taille=XL; Couleur=Bleu", "variants-3-price": "17000"})
    response = pdg.post(path, data={k: v for k, v in data.items() if v is not None})
    assert response.status_code == 303
    shop = client_for(app, "akwa")
    product_page = shop.get(f"/shop/p/{shirt.slug}").get_data(as_text=True)
    assert "Chemise wax indigo" in product_page and "12\u202f500" in product_page
    assert "<em>épais</em>" in product_page and "onerror" not in product_page and "x()" not in product_page
    assert "Chemise wax – Akwa" in product_page
    with app.app_context(), tenant_context(tenants.a.tenant.id):
        product = db.session.get(Product, shirt.id)
        assert (product.price, product.version, product.listed) == (12500, version + 1, True)
        variants = {v.sku: v for v in product.variants}
        assert not variants["AK-CH-M-R"].active and variants["AK-CH-XL-B"].price == 17000
        assert db.session.scalar(select(func.count()).select_from(VariantOption).where(
            VariantOption.variant_id == variants["AK-CH-XL-B"].id)) == 2
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "product.update"))
        assert entry.actor == "pdg@akwa.cm" and entry.target_id == str(shirt.id)
        assert entry.before["name"] == "Chemise pagne wax" and entry.after["name"] == "Chemise wax indigo"
        assert entry.before["price_override"] is None and entry.after["price_override"] == 12500
        assert "brand" not in entry.after and entry.after["variant:AK-CH-M-R"]["active"] is False
    # the old slug keeps working when the slug changes
    data = form_fields(pdg, path)
    data["slug"] = "chemise-indigo"
    assert pdg.post(path, data=data).status_code == 303
    assert shop.get(f"/shop/p/{shirt.slug}").status_code == 301
    assert "Chemise wax indigo" in shop.get("/shop/p/chemise-indigo").get_data(as_text=True)


def test_second_save_of_the_same_version_is_told_the_product_changed(app, tenants, staff):
    with app.app_context(), tenant_context(tenants.a.tenant.id):
        create_staff("manager@akwa.cm", "Manager", "manager", PASSWORD)
        db.session.commit()
    first, _ = login(app, "akwa", "pdg@akwa.cm")
    second, _ = login(app, "akwa", "manager@akwa.cm")
    path = f"/backoffice/products/{tenants.a['sandals'].id}"
    one, two = form_fields(first, path), form_fields(second, path)
    version = int(one["version"])
    assert first.post(path, data={**one, "name": "Sandales tressées main"}).status_code == 303
    refused = second.post(path, data={**two, "base_price": "9500"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "modifié pendant que vous l’éditiez" in html
    assert "Sandales tressées main" in html and 'value="9500"' in html  # their value kept, the new one shown
    with app.app_context(), tenant_context(tenants.a.tenant.id):
        product = db.session.get(Product, tenants.a["sandals"].id)
        assert (product.name, product.base_price, product.version) == ("Sandales tressées main", 9000, version + 1)
    again = form_fields(second, path)  # reloaded: the current version, then the change goes in
    assert second.post(path, data={**again, "base_price": "9500"}).status_code == 303
    assert query(app, tenants.a.tenant.id, lambda: db.session.get(Product, tenants.a["sandals"].id).price) == 9500


def test_bad_input_rerenders_the_form_with_messages(app, tenants, pdg):
    path = f"/backoffice/products/{tenants.a['shirt'].id}"
    data = form_fields(pdg, path)
    version = int(data["version"])
    data.update({"name": "", "base_price": "douze", "variants-0-attributes": "Taille M", "cost": "99999999999",
                 "variants-3-sku": "AK-SD", "canonical_url": "javascript:alert(1)"})
    response = pdg.post(path, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Indiquez le nom." in html and html.count("Montant invalide") == 2 and "Nom=Valeur" in html
    assert "Adresse http(s) complète attendue." in html
    data = form_fields(pdg, path)
    data.update({"variants-3-sku": "AK-SD"})  # the sandals' own default variant
    taken = pdg.post(path, data=data)
    assert taken.status_code == 422 and "Déjà utilisé" in taken.get_data(as_text=True)
    assert query(app, tenants.a.tenant.id, lambda: db.session.get(Product, tenants.a["shirt"].id).version) == version


def test_retiring_the_only_stocked_variant_takes_the_product_out_of_stock(app, tenants, pdg):
    sandals = tenants.a["sandals"]
    path = f"/backoffice/products/{sandals.id}"
    shop = client_for(app, "akwa")

    def in_stock() -> bool:
        return query(app, tenants.a.tenant.id, lambda: db.session.get(Product, sandals.id).in_stock)

    assert in_stock() is True
    data = form_fields(pdg, path)
    del data["variants-0-active"]  # the box unticked: the browser sends nothing
    assert pdg.post(path, data=data).status_code == 303
    assert in_stock() is False
    assert "Sandales en cuir" not in shop.get("/shop/catalog?in_stock=1").get_data(as_text=True)
    data = form_fields(pdg, path)
    data["variants-0-active"] = "y"
    assert pdg.post(path, data=data).status_code == 303
    assert in_stock() is True
    assert "Sandales en cuir" in shop.get("/shop/catalog?in_stock=1").get_data(as_text=True)


def test_create_archive_and_restore_a_product(app, tenants, pdg):
    data = form_fields(pdg, "/backoffice/products/new")
    data.update({"name": "Boubou brodé", "sku": "AK-BB", "base_price": "25000",
                 "category_id": str(tenants.a.category.id), "variants-0-sku": "AK-BB-L",
                 "variants-0-attributes": "Taille=L"})
    created = pdg.post("/backoffice/products/new", data=data)
    assert created.status_code == 303
    product_id = int(created.headers["Location"].rsplit("/", 1)[1])
    shop = client_for(app, "akwa")
    assert "Boubou brodé" in shop.get("/shop/p/boubou-brode").get_data(as_text=True)
    assert "Boubou brodé" not in client_for(app, "plateau").get("/shop/catalog?q=boubou").get_data(as_text=True)
    duplicate = pdg.post("/backoffice/products/new", data=data)
    assert duplicate.status_code == 422 and "Déjà utilisé" in duplicate.get_data(as_text=True)
    token = csrf_token(pdg, "/backoffice/products")
    assert pdg.post(f"/backoffice/products/{product_id}/archive", data={"csrf_token": token}).status_code == 303
    assert shop.get("/shop/p/boubou-brode").status_code == 404
    assert "Boubou brodé" not in pdg.get("/backoffice/products").get_data(as_text=True)
    assert "Boubou brodé" in pdg.get("/backoffice/products?visibility=archived").get_data(as_text=True)
    assert pdg.post(f"/backoffice/products/{product_id}/archive",
                    data={"csrf_token": token, "archive": "0"}).status_code == 303
    assert shop.get("/shop/p/boubou-brode").status_code == 200
    actions = query(app, tenants.a.tenant.id, lambda: db.session.scalars(
        select(AuditEntry.action).order_by(AuditEntry.id)).all())
    assert actions == ["product.create", "product.archive", "product.restore"]


def test_image_upload_checks_type_and_size(app, tenants, pdg):
    sandals = tenants.a["sandals"]
    path = f"/backoffice/products/{sandals.id}/images"
    token = csrf_token(pdg, f"/backoffice/products/{sandals.id}")

    def upload(data: bytes, name: str):
        return pdg.post(path, data={"csrf_token": token, "alt": "Sandales de face",
                                    "image": (io.BytesIO(data), name)}, content_type="multipart/form-data")

    assert upload(png(size=(800, 600)), "sandales.png").status_code == 303
    fake = upload(b"<?php echo 'hello'; ?>" * 20, "photo.png")
    assert fake.status_code == 422 and "pas une photo" in fake.get_data(as_text=True)
    heavy = upload(b"\x89PNG" + b"0" * (5 * 1024 * 1024 + 10), "lourde.png")
    assert heavy.status_code == 422 and "5 Mo au plus" in heavy.get_data(as_text=True)
    with app.app_context(), tenant_context(tenants.a.tenant.id):
        images = db.session.scalars(select(ProductImage).where(ProductImage.product_id == sandals.id)).all()
        assert [(i.alt, i.width) for i in images] == [("Sandales de face", 800)]
        media = Path(app.config["MEDIA_ROOT"]) / str(tenants.a.tenant.id)
        assert (media / images[0].path.replace(".webp", "-320.webp")).exists()
        image_id = images[0].id
    page = pdg.get(f"/backoffice/products/{sandals.id}").get_data(as_text=True)
    assert "Sandales de face" in page
    assert pdg.post(f"{path}/{image_id}/delete", data={"csrf_token": token}).status_code == 303
    assert query(app, tenants.a.tenant.id, lambda: db.session.get(ProductImage, image_id)) is None


# Categories -------------------------------------------------------------------------------

def tree_of(html: str) -> str:
    return html.split('<div id="categories">')[1].split("</table>")[0]


def test_category_tree_reorder_as_page_and_fragment(app, tenants, pdg):
    tree = tree_of(pdg.get("/backoffice/categories").get_data(as_text=True))
    # same position 0 for both roots: by name, then each child under its parent
    assert tree.index("Chaussures") < tree.index("Vêtements") < tree.index("Chemises")
    token = csrf_token(pdg, "/backoffice/categories")
    with app.app_context(), tenant_context(tenants.a.tenant.id):
        shoes = db.session.scalar(select(Category.id).where(Category.slug == "chaussures"))
    moved = pdg.post(f"/backoffice/categories/{shoes}/move", data={"csrf_token": token, "direction": "down"})
    assert moved.status_code == 303
    tree = tree_of(pdg.get("/backoffice/categories").get_data(as_text=True))
    assert tree.index("Vêtements") < tree.index("Chemises") < tree.index("Chaussures")
    assert client_for(app, "akwa").get("/shop/").get_data(as_text=True).index("Vêtements") < \
        client_for(app, "akwa").get("/shop/").get_data(as_text=True).index("Chaussures")
    fragment = pdg.post(f"/backoffice/categories/{shoes}/move", data={"csrf_token": token, "direction": "up"},
                        headers=HX)
    body = fragment.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="categories"') and "<h1>" not in body
    assert body.index("Chaussures") < body.index("Vêtements") and "autofocus" in body
    # create a child, then refuse moving a category under its own child
    created = pdg.post("/backoffice/categories", data={"csrf_token": token, "name": "Pagnes",
                                                       "parent_id": str(tenants.a.category.id), "visible": "y"})
    assert created.status_code == 303
    edit = f"/backoffice/categories/{tenants.a.category.id}"
    data = form_fields(pdg, edit)
    refused = pdg.post(edit, data={**data, "parent_id": str(tenants.a.child.id)})
    assert refused.status_code == 422
    data = form_fields(pdg, f"/backoffice/categories/{tenants.a.child.id}")
    assert pdg.post(f"/backoffice/categories/{tenants.a.child.id}",
                    data={**data, "parent_id": str(shoes), "name": "Chemises"}).status_code == 303
    with app.app_context(), tenant_context(tenants.a.tenant.id):
        child = db.session.get(Category, tenants.a.child.id)
        assert child.path == f"/{shoes}/{child.id}/"
        pagnes = db.session.scalar(select(Category).where(Category.slug == "pagnes"))
        assert pagnes.path == f"{tenants.a.category.path}{pagnes.id}/"
        assert {a for a in db.session.scalars(select(AuditEntry.action))} >= {"category.move", "category.create",
                                                                              "category.update"}
    # the shop shows the moved subcategory under its new parent
    assert "Chemise pagne wax" in client_for(app, "akwa").get("/shop/c/chaussures").get_data(as_text=True)


# CSV --------------------------------------------------------------------------------------

def read_csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def upload_csv(client, text: str, name="produits.csv"):
    token = csrf_token(client, "/backoffice/products/import")
    return client.post("/backoffice/products/import", content_type="multipart/form-data",
                       data={"csrf_token": token, "file": (io.BytesIO(text.encode()), name)})


def test_export_streams_this_tenants_catalog_and_reimports_cleanly(app, tenants, pdg):
    response = pdg.get("/backoffice/products/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = read_csv(response.get_data(as_text=True))
    shirt_rows = [r for r in rows if r["sku"] == "AK-CH"]
    assert len(shirt_rows) == 3 and shirt_rows[0]["category"] == "Vêtements > Chemises"
    assert shirt_rows[1]["variant_price"] == "16000" and shirt_rows[0]["variant_attributes"] == "Taille=M; Couleur=Bleu"
    assert not any(r["sku"].startswith("PL-") for r in rows)
    filtered = read_csv(pdg.get("/backoffice/products/export.csv?q=sandales").get_data(as_text=True))
    assert [r["sku"] for r in filtered] == ["AK-SD"]
    preview = upload_csv(pdg, response.get_data(as_text=True))
    assert preview.status_code == 303
    page = pdg.get(preview.headers["Location"]).get_data(as_text=True)
    assert "0 en erreur" in page and "Produits à créer : 0" in page


def test_import_reports_bad_rows_by_line_and_imports_nothing_until_asked(app, tenants, pdg):
    text = "\n".join([
        "sku;name;category;price;variant_sku;variant_attributes;variant_price;visible",
        "AK-NEW-1;Robe kaba;Vêtements > Robes;18000;AK-NEW-1-S;Taille=S;;oui",
        "AK-NEW-1;;;;AK-NEW-1-M;Taille=M;19000;",
        "AK-NEW-2;Sac raphia;Maroquinerie;douze mille;;;;oui",
        "AK-NEW-3;Ceinture;;4500;AK-CH-M-B;;;peut-être",
        "AK-NEW-4;;;3000;;;;",
        '"AK-SD";"Sandales, édition ""Akwa""";;9900;;;;non',
        "PL-CH;Chemise homonyme;;7000;;;;",
    ])
    preview = upload_csv(pdg, text)
    assert preview.status_code == 303
    job_path = preview.headers["Location"]
    job_id = int(job_path.rsplit("/", 1)[1])
    page = pdg.get(job_path).get_data(as_text=True)
    assert "7 lignes lues : 4 valides, 3 en erreur." in page
    for line, text_bit in ((4, "montant invalide"), (5, "appartient au produit AK-CH"), (5, "oui ou non"),
                           (6, "name : obligatoire")):
        assert f"<td>{line}</td>" in page and text_bit in page
    assert "Vêtements &gt; Robes" in page and "Maroquinerie" not in page  # only valid rows' categories
    token = csrf_token(pdg, job_path)
    refused = pdg.post(f"{job_path}/start", data={"csrf_token": token, "mode": "all"})
    assert refused.status_code == 303
    assert "corrigez d’abord" in pdg.get(job_path).get_data(as_text=True)
    assert query(app, tenants.a.tenant.id, lambda: db.session.scalar(
        select(Product.id).where(Product.sku == "AK-NEW-1"))) is None
    assert pdg.post(f"{job_path}/start", data={"csrf_token": token, "mode": "valid"}).status_code == 303
    run_jobs(app)  # with Redis the import waits in RQ for a worker
    done = pdg.get(job_path).get_data(as_text=True)
    assert "Import terminé : 2 produits créés, 1 mis à jour." in done and 'hx-trigger="every 1s"' not in done
    with app.app_context(), tenant_context(tenants.a.tenant.id):
        robe = db.session.scalar(select(Product).where(Product.sku == "AK-NEW-1"))
        assert robe.category.name == "Robes" and robe.category.parent.name == "Vêtements" and robe.listed
        assert sorted((v.sku, v.price) for v in robe.variants) == [("AK-NEW-1-M", 19000), ("AK-NEW-1-S", None)]
        assert robe.price == 18000 and robe.slug == "robe-kaba"
        sandals = db.session.scalar(select(Product).where(Product.sku == "AK-SD"))
        assert (sandals.name, sandals.base_price, sandals.visible, sandals.listed) == (
            'Sandales, édition "Akwa"', 9900, False, False)
        homonym = db.session.scalar(select(Product).where(Product.sku == "PL-CH"))
        assert homonym.tenant_id == tenants.a.tenant.id and homonym.variants[0].sku == "PL-CH"
        for sku in ("AK-NEW-2", "AK-NEW-3", "AK-NEW-4"):
            assert db.session.scalar(select(Product.id).where(Product.sku == sku)) is None
        job = db.session.get(ImportJob, job_id)
        assert (job.status, job.processed_rows, job.content) == ("done", 4, "")
        batch = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "catalog.import_batch"))
        assert batch.before["AK-SD"]["name"] == "Sandales en cuir tressé" and batch.after["AK-SD"]["visible"] is False
        assert batch.after["AK-NEW-1"]["created"] is True
    with app.app_context(), tenant_context(tenants.b.tenant.id):
        assert db.session.scalar(select(Product.name).where(Product.sku == "PL-CH")) == "Chemise pagne wax"
    shop = client_for(app, "akwa")
    assert "Robe kaba" in shop.get("/shop/p/robe-kaba").get_data(as_text=True)


def test_import_of_many_rows_runs_in_batches(app, tenants, pdg):
    lines = ["sku,name,category,price,variant_sku,variant_attributes"]
    for i in range(600):
        lines.append(f"AK-LOT-{i:04d},Pagne lot {i},Pagnes > Wax,{1000 + i},AK-LOT-{i:04d}-U,Taille=Unique")
    job_path = upload_csv(pdg, "\n".join(lines) + "\n").headers["Location"]
    assert "Produits à créer : 600" in pdg.get(job_path).get_data(as_text=True)
    token = csrf_token(pdg, job_path)
    assert pdg.post(f"{job_path}/start", data={"csrf_token": token, "mode": "all"}).status_code == 303
    run_jobs(app)  # with Redis the import waits in RQ for a worker
    with app.app_context(), tenant_context(tenants.a.tenant.id):
        assert db.session.scalar(select(func.count()).select_from(Product).where(Product.sku.like("AK-LOT-%"))) == 600
        assert db.session.scalar(select(func.count()).select_from(VariantOption)
                                 .where(VariantOption.value == "Unique")) == 600
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.action == "catalog.import_batch")) == 3
    # importing the same file again changes nothing and creates nothing
    job_path = upload_csv(pdg, "\n".join(lines) + "\n").headers["Location"]
    assert "Produits à créer : 0 ; à mettre à jour : 600" in pdg.get(job_path).get_data(as_text=True)
    pdg.post(f"{job_path}/start", data={"csrf_token": token, "mode": "all"})
    run_jobs(app)  # with Redis the import waits in RQ for a worker
    assert "0 produits créés, 0 mis à jour" in pdg.get(job_path).get_data(as_text=True)


def test_import_file_level_refusals_and_progress_fragment(app, tenants, pdg):
    missing = upload_csv(pdg, "sku,nom\nA,B\n")
    assert missing.status_code == 422 and "price" in missing.get_data(as_text=True)
    empty = upload_csv(pdg, "")
    assert empty.status_code == 422
    token = csrf_token(pdg, "/backoffice/products/import")
    utf16 = pdg.post("/backoffice/products/import", content_type="multipart/form-data", data={
        "csrf_token": token, "file": (io.BytesIO("sku,name,price\nA,B,1\n".encode("utf-16")), "excel.csv")})
    assert utf16.status_code == 422 and "CSV UTF-8" in utf16.get_data(as_text=True)
    assert query(app, tenants.a.tenant.id, lambda: db.session.scalar(select(func.count()).select_from(ImportJob))) == 0
    with app.app_context(), tenant_context(tenants.a.tenant.id):
        job = ImportJob(filename="gros.csv", status="running", total_rows=5000, valid_rows=5000,
                        processed_rows=1250, content="")
        db.session.add(job)
        db.session.commit()
        job_id = job.id
    path = f"/backoffice/products/import/{job_id}"
    full = pdg.get(path).get_data(as_text=True)
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in full and "<h1>" in full
    fragment = pdg.get(path, headers=HX).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="import-progress"') and 'hx-trigger="every 1s"' in fragment
    assert 'value="1250"' in fragment and "25 %" in fragment
    with app.app_context(), tenant_context(tenants.a.tenant.id):
        db.session.get(ImportJob, job_id).status = "done"
        db.session.get(ImportJob, job_id).processed_rows = 5000
        db.session.commit()
    finished = pdg.get(path, headers=HX).get_data(as_text=True)
    assert 'hx-trigger="every 1s"' not in finished and "Import terminé" in finished
    assert "noscript" not in pdg.get(path).get_data(as_text=True)
    # a run whose worker died (no progress for 10 minutes) stops polling and can be restarted
    with app.app_context(), tenant_context(tenants.a.tenant.id):
        job = db.session.get(ImportJob, job_id)
        job.status, job.mode, job.processed_rows, job.valid_rows = "running", "all", 0, 1
        job.content = "sku,name,price\nAK-RL,Relancé,100\n"
        db.session.commit()
        db.session.execute(update(ImportJob).values(updated_at=utcnow() - timedelta(minutes=11)))
        db.session.commit()
    stalled = pdg.get(path, headers=HX).get_data(as_text=True)
    assert "ne progresse plus" in stalled and 'hx-trigger="every 1s"' not in stalled
    assert pdg.post(f"{path}/start", data={"csrf_token": csrf_token(pdg, path), "mode": "all"}).status_code == 303
    run_jobs(app)
    assert "Import terminé : 1 produits créés" in pdg.get(path).get_data(as_text=True)
    assert query(app, tenants.a.tenant.id, lambda: db.session.scalar(
        select(Product.name).where(Product.sku == "AK-RL"))) == "Relancé"

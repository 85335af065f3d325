"""Back-office catalog: product list, product editor (variants inline, images), categories.

CSV export and import live in :mod:`app.backoffice.catalog_import_views`.
"""
from __future__ import annotations

from flask import abort, current_app, flash, g, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.backoffice import bp, require
from app.catalog_admin import queries
from app.catalog_admin import services as admin
from app.catalog_admin.forms import CategoryForm, ImageForm, ProductForm, attach_errors, product_form_data
from app.core.htmx import is_fragment_request, render, render_fragment, see_other
from app.core.media import MediaError

SERVICE_MESSAGES = {"taken": _l("Déjà utilisé par un autre produit ou une autre catégorie."),
                    "unknown": _l("Élément inconnu."), "cycle": _l("Une catégorie ne peut pas être rangée sous "
                                                                      "elle-même ou sous une de ses sous-catégories.")}
CONFLICT_FIELDS = ("name", "brand", "barcode", "base_price", "cost", "price_override", "status", "category_id",
                   "slug", "seo_title", "seo_description", "canonical_url", "noindex", "description", "visible",
                   "featured", "sort_order")


@bp.get("/products")
@require("catalog:read")
def list_products():
    filters = queries.AdminFilters.from_args(request.args)
    return render("backoffice/catalog/products.html", "backoffice/catalog/_products.html",
                  filters=filters, page=queries.product_page(filters), categories=queries.category_tree())


def _product_form(product=None, **kwargs) -> ProductForm:
    return ProductForm(currency=g.tenant.currency, categories=queries.category_tree(), editing=product is not None,
                       **kwargs)


@bp.route("/products/new", methods=["GET", "POST"])
@require("catalog:write")
def new_product():
    form = _product_form(data={"variants": [{"active": True}], "status": "active", "visible": True})
    if form.validate_on_submit():
        try:
            product = admin.create_product(current_user, form.to_input())
        except admin.InputErrors as exc:
            attach_errors(form, exc.errors, SERVICE_MESSAGES)
        else:
            flash(_("Produit créé."), "success")
            return see_other(url_for("backoffice.edit_product", product_id=product.id))
    status = 422 if form.is_submitted() else 200
    return render_template("backoffice/catalog/product.html", form=form, product=None, image_form=None), status


def _page(product, form, status=200, conflict=None):
    return render_template("backoffice/catalog/product.html", form=form, product=product, image_form=ImageForm(),
                           conflict=conflict), status


@bp.get("/products/<int:product_id>")
@require("catalog:read")
def edit_product(product_id: int):
    product = queries.product_for_edit(product_id)  # scoped: another tenant's id is None
    if product is None:
        abort(404)
    return _page(product, _product_form(product, data=product_form_data(product, g.tenant.currency)))


@bp.post("/products/<int:product_id>")
@require("catalog:write")
def update_product(product_id: int):
    product = queries.product_for_edit(product_id)
    if product is None:
        abort(404)
    form = _product_form(product)
    if not form.validate_on_submit():
        return _page(product, form, 422)
    try:
        admin.update_product(current_user, product_id, int(form.version.data or 0), form.to_input(sku=product.sku))
    except admin.ProductChanged:
        current = queries.product_for_edit(product_id)
        now = product_form_data(current, g.tenant.currency)
        changed = [(form[name].label.text, now[name]) for name in CONFLICT_FIELDS
                   if str(form[name].data or "") != str(now[name] or "")]
        current_app.logger.info("product %s: stale save refused (version %s)", product_id, form.version.data)
        return _page(current, form, 409, conflict=changed)
    except admin.InputErrors as exc:
        attach_errors(form, exc.errors, SERVICE_MESSAGES)
        return _page(product, form, 422)
    flash(_("Produit enregistré."), "success")
    return see_other(url_for("backoffice.edit_product", product_id=product_id))


@bp.post("/products/<int:product_id>/archive")
@require("catalog:write")
def archive_product(product_id: int):
    archive = request.form.get("archive") != "0"
    try:
        admin.set_archived(current_user, product_id, archive)
    except LookupError:
        abort(404)
    flash(_("Produit archivé.") if archive else _("Produit rétabli."), "success")
    return see_other(url_for("backoffice.edit_product", product_id=product_id))


@bp.post("/products/<int:product_id>/images")
@require("catalog:write")
def upload_image(product_id: int):
    product = queries.product_for_edit(product_id)
    if product is None:
        abort(404)
    image_form = ImageForm()
    if image_form.validate_on_submit():
        try:
            admin.add_image(current_user, product_id, image_form.image.data.read(), image_form.alt.data.strip())
        except MediaError:
            # Pillow could not read it as a JPEG, PNG or WebP: whatever its name says.
            image_form.image.errors.append(_("Ce fichier n’est pas une photo JPEG, PNG ou WebP lisible."))
        else:
            flash(_("Photo ajoutée."), "success")
            return see_other(url_for("backoffice.edit_product", product_id=product_id) + "#images")
    form = _product_form(product, formdata=None, data=product_form_data(product, g.tenant.currency))
    return render_template("backoffice/catalog/product.html", form=form, product=product,
                           image_form=image_form), 422


@bp.post("/products/<int:product_id>/images/<int:image_id>/delete")
@require("catalog:write")
def delete_image(product_id: int, image_id: int):
    try:
        admin.remove_image(current_user, product_id, image_id)
    except LookupError:
        abort(404)
    flash(_("Photo retirée."), "success")
    return see_other(url_for("backoffice.edit_product", product_id=product_id) + "#images")


# Categories -------------------------------------------------------------------------------

def _categories_page(form, status=200):
    return render("backoffice/catalog/categories.html", "backoffice/catalog/_categories.html", status=status,
                  tree=queries.category_tree(), form=form)


@bp.get("/categories")
@require("catalog:read")
def list_categories():
    return _categories_page(CategoryForm(categories=queries.category_tree()))


@bp.post("/categories")
@require("catalog:write")
def create_category():
    form = CategoryForm(categories=queries.category_tree())
    if form.validate_on_submit():
        try:
            admin.save_category(current_user, None, form.to_input())
        except admin.InputErrors as exc:
            attach_errors(form, exc.errors, SERVICE_MESSAGES)
        else:
            flash(_("Catégorie créée."), "success")
            return see_other(url_for("backoffice.list_categories"))
    return _categories_page(form, 422)


@bp.route("/categories/<int:category_id>", methods=["GET", "POST"])
@require("catalog:write")
def edit_category(category_id: int):
    tree = queries.category_tree()
    category = next((c for c, _depth in tree if c.id == category_id), None)
    if category is None:
        abort(404)
    form = CategoryForm(categories=tree, exclude_path=category.path, data={
        "name": category.name, "slug": category.slug, "parent_id": str(category.parent_id or ""),
        "visible": category.visible, "seo_title": category.seo_title, "seo_description": category.seo_description})
    if form.validate_on_submit():
        try:
            admin.save_category(current_user, category_id, form.to_input())
        except admin.InputErrors as exc:
            attach_errors(form, exc.errors, SERVICE_MESSAGES)
        else:
            flash(_("Catégorie enregistrée."), "success")
            return see_other(url_for("backoffice.list_categories"))
    status = 422 if form.is_submitted() else 200
    return render_template("backoffice/catalog/category.html", form=form, category=category), status


@bp.post("/categories/<int:category_id>/move")
@require("catalog:write")
def move_category(category_id: int):
    offset = {"up": -1, "down": 1}.get(request.form.get("direction", ""))
    if offset is None:
        abort(400)
    try:
        admin.move_category(current_user, category_id, offset)
    except admin.InputErrors:
        abort(404)
    if is_fragment_request():
        # Focus stays on the button that moved, now at its new place in the tree.
        return render_fragment("backoffice/catalog/_categories.html", tree=queries.category_tree(),
                               moved=(category_id, request.form["direction"]))
    return see_other(url_for("backoffice.list_categories"))


from app.backoffice import catalog_import_views  # noqa: E402,F401

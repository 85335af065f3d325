"""Back-office catalog forms: product with its variants, image, category, CSV import.

Amounts are typed in major units of the shop's currency ("15 000", "12,50") and reach
the services as integer minor units; each form is built with the tenant's currency.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, FileSize
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp, StopValidation, ValidationError

from app.catalog.categories import CategoryInput
from app.catalog.services import STATUSES, ProductInput, VariantData
from app.catalog_admin.export import major
from app.catalog_admin.importer import format_attributes, parse_attributes
from app.core.fields import MoneyField

IMAGE_MAX_BYTES = 5 * 1024 * 1024
CSV_MAX_BYTES = 8 * 1024 * 1024
STATUS_LABELS = {"active": _l("Actif"), "draft": _l("Brouillon"), "archived": _l("Archivé")}
SKU = Regexp(r"^[A-Za-z0-9][A-Za-z0-9._\-/]*$",
             message=_l("Lettres, chiffres, « - », « _ », « . » et « / » seulement."))


class AttributesField(StringField):
    """``Taille=M; Couleur=Bleu``."""

    def pre_validate(self, form) -> None:
        try:
            self.attributes = parse_attributes(self.data or "")
        except ValueError:
            self.attributes = {}
            raise StopValidation(_l("Écrivez Nom=Valeur, séparés par « ; » (Taille=M; Couleur=Bleu).")) from None


class VariantForm(Form):
    """One inline row; a blank SKU on a new row means "no new variant"."""

    id = HiddenField()
    sku = StringField(_l("SKU"), validators=[Optional(), Length(max=64), SKU])
    attributes = AttributesField(_l("Options"), validators=[Length(max=1000)])
    price = MoneyField(_l("Prix"))
    compare_at_price = MoneyField(_l("Prix barré"))
    weight_grams = IntegerField(_l("Poids (g)"), default=0, validators=[Optional(), NumberRange(0, 10**7)])
    barcode = StringField(_l("Code-barres"), validators=[Length(max=64)])
    active = BooleanField(_l("Active"), default=True)

    def __init__(self, *args, currency: str = "XAF", **kwargs):
        super().__init__(*args, **kwargs)
        self.currency = currency

    def validate_id(self, field) -> None:
        if field.data and not str(field.data).isdigit():
            raise ValidationError(_l("Variante inconnue."))


class ProductForm(FlaskForm):
    version = HiddenField()
    name = StringField(_l("Nom"), validators=[InputRequired(_l("Indiquez le nom.")), Length(max=200)])
    sku = StringField(_l("SKU"), validators=[InputRequired(_l("Indiquez le SKU.")), Length(max=64), SKU])
    brand = StringField(_l("Marque"), validators=[Length(max=80)])
    barcode = StringField(_l("Code-barres"), validators=[Length(max=64)])
    base_price = MoneyField(_l("Prix de base"), required=True)
    cost = MoneyField(_l("Coût d’achat"))
    price_override = MoneyField(_l("Prix boutique (remplace tous les prix)"))
    status = SelectField(_l("Statut"), choices=[SelectChoice(s, STATUS_LABELS[s]) for s in STATUSES])
    category_id = SelectField(_l("Catégorie"), choices=[], validate_choice=False)
    slug = StringField(_l("Adresse (slug)"), validators=[Length(max=200)])
    seo_title = StringField(_l("Titre SEO"), validators=[Length(max=160)])
    seo_description = TextAreaField(_l("Description SEO"), validators=[Length(max=320)])
    canonical_url = StringField(_l("URL canonique"), validators=[
        Length(max=500), Optional(), Regexp(r"^https?://\S+$", message=_l("Adresse http(s) complète attendue."))])
    noindex = BooleanField(_l("Ne pas indexer (noindex)"))
    description = TextAreaField(_l("Description (HTML simple)"), validators=[Length(max=20_000)])
    visible = BooleanField(_l("Visible en boutique"), default=True)
    featured = BooleanField(_l("Mis en avant"))
    sort_order = IntegerField(_l("Ordre d’affichage"), default=0, validators=[Optional(), NumberRange(-10**6, 10**6)])
    variants = FieldList(FormField(VariantForm), min_entries=0, max_entries=100)

    def __init__(self, *args, currency: str, categories: list, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.currency = currency
        for entry in self.variants:
            entry.form.currency = currency
        self.category_id.choices = [SelectChoice("", _l("— Aucune —"))] + [
            SelectChoice(str(c.id), "— " * depth + c.name) for c, depth in categories]
        if editing:  # the SKU is the core system's key: it is not changed here
            self.sku.validators = [Optional()]

    def validate_category_id(self, field) -> None:
        if field.data and field.data not in {c.value for c in field.choices}:
            raise ValidationError(_l("Catégorie inconnue."))

    def validate_version(self, field) -> None:
        if field.data and not str(field.data).isdigit():
            raise ValidationError(_l("Version invalide."))

    def to_input(self, sku: str | None = None) -> ProductInput:
        variants = []
        for entry in self.variants:
            v = entry.form
            if not (v.sku.data or "").strip():
                continue
            variants.append(VariantData(
                sku=v.sku.data.strip(), id=int(v.id.data) if v.id.data else None, attributes=v.attributes.attributes,
                price=v.price.amount, compare_at_price=v.compare_at_price.amount,
                weight_grams=v.weight_grams.data or 0, barcode=(v.barcode.data or "").strip(), active=v.active.data))
        return ProductInput(
            name=self.name.data.strip(), sku=sku or self.sku.data.strip(), base_price=self.base_price.amount,
            brand=(self.brand.data or "").strip(), barcode=(self.barcode.data or "").strip(),
            cost=self.cost.amount or 0, status=self.status.data,
            category_id=int(self.category_id.data) if self.category_id.data else None,
            slug=(self.slug.data or "").strip(), seo_title=(self.seo_title.data or "").strip(),
            seo_description=(self.seo_description.data or "").strip(),
            canonical_url=(self.canonical_url.data or "").strip(), noindex=self.noindex.data,
            description=self.description.data or "", visible=self.visible.data, featured=self.featured.data,
            sort_order=self.sort_order.data or 0, price_override=self.price_override.amount, variants=variants)


def product_form_data(product, currency: str) -> dict:
    """The form's starting values for an existing product, plus one blank variant row."""
    data = {name: getattr(product, name) for name in (
        "name", "sku", "brand", "barcode", "status", "slug", "seo_title", "seo_description", "canonical_url",
        "noindex", "visible", "featured", "sort_order", "version")}
    data.update(base_price=major(product.base_price, currency), cost=major(product.cost, currency) if product.cost
                else "", price_override=major(product.price_override, currency),
                category_id=str(product.category_id or ""), description=product.web_description)
    data["variants"] = [{
        "id": str(v.id), "sku": v.sku, "attributes": format_attributes(v.attributes),
        "price": major(v.price, currency), "compare_at_price": major(v.compare_at_price, currency),
        "weight_grams": v.weight_grams, "barcode": v.barcode, "active": v.active} for v in product.variants]
    data["variants"].append({"active": True})
    return data


def attach_errors(form, errors: dict[str, str], messages: dict[str, str]) -> None:
    """Service refusals ({field name: code}) as messages under the fields they concern."""
    fields = {}

    def walk(f) -> None:
        for field in f:
            if isinstance(field, FieldList):
                for entry in field:
                    walk(entry.form)
            else:
                fields[field.name] = field

    walk(form)
    for name, code in errors.items():
        field = fields.get(name) or form.name
        field.errors = [*field.errors, messages.get(code, code)]


class ImageForm(FlaskForm):
    image = FileField(_l("Photo (JPEG, PNG ou WebP, 5 Mo au plus)"), validators=[
        FileRequired(_l("Choisissez une photo.")),
        FileSize(IMAGE_MAX_BYTES, message=_l("Photo trop lourde : 5 Mo au plus."))])
    alt = StringField(_l("Texte alternatif (décrit la photo)"), validators=[Length(max=200)])


class CategoryForm(FlaskForm):
    name = StringField(_l("Nom"), validators=[InputRequired(_l("Indiquez le nom.")), Length(max=120)])
    slug = StringField(_l("Adresse (slug)"), validators=[Length(max=140)])
    parent_id = SelectField(_l("Catégorie parente"), choices=[], validate_choice=False)
    visible = BooleanField(_l("Visible en boutique"), default=True)
    seo_title = StringField(_l("Titre SEO"), validators=[Length(max=160)])
    seo_description = TextAreaField(_l("Description SEO"), validators=[Length(max=320)])

    def __init__(self, *args, categories: list, exclude_path: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # A category cannot move under itself or one of its descendants.
        self.parent_id.choices = [SelectChoice("", _l("— Aucune (racine) —"))] + [
            SelectChoice(str(c.id), "— " * depth + c.name) for c, depth in categories
            if not (exclude_path and c.path.startswith(exclude_path))]

    def validate_parent_id(self, field) -> None:
        if field.data and field.data not in {c.value for c in field.choices}:
            raise ValidationError(_l("Catégorie parente impossible."))

    def to_input(self) -> CategoryInput:
        return CategoryInput(name=self.name.data.strip(), slug=(self.slug.data or "").strip(),
                             parent_id=int(self.parent_id.data) if self.parent_id.data else None,
                             visible=self.visible.data, seo_title=(self.seo_title.data or "").strip(),
                             seo_description=(self.seo_description.data or "").strip())


class ImportForm(FlaskForm):
    file = FileField(_l("Fichier CSV"), validators=[
        FileRequired(_l("Choisissez un fichier CSV.")),
        FileSize(CSV_MAX_BYTES, message=_l("Fichier trop lourd : 8 Mo au plus."))])


class StartImportForm(FlaskForm):
    mode = SelectField(choices=[SelectChoice("all"), SelectChoice("valid")])

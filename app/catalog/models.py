from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Base, TenantScoped, Timestamped, utcnow


class Category(TenantScoped, Base):
    __tablename__ = "categories"
    __table_args__ = (UniqueConstraint("tenant_id", "slug"), Index("ix_categories_tenant_path", "tenant_id", "path"))

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(140))
    # Materialised path of ids ("/3/17/"): descendants are one indexed prefix match.
    path: Mapped[str] = mapped_column(String(255), default="/")
    position: Mapped[int] = mapped_column(Integer, default=0)
    visible: Mapped[bool] = mapped_column(Boolean, default=True)
    seo_title: Mapped[str] = mapped_column(String(160), default="")
    seo_description: Mapped[str] = mapped_column(String(320), default="")

    parent: Mapped[Category | None] = relationship(remote_side="Category.id")


product_tags = Table(
    "product_tags",
    Base.metadata,
    Column("product_id", ForeignKey("products.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Tag(TenantScoped, Base):
    __tablename__ = "tags"
    __table_args__ = (UniqueConstraint("tenant_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    slug: Mapped[str] = mapped_column(String(100))


class Product(TenantScoped, Timestamped, Base):
    """Canonical fields come from the core system; web fields belong to the shop."""

    __tablename__ = "products"
    __table_args__ = (
        UniqueConstraint("tenant_id", "slug"),
        UniqueConstraint("tenant_id", "sku"),
        CheckConstraint("base_price >= 0", name="base_price_positive"),
        CheckConstraint("price >= 0", name="price_positive"),
        # One index per shop sort; each leads with the listing filter.
        Index("ix_products_list_new", "tenant_id", "listed", "created_at"),
        Index("ix_products_list_price", "tenant_id", "listed", "price"),
        Index("ix_products_list_name", "tenant_id", "listed", "name"),
        Index("ix_products_list_sales", "tenant_id", "listed", "sales_count"),
        # Covering for the facet/count scan: category, stock and price filters in the index.
        Index("ix_products_list_category", "tenant_id", "listed", "category_id", "in_stock", "price"),
        Index("ix_products_list_featured", "tenant_id", "listed", "featured", "sort_order"),
        Index("ix_products_related", "tenant_id", "listed", "category_id", "in_stock", "sales_count"),
        # The back-office list: every product of the tenant, newest id first, keyset paged.
        Index("ix_products_admin", "tenant_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # core fields
    name: Mapped[str] = mapped_column(String(200))
    sku: Mapped[str] = mapped_column(String(64))
    barcode: Mapped[str] = mapped_column(String(64), default="")
    brand: Mapped[str] = mapped_column(String(80), default="")
    base_price: Mapped[int] = mapped_column(Integer)
    cost: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="active")  # draft | active | archived
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id", ondelete="SET NULL"))
    # web listing fields
    slug: Mapped[str] = mapped_column(String(220))
    seo_title: Mapped[str] = mapped_column(String(160), default="")
    seo_description: Mapped[str] = mapped_column(String(320), default="")
    canonical_url: Mapped[str] = mapped_column(String(500), default="")
    noindex: Mapped[bool] = mapped_column(Boolean, default=False)
    web_description: Mapped[str] = mapped_column(Text, default="")  # sanitised HTML (nh3)
    visible: Mapped[bool] = mapped_column(Boolean, default=True)
    featured: Mapped[bool] = mapped_column(Boolean, default=False)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    price_override: Mapped[int | None] = mapped_column(Integer)
    # read model, kept by services: listed = active and visible; price = lowest variant
    # price; in_stock = some eligible store has stock; sales_count = units ordered.
    listed: Mapped[bool] = mapped_column(Boolean, default=True)
    price: Mapped[int] = mapped_column(Integer, default=0)
    in_stock: Mapped[bool] = mapped_column(Boolean, default=False)
    sales_count: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    # Optimistic lock: SQLAlchemy bumps it on every UPDATE of the row and adds
    # "AND version = :loaded" to it, so two staff saving the same product cannot both win.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    category: Mapped[Category | None] = relationship()
    variants: Mapped[list[Variant]] = relationship(
        back_populates="product", order_by="Variant.position", cascade="all, delete-orphan"
    )
    images: Mapped[list[ProductImage]] = relationship(order_by="ProductImage.position", cascade="all, delete-orphan")
    tags: Mapped[list[Tag]] = relationship(secondary=product_tags)


class Variant(TenantScoped, Base):
    __tablename__ = "variants"
    __table_args__ = (
        UniqueConstraint("tenant_id", "sku"),
        CheckConstraint("price IS NULL OR price >= 0", name="price_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    sku: Mapped[str] = mapped_column(String(64))
    barcode: Mapped[str] = mapped_column(String(64), default="")
    # {"Taille": "M", "Couleur": "Rouge"}; also indexed as VariantOption rows for filters.
    attributes: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    price: Mapped[int | None] = mapped_column(Integer)  # None: the product's price
    compare_at_price: Mapped[int | None] = mapped_column(Integer)
    weight_grams: Mapped[int] = mapped_column(Integer, default=0)
    image_id: Mapped[int | None] = mapped_column(ForeignKey("product_images.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    product: Mapped[Product] = relationship(back_populates="variants")
    image: Mapped[ProductImage | None] = relationship(foreign_keys=[image_id])


class VariantOption(TenantScoped, Base):
    """One attribute value of a variant, as a row: attribute filters and facet counts."""

    __tablename__ = "variant_options"
    __table_args__ = (
        Index("ix_variant_options_facet", "tenant_id", "name", "value", "product_id"),
        Index("ix_variant_options_product", "product_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    variant_id: Mapped[int] = mapped_column(ForeignKey("variants.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(40))
    value: Mapped[str] = mapped_column(String(60))


class ProductImage(TenantScoped, Base):
    __tablename__ = "product_images"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    # Relative to the tenant's media folder; thumbnails sit beside it as <stem>-<w>.webp.
    path: Mapped[str] = mapped_column(String(255))
    alt: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)


class SlugRedirect(TenantScoped, Timestamped, Base):
    """An old product slug that answers 301 to the product's current one."""

    __tablename__ = "slug_redirects"
    __table_args__ = (UniqueConstraint("tenant_id", "old_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    old_slug: Mapped[str] = mapped_column(String(220))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))


class ImportJob(TenantScoped, Timestamped, Base):
    """A CSV import: checked first (dry run), then run as a job that reports progress."""

    __tablename__ = "catalog_imports"
    __table_args__ = (Index("ix_catalog_imports_tenant_created", "tenant_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(200), default="")
    # previewed -> queued -> running -> done | failed
    status: Mapped[str] = mapped_column(String(12), default="previewed")
    mode: Mapped[str] = mapped_column(String(12), default="")  # all | valid
    # The uploaded file stays in the database until the run, so any worker can read it.
    content: Mapped[str] = mapped_column(Text, default="")
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    valid_rows: Mapped[int] = mapped_column(Integer, default=0)
    processed_rows: Mapped[int] = mapped_column(Integer, default=0)
    created_count: Mapped[int] = mapped_column(Integer, default=0)
    updated_count: Mapped[int] = mapped_column(Integer, default=0)
    # [{"line": 7, "sku": "X", "messages": ["…"]}], first ERROR_LIMIT rows; error_count has them all.
    errors: Mapped[list] = mapped_column(JSON, default=list)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    new_categories: Mapped[list] = mapped_column(JSON, default=list)
    message: Mapped[str] = mapped_column(String(500), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)

    # A run commits after every batch; one silent this long has died with its worker
    # (a restarted server takes its threads along) and may be started again.
    STALL_AFTER = timedelta(minutes=10)

    @property
    def stalled(self) -> bool:
        return self.status in ("queued", "running") and utcnow() - self.updated_at > self.STALL_AFTER

"""The catalog write path for categories: a tree kept as materialised paths of ids.

Refusals (:class:`~app.catalog.services.InputErrors`) come before any write; helpers
flush, the caller commits.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.catalog.models import Category
from app.catalog.services import InputErrors, category_by_id, changes, slugify
from app.extensions import db


@dataclass
class CategoryInput:
    name: str
    slug: str = ""
    parent_id: int | None = None
    visible: bool = True
    seo_title: str = ""
    seo_description: str = ""


def create_category(name: str, parent: Category | None = None, *, slug: str | None = None,
                    position: int = 0, **fields) -> Category:
    category = Category(name=name, slug=slug or slugify(name), parent=parent, position=position, **fields)
    db.session.add(category)
    db.session.flush()
    category.path = f"{parent.path if parent else '/'}{category.id}/"
    return category


def next_position(parent_id: int | None) -> int:
    where = Category.parent_id == parent_id if parent_id else Category.parent_id.is_(None)
    positions = db.session.scalars(select(Category.position).where(where)).all()
    return max(positions, default=-1) + 1


def values(category: Category) -> dict:
    """What the audit log records of a category."""
    return {"name": category.name, "slug": category.slug, "parent_id": category.parent_id, "path": category.path,
            "visible": category.visible, "seo_title": category.seo_title,
            "seo_description": category.seo_description, "position": category.position}


def save_category(category_id: int | None, data: CategoryInput) -> tuple[Category, dict, dict]:
    """Create (``category_id`` None) or edit a category; moving it under another parent
    rewrites the materialised paths of its whole subtree. Returns the category and its
    changed values (before, after): all of them, after only, for a new one."""
    parent = category_by_id(data.parent_id, "parent_id")
    slug = slugify(data.slug or data.name, 140)
    clash = db.session.scalar(select(Category.id).where(Category.slug == slug))
    if clash is not None and clash != category_id:
        raise InputErrors({"slug": "taken"})
    fields = {"visible": data.visible, "seo_title": data.seo_title, "seo_description": data.seo_description}
    if category_id is None:
        category = create_category(data.name, parent, slug=slug, position=next_position(parent.id if parent else None),
                                   **fields)
        return category, {}, values(category)
    category = category_by_id(category_id, "id")
    before = values(category)
    if parent is not None and parent.path.startswith(category.path):
        raise InputErrors({"parent_id": "cycle"})  # itself or one of its descendants
    if category.parent_id != data.parent_id:
        old_path, new_path = category.path, f"{parent.path if parent else '/'}{category.id}/"
        for node in db.session.scalars(select(Category).where(Category.path.startswith(old_path))):
            node.path = new_path + node.path[len(old_path):]
        category.parent = parent
        category.position = next_position(data.parent_id)
    category.name, category.slug = data.name, slug
    for key, value in fields.items():
        setattr(category, key, value)
    db.session.flush()
    return (category, *changes(before, values(category)))


def move_category(category_id: int, offset: int) -> tuple[Category, dict[int, int], dict[int, int]]:
    """Swap a category with its previous (-1) or next (+1) sibling; positions are
    renumbered 0..n-1 on the way, so gaps and ties left by older data disappear. Returns
    the category and its siblings' positions {id: position} before and after."""
    category = category_by_id(category_id, "id")
    where = Category.parent_id == category.parent_id if category.parent_id else Category.parent_id.is_(None)
    siblings = list(db.session.scalars(select(Category).where(where)
                                       .order_by(Category.position, Category.name, Category.id)))
    before = {c.id: c.position for c in siblings}
    i = siblings.index(category)
    j = i + offset
    if 0 <= j < len(siblings):
        siblings[i], siblings[j] = siblings[j], siblings[i]
    for position, sibling in enumerate(siblings):
        sibling.position = position
    return category, before, {c.id: c.position for c in siblings}


def add_paths(paths: list[str], by_path: dict[str, int]) -> dict[str, int]:
    """Create the categories of these name paths (``Vêtements > Chemises``, parents
    first) missing from ``by_path`` ({lower-case path: id}); returns it completed."""
    by_path = dict(by_path)
    for path in paths:
        parts = path.split(" > ")
        if path.lower() in by_path:
            continue
        parent_id = by_path.get(" > ".join(parts[:-1]).lower()) if len(parts) > 1 else None
        parent = db.session.get(Category, parent_id) if parent_id else None
        slug = base = slugify(parts[-1], 120)
        n = 1
        while db.session.scalar(select(Category.id).where(Category.slug == slug)) is not None:
            n += 1
            slug = f"{base}-{n}"
        category = create_category(parts[-1], parent, slug=slug, position=next_position(parent_id))
        by_path[path.lower()] = category.id
    return by_path

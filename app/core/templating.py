"""Jinja filters and globals shared by every page."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, g, request
from flask_babel import get_locale

from app.core.money import format_money


def money(amount: int | None, currency: str | None = None) -> str:
    if amount is None:
        return ""
    tenant = g.get("tenant")
    return format_money(amount, currency or (tenant.currency if tenant else "XAF"), str(get_locale() or "fr"))


def url_with(**changes) -> str:
    """The current URL with some query arguments changed (None removes one)."""
    args = request.args.to_dict(flat=False)
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = [value]
    query = urlencode(args, doseq=True)
    return request.path + ("?" + query if query else "")


def dict_without(d: dict, *keys: str) -> dict:
    return {k: v for k, v in d.items() if k not in keys}


def init_app(app: Flask) -> None:
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["dict_without"] = dict_without
    app.jinja_env.globals["url_with"] = url_with
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def _shop_context() -> dict:
        return {"tenant": g.get("tenant"), "locale": str(get_locale() or "fr")}

"""Flask commands, one module per area. Each one enters the tenant it works on explicitly."""
from __future__ import annotations

from flask import Flask

from app.cli import api, demo, jobs, orders, staff, sync, tenants


def register(app: Flask) -> None:
    for area in (tenants, staff, orders, api, sync, jobs, demo):
        area.register(app)

"""What each role may do (SPEC §6). Checked on every back-office route and action."""
from __future__ import annotations

READ = {"orders:read", "customers:read", "catalog:read", "inventory:read", "dashboard:read"}
OPERATIONS = {"messages:read", "messages:retry", "carts:read", "carts:remind", "jobs:read", "jobs:retry",
              "sync:read"}
MANAGE = {"orders:write", "catalog:write", "inventory:write"}
ADMIN = {"settings:write", "staff:write"}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "pdg": frozenset(READ | OPERATIONS | MANAGE | ADMIN),
    "dg": frozenset(READ | OPERATIONS | MANAGE),
    "manager": frozenset(READ | OPERATIONS | MANAGE),
    "support": frozenset({"orders:read", "customers:read", "orders:note", "messages:read", "carts:read"}),
    "viewer": frozenset(READ),
}


def allowed(role: str, permission: str) -> bool:
    return permission in ROLE_PERMISSIONS.get(role, frozenset())

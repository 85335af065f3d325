"""What each role may do. Checked on every back-office route and action.

pdg: everything; dg: everything but tenant settings and staff; manager: catalog, orders,
inventory (and the day-to-day operations pages); support: orders and customers read,
status notes; viewer: read only. Every role sees the notification bell; what the bell
lists is filtered by the read permissions of each kind of item.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

READ = {"orders:read", "customers:read", "catalog:read", "inventory:read", "dashboard:read", "payments:read"}
OPERATIONS = {"messages:read", "messages:retry", "carts:read", "carts:remind", "jobs:read", "jobs:retry",
              "sync:read"}
MANAGE = {"orders:write", "orders:note", "catalog:write", "inventory:write", "payments:write", "audit:read"}
ADMIN = {"settings:write", "staff:write"}
EVERYONE = {"notifications:read"}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "pdg": frozenset(READ | OPERATIONS | MANAGE | ADMIN | EVERYONE),
    "dg": frozenset(READ | OPERATIONS | MANAGE | EVERYONE),
    "manager": frozenset(READ | OPERATIONS | MANAGE | EVERYONE),
    "support": frozenset({"orders:read", "customers:read", "orders:note", "messages:read", "carts:read",
                         "payments:read"} | EVERYONE),
    "viewer": frozenset(READ | EVERYONE),
}

ROLE_LABELS = {"pdg": _l("PDG"), "dg": _l("DG"), "manager": _l("Responsable"), "support": _l("Support client"),
               "viewer": _l("Lecture seule")}

# Shown on the 403 page: what the refused action needed, in words.
PERMISSION_LABELS = {
    "orders:read": _l("voir les commandes"), "orders:write": _l("modifier les commandes"),
    "orders:note": _l("annoter les commandes"), "customers:read": _l("voir les clients"),
    "catalog:read": _l("voir le catalogue"), "catalog:write": _l("modifier le catalogue"),
    "inventory:read": _l("voir les stocks"), "inventory:write": _l("modifier les stocks"),
    "dashboard:read": _l("voir le tableau de bord"), "payments:read": _l("voir les paiements"),
    "payments:write": _l("gérer les paiements"), "audit:read": _l("consulter le journal d’audit"),
    "messages:read": _l("voir les messages"), "messages:retry": _l("renvoyer les messages"),
    "carts:read": _l("voir les paniers abandonnés"), "carts:remind": _l("relancer les paniers"),
    "jobs:read": _l("voir les tâches en échec"), "jobs:retry": _l("relancer les tâches"),
    "sync:read": _l("voir la synchronisation"), "settings:write": _l("modifier les réglages de la boutique"),
    "staff:write": _l("gérer le personnel"), "notifications:read": _l("voir les notifications"),
}


def allowed(role: str, permission: str) -> bool:
    return permission in ROLE_PERMISSIONS.get(role, frozenset())

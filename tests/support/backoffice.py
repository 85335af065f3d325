"""Staff accounts on both tenants and logged-in back-office clients."""
from __future__ import annotations

import pytest

from app.core.db import tenant_context
from app.extensions import db
from app.staff.services import create_staff
from tests.support.clients import client_for, csrf_token

PASSWORD = "un-long-secret"


@pytest.fixture
def staff(app, tenants):
    """``<role>@<slug>.cm``: a PDG, a support agent and a viewer on Akwa, a PDG on Plateau."""
    with app.app_context():
        for shop, role in ((tenants.a, "pdg"), (tenants.a, "support"), (tenants.a, "viewer"), (tenants.b, "pdg")):
            with tenant_context(shop.tenant.id):
                create_staff(f"{role}@{shop.tenant.slug}.cm", role, role, PASSWORD)
                db.session.commit()


@pytest.fixture
def pdg(app, staff):
    """Akwa's PDG, logged in."""
    return login(app, "akwa", "pdg@akwa.cm")[0]


def login(app, slug, email, password=PASSWORD):
    client = client_for(app, slug)
    token = csrf_token(client, "/backoffice/login")
    response = client.post("/backoffice/login", data={"csrf_token": token, "email": email, "password": password})
    return client, response

"""The core AfriGest system, simulated (devtools) and linked to the tenants."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from app.core.db import tenant_context
from app.sync.services import connect_core
from devtools.simulators.core import CoreState, create_simulator
from tests.support.servers import serve


@pytest.fixture
def core(app, tenants):
    """A core simulator for tenant A; tenant B is linked to a core nobody answers for."""
    state = CoreState(token="core-token-a", webhook_secret="secret-a")
    server, url = serve(create_simulator(state))
    with app.app_context():
        with tenant_context(tenants.a.tenant.id):
            connect_core(url, "core-token-a", webhook_secret="secret-a", expected_interval_s=900)
        with tenant_context(tenants.b.tenant.id):
            connect_core("http://127.0.0.1:9", "core-token-b", webhook_secret="secret-b")
    yield SimpleNamespace(state=state, url=url, a=tenants.a.tenant.id, b=tenants.b.tenant.id)
    server.shutdown()

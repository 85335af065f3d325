"""WSGI apps served over real HTTP on 127.0.0.1, in a thread of the test process."""
from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server


def serve(wsgi_app):
    """(server, base URL); stop it with ``server.shutdown()``."""
    server = make_server("127.0.0.1", 0, wsgi_app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


@pytest.fixture(scope="session")
def app_server(app):
    """The shop itself on 127.0.0.1, where simulators (payments, core) deliver their callbacks."""
    server, url = serve(app)
    yield url
    server.shutdown()

"""Local simulators of MTN MoMo (Collection), Orange Money (Web Payment) and PayPal (Orders v2).

One Flask app speaks the three providers' HTTP protocols under ``/momo``, ``/orange`` and
``/paypal`` so the shop's providers run against it by changing their base URL only
(``http://127.0.0.1:5055/momo`` instead of ``https://sandbox.momodeveloper.mtn.com``, …).
State lives in memory; one app instance is one world. It never uses the shop's database.

Control endpoints (JSON) for tests and demos:

- ``GET|POST /_sim/config``: read / change settings (see ``state.DEFAULTS``), plus
  ``fail_next`` ``{"path_contains", "method", "status", "times", "after"}`` (answer that
  status instead of processing; with ``"after": true`` process first, then answer the
  error: the "response lost" case) and ``hang_next`` (seconds, or ``{"seconds", ...}``);
- ``POST /_sim/reset``; ``GET /_sim/deliveries``; ``POST /_sim/deliveries/flush``;
  ``GET /_sim/requests`` (API calls served); ``GET /_sim/stats`` (tokens issued);
  ``POST /_sim/expire-tokens``.
"""
from __future__ import annotations

import threading
import time
from pathlib import Path

from flask import Blueprint, Flask, g, jsonify, request
from flask_babel import Babel, get_locale
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from devtools.simulators.payments import momo, orange, paypal
from devtools.simulators.payments.state import EXTENSION, ConfigError, World, json_object, random_id, world

ROOT = Path(__file__).resolve().parents[3]

control = Blueprint("sim_control", __name__)


def _failure(path: str, status: int):
    """An injected error, shaped like the provider's own errors."""
    if path.startswith("/paypal"):
        names = {500: "INTERNAL_SERVER_ERROR", 503: "SERVICE_UNAVAILABLE"}
        body = {"name": names.get(status, "INTERNAL_SERVER_ERROR"), "message": "An internal server error has occurred.",
                "debug_id": random_id(13, "0123456789abcdef"), "details": []}
    elif path.startswith("/momo"):
        body = {"code": "SERVICE_UNAVAILABLE" if status == 503 else "INTERNAL_PROCESSING_ERROR",
                "message": "Simulated failure."}
    else:
        body = {"code": status, "message": "Service unavailable" if status == 503 else "Internal error",
                "description": "Simulated failure."}
    return jsonify(body), status


def _is_control(path: str) -> bool:
    return "/_sim/" in path or path.startswith("/_sim")


def _before() -> object | None:
    if _is_control(request.path):
        return None
    w = world()
    hang = w.take_rule("hang", request.path, request.method, after=False)
    if hang:
        time.sleep(hang["seconds"])
    fail = w.take_rule("fail", request.path, request.method, after=False)
    if fail:
        g.sim_injected = True
        return _failure(request.path, fail["status"])
    return None


def _after(response):
    if _is_control(request.path):
        return response
    w = world()
    if not g.get("sim_injected"):
        hang = w.take_rule("hang", request.path, request.method, after=True)
        if hang:
            time.sleep(hang["seconds"])
        fail = w.take_rule("fail", request.path, request.method, after=True)
        if fail:  # the work is done but the caller never learns it: the retry/idempotency case
            response = _failure(request.path, fail["status"])[0]
            response.status_code = fail["status"]
    w.log_request(request.method, request.path, response.status_code)
    return response


@control.route("/_sim/config", methods=["GET", "POST"])
def configure():
    if request.method == "GET":
        return jsonify(world().public_config())
    patch = json_object()
    if patch is None:
        return jsonify(error="invalid_json", message="A JSON object is expected."), 400
    try:
        return jsonify(world().configure(patch))
    except ConfigError as exc:
        return jsonify(error="invalid_config", message=str(exc)), 400


@control.post("/_sim/reset")
def reset():
    world().reset()
    return jsonify(reset=True)


@control.get("/_sim/deliveries")
def deliveries():
    w = world()
    with w.lock:
        found = [d for d in w.deliveries if d["ref"] == request.args["ref"]] if "ref" in request.args \
            else list(w.deliveries)
        held = [{"kind": j["kind"], "ref": j["ref"], "url": j["url"]} for j in w.held]
    return jsonify(deliveries=found, held=held)


@control.post("/_sim/deliveries/flush")
def flush_deliveries():
    return jsonify(flushed=world().deliverer.flush())


@control.get("/_sim/requests")
def served_requests():
    w = world()
    with w.lock:
        return jsonify(requests=list(w.requests))


@control.get("/_sim/stats")
def stats():
    w = world()
    with w.lock:
        return jsonify(tokens_issued=dict(w.tokens_issued), deliveries=len(w.deliveries), held=len(w.held))


@control.post("/_sim/expire-tokens")
def expire_tokens():
    return jsonify(expired=world().expire_tokens())


def _locale() -> str:
    return g.get("sim_lang") or (request.args.get("lang") if request.args.get("lang") in ("fr", "en") else "fr")


def create_simulator_app(**config) -> Flask:
    """A fresh simulator world. ``config`` keys: see ``state.DEFAULTS`` (unknown keys raise)."""
    sim = Flask("afrigest_payment_simulators", template_folder=str(ROOT / "templates"), static_folder=None)
    sim.extensions[EXTENSION] = World(**config)
    sim.json.sort_keys = False  # answers keep the providers' field order
    # the pages' texts are French first, translated from the shop's own catalog
    Babel(sim, default_locale="fr", locale_selector=_locale,
          default_translation_directories=str(ROOT / "app" / "translations"))
    sim.context_processor(lambda: {"page_lang": str(get_locale() or "fr")})
    sim.before_request(_before)
    sim.after_request(_after)
    sim.register_blueprint(control)
    sim.register_blueprint(momo.bp, url_prefix="/momo")
    sim.register_blueprint(orange.bp, url_prefix="/orange")
    sim.register_blueprint(paypal.bp, url_prefix="/paypal")
    return sim


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:  # tests read /_sim/requests instead
        pass


def serve(host: str = "127.0.0.1", port: int = 0, app: Flask | None = None, *, quiet: bool = True,
          **config) -> tuple[BaseWSGIServer, int]:
    """Run a simulator in a daemon thread; (server, port). ``server.app`` is the Flask app;
    stop it with ``server.shutdown()``."""
    sim = app or create_simulator_app(**config)
    server = make_server(host, port, sim, threaded=True, request_handler=_QuietHandler if quiet else None)
    threading.Thread(target=server.serve_forever, daemon=True, name="payment-simulators").start()
    return server, server.port

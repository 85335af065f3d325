"""The in-memory world of one simulator app: configuration, tokens, records, request log.

Nothing here touches the shop's database or tenancy: a simulator stands in for MTN, Orange
and PayPal, which know nothing about our tenants. One ``World`` per simulator app; every
read-modify-write of its dictionaries happens under ``world.lock`` because the werkzeug
server is threaded and callbacks/timers run in background threads.
"""
from __future__ import annotations

import base64
import copy
import secrets
import string
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import current_app, request

from devtools.simulators.payments.delivery import Deliverer

EXTENSION = "payment_simulators"

DEFAULTS: dict[str, Any] = {
    # credentials the simulated providers accept (tests flip them to check 401s)
    "momo_api_user": "sim-user",
    "momo_api_key": "sim-key",
    "momo_subscription_key": "sim-subscription",
    "orange_client_id": "sim-orange-id",
    "orange_client_secret": "sim-orange-secret",
    "orange_merchant_key": "sim-merchant-key",
    "orange_merchant_name": "Boutique simulée",
    "paypal_client_id": "sim-paypal-id",
    "paypal_client_secret": "sim-paypal-secret",
    # one URL, or a template whose {tenant} is the id of the shop that created the order (its
    # return URL's host, through paypal_tenant_for_host): each tenant's webhooks to its own URL
    "paypal_webhook_url": None,
    "paypal_tenant_for_host": None,  # host → tenant id; given in code only (flask payment-simulators)
    "paypal_webhook_id": "SIM-WEBHOOK-ID",
    "paypal_signing_secret": None,  # random per world when not given
    "paypal_delay": 0.0,  # seconds every PayPal API call waits before answering
    "paypal_decline_next_capture": False,
    "paypal_pending_next_capture": False,
    # callbacks / notifications / webhooks (delivery.py)
    "callback_delay": 0.0,
    "callback_duplicates": 0,
    "callback_drop": False,
    "callback_method": "PUT",  # MTN's sandbox calls the callback URL with PUT
    "callback_shuffle": False,  # hold callbacks until POST /_sim/deliveries/flush (reverse order)
    "callback_timeout": 5.0,
    # behaviour
    "mode": "auto",  # MoMo: "auto" settles ordinary numbers; "manual" waits for the phone page
    "settle_delay": 0.0,  # MoMo: seconds between creation and the final state
    "orange_window": 600.0,  # Orange: seconds before an unpaid web payment is EXPIRED
    "public_url": None,  # base URL put in payment/approve links; default: the request's host
}


def _number(minimum: float = 0.0) -> Callable[[Any], float]:
    def coerce(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum:
            raise ValueError(f"a number >= {minimum}")
        return float(value)
    return coerce


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError("an integer >= 0")
    return value


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("true or false")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError("a non-empty string")
    return value


def _optional_function(value: Any) -> Callable | None:
    if value is not None and not callable(value):
        raise ValueError("a function")
    return value


def _optional_text(value: Any) -> str | None:
    return None if value in (None, "") else _text(value)


def _choice(*choices: str) -> Callable[[Any], str]:
    def coerce(value: Any) -> str:
        if value not in choices:
            raise ValueError("one of " + ", ".join(choices))
        return value
    return coerce


COERCE: dict[str, Callable[[Any], Any]] = {key: _text for key in DEFAULTS}
COERCE.update({
    "paypal_webhook_url": _optional_text, "paypal_signing_secret": _optional_text,
    "paypal_tenant_for_host": _optional_function,
    "public_url": _optional_text, "paypal_delay": _number(), "paypal_decline_next_capture": _flag,
    "paypal_pending_next_capture": _flag, "callback_delay": _number(), "callback_duplicates": _count,
    "callback_drop": _flag, "callback_method": _choice("PUT", "POST"), "callback_shuffle": _flag,
    "callback_timeout": _number(0.1), "mode": _choice("auto", "manual"), "settle_delay": _number(),
    "orange_window": _number(0.001),
})


class ConfigError(ValueError):
    """A control call or ``create_simulator_app`` got an unknown key or a bad value."""


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def random_id(length: int = 17, alphabet: str = string.ascii_uppercase + string.digits) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def _rule(raw: Any, *, hang: bool) -> dict:
    """A failure (``fail_next``) or slowness (``hang_next``) rule from a control call."""
    if not hang and raw is True:
        raw = {}
    if hang and isinstance(raw, (int, float)) and not isinstance(raw, bool):
        raw = {"seconds": raw}
    if not isinstance(raw, dict):
        raise ConfigError("fail_next/hang_next: an object (or a number of seconds for hang_next)")
    unknown = set(raw) - {"path_contains", "method", "times", "after", "status", "seconds"}
    if unknown:
        raise ConfigError(f"fail_next/hang_next: unknown keys {sorted(unknown)}")
    try:
        rule = {"path_contains": str(raw.get("path_contains", "")),
                "method": (raw.get("method") or "").upper() or None,
                "times": _count(raw.get("times", 1)), "after": _flag(raw.get("after", False))}
        if hang:
            rule["seconds"] = _number()(raw.get("seconds", 1))
        else:
            status = raw.get("status", 500)
            if not isinstance(status, int) or not 400 <= status <= 599:
                raise ValueError("status: an HTTP error status")
            rule["status"] = status
    except ValueError as exc:
        raise ConfigError(f"fail_next/hang_next: {exc}") from exc
    return rule


class World:
    def __init__(self, **config: Any) -> None:
        self.lock = threading.RLock()
        self._initial = self._checked({**DEFAULTS, **config}, initial=True)
        if not self._initial["paypal_signing_secret"]:
            self._initial["paypal_signing_secret"] = secrets.token_hex(32)
        self.generation = 0
        self.deliverer = Deliverer(self)
        self.reset()

    @staticmethod
    def _checked(values: dict, *, initial: bool = False) -> dict:
        unknown = set(values) - set(DEFAULTS)
        if unknown:
            raise ConfigError(f"unknown settings: {sorted(unknown)}")
        checked = {}
        for key, value in values.items():
            if initial and value is None and DEFAULTS[key] is None:
                checked[key] = None
                continue
            try:
                checked[key] = COERCE[key](value)
            except ValueError as exc:
                raise ConfigError(f"{key}: {exc}") from exc
        return checked

    def reset(self) -> None:
        """Forget everything; timers and deliveries started before check ``generation``."""
        with self.lock:
            self.generation += 1
            self.config = copy.deepcopy(self._initial)
            self.rules: dict[str, list[dict]] = {"fail": [], "hang": []}
            self.tokens: dict[str, tuple[str, float]] = {}  # token → (provider, expires at)
            self.tokens_issued = {"momo": 0, "orange": 0, "paypal": 0}
            self.deliveries: list[dict] = []
            self.held: list[dict] = []
            self.requests: list[dict] = []
            self.stores: dict[str, Any] = {}

    def configure(self, patch: dict) -> dict:
        patch = dict(patch)
        rules = {kind: patch.pop(f"{kind}_next") for kind in ("fail", "hang") if f"{kind}_next" in patch}
        checked = self._checked(patch)
        parsed = {kind: [_rule(r, hang=kind == "hang") for r in (raw if isinstance(raw, list) else [raw])]
                  for kind, raw in rules.items()}
        with self.lock:
            self.config.update(checked)
            for kind, new in parsed.items():
                self.rules[kind].extend(new)
            return self.public_config()

    def public_config(self) -> dict:
        with self.lock:
            hidden = ("paypal_signing_secret", "paypal_tenant_for_host")  # a secret; a function
            shown = {k: v for k, v in self.config.items() if k not in hidden}
            return {**shown, "fail_next": copy.deepcopy(self.rules["fail"]),
                    "hang_next": copy.deepcopy(self.rules["hang"])}

    def take_rule(self, kind: str, path: str, method: str, *, after: bool) -> dict | None:
        """The first matching rule, used up by one (``times`` counts down)."""
        with self.lock:
            for rule in self.rules[kind]:
                if rule["after"] == after and rule["path_contains"] in path \
                        and rule["method"] in (None, method) and rule["times"] > 0:
                    rule["times"] -= 1
                    if rule["times"] == 0:
                        self.rules[kind].remove(rule)
                    return dict(rule)
        return None

    def store(self, name: str, factory: Callable[[], Any]) -> Any:
        with self.lock:
            if name not in self.stores:
                self.stores[name] = factory()
            return self.stores[name]

    # tokens -----------------------------------------------------------------------------
    def issue_token(self, provider: str, ttl: float, prefix: str = "") -> str:
        token = prefix + secrets.token_urlsafe(32)
        with self.lock:
            self.tokens[token] = (provider, time.monotonic() + ttl)
            self.tokens_issued[provider] += 1
        return token

    def token_state(self, provider: str, token: str | None) -> str:
        """"valid", "expired" or "unknown" (a token of another provider is unknown)."""
        with self.lock:
            found = self.tokens.get(token or "")
        if found is None or found[0] != provider:
            return "unknown"
        return "valid" if found[1] > time.monotonic() else "expired"

    def expire_tokens(self) -> int:
        with self.lock:
            self.tokens = {t: (p, 0.0) for t, (p, _) in self.tokens.items()}
            return len(self.tokens)

    def log_request(self, method: str, path: str, status: int) -> None:
        with self.lock:
            self.requests.append({"method": method, "path": path, "status": status, "at": now_iso()})
            del self.requests[:-1000]  # a long-running dev simulator must not grow forever


def world() -> World:
    return current_app.extensions[EXTENSION]


def base_url(prefix: str) -> str:
    """Absolute URL of one provider's root as the caller sees the simulator."""
    root = world().config["public_url"] or request.host_url
    return root.rstrip("/") + prefix


def basic_credentials() -> tuple[str, str] | None:
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        user, _, password = base64.b64decode(header[6:].strip(), validate=True).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return None
    return user, password


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    return header[7:].strip() or None if header.lower().startswith("bearer ") else None


def json_object() -> dict | None:
    body = request.get_json(silent=True, force=True)
    return body if isinstance(body, dict) else None

"""The paypal-server-sdk client the PayPal provider talks through, one per (base URL,
credential set, timeout) in the process, and the translation of its exceptions into ours.
Every call names the credentials it uses (``app.payments.providers.credentials``): a
tenant with its own PayPal app gets its own client, so its own token."""
from __future__ import annotations

import json
import threading

import requests
from apimatic_core.exceptions.auth_validation_exception import AuthValidationException
from paypalserversdk.configuration import Configuration, Server
from paypalserversdk.exceptions.api_exception import ApiException
from paypalserversdk.http.auth.o_auth_2 import ClientCredentialsAuthCredentials
from paypalserversdk.paypal_serversdk_client import PaypalServersdkClient

from app.payments.providers.base import ProviderUnavailable, setting
from app.payments.providers.credentials import Credentials

SANDBOX = "https://api-m.sandbox.paypal.com"

__all__ = ["ApiException", "SANDBOX", "base_url", "bearer", "forget", "issue", "sdk_call"]


class _Configuration(Configuration):
    """How the base URI is overridden: the SDK maps ``environment`` (SANDBOX/PRODUCTION) to a
    URI through the class-level ``Configuration.environments`` dict, read only by
    ``get_base_uri``, and ``PaypalServersdkClient`` hands that bound method to apimatic's
    ``GlobalConfiguration.base_uri_executor`` for every controller (orders, payments, OAuth).
    Overriding ``get_base_uri`` on a subclass points them all at PAYPAL_BASE_URL (simulator,
    sandbox or live) without mutating the shared class dict. ``clone_with`` would build a
    plain Configuration again, so it is never used."""

    def __init__(self, *, base_uri: str, **kwargs):
        self._base_uri = base_uri.rstrip("/")
        super().__init__(**kwargs)

    def get_base_uri(self, server=Server.DEFAULT):
        return self._base_uri


class _Client:
    """One SDK client and the last token its OAuth manager fetched (reused for the webhook
    verification call, which the SDK does not offer)."""

    def __init__(self, base: str, client_id: str, secret: str, timeout: float):
        self.token = None
        credentials = ClientCredentialsAuthCredentials(o_auth_client_id=client_id, o_auth_client_secret=secret,
                                                       o_auth_on_token_update=self._remember)
        # max_retries=0: retrying is the payment jobs' business, and a checkout must not hang.
        config = _Configuration(base_uri=base, timeout=timeout, max_retries=0,
                                client_credentials_auth_credentials=credentials)
        self.sdk = PaypalServersdkClient(config=config)

    def _remember(self, token) -> None:
        self.token = token

    def access_token(self) -> str:
        """The SDK's token, fetched or refreshed by its OAuth manager when missing or expired."""
        if not self.sdk.oauth_2.is_valid() or self.token is None:
            raise ProviderUnavailable("PayPal token refused")
        return self.token.access_token


_clients: dict[tuple, _Client] = {}
_lock = threading.Lock()


def base_url() -> str:
    return setting("PAYPAL_BASE_URL", SANDBOX).rstrip("/")


def _key(creds: Credentials) -> tuple:
    # The timeout is in the key because it is fixed when the SDK client is built.
    return base_url(), creds.key, float(setting("PAYMENT_HTTP_TIMEOUT", "15"))


def _client(creds: Credentials) -> _Client:
    key = _key(creds)
    with _lock:
        if key not in _clients:
            _clients[key] = _Client(key[0], creds["client_id"], creds["client_secret"], key[2])
        return _clients[key]


def forget(creds: Credentials) -> None:
    """Drop the client (and its token) after a 401: the next call starts afresh."""
    with _lock:
        _clients.pop(_key(creds), None)


def sdk_call(creds: Credentials, what: str, fn) -> dict:
    """Run ``fn(sdk_client)`` and return the answer's JSON as PayPal sent it (SDK models leave
    absent fields as missing attributes; the raw JSON is simpler to read). Network trouble,
    5xx and a refused token are ProviderUnavailable; other HTTP errors stay ApiException for
    the caller. A 401 drops the cached client (token revoked) and tries once more."""
    for attempt in (1, 2):
        try:
            response = fn(_client(creds).sdk)
            return json.loads(response.text) if response.text else {}
        except ApiException as exc:
            if exc.response_code >= 500:
                raise ProviderUnavailable(f"PayPal {what}: HTTP {exc.response_code}") from exc
            if exc.response_code == 401 and attempt == 1:
                forget(creds)
                continue
            raise
        except AuthValidationException as exc:
            raise ProviderUnavailable(f"PayPal {what}: token refused") from exc
        except (requests.RequestException, ValueError) as exc:
            raise ProviderUnavailable(f"PayPal {what}: {type(exc).__name__}") from exc
    raise AssertionError("unreachable")


def bearer(creds: Credentials) -> str:
    """An access token for a call made with plain ``requests``."""
    try:
        return _client(creds).access_token()
    except (requests.RequestException, ApiException, AuthValidationException, ValueError) as exc:
        raise ProviderUnavailable(f"PayPal token: {type(exc).__name__}") from exc


def issue(exc: ApiException) -> str:
    """PayPal's most precise error code: details[0].issue, else the error name."""
    try:
        body = json.loads(exc.response.text or "")
    except (AttributeError, TypeError, ValueError):
        body = None
    if isinstance(body, dict):
        details = body.get("details") or []
        if details and isinstance(details[0], dict) and details[0].get("issue"):
            return str(details[0]["issue"])[:120]
        if body.get("name"):
            return str(body["name"])[:120]
    return f"HTTP_{exc.response_code}"

"""The HTTP plumbing MoMo and Orange share: one call helper and a token cache."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import requests

from app.payments.providers.base import ProviderUnavailable, setting


@dataclass
class Answer:
    status: int
    body: dict | list | None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def call(method: str, url: str, **kwargs) -> Answer:
    """One request; network trouble and 5xx are ProviderUnavailable (nothing is known),
    every other answer is returned for the provider to read."""
    timeout = float(setting("PAYMENT_HTTP_TIMEOUT", "15"))
    try:
        response = requests.request(method, url, timeout=timeout, **kwargs)
    except requests.RequestException as exc:
        raise ProviderUnavailable(f"{method} {url.split('?')[0]}: {type(exc).__name__}") from exc
    if response.status_code >= 500:
        raise ProviderUnavailable(f"{method} {url.split('?')[0]}: HTTP {response.status_code}")
    try:
        body = response.json() if response.content else None
    except ValueError:
        body = None
    return Answer(response.status_code, body)


def fetch_token(provider: str, url: str, auth: tuple[str, str], **kwargs) -> tuple[str, int]:
    """A client-credentials token and its lifetime in seconds; a refusal is ProviderUnavailable."""
    answer = call("POST", url, auth=auth, **kwargs)
    if not answer.ok or not isinstance(answer.body, dict) or "access_token" not in answer.body:
        raise ProviderUnavailable(f"{provider} token refused (HTTP {answer.status})")
    return answer.body["access_token"], answer.body.get("expires_in", 3600)


class TokenCache:
    """Access tokens per (base URL, client), reused until shortly before they expire."""

    def __init__(self):
        self._tokens: dict[tuple, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple, fetch) -> str:
        with self._lock:
            token, expires = self._tokens.get(key, ("", 0.0))
            if token and time.monotonic() < expires:
                return token
            token, lifetime = fetch()
            self._tokens[key] = (token, time.monotonic() + max(int(lifetime) - 60, 30))
            return token

    def call(self, key: tuple, fetch, method: str, url: str, headers: dict | None = None, **kwargs) -> Answer:
        """A request with the cached bearer token; a 401 (token revoked early) gets a new one, once."""
        for retry in (False, True):
            answer = call(method, url, headers={**(headers or {}), "Authorization": f"Bearer {self.get(key, fetch)}"},
                          **kwargs)
            if answer.status != 401 or retry:
                return answer
            self.forget(key)
        raise AssertionError("unreachable")

    def forget(self, key: tuple | None = None) -> None:
        """Drop one token (or all of them)."""
        with self._lock:
            if key is None:
                self._tokens.clear()
            else:
                self._tokens.pop(key, None)

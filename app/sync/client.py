"""HTTP client for the core AfriGest system's pull endpoints (degraded mode, on-demand sync).

The protocol, JSON over HTTPS, ``Authorization: Bearer <CoreConnection.api_token>``:

``GET {base_url}/api/products[?since=<ISO 8601 UTC>]``
    200 ``{"products": [<product payload>, ...]}``: the products created or changed at or
    after ``since`` (all of them without it). A product payload is the ``data`` of a
    ``product.upserted`` webhook (see app.sync.schemas).
``GET {base_url}/api/stock``
    200 ``{"stock": [{"sku": ..., "store": ..., "on_hand": ...}, ...]}``: a full snapshot of
    absolute on-hand quantities per variant SKU and store code.
``POST {base_url}/api/orders`` with ``Idempotency-Key: <key>``
    the shop pushes each online order and its status changes (app.sync.push); 2xx means
    recorded (a repeated key must be answered 2xx without recording twice).

Anything else (connection refused, timeout, non-200, a body that is not that JSON) is a
:class:`CoreUnavailable`, which the caller turns into exponential backoff.
"""
from __future__ import annotations

import json
from datetime import datetime
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

TIMEOUT_S = 15
MAX_BYTES = 50 * 1024 * 1024


class CoreUnavailable(Exception):
    pass


class CoreClient:
    def __init__(self, base_url: str, token: str, timeout: float = TIMEOUT_S):
        self.base_url, self.token, self.timeout = base_url.rstrip("/"), token, timeout

    def _get(self, path: str, key: str, params: dict | None = None) -> list:
        url = f"{self.base_url}{path}" + (f"?{urlencode(params)}" if params else "")
        if not url.startswith(("http://", "https://")):
            raise CoreUnavailable(f"not an http(s) URL: {self.base_url!r}")
        request = Request(url, headers={"Authorization": f"Bearer {self.token}", "Accept": "application/json",
                                        "User-Agent": "AfriGest-Commerce-Sync/1"})
        try:
            with urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - http(s) checked above
                body = response.read(MAX_BYTES + 1)
        except HTTPError as exc:
            raise CoreUnavailable(f"GET {path}: HTTP {exc.code}") from exc
        except (URLError, OSError) as exc:
            raise CoreUnavailable(f"GET {path}: {getattr(exc, 'reason', exc)}") from exc
        if len(body) > MAX_BYTES:
            raise CoreUnavailable(f"GET {path}: response too large")
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise CoreUnavailable(f"GET {path}: not JSON") from exc
        if not isinstance(data, dict) or not isinstance(data.get(key), list):
            raise CoreUnavailable(f'GET {path}: {{"{key}": [...]}} expected')
        return data[key]

    def post(self, path: str, payload: dict, idempotency_key: str) -> None:
        if not self.base_url.startswith(("http://", "https://")):
            raise CoreUnavailable(f"not an http(s) URL: {self.base_url!r}")
        request = Request(f"{self.base_url}{path}", data=json.dumps(payload).encode(), method="POST", headers={
            "Authorization": f"Bearer {self.token}", "Content-Type": "application/json",
            "Idempotency-Key": idempotency_key, "User-Agent": "AfriGest-Commerce-Sync/1"})
        try:
            with urlopen(request, timeout=self.timeout):  # noqa: S310 - http(s) checked above
                return
        except HTTPError as exc:
            raise CoreUnavailable(f"POST {path}: HTTP {exc.code}") from exc
        except (URLError, OSError) as exc:
            raise CoreUnavailable(f"POST {path}: {getattr(exc, 'reason', exc)}") from exc

    def products(self, since: datetime | None = None) -> list:
        return self._get("/api/products", "products", {"since": since.isoformat(timespec="seconds")} if since else None)

    def stock(self) -> list:
        return self._get("/api/stock", "stock")

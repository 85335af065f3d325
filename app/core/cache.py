"""A small per-process TTL cache whose keys always carry the current tenant.

For read models that may be a little stale (listing counts and facets): a cached value
of one tenant can never be served to another, because the tenant id is part of every key
and is taken from the tenant context, not from the caller.
"""
from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from threading import Lock
from typing import TypeVar

from app.core.db import TenantScopeError, current_tenant_id

T = TypeVar("T")


class TenantCache:
    def __init__(self, ttl: float, max_entries: int = 1024):
        self.ttl, self.max_entries = ttl, max_entries
        self._data: OrderedDict[tuple, tuple[float, object]] = OrderedDict()
        self._lock = Lock()

    def get_or_compute(self, key: Hashable, compute: Callable[[], T]) -> T:
        tenant_id = current_tenant_id()
        if tenant_id is None:
            raise TenantScopeError("cache used outside a tenant context")
        full_key = (tenant_id, key)
        now = time.monotonic()
        with self._lock:
            hit = self._data.get(full_key)
            if hit is not None and hit[0] > now:
                self._data.move_to_end(full_key)
                return hit[1]  # type: ignore[return-value]
        value = compute()
        with self._lock:
            self._data[full_key] = (now + self.ttl, value)
            self._data.move_to_end(full_key)
            while len(self._data) > self.max_entries:
                self._data.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

import pytest
from flask import Flask

from app.core.cache import TenantCache
from app.core.db import TenantScopeError, tenant_context


def test_cache_keys_carry_the_tenant():
    cache = TenantCache(ttl=60)
    with Flask(__name__).app_context():
        with tenant_context(1):
            assert cache.get_or_compute("counts", lambda: "tenant one") == "tenant one"
            assert cache.get_or_compute("counts", lambda: "recomputed") == "tenant one"
        with tenant_context(2):
            assert cache.get_or_compute("counts", lambda: "tenant two") == "tenant two"
        with pytest.raises(TenantScopeError):
            cache.get_or_compute("counts", lambda: "nobody")


def test_entries_expire_and_the_size_is_bounded():
    cache = TenantCache(ttl=0, max_entries=2)
    with Flask(__name__).app_context(), tenant_context(1):
        assert cache.get_or_compute("a", lambda: 1) == 1
        assert cache.get_or_compute("a", lambda: 2) == 2  # ttl 0: always stale
        cache.get_or_compute("b", lambda: 3)
        cache.get_or_compute("c", lambda: 4)
        assert len(cache._data) == 2

"""Small closed-loop HTTP load generator (standard library only).

Used by ``bench/shop_pages.py``; importable and testable on its own:

    from loadgen import run_level, summarize
    raw = run_level("127.0.0.1", 8000, ["/shop/"], concurrency=16, max_requests=400, time_cap=30)
    print(summarize(raw))

Every run is bounded twice: by a request count and by a wall-clock cap. Each worker
thread owns one keep-alive ``http.client.HTTPConnection`` and reconnects only when the
server closes it. Latency is measured with ``time.perf_counter`` from just before the
request is written until the whole body has been read.
"""
from __future__ import annotations

import http.client
import itertools
import math
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

LOOPBACK = "127.0.0.1"


def percentile(sorted_values: list[float], pct: float) -> float | None:
    """Nearest-rank percentile of an already sorted list (``None`` when empty).

    p50 of [1..100] is 50, p95 is 95, p99 is 99, p100 the max; p0 is the min.
    """
    n = len(sorted_values)
    if n == 0:
        return None
    if pct <= 0:
        return sorted_values[0]
    rank = math.ceil(pct / 100.0 * n)
    return sorted_values[min(max(rank, 1), n) - 1]


def _one_request(conn: http.client.HTTPConnection, path: str, headers: dict) -> tuple[int, int]:
    conn.request("GET", path, headers=headers)
    resp = conn.getresponse()
    body = resp.read()
    if resp.will_close:
        conn.close()
    return resp.status, len(body)


def run_level(host: str, port: int, paths: list[str], concurrency: int, max_requests: int,
              time_cap: float, headers: dict | None = None, timeout: float = 30.0,
              stop: threading.Event | None = None) -> dict:
    """Send at most ``max_requests`` GETs (rotating over ``paths``) with ``concurrency``
    workers, stopping early once ``time_cap`` seconds have elapsed.

    Returns raw samples: ``latencies`` (seconds, every completed attempt, errors
    included), ``statuses`` (0 = transport error), ``elapsed`` and error texts.
    """
    if host != LOOPBACK:
        raise ValueError("the load generator only targets 127.0.0.1")
    if not paths:
        raise ValueError("no paths")
    max_requests = max(0, int(max_requests))
    concurrency = max(1, min(int(concurrency), max_requests or 1))
    headers = dict(headers or {})
    counter = itertools.count()  # next() on itertools.count is atomic under the GIL
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: list[int] = []
    nbytes: list[int] = []
    errors: dict[str, int] = {}
    start = time.perf_counter()
    deadline = start + time_cap
    stop = stop or threading.Event()

    def worker() -> None:
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
        local_lat, local_st, local_b = [], [], []
        try:
            while True:
                i = next(counter)
                if i >= max_requests or stop.is_set() or time.perf_counter() >= deadline:
                    break
                path = paths[i % len(paths)]
                t0 = time.perf_counter()
                status, size, err = 0, 0, None
                for attempt in (1, 2):  # one retry: an idle keep-alive socket may have been closed
                    try:
                        status, size = _one_request(conn, path, headers)
                        err = None
                        break
                    except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError,
                            http.client.BadStatusLine) as exc:
                        conn.close()
                        err = f"{type(exc).__name__}"
                        if attempt == 1:
                            t0 = time.perf_counter()  # do not charge the dead socket to the request
                    except (OSError, http.client.HTTPException) as exc:
                        conn.close()
                        err = f"{type(exc).__name__}: {exc}"[:120]
                        break
                dt = time.perf_counter() - t0
                local_lat.append(dt)
                local_st.append(status)
                local_b.append(size)
                if err:
                    with lock:
                        errors[err] = errors.get(err, 0) + 1
        finally:
            conn.close()
            with lock:
                latencies.extend(local_lat)
                statuses.extend(local_st)
                nbytes.extend(local_b)

    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="load") as pool:
        futures = [pool.submit(worker) for _ in range(concurrency)]
        try:
            for f in futures:
                f.result()
        except BaseException:  # Ctrl-C: let every worker finish its current request and stop
            stop.set()
            raise
    elapsed = time.perf_counter() - start
    return {
        "concurrency": concurrency,
        "latencies": latencies,
        "statuses": statuses,
        "bytes": nbytes,
        "elapsed": elapsed,
        "time_capped": len(statuses) < max_requests,
        "transport_errors": errors,
    }


def summarize(raw: dict) -> dict:
    """Figures from ``run_level`` samples: req/s, p50/p95/p99 in ms, non-200 count."""
    lat = sorted(raw["latencies"])
    n = len(lat)
    statuses = raw["statuses"]
    ok = sum(1 for s in statuses if s == 200)
    by_status: dict[str, int] = {}
    for s in statuses:
        by_status[str(s)] = by_status.get(str(s), 0) + 1

    def ms(v: float | None) -> float | None:
        return None if v is None else round(v * 1000.0, 2)

    return {
        "concurrency": raw["concurrency"],
        "requests": n,
        "ok": ok,
        "errors": n - ok,
        "status_counts": by_status,
        "transport_errors": raw["transport_errors"],
        "elapsed_s": round(raw["elapsed"], 3),
        "rps": round(n / raw["elapsed"], 1) if raw["elapsed"] > 0 else None,
        "p50_ms": ms(percentile(lat, 50)),
        "p95_ms": ms(percentile(lat, 95)),
        "p99_ms": ms(percentile(lat, 99)),
        "max_ms": ms(lat[-1] if lat else None),
        "mean_bytes": round(sum(raw["bytes"]) / n) if n else 0,
        "time_capped": raw["time_capped"],
    }


def get(port: int, path: str, headers: dict | None = None, timeout: float = 30.0):
    """One GET on a fresh connection to 127.0.0.1 → (status, headers dict, body bytes).

    Raises OSError / HTTPException on transport failure.
    """
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=timeout)
    try:
        conn.request("GET", path, headers=dict(headers or {}))
        resp = conn.getresponse()
        body = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body
    finally:
        conn.close()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]

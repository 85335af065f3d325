"""Back-office benchmark: a big tenant (products AND a year of orders), every list page, p50/p95/p99.

    .venv/bin/python bench/backoffice_lists.py [--products 100000] [--orders 100000] [--keep-db]

1. seeds a fresh SQLite database in a temp dir (or, with ``--keep-db``, in ``--dir``,
   reused when it already holds that catalog and those orders): ``flask db upgrade``,
   ``flask seed-demo --tenant akwa --products N``, ``flask seed-orders --tenant akwa
   --orders M`` and ``flask create-staff`` (a ``pdg`` for the bench);
2. starts gunicorn (2 gthread workers × 4 threads) on 127.0.0.1:<free port> and logs in;
3. checks each back-office list page that exists at run time: a page answering 404/500
   (another area not written yet) is skipped with a note;
4. measures each page: its first (cold) request, then at concurrency 1 and 4 (bounded
   count + time cap per level) req/s and p50/p95/p99. At concurrency 1 over loopback the
   latency is the server time plus well under a millisecond of transport;
5. prints a table, flags pages over the 100 ms p95 target, and writes
   bench/out/backoffice_lists.json.

The dashboard keeps its figures a minute in each worker's memory: ``dashboard_*`` pages
measure that (warm) path; ``dashboard_*_cold`` rotate over distinct custom periods so every
request computes its figures from the database.

Standard library only (plus bench/shop_pages.py and bench/loadgen.py). Only 127.0.0.1.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import shutil
import signal
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
VENV_BIN = ROOT / ".venv" / "bin"
sys.path.insert(0, str(BENCH))

import loadgen  # noqa: E402
from shop_pages import (  # noqa: E402
    DB_NAME,
    Server,
    child_env,
    cpu_snapshot,
    other_cpu_pct,
    run_logged,
    table,
    tail,
)

MARKER = "bench-backoffice.json"
UA = "afrigest-bench/1.0"
EMAIL, PASSWORD = "bench-pdg@akwa.bench", "bench-pdg-password-2026"
TARGET_MS = 100.0


# --------------------------------------------------------------------------- database

def counts(db_path: Path, tenant: str) -> tuple[int | None, int | None]:
    if not db_path.exists():
        return None, None
    try:
        con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5)
        try:
            row = con.execute(
                "SELECT (SELECT count(*) FROM products p WHERE p.tenant_id = t.id),"
                " (SELECT count(*) FROM orders o WHERE o.tenant_id = t.id) FROM tenants t WHERE t.slug = ?",
                (tenant,)).fetchone()
            return (row[0], row[1]) if row else (None, None)
        finally:
            con.close()
    except sqlite3.Error:
        return None, None


def prepare_db(args, instance: Path, temporary: bool) -> dict:
    flask = str(VENV_BIN / "flask")
    env = child_env(instance, args.tenant)
    log = OUT / "backoffice_seed.log"
    if not temporary:
        marker = instance / MARKER
        info = json.loads(marker.read_text()) if marker.exists() else {}
        products, orders = counts(instance / DB_NAME, args.tenant)
        if info.get("tenant") == args.tenant and (products, orders) == (args.products, args.orders):
            print(f"[seed] reusing {instance} ({products} products, {orders} orders for {args.tenant})")
            log.write_bytes(b"")
            run_logged([flask, "db", "upgrade"], env, log, timeout=600)  # indexes added since
            return {**info, "reused": True}
        if instance.exists() and any(instance.iterdir()):
            if not marker.exists():
                raise SystemExit(f"!! {instance} is not empty and was not created by this bench; "
                                 "pick another --dir or empty it yourself")
            print(f"[seed] {instance} holds another data set: reseeding")
            for name in (DB_NAME, DB_NAME + "-wal", DB_NAME + "-shm", MARKER):
                (instance / name).unlink(missing_ok=True)
            shutil.rmtree(instance / "media", ignore_errors=True)
        instance.mkdir(parents=True, exist_ok=True)
    log.write_bytes(b"")
    print(f"[seed] fresh database in {instance} (log: {log})")
    timings = {}
    for name, cmd, timeout in (
        ("db_upgrade_s", [flask, "db", "upgrade"], 600),
        ("seed_products_s", [flask, "seed-demo", "--tenant", args.tenant, "--products", str(args.products)],
         args.seed_timeout),
        ("seed_orders_s", [flask, "seed-orders", "--tenant", args.tenant, "--orders", str(args.orders)],
         args.seed_timeout),
        ("create_staff_s", [flask, "create-staff", args.tenant, EMAIL, "pdg", "--password", PASSWORD], 120),
    ):
        timings[name] = round(run_logged(cmd, env, log, timeout=timeout), 1)
        print(f"  {name}: {timings[name]} s", flush=True)
    products, orders = counts(instance / DB_NAME, args.tenant)
    size = (instance / DB_NAME).stat().st_size
    print(tail(log, 4))
    print(f"  {products} products, {orders} orders, db {size / 1e6:.0f} MB")
    info = {"tenant": args.tenant, "products": products, "orders": orders, "db_bytes": size, **timings,
            "seeded_at": datetime.now(UTC).isoformat(timespec="seconds"), "reused": False}
    if not temporary:
        (instance / MARKER).write_text(json.dumps(info, indent=2))
    return info


# --------------------------------------------------------------------------- session

def _request(port: int, method: str, path: str, headers: dict, body: str | None = None):
    conn = http.client.HTTPConnection(loadgen.LOOPBACK, port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        return resp.status, resp.getheaders(), resp.read()
    finally:
        conn.close()


def _cookie(headers: list[tuple[str, str]]) -> str | None:
    for name, value in headers:
        if name.lower() == "set-cookie" and value.startswith("session="):
            return value.split(";", 1)[0]
    return None


def login(port: int, host: str) -> dict:
    """Log the bench's pdg in; return the headers (Host + session cookie) of its requests."""
    base = {"Host": host, "User-Agent": UA}
    status, hdrs, body = _request(port, "GET", "/backoffice/login", base)
    cookie = _cookie(hdrs)
    match = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', body)
    if status != 200 or not cookie or not match:
        raise SystemExit(f"!! login page: status {status}, cookie {bool(cookie)}, token {bool(match)}")
    form = urlencode({"csrf_token": match.group(1).decode(), "email": EMAIL, "password": PASSWORD})
    status, hdrs, _ = _request(port, "POST", "/backoffice/login",
                               {**base, "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}, form)
    cookie = _cookie(hdrs) or cookie
    if status != 303:
        raise SystemExit(f"!! login refused (status {status}); is {EMAIL} in the database?")
    return {**base, "Cookie": cookie, "Accept": "text/html"}


# --------------------------------------------------------------------------- pages

def pages(today: date, cold: int) -> dict[str, list[str]]:
    """Every back-office list page to measure, with the query strings staff use."""
    def windows(days: int) -> list[str]:  # distinct periods: each one computed, never cached
        return [f"/backoffice/dashboard?period=custom&start={today - timedelta(days=days - 1 + i)}"
                f"&end={today - timedelta(days=i)}" for i in range(1, cold + 1)]  # not the presets' own

    return {
        "dashboard_30d": ["/backoffice/dashboard?period=30d"],
        "dashboard_365d": ["/backoffice/dashboard?period=365d"],
        "dashboard_30d_cold": windows(30),
        "dashboard_365d_cold": windows(365),
        "orders": ["/backoffice/orders"],
        "orders_filtered": ["/backoffice/orders?status=delivered&payment_status=paid&method=momo",
                            "/backoffice/orders?status=shipped", "/backoffice/orders?payment_status=failed"],
        "orders_search": ["/backoffice/orders?q=AG-0500", "/backoffice/orders?q=ngassa"],
        "products": ["/backoffice/products"],
        "products_search": ["/backoffice/products?q=chemise"],
        "inventory": ["/backoffice/inventory", "/backoffice/inventory?page=40"],
        "inventory_search": ["/backoffice/inventory?q=chemise", "/backoffice/inventory?q=AKW-ACC"],
        "low_stock": ["/backoffice/inventory/low-stock", "/backoffice/inventory/low-stock?out=1&page=3"],
        "reservations": ["/backoffice/inventory/reservations"],
        "customers": ["/backoffice/customers", "/backoffice/customers?page=20"],
        "customers_search": ["/backoffice/customers?q=awa", "/backoffice/customers?q=%2B2376",
                             "/backoffice/customers?q=traor"],
        "audit": ["/backoffice/audit"],
        "payments": ["/backoffice/payments"],
    }


def check(port: int, headers: dict, candidates: dict[str, list[str]]) -> tuple[dict, dict, list[str]]:
    """Keep the pages whose every path answers 200; note the others. Also time each page's first request."""
    kept, first, notes = {}, {}, []
    for name, paths in candidates.items():
        bad = None
        for i, path in enumerate(paths[:3]):
            t0 = time.perf_counter()
            try:
                status, _, _ = _request(port, "GET", path, headers)
            except OSError as exc:
                bad = f"{path}: {type(exc).__name__}"
                break
            if i == 0:
                first[name] = round((time.perf_counter() - t0) * 1000, 1)
            if status != 200:
                bad = f"{path} -> {status}"
                break
        if bad:
            notes.append(f"skipping {name}: {bad}")
        else:
            kept[name] = paths
    return kept, first, notes


# --------------------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--products", type=int, default=100_000)
    ap.add_argument("--orders", type=int, default=100_000)
    ap.add_argument("--requests", type=int, default=200, help="requests per page and level (default 200)")
    ap.add_argument("--keep-db", action="store_true", help="seed into --dir once and reuse it")
    ap.add_argument("--dir", default=str(OUT / "backoffice-db"))
    ap.add_argument("--tenant", default="akwa")
    ap.add_argument("--concurrency", default="1,4", help="comma-separated levels (default 1,4)")
    ap.add_argument("--time-cap", type=float, default=20.0, help="seconds per level (default 20)")
    ap.add_argument("--warmup", type=int, default=5, help="warm-up requests per page (default 5)")
    ap.add_argument("--only", default="", help="comma-separated page names to measure (default: all)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--seed-timeout", type=float, default=3600.0)
    ap.add_argument("--out", default=str(OUT / "backoffice_lists.json"))
    args = ap.parse_args(argv)
    levels = [int(x) for x in args.concurrency.split(",") if x.strip()]
    if args.requests < 1 or args.products < 1 or args.orders < 1 or not levels or min(levels) < 1:
        ap.error("--requests, --products, --orders and --concurrency must be positive")
    args.requests = min(args.requests, 20_000)  # never unbounded

    OUT.mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    result: dict = {"meta": {"started": datetime.now(UTC).isoformat(timespec="seconds"),
                             "products": args.products, "orders": args.orders, "requests_per_level": args.requests,
                             "concurrency": levels, "time_cap_s": args.time_cap, "workers": args.workers,
                             "threads": args.threads, "python": platform.python_version(), "cpus": os.cpu_count(),
                             "machine": platform.platform()}}
    server, instance, temporary = None, None, False
    try:
        if args.keep_db:
            instance = Path(args.dir).resolve()
        else:
            instance, temporary = Path(tempfile.mkdtemp(prefix="afrigest-bo-bench-")), True
        result["seed"] = prepare_db(args, instance, temporary)
        server = Server(instance, args.tenant, args.workers, args.threads, OUT / "backoffice_gunicorn.log")
        server.start()
        host = f"{args.tenant}.localhost:{server.port}"
        headers = login(server.port, host)
        # the tenant's "today" (Africa/Douala, UTC+1 all year) for the custom periods
        today = (datetime.now(UTC) + timedelta(hours=1)).date()
        cold_count = min(args.requests, 400)
        candidates = pages(today, cold_count)
        if args.only:
            wanted = {x.strip() for x in args.only.split(",")}
            candidates = {k: v for k, v in candidates.items() if k in wanted}
        print(f"\n[check] Host: {host}")
        measured, first, notes = check(server.port, headers, candidates)
        for note in notes:
            print(f"  ! {note}")
        result["notes"], result["first_request_ms"] = notes, first
        print(f"\n[load] {args.requests} requests per level, cap {args.time_cap:.0f} s, levels {levels}")
        rows = []
        for name, paths in measured.items():
            cold = name.endswith("_cold")
            if args.warmup and not cold:
                loadgen.run_level(loadgen.LOOPBACK, server.port, paths, 1, args.warmup, 15, headers)
            for i, conc in enumerate(levels):
                if cold and i:
                    break  # one pass over distinct periods: a second level would hit the cache
                snap = cpu_snapshot(server.proc.pid)
                # a cold page starts after the periods the check already computed
                level_paths = paths[3:] if cold and len(paths) > 3 else paths
                raw = loadgen.run_level(loadgen.LOOPBACK, server.port, level_paths, conc,
                                        min(args.requests, len(level_paths)) if cold else args.requests,
                                        args.time_cap, headers)
                s = loadgen.summarize(raw)
                s.update(page=name, first_ms=first.get(name),
                         other_cpu_pct=other_cpu_pct(snap, cpu_snapshot(server.proc.pid)))
                rows.append(s)
                flag = "  > 100 ms" if conc == 1 and (s["p95_ms"] or 0) > TARGET_MS else ""
                print(f"  {name:20} c={conc:<2} {s['requests']:>4} req {s['rps']:>6} req/s  p50 {s['p50_ms']}  "
                      f"p95 {s['p95_ms']}  p99 {s['p99_ms']} ms  errors {s['errors']}  "
                      f"other-cpu {s['other_cpu_pct']}%{flag}", flush=True)
        result["load"] = rows
        print("\n== Back-office list pages (gunicorn -w %d --threads %d gthread; %s products, %s orders)"
              % (args.workers, args.threads, result["seed"].get("products"), result["seed"].get("orders")))
        print(table(["page", "conc", "req", "req/s", "first ms", "p50 ms", "p95 ms", "p99 ms", "errors",
                     "other cpu %"],
                    [[r["page"], r["concurrency"], r["requests"], r["rps"], r["first_ms"], r["p50_ms"], r["p95_ms"],
                      r["p99_ms"], r["errors"], r["other_cpu_pct"]] for r in rows], "lrrrrrrrrr"))
        slow = [r["page"] for r in rows if r["concurrency"] == 1 and (r["p95_ms"] or 0) > TARGET_MS]
        print(f"\n  p95 over {TARGET_MS:.0f} ms at concurrency 1: {', '.join(slow) if slow else 'none'}")
        noisy = [r for r in rows if (r["other_cpu_pct"] or 0) >= 10]
        if noisy:
            print(f"  ! {len(noisy)} of {len(rows)} levels ran while other processes used >= 10 % of the CPU")
        return 0
    finally:
        if server is not None:
            server.stop()
            errs = [line for line in tail(server.log, 2000).splitlines() if "Traceback" in line or "ERROR" in line]
            if errs:
                print(f"  ! gunicorn log has {len(errs)} error lines (see {server.log})")
        result["meta"]["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(result, indent=2, default=str))
        print(f"  results: {args.out}")
        if temporary and instance is not None:
            shutil.rmtree(instance, ignore_errors=True)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("\ninterrupted")
        sys.exit(130)

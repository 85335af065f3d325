"""Storefront benchmark: seed a big catalog, run gunicorn, measure the shop pages.

    .venv/bin/python bench/shop_pages.py [--products 100000] [--requests 400] [--keep-db]

1. seeds a fresh SQLite database (``flask db upgrade`` + ``flask seed-demo``) in a temp
   dir, or with ``--keep-db`` in ``--dir`` (default bench/out/db), reused when it already
   holds the requested catalog;
2. starts gunicorn (2 gthread workers × 4 threads) on 127.0.0.1:<free port>;
3. discovers real URLs from the running shop (home, listing, filtered listing, search,
   ~20 product pages);
4. measures each page at concurrency 1, 16 and 64 (bounded count + time cap per level);
5. weighs each page: HTML raw/gzip, same-origin CSS+JS gzip against the 60 KB budget,
   <img> hygiene (loading="lazy", width/height);
6. prints tables and writes bench/out/shop_pages.json.

Standard library only (the app's venv provides flask and gunicorn). Only 127.0.0.1.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
VENV_BIN = ROOT / ".venv" / "bin"
sys.path.insert(0, str(BENCH))

import loadgen  # noqa: E402

MARKER = "bench-seed.json"
DB_NAME = "afrigest.db"
UA = "afrigest-bench/1.0"


# --------------------------------------------------------------------------- HTML parsing

class PageParser(HTMLParser):
    """Collects links, stylesheets, scripts and images of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []
        self.stylesheets: list[str] = []
        self.scripts: list[str] = []
        self.images: list[dict] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        a = {k.lower(): (v if v is not None else "") for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"])
        elif tag == "link" and a.get("href"):
            rel = a.get("rel", "").lower().split()
            if "stylesheet" in rel:
                self.stylesheets.append(a["href"])
        elif tag == "script" and a.get("src"):
            self.scripts.append(a["src"])
        elif tag == "img":
            self.images.append(a)

    handle_startendtag = handle_starttag


def parse_html(html: str) -> PageParser:
    p = PageParser()
    try:
        p.feed(html)
        p.close()
    except Exception as exc:  # html.parser is lenient; never let a bad page kill the run
        print(f"  ! HTML parse problem: {exc}")
    return p


PRODUCT_PATH = re.compile(r"^/shop/p/[^/?#]+/?$")
CATEGORY_PATH = re.compile(r"^/shop/c/([^?#]+?)/?$")


def _local_path(href: str, origins: set[str]) -> str | None:
    """Path (+query) of a same-origin href, else None."""
    parts = urlsplit(href)
    if parts.scheme and parts.scheme not in ("http", "https"):
        return None
    if parts.netloc and parts.netloc.lower() not in origins:
        return None
    if not parts.path.startswith("/"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def product_paths(parser: PageParser, origins: set[str]) -> list[str]:
    seen: dict[str, None] = {}
    for href in parser.hrefs:
        path = _local_path(href, origins)
        if path and PRODUCT_PATH.match(urlsplit(path).path):
            seen.setdefault(urlsplit(path).path, None)
    return list(seen)


def category_slugs(parser: PageParser, origins: set[str]) -> list[str]:
    seen: dict[str, None] = {}
    for href in parser.hrefs:
        path = _local_path(href, origins)
        if not path:
            continue
        m = CATEGORY_PATH.match(urlsplit(path).path)
        if m:
            seen.setdefault(m.group(1), None)
    return list(seen)


# --------------------------------------------------------------------------- page weight

def gz_len(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


def page_weight(html: bytes, base_url: str, origins: set[str], fetch, budget_bytes: int) -> dict:
    """Weigh one page. ``fetch(path) -> (status, bytes)`` fetches a same-origin asset.

    HTML and every same-origin stylesheet/script are gzip-compressed here (level 6), so
    the figure does not depend on whether the server compresses. Cross-origin assets are
    listed but not counted; images are not counted (they should be lazy).
    """
    text = html.decode("utf-8", "replace")
    parser = parse_html(text)
    assets, external, failed = [], [], []
    for kind, refs in (("css", parser.stylesheets), ("js", parser.scripts)):
        for ref in refs:
            url = urljoin(base_url, ref)
            path = _local_path(url, origins)
            if path is None:
                external.append(url)
                continue
            status, body = fetch(path)
            if status != 200:
                failed.append({"path": path, "status": status})
                continue
            assets.append({"kind": kind, "path": path, "bytes": len(body), "gz": gz_len(body)})
    html_gz = gz_len(html)
    css_gz = sum(a["gz"] for a in assets if a["kind"] == "css")
    js_gz = sum(a["gz"] for a in assets if a["kind"] == "js")
    total = html_gz + css_gz + js_gz
    imgs = parser.images
    # An eager hero image marked fetchpriority="high" (the LCP image) is deliberate, not a miss.
    priority = sum(1 for i in imgs if i.get("fetchpriority", "").lower() == "high")
    no_lazy = sum(1 for i in imgs if i.get("loading", "").lower() != "lazy"
                  and i.get("fetchpriority", "").lower() != "high")
    no_dims = sum(1 for i in imgs if not (i.get("width") and i.get("height")))
    return {
        "html_bytes": len(html),
        "html_gz": html_gz,
        "css_gz": css_gz,
        "js_gz": js_gz,
        "css_js_gz": css_gz + js_gz,
        "total_gz": total,
        "budget_bytes": budget_bytes,
        "budget_ok": total <= budget_bytes,
        "assets": assets,
        "external_assets_not_counted": external,
        "failed_assets": failed,
        "img_count": len(imgs),
        "img_without_lazy": no_lazy,
        "img_fetchpriority_high": priority,
        "img_without_width_height": no_dims,
    }


# --------------------------------------------------------------------------- database

def child_env(instance: Path, tenant: str) -> dict:
    env = dict(os.environ)
    # Anything that would point the app somewhere else than the bench instance.
    for key in ("DATABASE_URL", "MEDIA_ROOT", "REDIS_URL", "PLATFORM_DOMAIN", "FLASK_DEBUG"):
        env.pop(key, None)
    env.update({
        "FLASK_APP": "wsgi.py",
        "INSTANCE_PATH": str(instance),
        "DEFAULT_TENANT": tenant,
        "PLATFORM_DOMAIN": "localhost",
        "LOG_LEVEL": "WARNING",
        "SECRET_KEY": "bench",
        "PYTHONUNBUFFERED": "1",
    })
    return env


def count_products(db_path: Path, tenant: str) -> int | None:
    if not db_path.exists():
        return None
    try:
        con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5)
        try:
            return con.execute(
                "SELECT count(*) FROM products p JOIN tenants t ON t.id = p.tenant_id WHERE t.slug = ?",
                (tenant,)).fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return None


def run_logged(cmd: list[str], env: dict, log: Path, timeout: float) -> float:
    """Run a command (cwd = project root) with output to ``log``; return its duration."""
    print(f"  $ {' '.join(cmd[-6:]) if len(cmd) > 6 else ' '.join(cmd)}", flush=True)
    t0 = time.perf_counter()
    with open(log, "ab") as fh:
        fh.write(f"\n$ {' '.join(cmd)}\n".encode())
        fh.flush()
        try:
            proc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise SystemExit(f"!! timed out after {timeout:.0f}s: {' '.join(cmd)} (see {log})")
    dt = time.perf_counter() - t0
    if proc.returncode != 0:
        print(tail(log, 25))
        raise SystemExit(f"!! failed (exit {proc.returncode}): {' '.join(cmd)} (log: {log})")
    return dt


def tail(path: Path, lines: int) -> str:
    try:
        text = path.read_text(errors="replace").splitlines()
    except OSError:
        return ""
    return "\n".join("  | " + line for line in text[-lines:])


def prepare_db(args, instance: Path, temporary: bool) -> dict:
    """Seed ``instance`` (a fresh temp dir, or the --keep-db dir); return seed info."""
    flask = str(VENV_BIN / "flask")
    if not temporary:
        db_path = instance / DB_NAME
        marker = instance / MARKER
        info = json.loads(marker.read_text()) if marker.exists() else {}
        count = count_products(db_path, args.tenant)
        if db_path.exists() and ((info.get("tenant") == args.tenant and info.get("products") == args.products)
                                 or count == args.products):
            print(f"[seed] reusing {db_path} ({count} products for tenant {args.tenant})")
            return {**info, "reused": True, "product_rows": count}
        if instance.exists() and any(instance.iterdir()):
            if not marker.exists():
                raise SystemExit(f"!! {instance} is not empty and was not created by this bench; "
                                 "pick another --dir or empty it yourself")
            print(f"[seed] {instance} holds another catalog ({info.get('products')} products): reseeding")
            for name in (DB_NAME, DB_NAME + "-wal", DB_NAME + "-shm", MARKER):
                (instance / name).unlink(missing_ok=True)
            shutil.rmtree(instance / "media", ignore_errors=True)
        instance.mkdir(parents=True, exist_ok=True)
    env = child_env(instance, args.tenant)
    log = OUT / "seed.log"
    log.write_bytes(b"")
    print(f"[seed] fresh database in {instance} (log: {log})")
    t_up = run_logged([flask, "db", "upgrade"], env, log, timeout=600)
    print(f"  db upgrade: {t_up:.1f} s", flush=True)
    t_seed = run_logged([flask, "seed-demo", "--tenant", args.tenant, "--products", str(args.products)],
                        env, log, timeout=args.seed_timeout)
    count = count_products(instance / DB_NAME, args.tenant)
    size = (instance / DB_NAME).stat().st_size if (instance / DB_NAME).exists() else 0
    print(tail(log, 6))
    print(f"  seed-demo --products {args.products}: {t_seed:.1f} s "
          f"({count if count is not None else '?'} product rows, db {size / 1e6:.1f} MB)")
    if count is not None and count != args.products:
        print(f"  ! asked for {args.products} products, tenant {args.tenant} has {count}")
    info = {"tenant": args.tenant, "products": args.products, "product_rows": count,
            "db_upgrade_s": round(t_up, 2), "seed_s": round(t_seed, 2), "db_bytes": size,
            "seeded_at": datetime.now(UTC).isoformat(timespec="seconds"), "reused": False}
    if not temporary:
        (instance / MARKER).write_text(json.dumps(info, indent=2))
    return info


# --------------------------------------------------------------------------- gunicorn

def _gunicorn_has(flag: str) -> bool:
    try:
        out = subprocess.run([str(VENV_BIN / "gunicorn"), "--help"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return flag in out.stdout


class Server:
    def __init__(self, instance: Path, tenant: str, workers: int, threads: int, log: Path) -> None:
        self.port = loadgen.free_port()
        self.log = log
        self.proc: subprocess.Popen | None = None
        self.cmd = [str(VENV_BIN / "gunicorn"), "-w", str(workers), "--threads", str(threads), "-k", "gthread",
                    "-b", f"127.0.0.1:{self.port}", "wsgi:app"]
        if _gunicorn_has("--no-control-socket"):
            # gunicorn ≥ 25 opens ~/.gunicorn/gunicorn.ctl by default: keep clear of any other gunicorn
            self.cmd.insert(-1, "--no-control-socket")
        self.env = child_env(instance, tenant)

    def start(self, wait: float = 60.0) -> None:
        print(f"[server] {' '.join(self.cmd[1:])}  (log: {self.log})", flush=True)
        self._fh = open(self.log, "wb")
        self.proc = subprocess.Popen(self.cmd, cwd=ROOT, env=self.env, stdout=self._fh, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                print(tail(self.log, 30))
                raise SystemExit(f"!! gunicorn exited with {self.proc.returncode}")
            try:
                status, _, _ = loadgen.get(self.port, "/shop/", timeout=5)
                print(f"  answering on 127.0.0.1:{self.port} (GET /shop/ -> {status})")
                return
            except OSError:
                time.sleep(0.25)
        print(tail(self.log, 30))
        raise SystemExit(f"!! gunicorn did not answer within {wait:.0f}s")

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:  # the group we created (start_new_session): master + its workers only
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(timeout=5)
        self._fh.close()
        print(f"[server] stopped (exit {self.proc.returncode})")
        self.proc = None


# --------------------------------------------------------------------------- discovery

def discover(port: int, headers: dict, origins: set[str], max_products: int) -> tuple[dict, list[str]]:
    """Return ({page name: [paths]}, notes). Pages that cannot be found are left out."""
    notes: list[str] = []
    pages: dict[str, list[str]] = {}
    parsed: dict[str, PageParser] = {}

    def fetch(path: str) -> PageParser | None:
        try:
            status, hdrs, body = loadgen.get(port, path, headers=headers)
        except OSError as exc:
            notes.append(f"GET {path}: {type(exc).__name__}: {exc}")
            return None
        if hdrs.get("content-encoding") == "gzip":
            body = gzip.decompress(body)
        if status != 200:
            notes.append(f"GET {path} -> {status}")
            return None
        p = parse_html(body.decode("utf-8", "replace"))
        parsed[path] = p
        return p

    home = fetch("/shop/")
    if home is not None:
        pages["home"] = ["/shop/"]
    listing = fetch("/shop/catalog")
    if listing is not None:
        pages["listing"] = ["/shop/catalog"]

    # Categories: from the listing first, then from the home page.
    slugs: list[str] = []
    for p in (listing, home):
        if p is not None:
            slugs += [s for s in category_slugs(p, origins) if s not in slugs]
    if not slugs:
        notes.append("no /shop/c/<slug> link found on /shop/catalog or /shop/: filtered listing skipped")
    else:
        chosen = None
        for slug in slugs[:6]:  # prefer a category whose filtered listing shows products
            for path in (f"/shop/catalog?category={slug}&in_stock=1&sort=price_asc&min=1000&max=50000",
                         f"/shop/c/{slug}?in_stock=1&sort=price_asc"):
                p = fetch(path)
                if p is None:
                    continue
                n = len(product_paths(p, origins))
                if chosen is None or (n and not chosen[1]):
                    chosen = (path, n)
                if n:
                    break
            if chosen and chosen[1]:
                break
        if chosen:
            pages["filtered"] = [chosen[0]]
            if not chosen[1]:
                notes.append(f"filtered listing {chosen[0]} renders but lists no product")
        else:
            notes.append("no filtered listing URL answered 200: filtered listing skipped")

    search = fetch("/shop/catalog?q=chemise")
    if search is not None:
        pages["search"] = ["/shop/catalog?q=chemise"]
        if not product_paths(search, origins):
            notes.append("search q=chemise renders but lists no product")

    # Product pages: rotate over ~max_products different products.
    prods: list[str] = []
    sources = [p for p in (listing, home, search) if p is not None]
    sources += [p for path, p in parsed.items() if path.startswith(("/shop/catalog?category", "/shop/c/"))]
    for p in sources:
        prods += [x for x in product_paths(p, origins) if x not in prods]
    page_no = 2
    while len(prods) < max_products and listing is not None and page_no <= 4:
        p = fetch(f"/shop/catalog?page={page_no}")
        if p is None:
            break
        new = [x for x in product_paths(p, origins) if x not in prods]
        if not new:
            break
        prods += new
        page_no += 1
    prods = prods[:max_products]
    good = []
    for path in prods:  # keep only product URLs that really answer 200
        try:
            status, _, _ = loadgen.get(port, path, headers=headers)
        except OSError as exc:
            notes.append(f"GET {path}: {type(exc).__name__}")
            continue
        if status == 200:
            good.append(path)
        else:
            notes.append(f"product link {path} -> {status}")
    if good:
        pages["product"] = good
    else:
        notes.append("no working /shop/p/<slug> link found: product page skipped")
    return pages, notes


# --------------------------------------------------------------------------- machine noise

def _proc_stat(pid: str) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def cpu_snapshot(pgid: int) -> tuple[int, int, int] | None:
    """(machine busy jiffies, machine total jiffies, jiffies of this bench + the gunicorn group).

    Linux only (None elsewhere). The difference of two snapshots tells how much CPU *other*
    processes took during a measurement, i.e. how noisy it was.
    """
    try:
        with open("/proc/stat") as fh:
            vals = [int(x) for x in fh.readline().split()[1:]]
        ours = 0
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            st = _proc_stat(pid)
            if st and (pid == str(os.getpid()) or st[2] == str(pgid)):
                ours += int(st[11]) + int(st[12])
    except (OSError, ValueError):
        return None
    idle = vals[3] + (vals[4] if len(vals) > 4 else 0)
    total = sum(vals[:8])
    return total - idle, total, ours


def other_cpu_pct(before, after) -> float | None:
    if not before or not after or after[1] <= before[1]:
        return None
    foreign = (after[0] - before[0]) - (after[2] - before[2])
    return round(max(0.0, 100.0 * foreign / (after[1] - before[1])), 1)


# --------------------------------------------------------------------------- output

def table(headers: list[str], rows: list[list], align: str) -> str:
    cells = [[str(c) for c in headers]] + [["-" if c is None else str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]

    def fmt(r):
        return " | ".join(c.ljust(w) if a == "l" else c.rjust(w) for c, w, a in zip(r, widths, align))

    lines = [fmt(cells[0]), "-+-".join("-" * w for w in widths)]
    lines += [fmt(r) for r in cells[1:]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--products", type=int, default=100_000, help="catalog size to seed (default 100000)")
    ap.add_argument("--requests", type=int, default=400, help="requests per page and concurrency level (default 400)")
    ap.add_argument("--keep-db", action="store_true", help="seed into --dir and reuse it when it already holds the catalog")
    ap.add_argument("--dir", default=str(OUT / "db"), help="instance dir for --keep-db (default bench/out/db)")
    ap.add_argument("--tenant", default="akwa")
    ap.add_argument("--concurrency", default="1,16,64", help="comma-separated levels (default 1,16,64)")
    ap.add_argument("--time-cap", type=float, default=30.0, help="seconds per level (default 30)")
    ap.add_argument("--warmup", type=int, default=20, help="warm-up requests per page (default 20)")
    ap.add_argument("--product-urls", type=int, default=20, help="distinct product pages to rotate over")
    ap.add_argument("--budget-kb", type=float, default=60.0, help="HTML+CSS+JS gzip budget in KB of 1024 bytes")
    ap.add_argument("--host-header", default=None, help="Host header (default <tenant>.localhost:<port>)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--seed-timeout", type=float, default=3600.0)
    ap.add_argument("--out", default=str(OUT / "shop_pages.json"))
    args = ap.parse_args(argv)
    levels = [int(x) for x in args.concurrency.split(",") if x.strip()]
    if args.requests < 1 or args.products < 1 or not levels or min(levels) < 1:
        ap.error("--requests, --products and --concurrency must be positive")
    args.requests = min(args.requests, 100_000)  # never unbounded

    OUT.mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally blocks on kill
    signal.signal(signal.SIGINT, signal.default_int_handler)  # Ctrl-C even if started with SIGINT ignored
    started = datetime.now(UTC)
    instance = None
    temporary = False
    server = None
    result: dict = {"meta": {"started": started.isoformat(timespec="seconds"), "products": args.products,
                             "requests_per_level": args.requests, "concurrency": levels,
                             "time_cap_s": args.time_cap, "warmup": args.warmup, "workers": args.workers,
                             "threads": args.threads, "tenant": args.tenant, "python": platform.python_version(),
                             "cpus": os.cpu_count(), "machine": platform.platform()}}
    try:
        if args.keep_db:
            instance = Path(args.dir).resolve()
        else:
            instance, temporary = Path(tempfile.mkdtemp(prefix="afrigest-bench-")), True
        seed_info = prepare_db(args, instance, temporary)
        result["seed"] = seed_info
        server = Server(instance, args.tenant, args.workers, args.threads, OUT / "gunicorn.log")
        server.start()
        port = server.port
        host = args.host_header or f"{args.tenant}.localhost:{port}"
        origins = {host.lower(), f"127.0.0.1:{port}", f"localhost:{port}"}
        headers = {"Host": host, "User-Agent": UA, "Accept": "text/html,*/*", "Accept-Encoding": "gzip"}
        result["meta"]["host_header"] = host

        print(f"\n[discover] Host: {host}")
        pages, notes = discover(port, headers, origins, args.product_urls)
        for name, paths in pages.items():
            extra = f"  (+{len(paths) - 1} more, rotated)" if len(paths) > 1 else ""
            print(f"  {name:9} {paths[0]}{extra}")
        for n in notes:
            print(f"  ! {n}")
        for name in ("home", "listing", "filtered", "search", "product"):
            if name not in pages:
                print(f"  ! skipping {name}: URL not discovered")
        result["pages"] = pages
        result["discovery_notes"] = notes
        if not pages:
            print("!! nothing to measure")
            return 2

        # ---- weight
        print("\n[weight]")
        weights = []
        asset_cache: dict[str, tuple[int, bytes]] = {}

        def fetch_asset(path: str) -> tuple[int, bytes]:
            if path not in asset_cache:
                try:
                    status, hdrs, body = loadgen.get(port, path, headers=headers)
                    if hdrs.get("content-encoding") == "gzip":
                        body = gzip.decompress(body)
                except OSError:
                    status, body = 0, b""
                asset_cache[path] = (status, body)
            return asset_cache[path]

        for name, paths in pages.items():
            try:
                status, hdrs, body = loadgen.get(port, paths[0], headers=headers)
            except OSError as exc:
                print(f"  ! {name}: {type(exc).__name__}: {exc}")
                continue
            wire = len(body)
            server_gzip = hdrs.get("content-encoding") == "gzip"
            if server_gzip:
                body = gzip.decompress(body)
            w = page_weight(body, f"http://{host}{paths[0]}", origins, fetch_asset, int(args.budget_kb * 1024))
            w.update({"page": name, "path": paths[0], "status": status, "server_gzip": server_gzip,
                      "wire_bytes": wire})
            weights.append(w)
            for f in w["failed_assets"]:
                print(f"  ! {name}: asset {f['path']} -> {f['status']}")
            for u in w["external_assets_not_counted"]:
                print(f"  ! {name}: cross-origin asset not counted: {u}")
        result["weight"] = weights

        # ---- load
        result["meta"]["loadavg_1m_before_load"] = round(os.getloadavg()[0], 2)
        print(f"\n[load] {args.requests} requests per level, cap {args.time_cap:.0f} s, "
              f"warm-up {args.warmup}, levels {levels}")
        rows = []
        for name, paths in pages.items():
            if args.warmup:
                loadgen.run_level("127.0.0.1", port, paths, 1, args.warmup, 15, headers)
            for conc in levels:
                snap = cpu_snapshot(server.proc.pid)
                raw = loadgen.run_level("127.0.0.1", port, paths, conc, args.requests, args.time_cap, headers)
                s = loadgen.summarize(raw)
                s["page"] = name
                s["other_cpu_pct"] = other_cpu_pct(snap, cpu_snapshot(server.proc.pid))
                s["loadavg_1m_after"] = round(os.getloadavg()[0], 2)
                rows.append(s)
                flag = " (time cap)" if s["time_capped"] else ""
                print(f"  {name:9} c={conc:<3} {s['requests']:>5} req  {s['rps']:>7} req/s  p50 {s['p50_ms']} ms  "
                      f"p95 {s['p95_ms']} ms  p99 {s['p99_ms']} ms  errors {s['errors']}{flag}"
                      f"  other-cpu {s['other_cpu_pct']}%", flush=True)
                if s["errors"]:
                    print(f"    statuses {s['status_counts']} transport {s['transport_errors']}")
        result["load"] = rows

        # ---- tables
        print("\n== Latency (gunicorn -w %d --threads %d gthread, %s products, Host %s)"
              % (args.workers, args.threads, seed_info.get("product_rows") or args.products, host))
        print(table(["page", "conc", "req", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors", "other cpu %"],
                    [[r["page"], r["concurrency"], r["requests"], r["rps"], r["p50_ms"], r["p95_ms"], r["p99_ms"],
                      r["errors"], r["other_cpu_pct"]] for r in rows], "lrrrrrrrr"))
        noisy = [r for r in rows if (r["other_cpu_pct"] or 0) >= 10]
        if noisy:
            print(f"  ! {len(noisy)} of {len(rows)} levels ran while other processes used >= 10 % of the machine's "
                  "CPU: those figures are noisy")
        print(f"\n== Page weight (gzip level 6 computed locally; budget {args.budget_kb:g} KB = "
              f"{int(args.budget_kb * 1024)} B HTML+CSS+JS; images not counted)")
        print(table(["page", "html bytes", "html gz", "css+js gz", "total gz", "budget ok", "img", "high prio",
                     "no lazy", "no w/h", "server gz"],
                    [[w["page"], w["html_bytes"], w["html_gz"], w["css_js_gz"], w["total_gz"],
                      "yes" if w["budget_ok"] else "NO", w["img_count"], w["img_fetchpriority_high"],
                      w["img_without_lazy"], w["img_without_width_height"], "yes" if w["server_gzip"] else "no"]
                     for w in weights],
                    "lrrrrlrrrrl"))
        assets = {a["path"]: a for w in weights for a in w["assets"]}
        if assets:
            print("\n  assets: " + ", ".join(f"{p} {a['bytes']} B / {a['gz']} B gz" for p, a in assets.items()))
        seed_s = seed_info.get("seed_s")
        print(f"\n  seeding: {'reused ' + str(instance) if seed_info.get('reused') else f'{seed_s} s'}"
              f"  (db upgrade {seed_info.get('db_upgrade_s')} s)")
        return 0
    finally:
        if server is not None:
            server.stop()
            errs = [line[4:] for line in tail(server.log, 2000).splitlines()
                    if '"level": "ERROR"' in line or "CRITICAL" in line or line.startswith("  | Traceback")
                    or "[ERROR]" in line]
            if errs:
                print(f"  ! gunicorn log has {len(errs)} error lines (see {server.log}), e.g.:")
                for line in errs[:3]:
                    print("    " + (line if len(line) <= 300 else line[:300] + " …"))
                result["server_log_errors"] = [line[:2000] for line in errs[:50]]
        result["meta"]["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
        if "pages" in result or "seed" in result:
            Path(args.out).parent.mkdir(parents=True, exist_ok=True)
            Path(args.out).write_text(json.dumps(result, indent=2))
            print(f"  results: {args.out}")
        if temporary and instance is not None:
            shutil.rmtree(instance, ignore_errors=True)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("\ninterrupted")
        sys.exit(130)

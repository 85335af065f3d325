"""Callback delivery shared by the three simulators (MoMo callbacks, Orange notifications,
PayPal webhooks), with the faults real providers show: late, duplicated, dropped, reordered.

``send`` never raises into the request thread: the HTTP call runs in a daemon thread and
every attempt (status code or error) is recorded in ``world.deliveries`` for tests. The
world's settings at the moment of ``send`` decide the fate of that callback:

- ``callback_drop``: recorded as dropped, never sent;
- ``callback_delay``: seconds before the first copy is sent;
- ``callback_duplicates``: extra identical copies (1 + N deliveries in all);
- ``callback_shuffle``: held until ``flush()``, which sends the held batch newest first.
"""
from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.error import HTTPError
from urllib.request import Request, urlopen

USER_AGENT = "AfriGest-Payment-Simulator/1.0"


class World(Protocol):
    """What delivery needs of ``state.World``, which owns the deliverer (state imports this
    module, not the other way round)."""

    lock: Any
    config: dict[str, Any]
    generation: int
    held: list[dict]
    deliveries: list[dict]


class Deliverer:
    def __init__(self, world: World) -> None:
        self.world = world

    def send(self, kind: str, ref: str, method: str, url: str, payload: Any,
             headers: dict[str, str] | None = None, data: bytes | None = None) -> None:
        """Queue one callback. ``data`` is the exact body (PayPal signs the bytes it sends)."""
        w = self.world
        with w.lock:
            cfg = w.config
            job = {"kind": kind, "ref": ref, "method": method, "url": url, "payload": payload,
                   "headers": dict(headers or {}), "data": data if data is not None else json.dumps(payload).encode(),
                   "copies": 1 + cfg["callback_duplicates"], "timeout": cfg["callback_timeout"],
                   "generation": w.generation}
            if cfg["callback_drop"]:
                self._record(job, attempt=0, dropped=True)
                return
            if cfg["callback_shuffle"]:
                w.held.append(job)
                return
            delay = cfg["callback_delay"]
        threading.Thread(target=self._run, args=([job], delay), daemon=True,
                         name=f"sim-callback-{kind}").start()

    def flush(self) -> int:
        """Send every held callback, newest first (out of order on purpose)."""
        with self.world.lock:
            jobs, self.world.held = list(reversed(self.world.held)), []
        if jobs:
            threading.Thread(target=self._run, args=(jobs, 0.0), daemon=True, name="sim-callback-flush").start()
        return len(jobs)

    def _run(self, jobs: list[dict], delay: float) -> None:
        if delay:
            time.sleep(delay)
        for job in jobs:
            for attempt in range(1, job["copies"] + 1):
                if job["generation"] != self.world.generation:
                    return  # the world was reset meanwhile: this callback belongs to no one
                status, error = self._attempt(job)
                self._record(job, attempt=attempt, status=status, error=error)

    @staticmethod
    def _attempt(job: dict) -> tuple[int | None, str | None]:
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT, **job["headers"]}
        request = Request(job["url"], data=job["data"], headers=headers, method=job["method"])
        try:
            with urlopen(request, timeout=job["timeout"]) as response:  # noqa: S310 (configured URL)
                response.read()
                return response.status, None
        except HTTPError as exc:
            return exc.code, None
        except Exception as exc:  # noqa: BLE001 (a refused or timed-out callback is data, not a crash)
            return None, f"{type(exc).__name__}: {exc}"

    def _record(self, job: dict, *, attempt: int, status: int | None = None, error: str | None = None,
                dropped: bool = False) -> None:
        w = self.world
        with w.lock:
            if job["generation"] != w.generation:
                return
            w.deliveries.append({
                "id": len(w.deliveries) + 1, "kind": job["kind"], "ref": job["ref"], "method": job["method"],
                "url": job["url"], "attempt": attempt, "status": status,
                "error": "dropped" if dropped else error, "dropped": dropped,
                "at": datetime.now(UTC).isoformat(timespec="milliseconds"), "body": job["payload"],
                "headers": job["headers"]})

"""Structured logs that carry the request id (or the job) and the tenant, and never a secret."""
from __future__ import annotations

import json
import logging
import re
import time
import uuid
from typing import Any

from flask import Flask, g, has_app_context, request

_PHONE = re.compile(r"\+?\d{8,15}")


def _mask(text: str) -> str:
    # Phone numbers keep their last three digits only.
    return _PHONE.sub(lambda m: "*" * (len(m.group()) - 3) + m.group()[-3:], text)


class ContextFilter(logging.Filter):
    """Where a line comes from: the request (its id) or the background job (its path), and
    the tenant in effect at that moment (``g``: a request's or a job's own app context)."""

    def filter(self, record: logging.LogRecord) -> bool:
        context: Any = g if has_app_context() else {}
        tenant = context.get("tenant_id")
        record.request_id = context.get("request_id", "-")
        record.tenant = "-" if tenant is None else tenant
        record.job = context.get("job", "-")
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "msg": _mask(record.getMessage()),
            "request_id": getattr(record, "request_id", "-"),
            "tenant": getattr(record, "tenant", "-"),
        }
        job = getattr(record, "job", "-")
        if job != "-":
            payload["job"] = job
        for key in ("method", "path", "status", "ms"):
            if hasattr(record, key):
                payload[key] = getattr(record, key)
        if record.exc_info:
            payload["exc"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """For people (``LOG_JSON=false``): ``LEVEL [<request id> t=<tenant>] logger: message``,
    with ``job=<path>`` in place of the request id while a background job runs."""

    def __init__(self) -> None:
        super().__init__("%(levelname)s [%(origin)s t=%(tenant)s] %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        job = getattr(record, "job", "-")
        record.origin = f"job={job}" if job != "-" else getattr(record, "request_id", "-")
        return super().format(record)


def init_app(app: Flask) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(ContextFilter())
    if app.config["LOG_JSON"]:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(TextFormatter())
    app.logger.handlers[:] = [handler]
    app.logger.setLevel(app.config["LOG_LEVEL"])
    access = logging.getLogger("app.access")
    access.handlers[:] = [handler]
    access.setLevel(app.config["LOG_LEVEL"])
    access.propagate = False

    @app.before_request
    def _start() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if re.fullmatch(r"[A-Za-z0-9._-]{8,64}", incoming) else uuid.uuid4().hex
        g.started = time.perf_counter()

    @app.after_request
    def _finish(response):
        response.headers["X-Request-ID"] = g.get("request_id", "")
        if "started" in g:
            access.info(
                "%s %s %s", request.method, request.path, response.status_code,
                extra={"method": request.method, "path": request.path, "status": response.status_code,
                       "ms": round((time.perf_counter() - g.started) * 1000, 1)},
            )
        return response

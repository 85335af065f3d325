"""gzip for text responses, so a shop served straight from gunicorn is light on 3G.

A reverse proxy that compresses can take over; responses it already encoded are left
alone. Static files are compressed once per version (their ETag) and kept in memory.
"""
from __future__ import annotations

import gzip

from flask import Flask, Response, request

TYPES = {"text/html", "text/css", "text/javascript", "application/javascript", "application/json",
         "application/xml", "text/plain", "image/svg+xml"}
MIN_BYTES = 512
_static_cache: dict[str, bytes] = {}


def _wants_gzip(response: Response) -> bool:
    if response.status_code < 200 or response.status_code in (204, 304):
        return False
    if response.is_streamed and not response.direct_passthrough:
        return False  # a generator: leave it streaming
    return ("Content-Encoding" not in response.headers and response.mimetype in TYPES
            and "gzip" in request.headers.get("Accept-Encoding", ""))


def _compress(response: Response) -> Response:
    if not _wants_gzip(response):
        return response
    response.vary.add("Accept-Encoding")
    etag = response.headers.get("ETag")
    if response.direct_passthrough:  # a static file
        key = f"{request.path}:{etag}"
        if key not in _static_cache:
            response.direct_passthrough = False
            _static_cache[key] = gzip.compress(response.get_data(), 6)
        body = _static_cache[key]
    else:
        data = response.get_data()
        if len(data) < MIN_BYTES:
            return response
        body = gzip.compress(data, 5)
    response.direct_passthrough = False
    response.set_data(body)
    response.headers["Content-Encoding"] = "gzip"
    if etag:
        response.headers["ETag"] = etag[:-1] + '-gz"' if etag.endswith('"') else etag + "-gz"
    return response


def init_app(app: Flask) -> None:
    app.after_request(_compress)

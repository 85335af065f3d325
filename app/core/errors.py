"""Error pages in the shop's look; JSON for API callers."""
from __future__ import annotations

from flask import Flask, abort, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from app.core.db import db


def _render(code: int, message: str = ""):
    if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
        return {"error": {"code": code, "message": message}}, code
    template = f"errors/{code}.html" if code in (403, 404, 429, 500) else "errors/generic.html"
    return render_template(template, code=code, message=message), code


def _refuse_nul_bytes() -> None:
    """No text column takes a NUL byte (PostgreSQL refuses them): answer 400 up front."""
    for values in (request.args, request.form):
        if any("\x00" in key or any("\x00" in v for v in vs) for key, vs in values.lists()):
            abort(400)


def init_app(app: Flask) -> None:
    app.before_request(_refuse_nul_bytes)

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):
        return _render(400, "csrf")

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        return _render(error.code, error.description or "")

    @app.errorhandler(Exception)
    def _unhandled(error: Exception):
        app.logger.exception("unhandled error")
        db.session.rollback()
        return _render(InternalServerError.code)

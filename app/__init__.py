"""AfriGest Commerce: one Flask application serving every tenant's shop."""
from __future__ import annotations

from pathlib import Path

from flask import Flask, g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

from app.config import Config, refuse_unsafe


def create_app(config: type[Config] | None = None, **overrides) -> Flask:
    app = Flask(__name__, template_folder="../templates", static_folder="../static", instance_relative_config=False)
    app.config.from_object(config or Config)
    app.config.update(overrides)
    refuse_unsafe(app.config)
    Path(app.config["MEDIA_ROOT"]).mkdir(parents=True, exist_ok=True)
    _tune_sqlite(app)

    from app import models  # noqa: F401  (register every table)
    _register_outbox()
    from app.catalog.search import include_object
    from app.core import compress, errors, logging, templating
    from app.extensions import babel, csrf, db, limiter, login_manager, migrate
    from app.tenancy import resolver

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"),
                     render_as_batch=True, compare_type=True, include_object=include_object)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "backoffice.login"
    login_manager.login_message = None  # the login page says what is needed
    logging.init_app(app)
    resolver.init_app(app)
    templating.init_app(app)
    errors.init_app(app)
    compress.init_app(app)

    from app.shop import bp as shop_bp
    from app.shop.seo import bp as seo_bp

    app.register_blueprint(shop_bp)
    app.register_blueprint(seo_bp)

    from app.backoffice import bp as backoffice_bp

    app.register_blueprint(backoffice_bp)

    from app.api import bp as api_bp

    csrf.exempt(api_bp)  # API keys and HMAC signatures, no cookies
    app.register_blueprint(api_bp)

    from app.callbacks import bp as callbacks_bp

    csrf.exempt(callbacks_bp)  # server-to-server: no cookies; every event is checked before use
    app.register_blueprint(callbacks_bp)

    from app.cli import register

    register(app)
    return app


def _register_outbox() -> None:
    """Each domain registers its outbox composers on import, and sync its "core" channel."""
    import app.cart.messages
    import app.inventory.messages
    import app.orders.messages
    import app.payments.messages
    import app.staff.messages
    import app.sync.push  # noqa: F401


def _select_locale() -> str:
    lang = request.cookies.get("lang") if has_request_context() else None
    if lang in ("fr", "en"):
        return lang
    tenant = g.get("tenant")
    return tenant.locale if tenant is not None else "fr"


def _tune_sqlite(app: Flask) -> None:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if not uri.startswith("sqlite"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True, **app.config["SQLALCHEMY_ENGINE_OPTIONS"]}
        return
    if uri.startswith("sqlite:///") and ":memory:" not in uri:
        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    # Writers wait for each other (busy timeout) instead of failing at once.
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 30},
                                               **app.config["SQLALCHEMY_ENGINE_OPTIONS"]}


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

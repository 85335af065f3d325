"""Settings read from the environment, with safe local defaults.

Every variable is listed in `.env.example`. The project's `.env` (git-ignored) is read here,
once, so every entry point that builds the app sees the same settings: `flask` commands,
gunicorn (`wsgi.py`), the RQ worker and the scheduler; a variable already set in the
environment wins over `.env`. Per-tenant settings (stock mode, shipping rates, payment
rails…) start from the ``TENANT_DEFAULTS`` below and are overridden by the tenant's own
``settings`` column (see ``app.tenancy.settings``).
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from dotenv import load_dotenv

ROOT = Path(__file__).resolve().parent.parent
load_dotenv(ROOT / ".env", override=False)
INSTANCE = Path(os.environ.get("INSTANCE_PATH", ROOT / "instance"))


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


# Signs sessions, cart cookies and tracking links: only debug runs and tests may use it.
DEV_SECRET_KEY = "dev-only-change-me"


class UnsafeConfigError(RuntimeError):
    """A setting that would expose shoppers or staff if the app served with it."""


def refuse_unsafe(config: Mapping) -> None:
    """Stop the app from starting with a publicly known SECRET_KEY, outside DEBUG and TESTING."""
    if config.get("DEBUG") or config.get("TESTING"):
        return
    if config.get("SECRET_KEY") in (None, "", DEV_SECRET_KEY):
        raise UnsafeConfigError(
            "SECRET_KEY vaut la valeur de développement ou est vide : donnez-lui une valeur secrète et "
            "aléatoire, dans l'environnement ou dans .env (voir .env.example). / "
            "SECRET_KEY is the development default or empty: give it a random secret value, "
            "in the environment or in .env (see .env.example). "
            "→ python -c 'import secrets; print(secrets.token_hex(32))'")


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE / 'afrigest.db'}")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    REDIS_URL = os.environ.get("REDIS_URL") or None
    # Shops live at <slug>.<PLATFORM_DOMAIN>; plain PLATFORM_DOMAIN serves DEFAULT_TENANT.
    PLATFORM_DOMAIN = os.environ.get("PLATFORM_DOMAIN", "localhost")
    DEFAULT_TENANT = os.environ.get("DEFAULT_TENANT", "")
    PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "http")
    MEDIA_ROOT = os.environ.get("MEDIA_ROOT", str(INSTANCE / "media"))
    MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 8 * 1024 * 1024)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SECURE_COOKIES", False)
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session: slow shoppers
    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "app" / "translations")
    LANGUAGES = ("fr", "en")
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL") or "memory://"
    # Redis down: count in this process's memory instead of failing the request (callbacks,
    # tracking and sign-in must answer); the limiter goes back to Redis once it answers again.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    TRACK_RATE_LIMIT = os.environ.get("TRACK_RATE_LIMIT", "10 per minute")
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "5 per minute")
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    LOG_JSON = _bool("LOG_JSON", True)
    CATALOG_PAGE_SIZE = _int("CATALOG_PAGE_SIZE", 24)
    # Absolute links in emails and SMS: <scheme>://<tenant host>[:PUBLIC_PORT]
    PUBLIC_PORT = os.environ.get("PUBLIC_PORT", "")
    # Email: "smtp" (MAIL_SERVER…) or "log" (development: logged, not sent)
    MAIL_TRANSPORT = os.environ.get("MAIL_TRANSPORT", "smtp" if os.environ.get("MAIL_SERVER") else "log")
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = _int("MAIL_PORT", 25)
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)  # STARTTLS
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_FROM = os.environ.get("MAIL_FROM", "boutique@afrigest.local")
    MAIL_TIMEOUT = _int("MAIL_TIMEOUT", 10)
    # SMS: "http" (SMS_GATEWAY_URL + SMS_GATEWAY_TOKEN) or "log" (development)
    SMS_TRANSPORT = os.environ.get("SMS_TRANSPORT", "http" if os.environ.get("SMS_GATEWAY_URL") else "log")
    SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL", "")
    SMS_GATEWAY_TOKEN = os.environ.get("SMS_GATEWAY_TOKEN", "")
    SMS_SENDER = os.environ.get("SMS_SENDER", "AfriGest")
    OUTBOX_MAX_ATTEMPTS = _int("OUTBOX_MAX_ATTEMPTS", 6)
    # Without Redis, a CSV import runs in a thread of the web process (so its progress shows).
    CATALOG_IMPORT_THREAD = _bool("CATALOG_IMPORT_THREAD", True)
    # Payments. Each provider is reached at its base URL: the local simulators
    # (`flask payment-simulators`) in development and tests, the real sandbox or production
    # otherwise; switching is configuration only.
    PAYMENT_HTTP_TIMEOUT = _int("PAYMENT_HTTP_TIMEOUT", 15)
    # Public base URL providers call back (server to server); default: the shop's own host.
    PAYMENT_CALLBACK_BASE_URL = os.environ.get("PAYMENT_CALLBACK_BASE_URL", "")
    CALLBACK_RATE_LIMIT = os.environ.get("CALLBACK_RATE_LIMIT", "300 per minute")
    MOMO_BASE_URL = os.environ.get("MOMO_BASE_URL", "https://sandbox.momodeveloper.mtn.com")
    MOMO_API_USER = os.environ.get("MOMO_API_USER", "")
    MOMO_API_KEY = os.environ.get("MOMO_API_KEY", "")
    MOMO_SUBSCRIPTION_KEY = os.environ.get("MOMO_SUBSCRIPTION_KEY", "")
    MOMO_TARGET_ENVIRONMENT = os.environ.get("MOMO_TARGET_ENVIRONMENT", "sandbox")
    MOMO_WINDOW_MINUTES = _int("MOMO_WINDOW_MINUTES", 10)  # unanswered request-to-pay: expired
    ORANGE_BASE_URL = os.environ.get("ORANGE_BASE_URL", "https://api.orange.com")
    ORANGE_WEBPAY_PATH = os.environ.get("ORANGE_WEBPAY_PATH", "/orange-money-webpay/dev/v1")
    ORANGE_CLIENT_ID = os.environ.get("ORANGE_CLIENT_ID", "")
    ORANGE_CLIENT_SECRET = os.environ.get("ORANGE_CLIENT_SECRET", "")
    ORANGE_MERCHANT_KEY = os.environ.get("ORANGE_MERCHANT_KEY", "")
    ORANGE_CURRENCY = os.environ.get("ORANGE_CURRENCY", "")  # "OUV" on Orange's dev env; default: order currency
    ORANGE_WINDOW_MINUTES = _int("ORANGE_WINDOW_MINUTES", 15)
    PAYPAL_BASE_URL = os.environ.get("PAYPAL_BASE_URL", "https://api-m.sandbox.paypal.com")
    PAYPAL_CLIENT_ID = os.environ.get("PAYPAL_CLIENT_ID", "")
    PAYPAL_CLIENT_SECRET = os.environ.get("PAYPAL_CLIENT_SECRET", "")
    PAYPAL_WEBHOOK_ID = os.environ.get("PAYPAL_WEBHOOK_ID", "")
    PAYPAL_WINDOW_MINUTES = _int("PAYPAL_WINDOW_MINUTES", 60)
    # Fernet key(s) encrypting the providers' credentials a shop stores as its own; several,
    # comma-separated, rotate it (the first encrypts). Unset: shops can store none.
    PROVIDER_CREDENTIALS_KEY = os.environ.get("PROVIDER_CREDENTIALS_KEY", "")

    # Global defaults for per-tenant settings; a tenant overrides any key.
    TENANT_DEFAULTS = {
        "ecommerce_enabled": True,
        # "<method>_enabled" flags: declared by each payment provider (app.payments.providers)
        "paypal_currency": "EUR",  # EUR | USD
        "paypal_rate": "655.957",  # units of the tenant currency per 1 paypal_currency (decimal string)
        "payment_reservation_minutes": 60,  # stock held for an order awaiting an online payment
        "stock_mode": "shared",  # shared | dedicated
        "search_provider": "sql",
        "media_url_ttl": 3600,
        "tax_rate_bp": 0,  # basis points: 1925 = 19.25 %
        "prices_include_tax": True,
        "flat_shipping": 2000,  # minor units of the tenant currency
        "free_shipping_threshold": 50000,
        "cod_reservation_hours": 168,
        "abandoned_cart_minutes": 60,  # idle time before a cart with a contact is abandoned
        "abandoned_cart_reminders": [60, 1440, 4320],  # minutes of idleness: 1 h, 24 h, 72 h
        "cart_recovery_days": 7,  # a reminder's link restores the cart for this long
    }


class TestConfig(Config):
    TESTING = True
    CATALOG_IMPORT_THREAD = False  # imports run in the test's own thread
    WTF_CSRF_ENABLED = True
    LOG_JSON = False

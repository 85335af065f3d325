"""Lazy strings rendered in one language with the app's own catalogs, without the app."""
from __future__ import annotations

from contextlib import contextmanager

from flask import Flask
from flask_babel import Babel, force_locale

from app.config import Config


@contextmanager
def speaking(locale: str):
    """Inside the block, ``str()`` of a lazy string is its ``locale`` text (``"fr"`` is the
    source text, ``"en"`` comes from app/translations)."""
    app = Flask(__name__)
    app.config.update(BABEL_DEFAULT_LOCALE=Config.BABEL_DEFAULT_LOCALE,
                      BABEL_TRANSLATION_DIRECTORIES=Config.BABEL_TRANSLATION_DIRECTORIES)
    Babel(app)
    with app.app_context(), force_locale(locale):
        yield

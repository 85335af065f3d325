"""Where a ``next`` parameter may send the browser: a path on this site, nothing else.

Browsers clean a Location before following it: they drop tabs and newlines anywhere,
strip leading spaces and control characters, and read a backslash as a slash. So
``/\\t/evil.example/`` becomes ``//evil.example/``, another host. A target is accepted
only if it is a plain same-site path as written, with none of those characters to clean.
Percent-escapes are left alone: browsers do not decode them before finding the host (and
Werkzeug has already decoded the query string once, so ``%09`` arrives here as a tab).
"""
from __future__ import annotations

from urllib.parse import unquote, urlsplit


def _has_cleaned_characters(target: str) -> bool:
    # C0 controls, space and DEL are stripped or dropped; a backslash is read as "/".
    return any(ord(char) <= 0x20 or char in "\x7f\\" for char in target)


def safe_next(target: str | None, default: str, prefix: str = "/") -> str:
    """``target`` if it is a path under ``prefix`` on this site, else ``default``.

    ``prefix`` ends with "/"; the prefix without its slash (``/backoffice``) is accepted
    too. Dot segments are refused so that ``/shop/../elsewhere`` does not leave the prefix.
    """
    if not target or _has_cleaned_characters(target):
        return default
    if not target.startswith("/") or target.startswith("//"):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    if any(segment in (".", "..") for segment in unquote(parts.path).split("/")):
        return default
    if not (parts.path.startswith(prefix) or parts.path == prefix.rstrip("/")):
        return default
    return target

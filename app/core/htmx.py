"""One place decides full page vs fragment, and how a mutation answers."""
from __future__ import annotations

from flask import Response, redirect, render_template, request


def is_fragment_request() -> bool:
    """An htmx swap wants a fragment; a boosted link or a history restore wants the page."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-Boosted") != "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def render(page: str, fragment: str, /, status: int = 200, **context) -> Response:
    """Render ``page`` (which includes ``fragment``) or only ``fragment`` for htmx."""
    as_fragment = is_fragment_request()
    # Fragments add their out-of-band updates (cart badge, flash) when swapped alone.
    html = render_template(fragment if as_fragment else page, htmx_fragment=as_fragment, **context)
    response = Response(html, status=status)
    response.vary.add("HX-Request")
    return response


def see_other(location: str) -> Response:
    """After a no-JS POST: 303 to a GET page."""
    return redirect(location, code=303)

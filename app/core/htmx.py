"""One place decides full page vs fragment, and how a mutation answers.

Two shapes of htmx answer, and only two:

* ``render(page, fragment)``: a URL that serves both a full page (no JavaScript, boosted
  links, history restore) and, to an htmx swap, the fragment that page includes;
* ``render_fragment(fragment)``: an answer only htmx ever asks for (a view has already
  sent a plain request elsewhere, usually a 303 to the page that includes the fragment).

A template that is the same for everyone is plain ``render_template``.
"""
from __future__ import annotations

from flask import Response, redirect, render_template, request
from werkzeug.wrappers import Response as WerkzeugResponse


def is_fragment_request() -> bool:
    """An htmx swap wants a fragment; a boosted link or a history restore wants the page."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-Boosted") != "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def _answer(template: str, status: int, as_fragment: bool, context: dict) -> Response:
    # Fragments add their out-of-band updates (cart badge, flash) when swapped alone.
    response = Response(render_template(template, htmx_fragment=as_fragment, **context), status=status)
    response.vary.add("HX-Request")  # the same URL answers a page or a fragment
    return response


def render(page: str, fragment: str, /, status: int = 200, **context) -> Response:
    """Render ``page`` (which includes ``fragment``) or only ``fragment`` for htmx."""
    as_fragment = is_fragment_request()
    return _answer(fragment if as_fragment else page, status, as_fragment, context)


def render_fragment(fragment: str, /, status: int = 200, **context) -> Response:
    """Render ``fragment`` alone, for a request only htmx makes (the caller checked)."""
    return _answer(fragment, status, True, context)


def see_other(location: str) -> WerkzeugResponse:
    """After a no-JS POST: 303 to a GET page."""
    return redirect(location, code=303)

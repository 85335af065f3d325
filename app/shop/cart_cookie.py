"""The shopper's cart, found through a signed cookie holding its token (guests have no
session): shared by the cart and checkout pages and the header badge."""
from __future__ import annotations

from flask import current_app, g, request
from itsdangerous import BadSignature, URLSafeSerializer

from app.cart import services

COOKIE = "cart"
COOKIE_AGE = 30 * 24 * 3600


def _signer() -> URLSafeSerializer:
    # The tenant is in the salt: a cookie made on one shop means nothing on another.
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=f"cart-{g.tenant.id}")


def current_cart():
    if "cart" not in g:
        try:
            token = _signer().loads(request.cookies.get(COOKIE, ""))
        except BadSignature:
            token = None  # tampered or foreign cookie: an empty cart, never an error
        g.cart = services.find_cart(token if isinstance(token, str) else None)
    return g.cart


def cart_count() -> int:
    cart = current_cart()
    return sum(line.quantity for line in cart.lines) if cart else 0


def remember_cart(response, cart) -> None:
    response.set_cookie(COOKIE, _signer().dumps(cart.token), max_age=COOKIE_AGE, httponly=True, samesite="Lax",
                        secure=current_app.config["SESSION_COOKIE_SECURE"])

"""Security headers on every response (aiming at Mozilla Observatory's A+)."""

from __future__ import annotations

from flask import Flask, Response, request

PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
    "accelerometer=(), gyroscope=(), magnetometer=(), interest-cohort=()"
)


# Endpoints that serve files: cacheable, and no session work before them.
STATIC_ENDPOINTS = frozenset(
    {"static", "bootstrap.static", "assets.bootstrap_stylesheet"}
)


def apply_security_headers(app: Flask, response: Response) -> Response:
    """Set CSP, framing, sniffing, referrer and caching headers."""
    config = app.config
    headers = response.headers
    headers["Content-Security-Policy"] = config["CONTENT_SECURITY_POLICY"]
    headers["X-Frame-Options"] = config["X_FRAME_OPTIONS"]
    headers["X-Content-Type-Options"] = "nosniff"
    # A page may ask for a stricter policy (the status page's token is in its URL).
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers["Permissions-Policy"] = PERMISSIONS_POLICY
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
    headers["Server"] = "jcicons"
    if config["HSTS_SECONDS"] > 0:
        headers["Strict-Transport-Security"] = (
            f"max-age={config['HSTS_SECONDS']}; includeSubDomains"
        )
    is_static = request.endpoint in STATIC_ENDPOINTS
    if not is_static:
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
    return response

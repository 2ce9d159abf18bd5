"""Error pages in plain language, with the request id and nothing internal."""

from __future__ import annotations

from flask import Flask, g, jsonify, make_response, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from jcicons.audit.security_log import record_security_event
from jcicons.extensions import db

MESSAGES = {
    400: ("Bad request", "The request could not be understood. Go back and try again."),
    403: (
        "Not allowed",
        "Your account does not have access to this page. "
        "Ask the shop's administrator if you need it.",
    ),
    404: (
        "Page not found",
        "There is nothing at this address. "
        "Check the link, or go back to the dashboard.",
    ),
    405: ("Not allowed here", "This page cannot be used that way."),
    413: (
        "Too large",
        "What you sent is larger than the shop allows. Send a smaller file.",
    ),
    429: (
        "Too many attempts",
        "Too many attempts in a short time. Wait a few minutes, then try again.",
    ),
    500: (
        "Something went wrong",
        "The shop system hit an unexpected problem and "
        "nothing was saved. Try again; if it keeps happening, give the request id "
        "below to the administrator.",
    ),
}
CSRF_MESSAGE = (
    "This form has expired or was sent from another page. "
    "Reload the page and send it again."
)


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def render_error(code: int, message: str | None = None) -> ResponseReturnValue:
    """Render the error page (or JSON under /api/) for an HTTP status."""
    title, default_message = MESSAGES.get(code, MESSAGES[500])
    text = message or default_message
    request_id = g.get("request_id", "")
    if _wants_json():
        body = {
            "error": {
                "status": code,
                "title": title,
                "message": text,
                "request_id": request_id,
            }
        }
        return jsonify(body), code
    return render_template(
        "errors/error.html", code=code, title=title, message=text, request_id=request_id
    ), code


def _handle_csrf(error: CSRFError) -> ResponseReturnValue:
    record_security_event(
        "csrf_failed", detail={"reason": error.description}, persist=True
    )
    return render_error(400, CSRF_MESSAGE)


def _handle_http(error: HTTPException) -> ResponseReturnValue:
    code = error.code or 500
    if code not in MESSAGES:
        return error
    response = make_response(render_error(code))
    # Keep what the status requires of its own (Allow on a 405, Retry-After).
    for name, value in error.get_headers():
        if name in {"Allow", "Retry-After"}:
            response.headers[name] = value
    return response


def _handle_internal(error: InternalServerError) -> ResponseReturnValue:
    db.session.rollback()
    return render_error(500)


def register_error_handlers(app: Flask) -> None:
    """Install the handlers for CSRF failures, HTTP errors and crashes."""
    app.register_error_handler(CSRFError, _handle_csrf)
    app.register_error_handler(HTTPException, _handle_http)
    app.register_error_handler(InternalServerError, _handle_internal)

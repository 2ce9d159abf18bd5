"""Bootstrap's stylesheet without its data: images.

Bootstrap draws small icons (the tick of a checkbox, the chevron of a select) as
data: URLs, which the Content Security Policy (img-src 'self') refuses. app.css draws
the ones we use from files the app serves, but an override only wins once app.css has
been applied: a browser that styles the page with Bootstrap's sheet alone for a
moment fetches the data: image and reports a violation. So the app serves Bootstrap's
sheet with every data: image replaced by `none`, and no page ever names one.
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from importlib import resources

from flask import Blueprint, Response, request
from flask.typing import ResponseReturnValue

bp = Blueprint("assets", __name__, url_prefix="/assets")

DATA_IMAGE = re.compile(r"""url\(\s*(["'])data:.*?\1\s*\)""")
ONE_YEAR = 365 * 24 * 3600


@cache
def bootstrap_css() -> tuple[bytes, str]:
    """Return Bootstrap 5's minified sheet without data: images, and its ETag."""
    source = (
        resources.files("flask_bootstrap") / "static/bootstrap5/css/bootstrap.min.css"
    )
    text = DATA_IMAGE.sub("none", source.read_text(encoding="utf-8"))
    body = text.encode("utf-8")
    return body, hashlib.sha256(body).hexdigest()[:16]


@bp.get("/bootstrap.min.css")
def bootstrap_stylesheet() -> ResponseReturnValue:
    """Serve the cleaned sheet; the version in the query string busts caches."""
    body, etag = bootstrap_css()
    response = Response(body, mimetype="text/css")
    response.set_etag(etag)
    if request.args.get("v") == etag:
        response.cache_control.public = True
        response.cache_control.max_age = ONE_YEAR
        response.cache_control.immutable = True
    return response.make_conditional(request)


@bp.app_context_processor
def stylesheet_version() -> dict[str, str]:
    """Give templates the sheet's version for its cache-busting query string."""
    return {"bootstrap_css_version": bootstrap_css()[1]}

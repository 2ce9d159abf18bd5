"""Flask extensions, created once and bound to the app in `create_app`."""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request
from flask_bootstrap import Bootstrap5
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from jcicons.db import Base
from jcicons.security.ratelimit import client_ip

# No list has this many pages; a larger ?page= would overflow the query's OFFSET.
MAX_PAGE = 1_000_000


class ShopSQLAlchemy(SQLAlchemy):
    """Flask-SQLAlchemy whose pagination never lets a ?page= overflow the query."""

    def paginate(self, select: Any, *, page: int | None = None, **kwargs: Any) -> Any:
        """Paginate like Flask-SQLAlchemy, with the page (asked or from the query
        string) clamped to 1..MAX_PAGE."""
        if page is None:
            page = 1
            if has_request_context():
                try:
                    page = int(request.args.get("page", 1))
                except (TypeError, ValueError):
                    page = 1
        return super().paginate(select, page=min(max(page, 1), MAX_PAGE), **kwargs)


db = ShopSQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
bootstrap = Bootstrap5()
limiter = Limiter(key_func=client_ip, strategy="moving-window")

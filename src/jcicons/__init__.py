"""JC Icons Management System: sales, stock and repairs for a computer shop."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter

__version__ = "0.1.0"

PACKAGE_DIR = Path(__file__).resolve().parent
MIGRATIONS_DIR = PACKAGE_DIR / "migrations"


class StorableIntConverter(IntegerConverter):
    """`<int:...>` in every route: an id too large for a column is a 404, not a 500."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        from jcicons.forms import MAX_INTEGER

        kwargs.setdefault("max", MAX_INTEGER)
        super().__init__(map, *args, **kwargs)


def create_app(
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Flask:
    """Build the application: configuration, extensions, blueprints and hooks."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    from jcicons import hooks, logging_setup
    from jcicons.config import load_config
    from jcicons.extensions import bootstrap, csrf, db, limiter, login_manager, migrate

    config = load_config(environ, overrides)
    app = Flask(__name__, instance_path=config["INSTANCE_PATH"])
    app.config.update(config)
    _private_folder(Path(app.instance_path))

    logging_setup.configure_logging(app)

    _import_models()
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    bootstrap.init_app(app)
    limiter.init_app(app)
    with app.app_context():
        from jcicons.db import install_sqlite_pragmas

        install_sqlite_pragmas(db.engine)

    proxies = app.config["TRUSTED_PROXIES"]
    if proxies:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies
        )

    hooks.register(app)
    app.url_map.converters["int"] = StorableIntConverter
    _register_blueprints(app)
    _connect_modules()

    from jcicons.cli import register_commands

    register_commands(app)
    return app


def _private_folder(folder: Path) -> None:
    """Create the instance folder closed to other accounts (it holds the SQLite
    file with the password hashes); leave one that is already private alone, so a
    read-only system (systemd's ProtectSystem=strict) can still start the app."""
    if not folder.exists():
        folder.mkdir(parents=True, mode=0o750)
    if folder.stat().st_mode & 0o027:
        folder.chmod(0o750)


def _connect_modules() -> None:
    """Hand lower modules what they need of higher ones (repair money, a TECH's
    customers): they may not import the modules built on them."""
    from jcicons.repairs import handoff

    handoff.register()


def _import_models() -> None:
    """Import every model module so the metadata is complete."""
    from jcicons import numbering as _numbering  # noqa: F401
    from jcicons.audit import models as _audit  # noqa: F401
    from jcicons.auth import models as _auth  # noqa: F401
    from jcicons.customers import models as _customers  # noqa: F401
    from jcicons.inventory import models as _inventory  # noqa: F401
    from jcicons.mail import models as _mail  # noqa: F401
    from jcicons.repairs import models as _repairs  # noqa: F401
    from jcicons.sales import models as _sales  # noqa: F401
    from jcicons.settings import models as _settings  # noqa: F401


def _register_blueprints(app: Flask) -> None:
    from jcicons.account.views import bp as account_bp
    from jcicons.admin.views import bp as admin_bp
    from jcicons.assets import bp as assets_bp
    from jcicons.auth.views import bp as auth_bp
    from jcicons.customers.views import bp as customers_bp
    from jcicons.inventory.views import bp as inventory_bp
    from jcicons.mail.views import bp as mail_bp
    from jcicons.main.errors import register_error_handlers
    from jcicons.main.views import bp as main_bp
    from jcicons.repairs import print_views as _print_views  # noqa: F401 - routes
    from jcicons.repairs.status_views import bp as status_bp
    from jcicons.repairs.views import bp as repairs_bp
    from jcicons.sales.views import bp as sales_bp
    from jcicons.sales.views import pos_bp
    from jcicons.users.views import bp as users_bp

    blueprints = (
        assets_bp,
        main_bp,
        auth_bp,
        account_bp,
        users_bp,
        admin_bp,
        mail_bp,
        inventory_bp,
        customers_bp,
        sales_bp,
        pos_bp,
        repairs_bp,
        status_bp,
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    register_error_handlers(app)

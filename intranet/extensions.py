"""Every Flask extension object lives here, created unbound and initialised in
create_app. A naming convention on the metadata keeps Alembic constraint names
stable across SQLite and PostgreSQL."""
import click
from flask import current_app, g
from flask.cli import with_appcontext
from flask_bootstrap import Bootstrap5
from flask_login import LoginManager
from flask_mail import Mail
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

class LazyMigrate:
    """Flask-Migrate, imported when a migration needs it (`flask db ...`,
    `flask_migrate.upgrade()`): it brings Alembic and Mako, about 11 MB in
    every web worker, which never migrates. `init_app` records the settings;
    the first use of `app.extensions["migrate"]` or of the `db` command
    group sets up the real Flask-Migrate on the app."""

    def __init__(self, **kwargs):
        self.kwargs = kwargs

    def init_app(self, app, db, **kwargs):
        app.extensions["migrate"] = _DeferredMigrateConfig(app, db, {**self.kwargs, **kwargs})
        app.cli.add_command(_db_group)


class _DeferredMigrateConfig:
    def __init__(self, app, db, kwargs):
        self._app, self._db, self._kwargs = app, db, kwargs

    def load(self):
        from flask_migrate import Migrate
        Migrate(**self._kwargs).init_app(self._app, self._db)  # replaces this placeholder
        return self._app.extensions["migrate"]

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.load(), name)


class _DeferredDbGroup(click.Group):
    """Flask-Migrate's `db` commands, imported when the group is used."""

    def list_commands(self, ctx):
        from flask_migrate.cli import db as real
        return real.list_commands(ctx)

    def get_command(self, ctx, name):
        from flask_migrate.cli import db as real
        return real.get_command(ctx, name)


@click.group("db", cls=_DeferredDbGroup)
@click.option("-d", "--directory", default=None, help='Migration script directory (default is "migrations")')
@click.option("-x", "--x-arg", multiple=True, help="Additional arguments consumed by custom env.py scripts")
@with_appcontext
def _db_group(directory, x_arg):
    """Perform database migrations."""
    config = current_app.extensions.get("migrate")
    if isinstance(config, _DeferredMigrateConfig):
        config.load()
    g.directory = directory
    g.x_arg = x_arg  # read by Flask-Migrate's commands, as its own group does


db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION))
migrate = LazyMigrate(render_as_batch=True)  # batch mode: ALTERs work on SQLite too
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "请先登录。"
login_manager.login_message_category = "warning"
csrf = CSRFProtect()
mail = Mail()
bootstrap = Bootstrap5()


def read_in_autocommit():
    """On PostgreSQL, run this GET's queries in autocommit: no BEGIN before the
    first query and no ROLLBACK when the connection goes back to the pool, two
    round trips of the three or four a page that reads little costs (issue 10).
    Only for pages whose GET reads (a write there commits statement by
    statement). Called before the request's first query."""
    from flask import request
    if (request.method in ("GET", "HEAD") and db.session().get_transaction() is None
            and db.engine.dialect.name == "postgresql"):  # (not when an earlier hook has begun one)
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def read_listed_pages_in_autocommit():
    """read_in_autocommit for the back-office pages whose GET only reads
    (app.extensions["lanmu_read_only_gets"], endpoints features add)."""
    from flask import request
    if request.endpoint in current_app.extensions.get("lanmu_read_only_gets", ()):
        read_in_autocommit()

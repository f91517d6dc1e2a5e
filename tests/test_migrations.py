"""The Alembic history builds the whole schema from empty, on SQLite and on
PostgreSQL (when TEST_DATABASE_URL is set), and matches the models exactly."""
import os
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from intranet import create_app
from intranet.extensions import db

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")


def _targets(tmp_path):
    yield "sqlite", "sqlite:///" + str(tmp_path / "migrated.db"), None
    url = os.environ.get("TEST_DATABASE_URL")
    if url and url.startswith("postgresql"):
        schema = "mig_" + uuid.uuid4().hex[:8]
        sep = "&" if "?" in url else "?"
        yield "postgresql", f"{url}{sep}options=-csearch_path%3D{schema}", (url, schema)


@pytest.mark.parametrize("engine_name", ["sqlite", "postgresql"])
def test_migrations_build_the_schema_from_empty(engine_name, tmp_path):
    targets = {name: (url, pg) for name, url, pg in _targets(tmp_path)}
    if engine_name not in targets:
        pytest.skip("TEST_DATABASE_URL not set to PostgreSQL")
    url, pg = targets[engine_name]
    if pg:
        admin = sa.create_engine(pg[0])
        with admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{pg[1]}"')
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
        with app.app_context():
            upgrade(directory=MIGRATIONS)
            with db.engine.connect() as conn:
                ctx = MigrationContext.configure(conn, opts={"compare_type": True})
                diff = compare_metadata(ctx, db.metadata)
            assert diff == [], f"models and migrations differ: {diff}"
            tables = set(sa.inspect(db.engine).get_table_names())
            assert {"unit", "user_account", "site", "site_column", "item", "revision", "audit_entry"} <= tables
            # And the demo loads into the migrated schema.
            from intranet.demo import load_demo
            assert load_demo()["columns"] > 0
            db.session.remove()
            downgrade(directory=MIGRATIONS, revision="base")
            assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
            db.engine.dispose()
    finally:
        if pg:
            with admin.begin() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA "{pg[1]}" CASCADE')
            admin.dispose()

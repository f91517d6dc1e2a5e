"""The branch adds one Alembic revision on top of the core schema, and the
migrations build exactly the tables the models (core and plugins) declare."""
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import upgrade
from sqlalchemy import create_engine

from intranet import create_app
from intranet.extensions import db

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
NEW_TABLES = {"workday_override", "workday_year", "document_publication", "links_check", "mailbox_message",
              "mailbox_reply", "mailbox_event", "mailbox_note"}


def test_r61_r70_one_head_and_the_new_tables_in_it():
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    script = ScriptDirectory.from_config(cfg)
    assert len(script.get_heads()) == 1
    # the types revision, wherever later revisions put it in the one history
    ours = [rev for rev in script.walk_revisions() if "op.create_table('mailbox_message'"
            in Path(rev.path).read_text(encoding="utf-8")]
    assert len(ours) == 1
    source = Path(ours[0].path).read_text(encoding="utf-8")
    for table in NEW_TABLES:
        assert f"op.create_table('{table}'" in source


def test_r61_r70_migrations_match_the_models(tmp_path):
    url = f"sqlite:///{tmp_path / 'migrated.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "x",
                      "LANMU_UPLOAD_DIR": str(tmp_path / "uploads")})
    with app.app_context():
        upgrade(directory=str(MIGRATIONS))
        engine = create_engine(url)
        with engine.connect() as conn:
            diffs = compare_metadata(MigrationContext.configure(conn), db.metadata)
            tables = set(engine.dialect.get_table_names(conn))
        engine.dispose()
    assert diffs == []
    assert NEW_TABLES <= tables

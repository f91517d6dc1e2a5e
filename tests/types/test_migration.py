"""The column types add one Alembic revision on top of the core schema, the reply
review chain (R-71) one more, and the migrations build exactly the tables the
models (core and plugins) declare; replies written before the chain migrate."""
import os
import uuid
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import upgrade
from sqlalchemy import create_engine
from sqlalchemy import inspect as sa_inspect

from intranet import create_app
from intranet.extensions import db

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
COLUMN_TYPES_REVISION = "dcd5dcbca2e3"
REPLY_REVIEW_REVISION = "422567017a3b"
REPLY_REVIEW_TABLES = {"mailbox_reply_step", "mailbox_reply_candidate"}
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
    # The reply review steps came later, in one revision of their own.
    reply_review = script.get_revision(REPLY_REVIEW_REVISION)
    assert reply_review.down_revision == COLUMN_TYPES_REVISION
    source = Path(reply_review.path).read_text(encoding="utf-8")
    for table in REPLY_REVIEW_TABLES:
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
    assert NEW_TABLES | REPLY_REVIEW_TABLES <= tables


def _targets(tmp_path):
    yield "sqlite", "sqlite:///" + str(tmp_path / "replies.db"), None
    url = os.environ.get("TEST_DATABASE_URL")
    if url and url.startswith("postgresql"):
        schema = "mig_" + uuid.uuid4().hex[:8]
        sep = "&" if "?" in url else "?"
        yield "postgresql", f"{url}{sep}options=-csearch_path%3D{schema}", (url, schema)


@pytest.mark.parametrize("engine_name", ["sqlite", "postgresql"])
def test_r71_existing_replies_migrate_to_reply_review_steps(engine_name, tmp_path):
    """Replies written before the reply review chain: decided ones keep their one
    decision as their one step; one still waiting gets its column's chain with the
    first step open since it was submitted, asking the head; answers stay as they were."""
    import sqlalchemy as sa
    from flask_migrate import downgrade

    targets = {name: (url, pg) for name, url, pg in _targets(tmp_path)}
    if engine_name not in targets:
        pytest.skip("TEST_DATABASE_URL not set to PostgreSQL")
    url, pg = targets[engine_name]
    if pg:
        admin = sa.create_engine(pg[0])
        with admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{pg[1]}"')
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "x",
                          "LANMU_UPLOAD_DIR": str(tmp_path / "uploads")})
        with app.app_context():
            _migrate_demo_replies(app, downgrade)
            db.session.remove()
            db.engine.dispose()
    finally:
        if pg:
            with admin.begin() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA "{pg[1]}" CASCADE')
            admin.dispose()


def _migrate_demo_replies(app, downgrade):
    from intranet.demo import load_demo
    from intranet.org.models import User
    from plugins.mailbox import review
    from plugins.mailbox.models import ANSWERED, Message, Reply, ReplyStep

    def by_code(code):
        return db.session.execute(db.select(Message).filter_by(query_code=code)).scalar_one()

    def person(username):
        return db.session.execute(db.select(User).filter_by(username=username)).scalar_one()

    upgrade(directory=str(MIGRATIONS))
    load_demo()
    assigned = by_code("DEMQASGN2345")  # a reply returned by the old one-step review
    returned = review.submit_reply_for_review(assigned, "您好，周末开放。", person("sc_officer"))
    review.return_reply(returned, person("sc_head"), "请写明开放时间")
    db.session.commit()
    before = {r.id: (r.status, r.reviewer_id, r.reviewed_at, r.review_comment, r.submitted_at)
              for r in db.session.execute(db.select(Reply)).scalars()}
    answers = {m.id: (m.status, m.replied_at, m.reply_late, m.is_public)
               for m in db.session.execute(db.select(Message)).scalars()}
    db.session.remove()

    # Back to the revision before the reply review chain, and up again: the backfill runs.
    downgrade(directory=str(MIGRATIONS), revision=COLUMN_TYPES_REVISION)
    tables = set(sa_inspect(db.engine).get_table_names())
    assert not REPLY_REVIEW_TABLES & tables and "mailbox_reply" in tables
    upgrade(directory=str(MIGRATIONS))

    replies = {r.id: r for r in db.session.execute(db.select(Reply)).scalars()}
    assert set(replies) == set(before)
    for reply_id, (status, reviewer_id, reviewed_at, comment, submitted_at) in before.items():
        steps = replies[reply_id].steps
        if status == Reply.SUBMITTED:
            assert [(s.label, s.status, s.unit.code) for s in steps] == [
                ("科室负责人审核", "open", "sc-office"), ("局领导审核", "pending", "hz-office")]
            assert steps[0].opened_at == submitted_at
            assert [c.user.username for c in steps[0].candidates] == ["sc_head"]
            continue
        [step] = steps
        assert (step.label, step.status, step.decided_by_id, step.decided_at, step.comment) == \
            ("科室负责人审核", status, reviewer_id, reviewed_at, comment)
        assert step.decision == ("return" if status == Reply.RETURNED else "approve_comment")
    assert {m.id: (m.status, m.replied_at, m.reply_late, m.is_public)
            for m in db.session.execute(db.select(Message)).scalars()} == answers
    assert db.session.execute(db.select(db.func.count(ReplyStep.id))).scalar() == len(before) + 1

    # The waiting reply goes on through its chain.
    waiting = by_code("DEMQREVW2345")
    reply = waiting.pending_reply
    review.approve_reply(reply, person("sc_head"), "同意")
    review.approve_reply(reply, person("leader"))
    db.session.commit()
    assert waiting.status == ANSWERED and [s.decided_by.username for s in reply.steps] == ["sc_head", "leader"]
    db.session.remove()
    downgrade(directory=str(MIGRATIONS), revision=COLUMN_TYPES_REVISION)

"""Shared fixtures. The suite runs on SQLite by default and on PostgreSQL when
TEST_DATABASE_URL is set (CI does both). Tables are created once per session
and emptied after each test."""
import os
import re
from datetime import datetime, timedelta

import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient

from intranet import create_app
from intranet.clock import set_now
from intranet.extensions import db

TEST_NOW = datetime(2026, 11, 23, 10, 0, 0)  # a Monday, a working day


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")


@pytest.fixture(scope="session")
def _schema(database_url, tmp_path_factory):
    app = create_app(_config(database_url, tmp_path_factory.mktemp("instance")))
    with app.app_context():
        db.drop_all()
        db.create_all()
    return True


def _config(database_url, instance_dir):
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "LANMU_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "LANMU_UPLOAD_DIR": str(instance_dir / "uploads"),
        # Publication archives and backups go to the test's own
        # folder, never to the repository's instance/ (their default).
        "LANMU_ARCHIVE_DIR": str(instance_dir / "archive"),
        "LANMU_BACKUP_DIR": str(instance_dir / "backups"),
        "MAIL_SUPPRESS_SEND": True,
        # Tests move the clock by days while signed in; the idle timeout and
        # session lifetime have their own tests, which set these back.
        "LANMU_SESSION_IDLE_MINUTES": 60 * 24 * 3650,
        "PERMANENT_SESSION_LIFETIME": timedelta(days=3650),
    }


class _Client(FlaskClient):
    """Requests made inside a pushed app context share its `g` (Flask reuses the
    context), so Flask-Login's cached user of one client would leak into the
    next client's request: drop it before each request."""

    def open(self, *args, **kwargs):
        if has_app_context():
            g.pop("_login_user", None)
        return super().open(*args, **kwargs)


@pytest.fixture
def make_app(database_url, _schema, tmp_path):
    """Build an app on the shared test database with extra settings."""
    apps = []

    def factory(**overrides):
        cfg = _config(database_url, tmp_path)
        cfg.update(overrides)
        app = create_app(cfg)
        app.test_client_class = _Client
        set_now(app, TEST_NOW)
        apps.append(app)
        return app

    yield factory
    if apps:
        with apps[0].app_context():
            db.session.remove()
            _empty_tables()


def _empty_tables():
    engine = db.engine
    tables = [t.name for t in db.metadata.sorted_tables]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")
        else:
            for t in reversed(tables):
                conn.exec_driver_sql(f'DELETE FROM "{t}"')


@pytest.fixture
def app(make_app):
    app = make_app()
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def demo(app):
    from intranet.demo import load_demo
    load_demo()
    return app


def prefix(app):
    return app.config["LANMU_ADMIN_PREFIX"]


def login(client, username, password="Lanmu@2026"):
    app = client.application
    resp = client.post(prefix(app) + "/login", data={"username": username, "password": password})
    return resp


@pytest.fixture
def login_as(client):
    def do(username, password="Lanmu@2026"):
        client.post(prefix(client.application) + "/logout")
        resp = login(client, username, password)
        assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
        return client
    return do


def text_of(resp):
    """Page text without tags, for asserting on Chinese messages."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", resp.get_data(as_text=True)))

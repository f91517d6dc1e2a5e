"""Browser tests: Chromium (Debian's `chromium` package, never a downloaded
browser) driven by Playwright for Python against a real server on 127.0.0.1.

The server is the application itself, served by werkzeug in a thread of the
test process, on its own SQLite database with the demo loaded (whatever
TEST_DATABASE_URL says: these tests exercise the pages, not the engine), its
clock frozen on a working day at 10:00 (inside the send window, so review
mails go out at once), and its mail going to a real SMTP server (aiosmtpd,
tests/fakes/smtp_server.py).

They are skipped, with the reason, when the browser or the playwright package
is missing (a fresh machine); CI installs both (.ci/run). With
LANMU_SCREENSHOTS=1 they write the user guide's screenshots to
docs/screenshots/ (scripts/screenshots.sh)."""
import logging
import os
import re
import threading
from datetime import datetime, timedelta
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("LANMU_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--lang=zh-CN", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
NOW = datetime(2026, 11, 23, 10, 0, 0)  # a Monday, a working day, inside the send window
PASSWORD = "Lanmu@2026"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - a machine without the dev requirements
    sync_playwright = None


def _missing():
    if sync_playwright is None:
        return "the playwright package is not installed (pip install -r requirements-dev.txt)"
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        return f"no Chromium at {CHROMIUM} (apt-get install chromium; .ci/run installs it)"
    return None


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    reason = _missing()
    if reason and os.environ.get("LANMU_REQUIRE_BROWSER") == "1" and any(
            Path(str(i.fspath)).is_relative_to(here) for i in items):
        raise pytest.UsageError(f"LANMU_REQUIRE_BROWSER=1 (CI) but the browser tests cannot run: {reason}")
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)
            if reason:
                item.add_marker(pytest.mark.skip(reason=f"browser tests skipped: {reason}"))


class LiveServer:
    """The running application: ``url(path)``, ``app`` (for reading the
    database in an app context), ``smtp`` (the mail it sent)."""

    def __init__(self, app, server, smtp):
        self.app, self.server, self.smtp = app, server, smtp
        self.base = f"http://127.0.0.1:{server.server_port}"
        self.prefix = app.config["LANMU_ADMIN_PREFIX"].rstrip("/")

    def url(self, path=""):
        return self.base + path

    def intranet(self, path=""):
        return self.base + self.prefix + path

    def mails_to(self, username, subject_part=""):
        return [m for m in self.smtp.received_by(f"{username}@example.gov.cn") if subject_part in m.subject]


@pytest.fixture(scope="session")
def live(tmp_path_factory):
    if _missing():
        pytest.skip(_missing())
    from werkzeug.serving import make_server

    from intranet import create_app
    from intranet.checks.service import ensure_starter_lexicon
    from intranet.clock import set_now
    from intranet.demo import load_demo
    from intranet.extensions import db

    from ..fakes.smtp_server import FakeSMTP

    smtp = FakeSMTP().start()
    root = tmp_path_factory.mktemp("browser")
    app = create_app({
        "SECRET_KEY": "browser-tests",
        "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(root / "lanmu.db"),
        "LANMU_UPLOAD_DIR": str(root / "uploads"),
        "LANMU_ARCHIVE_DIR": str(root / "archive"),
        "LANMU_BACKUP_DIR": str(root / "backups"),
        "LANMU_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "LANMU_SESSION_IDLE_MINUTES": 60 * 24 * 365,
        "PERMANENT_SESSION_LIFETIME": timedelta(days=365),
        **smtp.config(MAIL_TIMEOUT=5),
    })
    set_now(app, NOW)
    with app.app_context():
        db.create_all()
        load_demo()
        ensure_starter_lexicon()
        db.session.commit()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access log in the test output
    server = make_server("127.0.0.1", 0, app, threaded=True)
    app.config["LANMU_BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, name="lanmu-live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app, server, smtp)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        smtp.stop()


@pytest.fixture(scope="session")
def browser():
    reason = _missing()
    if reason:
        pytest.skip(reason)
    with sync_playwright() as p:
        # Chromium's own words (file inputs, date fields) in Chinese, as users see them
        # (Debian's chromium-l10n; without it they stay English)
        env = {**os.environ, "LANGUAGE": "zh_CN:zh", "LANG": "zh_CN.UTF-8"}
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, env=env)
        try:
            yield b
        finally:
            b.close()


class People:
    """One browser context (cookies) per person, signed in on first use."""

    def __init__(self, browser, live, viewport=DESKTOP, **context_args):
        self.browser, self.live, self.viewport, self.context_args = browser, live, viewport, context_args
        self.pages = {}
        self.contexts = []

    def anonymous(self, viewport=None, **extra):
        ctx = self.browser.new_context(viewport=viewport or self.viewport, locale="zh-CN",
                                       **{**self.context_args, **extra})
        ctx.set_default_timeout(15_000)
        self.contexts.append(ctx)
        return ctx.new_page()

    def page(self, username):
        if username not in self.pages:
            page = self.anonymous()
            sign_in(page, self.live, username)
            self.pages[username] = page
        return self.pages[username]

    __getitem__ = page

    def close(self):
        for ctx in self.contexts:
            ctx.close()


@pytest.fixture
def people(browser, live):
    crowd = People(browser, live)
    yield crowd
    crowd.close()


def sign_in(page, live, username, password=PASSWORD):
    page.goto(live.intranet("/login"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit]")
    page.wait_for_load_state()
    assert "/login" not in page.url, f"{username} could not sign in: {page.inner_text('main')[:300]}"


def shot(page, name, full_page=False):
    """Save a screenshot for the user guide when LANMU_SCREENSHOTS=1."""
    if os.environ.get("LANMU_SCREENSHOTS") != "1":
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page, animations="disabled",
                    caret="hide")


def flash_text(page):
    return " ".join(page.locator(".alert").all_inner_texts())


def item_id_from(url):
    return int(re.search(r"/items/(\d+)", url).group(1))


"""Default settings. Override in instance/config.py or with LANMU_* environment
variables (LANMU_SECRET_KEY, LANMU_DATABASE_URL, LANMU_ADMIN_PREFIX, ...): an
environment variable LANMU_X sets the setting X (or LANMU_X when the setting is
itself named LANMU_X). Values are parsed as JSON when they look like JSON."""
import json
import os
from datetime import timedelta


class Defaults:
    SECRET_KEY = "dev-only-change-me"
    SQLALCHEMY_DATABASE_URI = None  # filled in by create_app: sqlite in instance/
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    WTF_CSRF_TIME_LIMIT = None  # a long draft must still save; the session bounds it
    MAX_CONTENT_LENGTH = 50 * 1024 * 1024  # whole request; per-file limit below
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False  # set True behind HTTPS (production config)
    REMEMBER_COOKIE_HTTPONLY = True
    PERMANENT_SESSION_LIFETIME = timedelta(hours=8)
    BOOTSTRAP_SERVE_LOCAL = True  # intranets are often offline: no CDN

    MAIL_SERVER = "127.0.0.1"
    MAIL_PORT = 25
    MAIL_DEFAULT_SENDER = "lanmu@localhost"

    LANMU_TIMEZONE = "Asia/Shanghai"
    LANMU_ADMIN_PREFIX = "/intranet"  # not advertised on the public site
    LANMU_PLUGINS = None  # None: every package in plugins/, sorted by name
    LANMU_UPLOAD_DIR = None  # default: instance/uploads
    LANMU_UPLOAD_MAX_BYTES = 20 * 1024 * 1024
    LANMU_UPLOAD_ALLOWED_TYPES = None  # None: every type intranet/checks/uploads.py knows
    # Content checks (R-50..R-52)
    LANMU_CHECKS_PUBLISH_REQUIRES_ACK = True  # warn-level findings nobody confirmed block publishing
    LANMU_LINK_ALLOWED_DOMAINS = ["gov.cn"]  # plus our own sites' domains; others are "external links"
    LANMU_LINK_CHECK_IN_SWEEP = True      # the scheduler's sweep runs the link check
    LANMU_LINK_CHECK_TIMEOUT = 5          # seconds per link (connect, and each read)
    LANMU_LINK_CHECK_WORKERS = 8          # links checked at once
    LANMU_LINK_CHECK_PER_RUN = 200        # links fetched per run at most
    LANMU_LINK_CHECK_ITEMS_PER_RUN = 1000  # changed items scanned per run at most
    LANMU_LINK_CHECK_OK_DAYS = 7          # re-check a reachable link after this many days
    LANMU_LINK_CHECK_DEAD_HOURS = 24      # re-check a dead link after this many hours
    LANMU_LINK_CHECK_ALLOW_PRIVATE = False  # fetch loopback/private addresses (SSRF guard off; tests only)

    # R-04 password policy
    LANMU_PASSWORD_MIN_LENGTH = 8
    LANMU_PASSWORD_MIN_CLASSES = 3  # of: lower, upper, digit, symbol
    LANMU_PASSWORD_MAX_AGE_DAYS = 90
    LANMU_PASSWORD_WARN_DAYS = 7
    LANMU_PASSWORD_HISTORY = 5
    LANMU_LOCKOUT_THRESHOLD = 5
    LANMU_LOCKOUT_MINUTES = 15
    # Reminders (R-80..R-84)
    LANMU_BASE_URL = ""              # absolute links in messages, e.g. https://oa.example.gov.cn
    LANMU_SWEEP_MINUTES = 60         # how often the scheduler sweeps
    LANMU_ESCALATION_GRACE_DAYS = 2  # overdue this long: the head is told; twice this: the leader
    LANMU_SEND_WINDOW = ["08:00", "21:00"]  # outside it (quiet hours) only urgent messages go out
    MAIL_TIMEOUT = 10                # seconds; Flask-Mail has none of its own
    LANMU_PASSWORD_HASH_METHOD = "scrypt"  # tests use a cheap method to stay fast


def apply_environment(config, environ=os.environ):
    for key, raw in environ.items():
        if not key.startswith("LANMU_"):
            continue
        name = key if key in config else key[len("LANMU_"):]
        if name == "DATABASE_URL":
            name = "SQLALCHEMY_DATABASE_URI"
        value = raw
        if raw[:1] in "[{" or raw in ("true", "false", "null") or raw.lstrip("-").isdigit():
            try:
                value = json.loads(raw)
            except ValueError:
                pass
        config[name] = value

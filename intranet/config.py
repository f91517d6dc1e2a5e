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

    # R-04 password policy
    LANMU_PASSWORD_MIN_LENGTH = 8
    LANMU_PASSWORD_MIN_CLASSES = 3  # of: lower, upper, digit, symbol
    LANMU_PASSWORD_MAX_AGE_DAYS = 90
    LANMU_PASSWORD_WARN_DAYS = 7
    LANMU_PASSWORD_HISTORY = 5
    LANMU_LOCKOUT_THRESHOLD = 5
    LANMU_LOCKOUT_MINUTES = 15
    LANMU_PASSWORD_HASH_METHOD = "scrypt"  # tests use a cheap method to stay fast

    # Security operations (intranet/security, intranet/audit, intranet/backup)
    LANMU_TRUSTED_PROXIES = 0  # proxies in front that set X-Forwarded-For/-Proto; 0: ignore the headers
    LANMU_ADMIN_NETWORKS = []  # CIDRs allowed into the back office; empty: no restriction
    LANMU_ADMIN_NETWORK_EXEMPT = []  # endpoints reachable from anywhere despite the allow-list
    LANMU_SESSION_IDLE_MINUTES = 30  # sign out after this long without a request
    LANMU_SESSION_TOUCH_SECONDS = 60  # how often a session's last-seen time is written
    LANMU_LOGIN_RATE_LIMIT = True
    LANMU_LOGIN_LIMIT_PER_ADDRESS = "30 per 5 minutes;100 per day"  # failed sign-ins
    LANMU_LOGIN_LIMIT_PER_ACCOUNT = "10 per 15 minutes;50 per day"
    LANMU_RATELIMIT_STORAGE_URI = "memory://"  # redis://host:6379 with several workers or nodes
    LANMU_CSP = None  # None: the built-in Content-Security-Policy (no inline scripts)
    LANMU_HSTS_SECONDS = 0  # set e.g. 31536000 when served over HTTPS only
    LANMU_AUDIT_RETENTION_DAYS = None  # None keeps forever; never fewer than 60
    LANMU_BACKUP_DIR = None  # default: instance/backups
    LANMU_BACKUP_KEEP = 14  # archives kept by the daily backup
    LANMU_PG_DUMP = "pg_dump"
    LANMU_PG_RESTORE = "pg_restore"
    LANMU_INCIDENT_REPORT_HOURS = 24  # R-97, 000 附件2 §4
    LANMU_INCIDENT_WARN_HOURS = 6  # incidents_due() lists incidents this close to the deadline
    LANMU_LETTER_SIGNER_ROLES = ["principal", "leader", "dept_head"]  # who heads a unit
    LANMU_LETTER_UNIT_KINDS = None  # None: every active unit signs a letter


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

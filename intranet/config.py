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
    # No ping at every checkout: on PostgreSQL a connection idle for
    # LANMU_DB_PING_IDLE_SECONDS is pinged before use instead (create_app).
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": False}
    LANMU_DB_PING_IDLE_SECONDS = 30
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

    # The public site (issue 10): rendered pages cached per worker, invalidated through kv_store
    LANMU_PUBLIC_CACHE = True
    LANMU_PUBLIC_CACHE_MB = 16            # per worker process (about 1,500 pages); least recently used leave first
    # Signed-in pages kept per worker under the intranet token (intranet/versions.py): the dashboard
    LANMU_INTRANET_CACHE = True
    LANMU_INTRANET_CACHE_MB = 8           # per worker process (a dashboard is 10-30 KB)
    LANMU_INTRANET_CACHE_SECONDS = 60     # a kept page's "N天前" and deadlines are at most this old
    LANMU_BENCH_HELLO = False             # a hello-world route at /bench/hello for bench/web.py only

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

    # Review and publication (R-30..R-40)
    LANMU_REVIEW_LINK_WORKDAYS = 5        # email decision links expire after N working days
    LANMU_REVIEW_DISTINCT_DECIDERS = True  # one person decides at most one step of a run
    LANMU_REVIEW_REMIND_WORKDAYS = 1      # a step waiting this long reminds its reviewers
    LANMU_ARCHIVE_DIR = None              # default: instance/archive
    # Assessment (R-90..R-92, 003 篇二); docs/assessment.md explains each one
    LANMU_ASSESSMENT_UNITS = None  # unit codes assessed; None: every unit responsible for a live column
    LANMU_ASSESSMENT_ASSESSOR_ROLES = ["webmaster"]  # roles that may run the unified assessment (sysadmin always)
    LANMU_ASSESSMENT_LEADERSHIP = {"leader_named": 10, "responsibility": 5, "problem_solving": 5,
                                   "dedicated_officer": 10}
    LANMU_ASSESSMENT_FREQUENCY = {"weekly": 30, "half_monthly": 20, "monthly": 10}
    LANMU_ASSESSMENT_WEEK_STARTS = [1, 8, 15, 22]  # the month's weekly blocks start on these days
    LANMU_ASSESSMENT_HALF_STARTS = [1, 16]  # its half-monthly blocks
    LANMU_ASSESSMENT_SKIP_HOLIDAY_BLOCKS = True  # a block with no working day asks for nothing
    LANMU_ASSESSMENT_POINTS_PER_ITEM = 6
    LANMU_ASSESSMENT_VOLUME_CAP = None  # None: no cap on the volume points
    LANMU_ASSESSMENT_SELF_DUE_DAY = 10  # self-assessment closes on this day of the next month
    LANMU_ASSESSMENT_UNIFIED_DUE_DAY = 15  # the unified assessment is fixed by this day
    LANMU_ASSESSMENT_PUBLISH_DUE_DAY = None  # results published by this day; None: end of the next month
    LANMU_ASSESSMENT_YEAR_DUE = "01-31"  # the yearly summary is due on this day of the next year
    LANMU_ASSESSMENT_REMIND_DAYS = 3  # reminders start this many days before each date
    LANMU_ASSESSMENT_PRIZES = [1, 2, 3]  # first, second, third prizes for the top 6
    LANMU_ASSESSMENT_FAIL_BELOW = 60  # a unit whose average monthly score is below this fails
    # Inspection health; the staleness lines themselves are in reminders/rules.py
    LANMU_HEALTH_VETO_STALE_KEY = 5  # stale key columns
    LANMU_HEALTH_VETO_LONG_STALE = 10  # columns past their staleness line
    LANMU_HEALTH_VETO_BLANK = 5  # blank columns
    LANMU_HEALTH_RISK_MARGIN = 2  # "at risk" this many below a line (counting columns about to cross it)
    LANMU_HEALTH_UNANSWERED_DAYS = 90  # a message unanswered this long is a veto
    LANMU_HEALTH_UNANSWERED_WARN_DAYS = 60  # and at risk from this age
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
    # Integration API (/api/v1, intranet/api, docs/api.md)
    LANMU_API_NETWORKS = None  # None: the back office's allow-list; a list of CIDRs: the API's own; []: none
    LANMU_API_RATE_LIMIT = "120 per minute;3000 per hour"  # requests per token
    LANMU_API_AUTH_FAIL_LIMIT = "30 per 5 minutes"  # wrong tokens per address, then 429
    LANMU_API_TOUCH_SECONDS = 60  # how often a token's last-used time is written


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

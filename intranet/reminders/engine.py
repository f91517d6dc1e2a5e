"""The sweep: collect every duty coming due or overdue at `now` from the
registered sweep functions (each a handful of set-based queries), resolve who
answers for it with escalation (R-81), insert one reminder per duty, period,
person and level (R-83: idempotent), and queue one digest per person and
channel (R-82) in the outbox.

A sweep function takes a SweepContext and returns a list of Notice. Features
and plugins add theirs with `register_sweep(app, fn)` (plugins: a module-level
`sweeps` list)."""
import gc
from collections import namedtuple
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import event, func, select

from .. import clock
from ..bulk import named_rows
from ..extensions import db
from ..org import roles
from ..org.models import RoleAssignment, Unit, User
from .models import LEVEL_LABELS, SEVERITY_LABELS, Reminder, Sweep


@dataclass
class Notice:
    """One duty that someone must act on."""
    kind: str                 # e.g. column_rule, document_deadline, message_reply
    key: str                  # the duty's object, e.g. "column:12"
    period: str               # which occurrence; with key and person it dedupes
    severity: str             # warn | overdue | veto
    title: str
    text: str = ""
    url: str = ""
    due_at: datetime | None = None
    unit_id: int | None = None        # responsible unit: officers, then head, then leader
    users: list = field(default_factory=list)  # explicit responsible people (level 0)
    overdue_since: datetime | None = None      # when it became overdue, for escalation
    urgent: bool = False


@dataclass
class SweepContext:
    now: datetime
    calendar: object
    app: object
    _adapter: object = field(default=None, init=False, repr=False)
    _memo: dict = field(default_factory=dict, init=False, repr=False)
    _patterns: dict = field(default_factory=dict, init=False, repr=False)

    def link(self, endpoint, **values):
        """An absolute deep link into the intranet for messages (one URL
        adapter per sweep: no request context per link). Links whose values
        are all ids are built once per endpoint and filled in after."""
        if self._adapter is None:
            base = urlsplit(self.app.config.get("LANMU_BASE_URL") or "http://localhost")
            self._adapter = self.app.url_map.bind(base.netloc, script_name=base.path or "/",
                                                  url_scheme=base.scheme or "http")
        if values and all(type(v) is int for v in values.values()):
            key = (endpoint, tuple(sorted(values)))
            pattern = self._patterns.get(key)
            if pattern is None:
                pattern = self._patterns[key] = self._pattern(endpoint, key[1])
            if pattern:
                return pattern.format_map(values)
        return self._adapter.build(endpoint, values, force_external=True)

    def _pattern(self, endpoint, names):
        """The URL of `endpoint` with {name} where each id goes (an int is
        written the same in a path and a query string), or "" if unsure."""
        marks = {name: 987_654_321_000 + i for i, name in enumerate(names)}
        try:
            url = self._adapter.build(endpoint, marks, force_external=True)
        except Exception:  # noqa: BLE001 - a converter that refuses the mark: build each link
            return ""
        pattern = url.replace("{", "{{").replace("}", "}}")
        for name, mark in marks.items():
            if pattern.count(str(mark)) != 1:
                return ""
            pattern = pattern.replace(str(mark), "{" + name + "}")
        return pattern

    def memo(self, key, compute):
        """The value of compute() once per sweep: sweeps that need the same
        set-based query (column_facts) share one result."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]


# the columns the sweep writes for a reminder, in the order of its row tuples
ROW_NAMES = ("dedupe_key", "user_id", "sweep_id", "kind", "duty_key", "period", "level", "severity",
             "title", "text", "url", "due_at", "unit_id", "created_at")


class NewReminder(namedtuple("NewReminderRow", ("id",) + ROW_NAMES + ("read_at",))):
    """A reminder the sweep has just inserted, as a read-only view: the
    columns of `Reminder`, its labels, and `user` / `unit` (loaded on first
    use). Built from the rows the sweep inserted (tuples in ROW_NAMES order)
    rather than loaded back as ORM objects: a first sweep over a site group
    inserts 10^5 of them (a named tuple is built in C, no __init__ to run)."""
    __slots__ = ()

    @classmethod
    def from_row(cls, id, row):  # noqa: A002 - the column's name
        return tuple.__new__(cls, (id, *row, None))

    @property
    def severity_label(self):
        return SEVERITY_LABELS.get(self.severity, self.severity)

    @property
    def level_label(self):
        return LEVEL_LABELS.get(self.level, "")

    @property
    def user(self):
        return db.session.get(User, self.user_id)

    @property
    def unit(self):
        return db.session.get(Unit, self.unit_id) if self.unit_id is not None else None

    def __repr__(self):
        return f"<NewReminder {self.dedupe_key}>"


def working_calendar():
    """The working-day calendar with the admins' overrides when available."""
    factory = current_app.extensions.get("lanmu_workday_calendar")
    if factory is not None:
        return factory()
    from ..workdays import WorkdayCalendar
    return WorkdayCalendar()


def register_sweep(app, fn):
    sweeps = app.extensions.setdefault("lanmu_sweeps", [])
    if fn not in sweeps:
        sweeps.append(fn)


def register_after_sweep(app, fn):
    """fn(new_reminders) runs after each sweep, in its transaction (e.g. to send
    decision links to people newly reminded of a waiting review step)."""
    hooks = app.extensions.setdefault("lanmu_after_sweep", [])
    if fn not in hooks:
        hooks.append(fn)


def register_scheduler_task(app, name, fn, *, seconds=None, cron=None):
    """A job for `flask scheduler run` besides the sweep: every `seconds`, or at
    a cron-like time given as a dict for APScheduler's cron trigger (e.g.
    {"hour": 2} for a daily backup). Runs only on the lease holder."""
    app.extensions.setdefault("lanmu_scheduler_tasks", {})[name] = (fn, seconds, cron)


def _sweeps(app):
    return app.extensions.get("lanmu_sweeps", [])


class _QueryCounter:
    def __init__(self, engine):
        self.engine, self.count = engine, 0

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._on)
        return self

    def _on(self, *_args, **_kw):
        self.count += 1

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._on)


@contextmanager
def _cyclic_gc_paused():
    """Python's cycle collector off for the sweep. A first sweep over a site
    group keeps 10^6 objects alive (facts, notices, reminder rows, digests),
    and every full collection walks them all: about 15 % of the sweep, while
    the cycles it makes are a few hundred objects, collected after. Reference
    counting frees everything else as usual."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _role_map(role_codes):
    """{(unit_id, role): [user ids]} of active people, in one query."""
    rows = db.session.execute(
        select(RoleAssignment.unit_id, RoleAssignment.role, RoleAssignment.user_id)
        .join(User, User.id == RoleAssignment.user_id)
        .where(User.active.is_(True), RoleAssignment.role.in_(role_codes))).all()
    out = {}
    for unit_id, role, user_id in rows:
        out.setdefault((unit_id, role), []).append(user_id)
    return out


def _first_with_role(unit_id, role, role_map, parents):
    """People holding `role` in the unit, else in the nearest ancestor that has one."""
    seen = set()
    while unit_id is not None and unit_id not in seen:
        seen.add(unit_id)
        if role_map.get((unit_id, role)):
            return role_map[(unit_id, role)]
        unit_id = parents.get(unit_id)
    return []


def recipients(notice, now, role_map, parents, grace):
    """[(level, user_id)] for a notice: the responsible people first; after the
    grace period their department head, then the leader in charge (R-81)."""
    level0 = list(notice.users) or (
        role_map.get((notice.unit_id, roles.OFFICER)) or role_map.get((notice.unit_id, roles.LIAISON)) or [])
    out = [(0, u) for u in level0]
    if notice.unit_id is not None and notice.overdue_since is not None and notice.severity in ("overdue", "veto"):
        late = now - notice.overdue_since
        if late >= grace:
            out += [(1, u) for u in _first_with_role(notice.unit_id, roles.DEPT_HEAD, role_map, parents)]
        if late >= 2 * grace:
            out += [(2, u) for u in _first_with_role(notice.unit_id, roles.LEADER, role_map, parents)]
    if not out and notice.unit_id is not None:  # nobody below: the head answers
        out = [(1, u) for u in _first_with_role(notice.unit_id, roles.DEPT_HEAD, role_map, parents)]
    seen, unique = set(), []
    for level, uid in out:
        if uid not in seen:
            seen.add(uid)
            unique.append((level, uid))
    return unique


def _insert_ignore(table, rows):
    """One executemany for every row (the sweep's statement count does not grow
    with its work); rows are tuples in ROW_NAMES order."""
    from ..bulk import insert_ignore
    insert_ignore(table, rows, names=ROW_NAMES)


def _copy_supervisors(notices, now, grace, parents, units):
    """R-81: a veto-level duty still overdue after the grace period is copied to
    the supervising (parent) unit's contact, once per duty and period. One insert."""
    from ..outbox.service import address_row, insert_rows
    rows = []
    for n in notices:
        if n.severity != "veto" or n.unit_id is None or n.overdue_since is None or now - n.overdue_since < grace:
            continue
        supervisor = units.get(parents.get(n.unit_id))
        if supervisor is None or not supervisor.contact_email:
            continue
        unit = units[n.unit_id]
        rows.append(address_row(supervisor.contact_email, f"【单项否决风险抄送】{unit.name}：{n.title}",
                                f"{supervisor.name}：\n下级单位“{unit.name}”的以下事项已达到检查否决线且超期未处理：\n"
                                f"{n.title}\n{n.text}\n{n.url}", url=n.url, urgent=True,
                                dedupe_key=f"supervisor|{n.kind}|{n.key}|{n.period}"))
    insert_rows(rows)


def run_sweep(now=None, holder=""):
    """Run every registered sweep once at `now`. Returns (sweep, new reminders):
    the reminders this sweep inserted (NewReminder views, by person and id),
    not those an earlier sweep had made already."""
    app = current_app._get_current_object()
    now = now or clock.now()
    ctx = SweepContext(now=now, calendar=working_calendar(), app=app)
    sweep = Sweep(at=now, started_at=clock.now(), holder=holder)
    db.session.add(sweep)
    db.session.commit()
    with _QueryCounter(db.engine) as counter, _cyclic_gc_paused():
        notices = []
        for fn in _sweeps(app):
            notices.extend(fn(ctx))
        units = named_rows(db.session.execute(select(Unit.id, Unit.parent_id, Unit.name, Unit.contact_email)))
        parents = {u.id: u.parent_id for u in units}
        by_id = {u.id: u for u in units}
        role_map = _role_map([roles.OFFICER, roles.LIAISON, roles.DEPT_HEAD, roles.LEADER])
        grace = timedelta(days=app.config["LANMU_ESCALATION_GRACE_DAYS"])
        on_duty = app.extensions.get("lanmu_on_duty")
        duty_ids = on_duty(now) if on_duty and any(n.severity == "veto" for n in notices) else []
        rows = []  # tuples in ROW_NAMES order
        sweep_id = sweep.id
        for n in notices:
            people = recipients(n, now, role_map, parents, grace)
            if n.severity == "veto":  # the people on duty hear of veto-level findings too
                have = {uid for _level, uid in people}
                people += [(0, uid) for uid in duty_ids if uid not in have]
            prefix, title = f"{n.kind}|{n.key}|{n.period}|{n.severity}|", n.title[:300]
            for level, user_id in people:
                rows.append((f"{prefix}{level}|{user_id}"[:255], user_id, sweep_id, n.kind, n.key, n.period, level,
                             n.severity, title, n.text, n.url, n.due_at, n.unit_id, now))
        _insert_ignore(Reminder.__table__, rows)
        _copy_supervisors(notices, now, grace, parents, by_id)
        db.session.flush()
        # which rows went in (the others were made by an earlier sweep): their ids only
        by_key = {r[0]: r for r in rows}
        make = NewReminder.from_row
        new = [make(id, by_key[key]) for id, key in db.session.execute(
            select(Reminder.id, Reminder.dedupe_key).where(Reminder.sweep_id == sweep.id)
            .order_by(Reminder.user_id, Reminder.id)).all()]
        for hook in app.extensions.get("lanmu_after_sweep", []):
            hook(new)
        from ..outbox.service import queue_digests
        queue_digests(sweep, new, urgent_kinds={n.kind for n in notices if n.urgent})
        sweep.duties = len(notices)
        sweep.created = len(new)
        sweep.finished_at = clock.now()
    sweep.queries = counter.count
    db.session.commit()
    return sweep, new


def sweep_summary(limit=20):
    return db.session.execute(select(Sweep).order_by(Sweep.id.desc()).limit(limit)).scalars().all()


def unread_count(user):
    return db.session.execute(select(func.count()).select_from(Reminder)
                              .where(Reminder.user_id == user.id, Reminder.read_at.is_(None))).scalar()

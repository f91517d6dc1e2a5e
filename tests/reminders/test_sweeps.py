"""The scheduler's sweeps (R-11, R-12, R-13, R-04, R-25), escalation (R-81),
idempotence and digests (R-83), at injected "now" values around holidays and
make-up working days."""
import threading
from datetime import datetime, timedelta

import pytest

from intranet.audit.models import AuditEntry
from intranet.clock import set_now
from intranet.extensions import db
from intranet.org.models import Unit, User
from intranet.outbox.models import OutboxMessage
from intranet.reminders.engine import run_sweep
from intranet.reminders.models import Reminder

from .helpers import make_column, one, publish, quiet_demo_columns, reminders_for


@pytest.fixture
def swept(demo):
    quiet_demo_columns()
    return demo


def sweep_at(app, when):
    set_now(app, when)
    return run_sweep(now=when)


def test_r11_every_n_working_days_counts_across_national_day(swept):
    # Last update Tuesday 2026-09-29; 5 working days later is Monday 10-12
    # (10-01..10-07 are holidays, Saturday 10-10 is a make-up working day).
    col = make_column("home5", rule=("every_n_workdays", 5, ""), published=[datetime(2026, 9, 29, 10)])
    _, new = sweep_at(swept, datetime(2026, 10, 7, 9))  # Monday–Friday counting would say overdue
    assert not [r for r in new if r.duty_key == f"column:{col.id}"]
    _, new = sweep_at(swept, datetime(2026, 10, 11, 9))  # due tomorrow: early warning
    mine = [r for r in new if r.duty_key == f"column:{col.id}"]
    assert [r.severity for r in mine] == ["warn"] and "10月12日" in mine[0].title
    _, new = sweep_at(swept, datetime(2026, 10, 13, 9))
    assert [r.severity for r in new if r.duty_key == f"column:{col.id}"] == ["overdue"]


def test_r11_per_week_warns_on_thursday_and_is_overdue_next_week(swept):
    # Week of Monday 2026-11-09: one update, the rule asks for two.
    col = make_column("twice", rule=("per_week", 2, ""), created=datetime(2026, 11, 9),
                      published=[datetime(2026, 11, 10, 9)])
    _, new = sweep_at(swept, datetime(2026, 11, 11, 9))  # Wednesday: not yet
    assert not [r for r in new if r.duty_key == f"column:{col.id}"]
    _, new = sweep_at(swept, datetime(2026, 11, 12, 9))  # Thursday
    assert [(r.severity, r.period) for r in new if r.duty_key == f"column:{col.id}"] == [("warn", "2026-W46")]
    _, new = sweep_at(swept, datetime(2026, 11, 16, 9))  # next Monday
    assert [(r.severity, r.period) for r in new if r.duty_key == f"column:{col.id}"] == [("overdue", "2026-W46")]
    publish(col, datetime(2026, 11, 16, 10))
    publish(col, datetime(2026, 11, 18, 10))
    _, new = sweep_at(swept, datetime(2026, 11, 19, 9))  # two this week: nothing for W47
    assert not [r for r in new if r.duty_key == f"column:{col.id}" and r.period == "2026-W47"]


def test_r11_per_month_counts_items(swept):
    col = make_column("monthly20", rule=("per_month", 20, ""),
                      published=[datetime(2026, 10, d, 9) for d in range(1, 21)])  # 20 in October
    _, new = sweep_at(swept, datetime(2026, 11, 2, 9))
    assert not [r for r in new if r.duty_key == f"column:{col.id}" and r.severity == "overdue"]
    _, new = sweep_at(swept, datetime(2026, 11, 20, 9))
    assert [r.severity for r in new if r.duty_key == f"column:{col.id}"] == ["warn"]
    _, new = sweep_at(swept, datetime(2026, 12, 1, 9))
    assert [(r.severity, r.period) for r in new if r.duty_key == f"column:{col.id}"] == [("overdue", "2026-11")]


def test_r11_yearly_before_summer_holiday(swept):
    col = make_column("summer", rule=("yearly_before", None, "07-01"), created=datetime(2025, 1, 1),
                      published=[datetime(2025, 6, 20, 9)])
    _, new = sweep_at(swept, datetime(2026, 6, 10, 9))
    assert [r.severity for r in new if r.duty_key == f"column:{col.id}"] == []
    _, new = sweep_at(swept, datetime(2026, 6, 20, 9))
    assert [r.severity for r in new if r.duty_key == f"column:{col.id}"] == ["warn"]
    _, new = sweep_at(swept, datetime(2026, 7, 2, 9))
    assert [r.severity for r in new if r.duty_key == f"column:{col.id}"] == ["overdue"]


def test_r11_twice_a_year_on_fixed_dates(swept):
    col = make_column("fixed", rule=("fixed_dates", None, "01-10, 07-10"), created=datetime(2025, 1, 1),
                      published=[datetime(2026, 1, 8, 9)])
    _, new = sweep_at(swept, datetime(2026, 7, 5, 9))
    assert [r.severity for r in new if r.duty_key == f"column:{col.id}"] == ["warn"]
    publish(col, datetime(2026, 7, 9, 9))
    _, new = sweep_at(swept, datetime(2026, 7, 12, 9))
    assert not [r for r in new if r.duty_key == f"column:{col.id}" and r.severity == "overdue"]


def test_r12_news_column_warned_at_10_days_and_stale_at_14(swept):
    col = make_column("news2", staleness="news", published=[datetime(2026, 11, 1, 9)])
    _, new = sweep_at(swept, datetime(2026, 11, 10, 9))
    assert not [r for r in new if r.duty_key == f"column:{col.id}"]
    _, new = sweep_at(swept, datetime(2026, 11, 11, 10))
    assert [r.severity for r in new if r.duty_key == f"column:{col.id}"] == ["warn"]
    _, new = sweep_at(swept, datetime(2026, 11, 15, 10))
    mine = [r for r in new if r.duty_key == f"column:{col.id}"]
    assert [r.severity for r in mine] == ["veto"] and "14天" in mine[0].title


def test_r12_notice_column_line_is_six_months(swept):
    col = make_column("notice6", staleness="notice", published=[datetime(2026, 5, 1, 9)])
    _, new = sweep_at(swept, datetime(2026, 9, 1, 9))
    assert not [r for r in new if r.duty_key == f"column:{col.id}"]
    _, new = sweep_at(swept, datetime(2026, 11, 1, 9))
    assert [r.severity for r in new if r.duty_key == f"column:{col.id}" and r.level == 0] == ["overdue"]


def test_r12_blank_column_is_reported(swept):
    col = make_column("blank", staleness="news", created=datetime(2026, 11, 1))
    _, new = sweep_at(swept, datetime(2026, 11, 10, 9))
    mine = [r for r in new if r.duty_key == f"column:{col.id}" and r.level == 0]
    assert [r.kind for r in mine] == ["column_blank"] and "空白栏目" in mine[0].title


def test_r12_homepage_line_is_two_weeks(swept):
    # The demo's newest sample item was published on 2026-11-20.
    _, new = sweep_at(swept, datetime(2026, 11, 30, 12))
    assert [r.severity for r in new if r.kind == "site_homepage" and r.level == 0] == ["warn"]
    _, new = sweep_at(swept, datetime(2026, 12, 5, 12))
    assert [r.severity for r in new if r.kind == "site_homepage" and r.level == 0] == ["veto"]
    make_column("fresh", published=[datetime(2026, 12, 6, 9)])
    _, new = sweep_at(swept, datetime(2026, 12, 7, 9))
    assert not [r for r in new if r.kind == "site_homepage"]


def test_r81_escalation_to_head_then_leader_after_grace(swept):
    col = make_column("esc", staleness="news", published=[datetime(2026, 11, 1, 9)])
    key = f"column:{col.id}"
    sweep_at(swept, datetime(2026, 11, 15, 10))  # stale since 11-15 09:00
    assert {r.user.username for r in reminders_for(key) if r.severity == "veto"} == {"officer"}
    sweep_at(swept, datetime(2026, 11, 17, 10))  # 2 days later: the head
    assert ("head", 1) in {(r.user.username, r.level) for r in reminders_for(key)}
    assert "leader" not in {r.user.username for r in reminders_for(key)}
    sweep_at(swept, datetime(2026, 11, 19, 10))  # 4 days later: the leader in charge
    assert ("leader", 2) in {(r.user.username, r.level) for r in reminders_for(key)}
    # The officer was reminded once for this stale period, not once per sweep.
    assert len(reminders_for(key, "officer")) == 1


def test_r81_escalation_finds_the_head_of_the_parent_unit(swept):
    # A community club has an officer but no head: its district's head answers.
    col = make_column("club", unit="sc-hubin", staleness="news", published=[datetime(2026, 11, 1, 9)])
    sweep_at(swept, datetime(2026, 11, 15, 10))
    sweep_at(swept, datetime(2026, 11, 18, 10))
    assert ("sc_head", 1) in {(r.user.username, r.level) for r in reminders_for(f"column:{col.id}")}


def test_r83_the_same_sweep_twice_creates_nothing_new(swept):
    make_column("dup", staleness="news", published=[datetime(2026, 11, 1, 9)])
    first, new = sweep_at(swept, datetime(2026, 11, 15, 10))
    assert new
    outbox_before = db.session.query(OutboxMessage).count()
    second, again = sweep_at(swept, datetime(2026, 11, 15, 10))
    assert again == [] and second.created == 0
    assert db.session.query(OutboxMessage).count() == outbox_before


def test_r83_one_digest_per_person_and_channel(swept):
    make_column("d1", staleness="news", published=[datetime(2026, 11, 1, 9)])
    make_column("d2", staleness="news", published=[datetime(2026, 11, 1, 9)])
    make_column("d3", staleness="news", created=datetime(2026, 10, 1))
    sweep, new = sweep_at(swept, datetime(2026, 11, 15, 10))
    officer = one(User, username="officer")
    mine = [r for r in new if r.user_id == officer.id]
    assert len(mine) >= 3
    rows = db.session.execute(db.select(OutboxMessage).filter_by(user_id=officer.id)).scalars().all()
    assert sorted(r.channel for r in rows) == ["email", "wecom"]
    for r in rows:
        for reminder in mine:
            assert reminder.title in r.text
    assert "栏目d1" in rows[0].subject or f"{len(mine)}项" in rows[0].subject


def test_r82_person_without_wecom_still_gets_email(swept):
    officer = one(User, username="officer")
    officer.wecom_userid = None
    db.session.commit()
    make_column("nowecom", staleness="news", published=[datetime(2026, 11, 1, 9)])
    sweep_at(swept, datetime(2026, 11, 15, 10))
    rows = db.session.execute(db.select(OutboxMessage).filter_by(user_id=officer.id)).scalars().all()
    assert [r.channel for r in rows] == ["email"]
    assert reminders_for(next(iter({r.duty_key for r in db.session.query(Reminder)})))  # in-app always


def test_r82_quiet_hours_hold_until_morning_unless_urgent(swept):
    make_column("late", staleness="news", published=[datetime(2026, 11, 1, 9)])  # warn at 11-11
    sweep_at(swept, datetime(2026, 11, 11, 23, 0))
    rows = db.session.execute(db.select(OutboxMessage)).scalars().all()
    assert rows and all(r.next_attempt_at == datetime(2026, 11, 12, 8, 0) for r in rows)
    # A veto-level finding is urgent: it goes out at once.
    make_column("blank-urgent", staleness="news", created=datetime(2026, 10, 1))
    sweep_at(swept, datetime(2026, 11, 11, 23, 30))
    urgent = db.session.execute(db.select(OutboxMessage).filter_by(urgent=True)).scalars().all()
    assert urgent and all(r.next_attempt_at == datetime(2026, 11, 11, 23, 30) for r in urgent)


def test_r13_unit_loses_portal_link_after_three_months_and_gets_it_back(swept):
    col = make_column("xh-only", unit="xh-office", created=datetime(2026, 1, 1), published=[datetime(2026, 6, 1, 9)])
    unit = one(Unit, code="xh-office")
    sweep_at(swept, datetime(2026, 8, 1, 9))
    db.session.refresh(unit)
    assert not unit.portal_link_hidden  # two months: still linked
    _, new = sweep_at(swept, datetime(2026, 9, 5, 9))
    db.session.refresh(unit)
    assert unit.portal_link_hidden
    assert any(r.kind == "portal_link" for r in new)
    assert db.session.execute(db.select(AuditEntry).filter_by(action="portal_link_hidden")).scalar_one()
    publish(col, datetime(2026, 9, 6, 9))
    sweep_at(swept, datetime(2026, 9, 6, 10))
    db.session.refresh(unit)
    assert not unit.portal_link_hidden
    assert db.session.execute(db.select(AuditEntry).filter_by(action="portal_link_restored")).scalar_one()


def test_r04_password_expiry_is_reminded_seven_days_ahead(swept):
    user = one(User, username="head")
    user.password_changed_at = datetime(2026, 8, 20, 9)  # expires 11-18
    db.session.commit()
    _, new = sweep_at(swept, datetime(2026, 11, 10, 9))
    assert not [r for r in new if r.kind == "password"]
    _, new = sweep_at(swept, datetime(2026, 11, 12, 9))
    assert [(r.user.username, r.severity) for r in new if r.kind == "password"] == [("head", "warn")]


def test_r25_expired_items_are_reminded(swept):
    col = make_column("exp")
    item = publish(col, datetime(2026, 11, 1, 9))
    item.expires_at = datetime(2026, 11, 20, 0, 0)
    db.session.commit()
    _, new = sweep_at(swept, datetime(2026, 11, 21, 9))
    assert [r.kind for r in new if r.duty_key == f"item:{item.id}"] == ["item_expired"]


def test_r80_sweep_query_count_does_not_grow_with_columns(swept):
    for i in range(5):
        make_column(f"q{i}", staleness="news", published=[datetime(2026, 11, 1, 9)])
    small, _ = sweep_at(swept, datetime(2026, 11, 15, 10))
    for i in range(5, 40):
        make_column(f"q{i}", staleness="news", published=[datetime(2026, 11, 2, 9)])
    large, _ = sweep_at(swept, datetime(2026, 11, 16, 10))
    assert large.queries == small.queries


def test_r80_cli_sweep_prints_one_line_per_reminder_and_a_summary(swept):
    make_column("cli", staleness="news", published=[datetime(2026, 11, 1, 9)])
    result = swept.test_cli_runner().invoke(args=["scheduler", "sweep", "--now", "2026-11-15T10:00"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[-1].startswith("sweep ") and "reminders created" in lines[-1]
    assert any("column_stale" in line and "officer" in line for line in lines[:-1])
    created = int(lines[-1].split("duties, ")[1].split(" ")[0])
    assert created == len(lines) - 1
    again = swept.test_cli_runner().invoke(args=["scheduler", "sweep", "--now", "2026-11-15T10:00"])
    assert " 0 reminders created" in again.output


def test_r83_two_schedulers_at_once_sweep_once(swept, make_app):
    """Two scheduler processes: the lease lets one sweep; even if both sweep,
    the dedupe keys keep one reminder per duty, period and person."""
    from intranet.reminders.lease import acquire
    make_column("race", staleness="news", published=[datetime(2026, 11, 1, 9)])
    db.session.remove()
    apps = [make_app(), make_app()]
    results, errors = {}, []
    barrier = threading.Barrier(2)

    def scheduler(i):
        try:
            with apps[i].app_context():
                set_now(apps[i], datetime(2026, 11, 15, 10))
                barrier.wait()
                results[i] = acquire(f"node{i}", now=datetime(2026, 11, 15, 10))
                barrier.wait()
                run_sweep(now=datetime(2026, 11, 15, 10), holder=f"node{i}")
                db.session.remove()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
    threads = [threading.Thread(target=scheduler, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert sorted(results.values()) == [False, True]
    keys = [r.dedupe_key for r in db.session.execute(db.select(Reminder)).scalars()]
    assert keys and len(keys) == len(set(keys))
    digests = db.session.execute(db.select(OutboxMessage)).scalars().all()
    per_user_channel = {}
    for d in digests:
        per_user_channel.setdefault((d.user_id, d.channel), set()).add(d.text)
    # Nobody is told the same thing twice.
    for texts in per_user_channel.values():
        lines = [line for t in texts for line in t.splitlines() if line[:1].isdigit()]
        assert len(lines) == len(set(line.split(". ", 1)[1] for line in lines))


def test_r80_lease_expires_when_holder_dies(swept):
    from intranet.reminders.lease import acquire
    t = datetime(2026, 11, 15, 10)
    assert acquire("a", seconds=60, now=t)
    assert not acquire("b", seconds=60, now=t + timedelta(seconds=30))
    assert acquire("a", seconds=60, now=t + timedelta(seconds=30))  # renewal
    assert acquire("b", seconds=60, now=t + timedelta(seconds=120))


def test_r81_veto_duty_is_copied_to_the_supervising_units_contact(swept):
    # 湖滨社区 is supervised by 上城区办: its contact is copied once the veto is past the grace period.
    col = make_column("veto-copy", unit="sc-hubin", staleness="news", published=[datetime(2026, 11, 1, 9)])
    sweep_at(swept, datetime(2026, 11, 15, 10))
    copies = lambda: db.session.execute(db.select(OutboxMessage).filter(  # noqa: E731
        OutboxMessage.recipient == "sc-office@example.gov.cn")).scalars().all()
    assert copies() == []
    sweep_at(swept, datetime(2026, 11, 17, 10))
    sweep_at(swept, datetime(2026, 11, 18, 10))
    rows = copies()
    assert len(rows) == 1 and rows[0].user_id is None and f"栏目{col.slug}" in rows[0].text
    assert "抄送" in rows[0].subject


def test_r80_the_sweep_pauses_the_cycle_collector_and_restores_it(swept):
    """run_sweep turns Python's cycle collector off while it works (a first
    sweep keeps 10^6 objects alive) and puts it back as it was, also when a
    sweep fails."""
    import gc

    from intranet.reminders.engine import register_sweep
    seen = []
    register_sweep(swept, lambda ctx: seen.append(gc.isenabled()) or [])
    assert gc.isenabled()
    sweep_at(swept, datetime(2026, 11, 15, 10))
    assert seen == [False] and gc.isenabled()
    gc.disable()
    try:
        sweep_at(swept, datetime(2026, 11, 15, 11))
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()

    def broken(ctx):
        raise RuntimeError("a sweep failed")
    register_sweep(swept, broken)
    with pytest.raises(RuntimeError):
        sweep_at(swept, datetime(2026, 11, 15, 12))
    db.session.rollback()
    assert gc.isenabled()

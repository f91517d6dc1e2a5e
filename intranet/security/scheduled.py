"""What the scheduler does for security operations: reminders for incidents
not reported within 24 hours (R-97) and unsigned responsibility letters
(R-98), the daily backup (R-96) and audit retention (R-95). The people on duty
(R-99) hear of incidents and veto-level findings first."""

from pathlib import Path

from flask import current_app

from .. import clock
from ..reminders.engine import Notice


def sweep_incidents(ctx):
    from .duty import alert_recipients
    from .incidents import incidents_due
    due = incidents_due(ctx.now)
    if not due:
        return []
    people = [u.id for u in alert_recipients(ctx.now)]
    notices = []
    for inc in due:
        overdue = inc.report_due_at <= ctx.now
        notices.append(Notice(
            kind="incident_report", key=f"incident:{inc.id}", period="report",
            severity="veto" if overdue else "warn",
            title=(f"安全事件“{inc.title}”已超过24小时未上报" if overdue else
                   f"安全事件“{inc.title}”须在{inc.report_due_at:%m月%d日%H:%M}前上报主管部门"),
            text="请按《信息安全责任书》要求在24小时内向主管部门报告，并在系统中登记上报情况。",
            url=ctx.link("security.incident", incident_id=inc.id), due_at=inc.report_due_at,
            unit_id=inc.unit_id, users=people, overdue_since=inc.report_due_at if overdue else None, urgent=True))
    return notices


def sweep_letters(ctx):
    """Weekly, from the first of February, to the heads of units that have not
    signed this year's responsibility letter (R-98)."""
    from .letters import unsigned_letters
    if ctx.now.month == 1:
        return []
    iso = ctx.now.isocalendar()
    notices = []
    for row in unsigned_letters(ctx.now.year):
        if not row["heads"]:
            continue
        notices.append(Notice(
            kind="letter_unsigned", key=f"letter:{row['unit'].id}:{ctx.now.year}", period=f"{iso[0]}-W{iso[1]:02d}",
            severity="warn", title=f"“{row['unit'].name}”尚未签署{ctx.now.year}年度信息安全责任书",
            url=ctx.link("security.letters"), unit_id=row["unit"].id, users=[u.id for u in row["heads"]]))
    return notices


def daily_backup():
    from .. import backup
    from ..extensions import db
    directory = Path(backup.backup_dir())
    directory.mkdir(parents=True, exist_ok=True)
    path = backup.create(now=clock.now())
    backup.prune(directory, current_app.config["LANMU_BACKUP_KEEP"])
    db.session.commit()
    current_app.logger.info("daily backup written to %s", path)


def daily_audit_prune():
    from .. import audit
    from ..extensions import db
    audit.prune(clock.now())
    db.session.commit()


def on_duty_ids(now):
    from .duty import on_duty
    return [u.id for u in on_duty(now)]


def init_app(app):
    from ..reminders.engine import register_scheduler_task, register_sweep
    register_sweep(app, sweep_incidents)
    register_sweep(app, sweep_letters)
    register_scheduler_task(app, "backup", daily_backup, cron={"hour": 2, "minute": 30})
    register_scheduler_task(app, "audit-prune", daily_audit_prune, cron={"hour": 3, "minute": 10})
    app.extensions["lanmu_on_duty"] = on_duty_ids



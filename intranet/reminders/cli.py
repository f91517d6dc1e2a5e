"""`flask --app wsgi scheduler run|sweep` and `flask --app wsgi outbox run|send`."""
import os
import socket
import time
from datetime import datetime

import click
from flask import current_app
from flask.cli import AppGroup

from .. import clock

scheduler_cli = AppGroup("scheduler", help="提醒调度：按计划扫描到期和超期事项")
outbox_cli = AppGroup("outbox", help="发送队列：投递企业微信和邮件提醒")


def _holder():
    return f"{socket.gethostname()}:{os.getpid()}"


@scheduler_cli.command("sweep")
@click.option("--now", "now_text", help="按此时间扫描（ISO 格式，如 2026-10-09T09:00），默认当前时间")
def sweep_command(now_text):
    """Run every sweep once and print one line per reminder created."""
    from .engine import run_sweep
    now = datetime.fromisoformat(now_text) if now_text else None
    if now is not None:
        clock.set_now(current_app, now)
    sweep, new = run_sweep(now=now, holder=_holder())
    for r in new:
        click.echo(f"{r.kind}\t{r.duty_key}\t{r.period}\tL{r.level}\t{r.user.username}\t{r.severity}\t{r.title}")
    click.echo(f"sweep {sweep.id} at {sweep.at:%Y-%m-%dT%H:%M}: {sweep.duties} duties, "
               f"{sweep.created} reminders created, {sweep.queries} queries")


@scheduler_cli.command("run")
@click.option("--interval", default=None, type=int, help="扫描间隔（分钟）")
def run_command(interval):
    """The scheduler process (APScheduler BlockingScheduler; never inside web workers)."""
    from apscheduler.schedulers.blocking import BlockingScheduler
    from .engine import run_sweep
    from .lease import acquire
    app = current_app._get_current_object()
    holder = _holder()
    minutes = interval or app.config["LANMU_SWEEP_MINUTES"]

    lease_seconds = max(minutes * 60 * 2, 300)

    def holding_lease(fn, name):
        def run():
            with app.app_context():
                try:
                    if acquire(holder, seconds=lease_seconds):
                        fn()
                except Exception:  # one failed run must not stop the scheduler
                    app.logger.exception("scheduler task %s failed", name)
        return run

    def sweep():
        result, _new = run_sweep(holder=holder)
        app.logger.info("sweep %s: %s reminders", result.id, result.created)

    scheduler = BlockingScheduler(timezone=app.config["LANMU_TIMEZONE"])
    scheduler.add_job(holding_lease(sweep, "sweep"), "interval", minutes=minutes, next_run_time=datetime.now(),
                      max_instances=1, coalesce=True, id="sweep")
    for name, (fn, seconds, cron) in app.extensions.get("lanmu_scheduler_tasks", {}).items():
        if cron:
            scheduler.add_job(holding_lease(fn, name), "cron", max_instances=1, coalesce=True, id=name, **cron)
        else:
            scheduler.add_job(holding_lease(fn, name), "interval", seconds=seconds or 60, max_instances=1,
                              coalesce=True, id=name)
    click.echo(f"scheduler {holder}: sweeping every {minutes} minutes (Ctrl-C to stop)")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass


@outbox_cli.command("send")
def send_command():
    """Deliver what is due once, then exit."""
    from ..outbox.service import dispatch_once
    total = {"sent": 0, "failed": 0, "retry": 0}
    while True:
        counts = dispatch_once()
        for k in total:
            total[k] += counts[k]
        if sum(counts.values()) == 0:
            break
    click.echo(f"sent {total['sent']}, failed {total['failed']}, retry later {total['retry']}")


@outbox_cli.command("run")
@click.option("--idle", default=5.0, help="队列为空时的等待秒数")
def outbox_run_command(idle):
    """The dispatcher loop; several may run at once."""
    from ..outbox.service import dispatch_once
    click.echo(f"outbox dispatcher {_holder()} started (Ctrl-C to stop)")
    try:
        while True:
            counts = dispatch_once()
            if sum(counts.values()) == 0:
                time.sleep(idle)
    except KeyboardInterrupt:
        pass

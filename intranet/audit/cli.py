"""`flask --app wsgi audit verify` and `flask --app wsgi audit prune`."""
import click
from flask.cli import AppGroup

from .. import audit
from ..extensions import db

cli = AppGroup("audit", help="审计日志：校验哈希链、清理过期记录")


@cli.command("verify")
def verify_command():
    """Check the hash chain; exit status 1 and the first broken entry when broken."""
    report = audit.verify_report()
    if report["ok"]:
        click.echo(f"审计日志完整：共校验{report['checked']}条记录，最后一条编号{report['last_id']}，"
                   f"哈希{report['last_hash']}")
        return
    click.echo(f"审计日志被篡改：第一处断链在记录编号{report['broken_id']}（此前{report['checked']}条完好）。"
               f"{report['reason']}", err=True)
    raise SystemExit(1)


@cli.command("prune")
@click.option("--days", type=int, default=None, help="保留天数（默认取系统设置；不少于60天）")
def prune_command(days):
    """Delete entries past the retention period, keeping the chain verifiable."""
    n = audit.prune(days=days)
    db.session.commit()
    click.echo(f"已清理{n}条过期审计日志。" if n else "没有需要清理的审计日志（保留期为永久或没有过期记录）。")

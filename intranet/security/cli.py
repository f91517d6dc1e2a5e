"""`flask --app wsgi security ...`: recovery from a wrong office-network
allow-list (R-05) when nobody can reach the settings page any more."""
import click
from flask.cli import AppGroup

from ..extensions import db
from . import settings
from .hardening import parse_networks

cli = AppGroup("security", help="安全设置：办公网络白名单等")


@cli.command("networks")
@click.option("--set", "networks", multiple=True, help="允许访问后台的网段（CIDR），可多次指定")
@click.option("--clear", is_flag=True, help="清空白名单（不限制访问地址）")
def networks_command(networks, clear):
    """Show or change the office networks allowed into the back office."""
    if clear or networks:
        new = [] if clear else list(networks)
        try:
            parse_networks(tuple(new))
        except ValueError as exc:
            raise click.ClickException(f"网段格式不正确：{exc}") from None
        settings.put("admin_networks", new)
        db.session.commit()
    current = settings.get("admin_networks") or []
    click.echo("后台访问白名单：" + ("、".join(current) if current else "（未限制）"))

"""`flask --app wsgi workdays due DATE N`: the date N working days after DATE,
one line, ISO date, followed by ` provisional` when the Monday-Friday fallback
was used (R-61)."""
from datetime import date

import click
from flask.cli import AppGroup

from .calendar import format_due_line

workdays_cli = AppGroup("workdays", help="工作日历（R-61）：计算期限、查看数据覆盖的年份。")


def _iso_date(_ctx, _param, value):
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"日期格式应为 YYYY-MM-DD：{value}") from None


@workdays_cli.command("due")
@click.argument("start", callback=_iso_date, metavar="DATE")
@click.argument("n", type=click.IntRange(min=0))
def due_command(start, n):
    """Print the date N working days after DATE (DATE itself never counts)."""
    from .service import calendar
    try:
        due = calendar().add_workdays(start, n)
    except OverflowError:
        raise click.ClickException("超出可计算的日期范围") from None
    click.echo(format_due_line(due))


@workdays_cli.command("years")
def years_command():
    """List the coming years whose deadlines would be provisional."""
    from .service import years_without_data
    missing = years_without_data(ahead=2)
    if missing:
        click.echo("以下年份没有工作日数据，期限将按周一至周五暂定计算：" + "、".join(str(y) for y in missing))
    else:
        click.echo("今后两年的工作日数据齐全。")

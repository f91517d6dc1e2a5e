"""`flask --app wsgi check FILE` and `flask --app wsgi checks ...`."""
import sys

import click
from flask.cli import AppGroup, with_appcontext
from sqlalchemy.exc import SQLAlchemyError

checks_cli = AppGroup("checks", help="内容检查：词库、链接检查")


def _site_id(code):
    if not code:
        return None
    from ..extensions import db
    from ..sites.models import Site
    site = db.session.execute(db.select(Site).filter_by(code=code)).scalar()
    if site is None:
        raise click.ClickException(f"没有代码为“{code}”的网站")
    return site.id


def cli_lexicon(site_code=None):
    """The database lexicon (global words, plus the site's with --site) when
    the database is there; the starter lexicon when it is not (no tables yet,
    or no database at all)."""
    from ..extensions import db
    from .lexicon import LexiconMatcher
    from .service import get_lexicon
    try:
        return get_lexicon(_site_id(site_code))
    except SQLAlchemyError:
        db.session.rollback()
        return LexiconMatcher.starter()


@click.command("check")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--site", "site_code", help="网站代码：同时使用该网站自己的词库")
@with_appcontext
def check_command(path, site_code):
    """Run every text check on a UTF-8 text or HTML file.

    Prints one JSON object per finding (kind, category, severity, start, end,
    text, suggestion), then a summary line. Exit status 0: no blocking
    finding; 1: at least one; 2: the file could not be read as UTF-8."""
    from .. import clock
    from .runner import cli_check
    lines, code = cli_check(path, cli_lexicon(site_code), today=clock.today())
    for line in lines:
        click.echo(line)
    sys.exit(code)


@checks_cli.command("links")
@click.option("--items", type=int, default=None, help="本次最多扫描多少条有变化的信息")
@click.option("--urls", type=int, default=None, help="本次最多检查多少个链接")
@click.option("--rescan", is_flag=True, help="重新扫描所有信息的链接（如修改了外部链接白名单）")
@click.option("--until-done", is_flag=True, help="反复执行，直到没有待扫描的信息和待检查的链接")
@with_appcontext
def links_command(items, urls, rescan, until_done):
    """Run the background link check now (R-52)."""
    from ..extensions import db
    from .linkjob import run_link_check
    from .models import ItemLinkScan
    if rescan:
        db.session.execute(db.delete(ItemLinkScan))
        db.session.commit()
    total = {"scanned": 0, "checked": 0, "dead": 0}
    while True:
        result = run_link_check(items=items, urls=urls)
        for k in total:
            total[k] += result[k]
        if not until_done or (result["scanned"] == 0 and result["checked"] == 0):
            break
    click.echo(f"扫描信息{total['scanned']}条，检查链接{total['checked']}个，其中无法访问{total['dead']}个。")


@checks_cli.command("lexicon-init")
@with_appcontext
def lexicon_init_command():
    """Load the starter lexicon into the database (once)."""
    from ..extensions import db
    from .service import ensure_starter_lexicon
    added = ensure_starter_lexicon()
    db.session.commit()
    click.echo(f"已载入基础词库{added}条。" if added else "基础词库此前已载入，未做改动。")


@checks_cli.command("lexicon-import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--site", "site_code", help="导入到该网站的词库（默认全局词库）")
@click.option("--category", "default_category", default="sensitive", show_default=True,
              type=click.Choice(["sensitive", "banned", "typo", "nonstandard"]), help="未写类别的行按此类别")
@with_appcontext
def lexicon_import_command(path, site_code, default_category):
    """Import a lexicon file (.txt/.csv UTF-8 or .xlsx); bad lines are reported and skipped."""
    from ..extensions import db
    from .lexicon import parse_lexicon_file
    from .service import import_words
    parsed = parse_lexicon_file(path, default_category=default_category)
    outcome = import_words(parsed.entries, site_id=_site_id(site_code), user=None, errors=parsed.errors)
    db.session.commit()
    for _line, message in outcome.errors:
        click.echo(message, err=True)
    click.echo(f"新增{outcome.added}条，更新{outcome.updated}条，未变{outcome.unchanged}条，"
               f"未导入{len(outcome.errors)}行。")


@checks_cli.command("lexicon-export")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@click.option("--site", "site_code", help="导出该网站的词库（默认全局词库）")
@with_appcontext
def lexicon_export_command(path, site_code):
    """Export the enabled words of a lexicon (.xlsx by extension, else text)."""
    from .lexicon import export_lexicon_text, export_lexicon_xlsx
    from .service import words_in_scope
    entries = words_in_scope(_site_id(site_code))
    if path.lower().endswith(".xlsx"):
        with open(path, "wb") as fh:
            fh.write(export_lexicon_xlsx(entries))
    else:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(export_lexicon_text(entries))
    click.echo(f"已导出{len(entries)}条到 {path}")


def register(app):
    app.cli.add_command(check_command)
    app.cli.add_command(checks_cli)

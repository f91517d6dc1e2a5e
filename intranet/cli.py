"""Command-line entry points: `flask --app wsgi demo` and friends. Feature CLIs
register themselves here."""
import click
from flask.cli import with_appcontext

from .extensions import db


def register_cli(app):
    from .reminders.cli import outbox_cli, scheduler_cli
    app.cli.add_command(scheduler_cli)
    app.cli.add_command(outbox_cli)
    from .checks.cli import register as register_checks_cli
    register_checks_cli(app)

    @app.cli.command("demo")
    @with_appcontext
    def demo_command():
        """Load the demo site of R-14 (idempotent) and print the demo accounts."""
        from .demo import data, load_demo
        created = load_demo()
        from .checks.service import ensure_starter_lexicon
        words = ensure_starter_lexicon()
        db.session.commit()
        if words:
            click.echo(f"已载入基础词库{words}条（内容检查）。")
        click.echo(f"演示数据已就绪：新建单位{created['units']}个、人员{created['users']}个、"
                   f"栏目{created['columns']}个、信息{created['items']}条、留言{created['messages']}条（已存在的不会重复创建）。")
        click.echo(f"演示账号（密码均为 {data.DEMO_PASSWORD}）：")
        from .org import roles
        for username, name, memberships in data.USERS:
            labels = "、".join(roles.LABELS[r] for _u, r in memberships)
            click.echo(f"  {username:<14} {name}（{labels}）")

    @app.cli.command("create-admin")
    @click.argument("username")
    @click.password_option()
    @with_appcontext
    def create_admin(username, password):
        """Create a system administrator (first start without the demo)."""
        from . import clock
        from .auth import policy
        from .org import roles
        from .org.models import RoleAssignment, Unit, User
        errors = policy.strength_errors(password, username)
        if errors:
            raise click.ClickException("；".join(errors))
        unit = db.session.execute(db.select(Unit).filter_by(parent_id=None)).scalar()
        if unit is None:
            unit = Unit(code="root", name="本单位", kind="city")
            db.session.add(unit)
            db.session.flush()
        user = User(username=username, name=username, password_hash="", password_changed_at=clock.now())
        db.session.add(user)
        db.session.flush()
        policy.set_password(user, password)
        db.session.add(RoleAssignment(user_id=user.id, unit_id=unit.id, role=roles.SYSADMIN))
        db.session.commit()
        click.echo(f"已创建系统管理员 {username}")

"""Mailbox columns (互动交流: 在线咨询, 局长信箱, 投诉举报, 意见建议): one type, the
kind is a setting of the column. The public writes (R-70), the body answers
within its deadlines (R-71), answers are published masked unless private
(R-72), and no message stays unanswered unseen (R-73).

Unlike the other types, a mailbox column holds messages, not items: the
plugin keeps its own tables (models.py), public pages (public.py), staff pages
(staff.py), the reply's review (review.py) and the deadline queries other
features call (service.py)."""
from intranet.columntypes import ColumnType, ExtraField
from intranet.signals import handing_over
from intranet.sites import update_rules

from .models import KINDS, REPLY_CHAINS


class MailboxType(ColumnType):
    id = "mailbox"
    label = "互动交流"
    description = "在线咨询、局长信箱、投诉举报、意见建议：公众来信，限时办理答复"
    has_items = False
    required = ()
    body_required = False
    default_rule = (update_rules.TIMELY, None, "")
    default_staleness = "none"
    list_template = "mailbox/list.html"
    settings_fields = [
        ExtraField("kind", "信箱类别", "select", default="consult", choices=list(KINDS.items())),
        ExtraField("reply_workdays", "答复期限（工作日）", "int", default=5, help="自接件之日起，默认5个工作日"),
        ExtraField("transfer_workdays", "转交期限（工作日）", "int", default=3, help="不属于本单位办理的，自接件之日起，默认3个工作日内转交"),
        ExtraField("escalation_workdays", "逐级请示期限（工作日）", "int", default=5),
        ExtraField("reply_review", "答复审核流程", "select", default="head_leader",
                   choices=list(REPLY_CHAINS.items()),
                   help="答复经审核后才告知来信人并公开；承办单位没有相应人员时，由上级单位的相应人员审核"),
        ExtraField("publish_replies", "公开答复", "select", default="yes",
                   choices=[("yes", "答复审核通过后与来信一并公开（来信人要求不公开的除外）"), ("no", "不公开")]),
        ExtraField("intro", "栏目说明", "textarea", default="", help="显示在公众写信页面上方"),
    ]

    def deadlines(self, message, calendar=None):
        from .models import Message
        from .service import duties
        return duties(message, calendar) if isinstance(message, Message) else []

    def metrics(self, column):
        from .service import column_metrics
        return column_metrics(column)

    def public_messages(self, column, page=1):
        from .service import public_messages
        return public_messages(column, page)

    def kind_label(self, column):
        return KINDS.get(self.setting(column, "kind"), "")


def _sweep_message_deadlines(ctx):
    from .deadline_sweep import sweep_message_deadlines
    return sweep_message_deadlines(ctx)


def _sweep_waiting_reply_steps(ctx):
    from .deadline_sweep import sweep_waiting_reply_steps
    return sweep_waiting_reply_steps(ctx)


# picked up by the reminders engine (intranet.reminders)
sweeps = [_sweep_message_deadlines, _sweep_waiting_reply_steps]


def _on_handing_over(sender, old, new, **kwargs):
    from .review import hand_over_reply_steps
    return hand_over_reply_steps(sender, old, new, **kwargs)


handing_over.connect(_on_handing_over)  # open reply review steps go to the successor


def _reply_timeliness(start, end):
    from .service import reply_timeliness
    return reply_timeliness(start, end)


def _unanswered_messages(at, received_before, site_id=None):
    from .service import unanswered_messages
    return unanswered_messages(at, received_before, site_id)


# picked up by intranet.assessment (R-92 reports) and intranet.health (R-93 veto line)
assessment_providers = {"reply_timeliness": _reply_timeliness, "unanswered_messages": _unanswered_messages}


def _search_public_messages(site, words, limit):
    from .service import search_public_messages
    return search_public_messages(site, words, limit)


def register(registry):
    from . import demo, staff
    registry.register(MailboxType)
    registry.add_hook("nav", ("互动留言", "mailbox_staff.index", lambda user: True))
    registry.add_hook("dashboard_panel", staff.dashboard_panel)
    registry.add_hook("demo", demo.load)
    registry.add_hook("public_search", _search_public_messages)


def __getattr__(name):
    # The public and staff blueprints, loaded lazily so importing the models
    # (migrations) does not import the views.
    if name == "blueprint":
        from .public import bp
        return bp
    if name == "admin_blueprint":
        from .staff import bp
        return bp
    raise AttributeError(name)

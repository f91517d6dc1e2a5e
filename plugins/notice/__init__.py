"""Notice columns (通知公告): notices, announcements, public listings (公示),
with an optional validity period. Once the period ends the notice is shown as
no longer valid (失效) and a duty asks the column's officers to withdraw it or
confirm it stays (定期清理过期作废信息, R-25). Default update rule: timely; staleness
line: 6 months (R-12, notices/policy columns)."""
from datetime import datetime, time

from intranet import clock
from intranet.columntypes import ColumnType, Duty, ExtraField
from intranet.sites import update_rules


class NoticeType(ColumnType):
    id = "notice"
    label = "通知公告"
    description = "通知、公告、公示等，可设有效期"
    extra_fields = [
        ExtraField("valid_from", "生效日期", "date", help="留空表示发布即生效"),
        ExtraField("valid_until", "有效期至", "date", help="留空表示长期有效；到期后页面标注“已失效”并提醒清理"),
    ]
    required = ("title", "body", "source")
    default_rule = (update_rules.TIMELY, None, "")
    default_staleness = "notice"
    list_template = "notice/list.html"
    detail_template = "notice/detail.html"
    view_template = "notice/view_panel.html"

    def validate(self, item, attachments):
        errors = super().validate(item, attachments)
        start, end = self.period(item)
        if start and end and end < start:
            errors.append("有效期至不能早于生效日期")
        return errors

    def period(self, item):
        extra = item.extra
        fields = {f.name: f for f in self.extra_fields}
        return (fields["valid_from"].from_json(extra.get("valid_from")),
                fields["valid_until"].from_json(extra.get("valid_until")))

    def validity(self, item, today=None):
        """(state, label): state is None (no period), 'pending', 'valid' or 'expired'."""
        start, end = self.period(item)
        if not start and not end:
            return None, ""
        today = today or clock.today()
        text = f"有效期：{start.isoformat() if start else '发布之日'} 至 {end.isoformat() if end else '长期'}"
        if start and today < start:
            return "pending", text + "（尚未生效）"
        if end and today > end:
            return "expired", text + "（已失效）"
        return "valid", text

    def deadlines(self, item, calendar=None):
        _start, end = self.period(item)
        if end is None or item.status != "published":
            return []
        return [Duty("notice_expiry", datetime.combine(end, time(23, 59, 59)),
                     f"通知有效期至{end.isoformat()}：到期后请撤回或确认保留（R-25）")]

    def metrics(self, column):
        from intranet.extensions import db
        from intranet.items.models import PUBLISHED, Item
        items = db.session.execute(db.select(Item).filter_by(column_id=column.id, status=PUBLISHED)).scalars().all()
        return {"published": len(items),
                "expired_notices": sum(1 for i in items if self.validity(i)[0] == "expired")}


def register(registry):
    registry.register(NoticeType)

"""Sites (a site group is several sites of one body) and their column trees
(R-10), with per-column permissions (R-03)."""
import json

from sqlalchemy import UniqueConstraint

from .. import clock
from ..extensions import db
from . import update_rules

# Staleness classes of national inspection practice: which line applies.
STALENESS_CLASSES = {
    "homepage": "首页（2周）",
    "news": "动态要闻类（2周）",
    "notice": "通知公告/政策文件类（6个月）",
    "personnel": "人事/规划计划类（1年）",
    "none": "不适用",
}


class Site(db.Model):
    __tablename__ = "site"
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(200), nullable=False)
    code = db.Column(db.String(64), unique=True, nullable=False)  # used in public URLs
    domain = db.Column(db.String(200), default="")
    description = db.Column(db.Text, default="")
    unit_id = db.Column(db.Integer, db.ForeignKey("unit.id"), nullable=False)
    parent_site_id = db.Column(db.Integer, db.ForeignKey("site.id"))
    active = db.Column(db.Boolean, nullable=False, default=True)
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)

    unit = db.relationship("Unit")
    parent_site = db.relationship("Site", remote_side=[id])


class Column(db.Model):
    __tablename__ = "site_column"
    __table_args__ = (UniqueConstraint("site_id", "slug", name="uq_site_column_site_slug"),
                      # a site's top-level columns (the public navigation on every page) and a column's children
                      db.Index("ix_site_column_site_parent", "site_id", "parent_id"))
    id = db.Column(db.Integer, primary_key=True)
    site_id = db.Column(db.Integer, db.ForeignKey("site.id"), nullable=False, index=True)
    parent_id = db.Column(db.Integer, db.ForeignKey("site_column.id"), index=True)
    name = db.Column(db.String(200), nullable=False)
    slug = db.Column(db.String(64), nullable=False)
    type = db.Column(db.String(32), nullable=False)  # column type id, from a plugin
    unit_id = db.Column(db.Integer, db.ForeignKey("unit.id"), nullable=False, index=True)
    description = db.Column(db.Text, default="")
    rule_kind = db.Column(db.String(32), nullable=False, default=update_rules.TIMELY)
    rule_n = db.Column(db.Integer)
    rule_dates = db.Column(db.String(200), default="")
    staleness_class = db.Column(db.String(16), nullable=False, default="news")
    is_key = db.Column(db.Boolean, nullable=False, default=False)  # 重点栏目 for inspection
    link_visible = db.Column(db.Boolean, nullable=False, default=True)
    requires_secrecy_review = db.Column(db.Boolean, nullable=False, default=True)
    archived = db.Column(db.Boolean, nullable=False, default=False)
    sort_order = db.Column(db.Integer, nullable=False, default=0)
    settings_json = db.Column(db.Text, nullable=False, default="{}")  # type-specific settings
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)

    site = db.relationship("Site", backref=db.backref("columns", lazy="dynamic"))
    parent = db.relationship("Column", remote_side=[id], backref=db.backref("children", order_by="Column.sort_order"))
    unit = db.relationship("Unit")

    @property
    def level(self):
        return 1 if self.parent_id is None else 1 + self.parent.level

    @property
    def settings(self):
        return json.loads(self.settings_json or "{}")

    @settings.setter
    def settings(self, value):
        self.settings_json = json.dumps(value, ensure_ascii=False)

    @property
    def rule_text(self):
        return update_rules.describe(self.rule_kind, self.rule_n, self.rule_dates)

    def ancestors(self):
        out, node, seen = [], self.parent, {self.id}
        while node is not None and node.id not in seen:
            out.append(node)
            seen.add(node.id)
            node = node.parent
        return out

    def __repr__(self):
        return f"<Column {self.site_id}/{self.slug}>"


@db.event.listens_for(Column, "after_update")
def _items_follow_column(_mapper, connection, column):
    """A column moved to another site takes its items' site_id along (items.models)."""
    if db.inspect(column).attrs.site_id.history.has_changes():
        from ..items.models import Item
        connection.execute(db.update(Item).where(Item.column_id == column.id).values(site_id=column.site_id))


class ColumnGrant(db.Model):
    """An explicit permission of one person on one column (R-03)."""
    __tablename__ = "column_grant"
    __table_args__ = (UniqueConstraint("column_id", "user_id", "permission", name="uq_column_grant_col_user_perm"),)
    DRAFT, REVIEW, PUBLISH = "draft", "review", "publish"
    LABELS = {DRAFT: "编辑报送", REVIEW: "审核", PUBLISH: "发布"}
    id = db.Column(db.Integer, primary_key=True)
    column_id = db.Column(db.Integer, db.ForeignKey("site_column.id"), nullable=False, index=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user_account.id"), nullable=False, index=True)
    permission = db.Column(db.String(16), nullable=False)
    granted_by_id = db.Column(db.Integer, db.ForeignKey("user_account.id"))
    granted_at = db.Column(db.DateTime, nullable=False, default=clock.now)

    column = db.relationship("Column", backref=db.backref("grants", cascade="all, delete-orphan"))
    user = db.relationship("User", foreign_keys=[user_id], backref="column_grants")

"""Items (信息) in columns, every save a revision (R-20, R-22), attachments and
images with captions. One shared table for every column type: `type` says which
plugin owns the row and `extra_json` holds the type's own fields."""
import json

from .. import clock
from ..extensions import db

DRAFT = "draft"
IN_REVIEW = "in_review"
RETURNED = "returned"
REJECTED = "rejected"
APPROVED = "approved"     # chain passed, waiting for its scheduled publish time
PUBLISHED = "published"
WITHDRAWN = "withdrawn"
EXPIRED = "expired"

STATUS_LABELS = {
    DRAFT: "草稿",
    IN_REVIEW: "审核中",
    RETURNED: "退回修改",
    REJECTED: "不予发布",
    APPROVED: "待发布",
    PUBLISHED: "已发布",
    WITHDRAWN: "已撤回",
    EXPIRED: "已过期",
}
EDITABLE = {DRAFT, RETURNED, IN_REVIEW}

IMPORTANCE_LABELS = {"normal": "一般", "important": "重要", "major": "重大敏感"}
CLASSIFICATION_LABELS = {"": "非涉密", "secret": "秘密", "confidential": "机密", "top_secret": "绝密", "internal": "内部"}

# Fields copied into every revision snapshot.
SNAPSHOT_FIELDS = (
    "title", "body", "source", "publish_at", "created_date", "topic", "genre", "doc_number",
    "red_header_title", "importance", "classification", "expires_at", "is_reprint",
    "reprint_source_site", "reprint_time", "reprint_url", "extra_json",
)


class Item(db.Model):
    __tablename__ = "item"
    __table_args__ = (
        # A column's public list, newest first (keyset or offset), the facts of the
        # reminders sweep and the dashboard's last publication per column: every
        # field these read is in the index, so no row is visited.
        db.Index("ix_item_column_list", "column_id", "status", "first_published_at", "id", "expires_at"),
        # 我的草稿 / 退回给我的 on the dashboard: one person's items by status, latest first.
        db.Index("ix_item_author_status", "author_id", "status", "updated_at"),
        # A site's newest items (its home page): one range of this index, not a
        # probe per column of the site.
        db.Index("ix_item_site_list", "site_id", "status", "first_published_at", "id", "expires_at"),
    )
    id = db.Column(db.Integer, primary_key=True)
    column_id = db.Column(db.Integer, db.ForeignKey("site_column.id"), nullable=False, index=True)
    # The column's site, copied (site_sync below keeps it right) for ix_item_site_list.
    site_id = db.Column(db.Integer, db.ForeignKey("site.id"))
    unit_id = db.Column(db.Integer, db.ForeignKey("unit.id"), nullable=False, index=True)
    type = db.Column(db.String(32), nullable=False)
    author_id = db.Column(db.Integer, db.ForeignKey("user_account.id"), nullable=False, index=True)
    status = db.Column(db.String(16), nullable=False, default=DRAFT, index=True)

    title = db.Column(db.String(300), nullable=False)
    body = db.Column(db.Text, nullable=False, default="")
    source = db.Column(db.String(200), default="")          # 信息来源
    publish_at = db.Column(db.DateTime)                       # 发布时间 (requested / scheduled)
    created_date = db.Column(db.Date)                         # 产生时间
    topic = db.Column(db.String(100), default="")             # 主题分类
    genre = db.Column(db.String(100), default="")             # 体裁
    doc_number = db.Column(db.String(100), default="")        # 文号
    red_header_title = db.Column(db.String(300), default="")  # 红头标题
    importance = db.Column(db.String(16), nullable=False, default="normal")
    classification = db.Column(db.String(16), nullable=False, default="")
    expires_at = db.Column(db.DateTime, index=True)           # R-25 (the sweep and the page cache look for the next)
    is_reprint = db.Column(db.Boolean, nullable=False, default=False)
    reprint_source_site = db.Column(db.String(200), default="")
    reprint_time = db.Column(db.DateTime)
    reprint_url = db.Column(db.String(500), default="")
    extra_json = db.Column(db.Text, nullable=False, default="{}")

    revision_no = db.Column(db.Integer, nullable=False, default=0)
    first_published_at = db.Column(db.DateTime, index=True)   # written once
    published_at = db.Column(db.DateTime, index=True)         # latest publication
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)
    updated_at = db.Column(db.DateTime, nullable=False, default=clock.now)

    column = db.relationship("Column", backref=db.backref("items", lazy="dynamic"))
    unit = db.relationship("Unit")
    author = db.relationship("User")
    revisions = db.relationship("Revision", back_populates="item", order_by="Revision.number",
                                cascade="all, delete-orphan")
    attachments = db.relationship("Attachment", back_populates="item", order_by="Attachment.id",
                                  cascade="all, delete-orphan")

    @property
    def extra(self):
        return json.loads(self.extra_json or "{}")

    @extra.setter
    def extra(self, value):
        self.extra_json = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)

    @property
    def status_label(self):
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def is_classified(self):
        return bool(self.classification)

    @property
    def images(self):
        return [a for a in self.attachments if a.is_image]

    @property
    def files(self):
        return [a for a in self.attachments if not a.is_image]

    def snapshot(self):
        data = {}
        for name in SNAPSHOT_FIELDS:
            value = getattr(self, name)
            data[name] = value.isoformat() if hasattr(value, "isoformat") else value
        data["attachments"] = [
            {"id": a.id, "filename": a.filename, "caption": a.caption, "sha256": a.sha256} for a in self.attachments
        ]
        return data


class Revision(db.Model):
    """One saved state of an item (R-22). Never updated after insert."""
    __tablename__ = "revision"
    __table_args__ = (db.UniqueConstraint("item_id", "number", name="uq_revision_item_number"),)
    id = db.Column(db.Integer, primary_key=True)
    item_id = db.Column(db.Integer, db.ForeignKey("item.id"), nullable=False, index=True)
    number = db.Column(db.Integer, nullable=False)
    author_id = db.Column(db.Integer, db.ForeignKey("user_account.id"), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)
    note = db.Column(db.String(200), default="")
    data_json = db.Column(db.Text, nullable=False)

    item = db.relationship("Item", back_populates="revisions")
    author = db.relationship("User")

    @property
    def data(self):
        return json.loads(self.data_json)


class Attachment(db.Model):
    __tablename__ = "attachment"
    id = db.Column(db.Integer, primary_key=True)
    item_id = db.Column(db.Integer, db.ForeignKey("item.id"), nullable=False, index=True)
    filename = db.Column(db.String(255), nullable=False)   # the sanitised original name
    stored_name = db.Column(db.String(255), nullable=False)  # content-addressed file under the upload dir
    mime = db.Column(db.String(100), nullable=False)
    size = db.Column(db.Integer, nullable=False)
    sha256 = db.Column(db.String(64), nullable=False)
    is_image = db.Column(db.Boolean, nullable=False, default=False)
    caption = db.Column(db.String(300), default="")  # required for images (002 篇二)
    uploaded_by_id = db.Column(db.Integer, db.ForeignKey("user_account.id"))
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)

    item = db.relationship("Item", back_populates="attachments")


# -- site_sync: Item.site_id follows the item's column --------------------------

def _column_site(connection, column_id):
    from ..sites.models import Column
    return connection.scalar(db.select(Column.site_id).where(Column.id == column_id))


@db.event.listens_for(Item, "before_insert")
def _site_on_insert(_mapper, connection, item):
    if item.site_id is None and item.column_id is not None:
        item.site_id = _column_site(connection, item.column_id)


@db.event.listens_for(Item, "before_update")
def _site_on_move(_mapper, connection, item):
    if db.inspect(item).attrs.column_id.history.has_changes() or item.site_id is None:
        item.site_id = _column_site(connection, item.column_id)

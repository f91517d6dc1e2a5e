"""Picture news columns (图片新闻): news told in photographs, at least one image,
every image with its caption (图片须加带文字注释, 002 篇二). The text is optional.
Default update rule: at least one a week (003 篇四 §14); staleness: news."""
from intranet.columntypes import ColumnType
from intranet.sites import update_rules


class GalleryType(ColumnType):
    id = "gallery"
    label = "图片新闻"
    description = "以图片为主的新闻，每张图片须有图片说明"
    required = ("title", "source", "images")
    body_required = False
    default_rule = (update_rules.PER_WEEK, 1, "")
    default_staleness = "news"
    list_template = "gallery/list.html"
    detail_template = "gallery/detail.html"

    def metrics(self, column):
        from intranet.extensions import db
        from intranet.items.models import PUBLISHED, Attachment, Item
        images = db.session.execute(db.select(db.func.count(Attachment.id)).join(Item).filter(
            Item.column_id == column.id, Item.status == PUBLISHED, Attachment.is_image.is_(True))).scalar()
        return {"images": images or 0}


def register(registry):
    registry.register(GalleryType)

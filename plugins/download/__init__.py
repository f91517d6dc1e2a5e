"""Download columns (相关下载): forms and files, each item one or more files with
a description (文件说明). The body is optional -- the files are the content --
but the description is required so the public knows what they download.
Default update rule: timely; staleness: notices/policy (6 months)."""
from intranet.columntypes import ColumnType, ExtraField
from intranet.sites import update_rules


class DownloadType(ColumnType):
    id = "download"
    label = "相关下载"
    description = "表格、文件下载，每条须附文件并填写文件说明"
    extra_fields = [
        ExtraField("description", "文件说明", "textarea", required=True, help="说明文件的用途、适用对象和填写方式"),
    ]
    required = ("title", "attachments")
    body_required = False
    default_rule = (update_rules.TIMELY, None, "")
    default_staleness = "notice"
    list_template = "download/list.html"
    detail_template = "download/detail.html"

    def metrics(self, column):
        from intranet.extensions import db
        from intranet.items.models import PUBLISHED, Attachment, Item
        files = db.session.execute(db.select(db.func.count(Attachment.id)).join(Item).filter(
            Item.column_id == column.id, Item.status == PUBLISHED, Attachment.is_image.is_(False))).scalar()
        return {"files": files or 0}


def register(registry):
    registry.register(DownloadType)

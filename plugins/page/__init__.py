"""Static page columns (机构简介, 领导信息, 联系我们 ...): one current text that
is revised in place; the newest published item is the page. Default update
rule: yearly (000 附件1 简介)."""
from intranet.columntypes import ColumnType
from intranet.sites import update_rules


class PageType(ColumnType):
    id = "page"
    label = "单页"
    description = "简介、联系方式等单页内容，以最新发布的一篇为准"
    required = ("title", "body")
    default_rule = (update_rules.YEARLY, None, "")
    default_staleness = "personnel"
    list_template = "page/list.html"  # the column page shows the newest item in full


def register(registry):
    registry.register(PageType)

"""News / article columns (工作动态, 要闻, 图片新闻 ...): dated items with a
source, the common case. Default update rule: at least 2 a week (R-11, 003
篇一 §7); staleness line: 2 weeks (R-12)."""
from intranet.columntypes import ColumnType
from intranet.sites import update_rules


class ArticleType(ColumnType):
    id = "article"
    label = "新闻动态"
    description = "工作动态、要闻等按时间发布的信息"
    required = ("title", "body", "source")
    default_rule = (update_rules.PER_WEEK, 2, "")
    default_staleness = "news"


def register(registry):
    registry.register(ArticleType)

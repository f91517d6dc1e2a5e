"""The inspection health view (R-93) as data: per site, now or at the end of
a past day -- the same computation and the same rule of who may see it as the
intranet page (admins of the site's unit, heads and leaders of it or above)."""
from ...extensions import db
from ...health.inspect import as_of, inspect
from ...health.views import can_view
from ...sites.models import Site
from .. import schemas as s
from ..errors import ApiError
from ..framework import current_person
from ..present import health_out
from . import api
from .common import forbidden


@api.route("/health/sites/<int:site_id>", "GET", tag="health", summary="一个网站的健康度（检查指标）",
           description="首页更新、重点栏目超期、长期未更新、空白栏目、超3个月未答复留言、已发布信息内容检查，"
                       "各项的数量、单项否决线和状态（pass/risk/veto/nodata）。`date` 为检查哪一天结束时的状态。",
           query=s.HealthQuery, responses={200: s.HealthOut})
def site_health(site_id, query):
    site = db.session.get(Site, site_id)
    if site is None or not site.active:
        raise ApiError(404, "not_found", "网站不存在。")
    if not can_view(current_person(), site):
        raise forbidden("只有网站所属单位的管理员、负责人和领导可以查看健康度。")
    return health_out(inspect(site, as_of(query.date)))

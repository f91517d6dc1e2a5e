"""R-90..R-92: every assessment page renders for the people who may see it
and refuses the others."""
from datetime import datetime

from intranet.clock import set_now

from .helpers import column, login, publish, unit, url


def test_r90_pages_render_for_assessor_and_units(assess_app, aclient):
    sc = column("sc-office")
    publish(sc, datetime(2026, 10, 12, 9))
    set_now(assess_app, datetime(2026, 11, 12, 9))
    login(aclient, "webmaster")
    for path in ("/assessment/", "/assessment/2026/10", f"/assessment/2026/10/unified/{unit('sc-office').id}",
                 "/assessment/year/2026", "/assessment/people", "/assessment/reports?year=2026&quarter=4",
                 "/health/"):
        resp = aclient.get(url(aclient, path))
        assert resp.status_code == 200, (path, resp.status_code)
    html = aclient.get(url(aclient, "/assessment/2026/10")).get_data(as_text=True)
    assert 'id="scores"' in html and unit("gs-office").name in html and "统一考核" in html
    login(aclient, "sc_officer")
    assert aclient.get(url(aclient, "/assessment/")).status_code == 200
    html = aclient.get(url(aclient, f"/assessment/2026/10/self/{unit('sc-office').id}")).get_data(as_text=True)
    assert "发布1条" in html and 'name="volume" value="6"' in html
    assert aclient.get(url(aclient, "/assessment/2026/10")).status_code == 200  # its own unit's self-assessment link
    assert aclient.get(url(aclient, f"/assessment/2026/10/unified/{unit('sc-office').id}")).status_code == 403
    assert aclient.get(url(aclient, "/assessment/2026/10/export.xlsx")).status_code == 403
    assert aclient.post(url(aclient, "/assessment/2026/10/fix")).status_code == 403
    login(aclient, "proof1")  # no unit to self-assess, not an assessor
    assert aclient.get(url(aclient, "/assessment/2026/10")).status_code == 403
    assert aclient.get(url(aclient, "/assessment/reports")).status_code == 403

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


def test_r90_periods_outside_the_calendar_are_not_found_and_only_assessors_confirm_the_year(assess_app, aclient):
    # Numbers in the URL that name no month the pages know answer 404 (they used to reach datetime()).
    login(aclient, "webmaster")
    sc = unit("sc-office").id
    for path in (f"/assessment/2026/13/self/{sc}", f"/assessment/2026/0/unified/{sc}", f"/assessment/9999/1/self/{sc}",
                 f"/assessment/2147483647/1/unified/{sc}", "/assessment/year/9999", "/assessment/year/1999/export.xlsx"):
        assert aclient.get(url(aclient, path)).status_code == 404, path
    assert aclient.post(url(aclient, "/assessment/year/9999/fix")).status_code == 404
    # Confirming the yearly summary is the assessor's: others get 403, not a redirect with a message.
    login(aclient, "sc_officer")
    assert aclient.post(url(aclient, "/assessment/year/2026/fix")).status_code == 403

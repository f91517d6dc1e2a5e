"""R-93: the inspection health view on crafted sites at chosen dates: pass /
at risk / veto per line and overall, past dates, the providers' lines, links
to the column and its responsible unit, and the sweep feeding reminders."""
from datetime import datetime, timedelta

import pytest

from intranet.assessment.providers import register_provider
from intranet.clock import set_now
from intranet.health.inspect import NO_DATA, PASS, RISK, VETO, as_of, inspect
from intranet.reminders.engine import run_sweep
from intranet.reminders.sweeps import column_facts

from ..assessment.helpers import column, make_site, publish, table_rows, unit, url

AT = datetime(2026, 6, 30, 12)


@pytest.fixture
def hsite(demo):
    return make_site("h1", unit_code="hz-office")


def news(n, prefix, last=None, key=False, created=datetime(2026, 1, 1), unit_code="sc-office", staleness="news"):
    cols = []
    for i in range(n):
        c = column(unit_code, slug=f"{prefix}{i}", site="h1", staleness=staleness, is_key=key, created=created)
        if last is not None:
            publish(c, last)
        cols.append(c)
    return cols


def states(h):
    return {ln.code: ln.state for ln in h.lines}


def test_r93_a_fresh_site_passes(hsite):
    news(3, "fresh", last=AT - timedelta(days=3), key=True)
    news(1, "policy", last=AT - timedelta(days=100), staleness="notice")
    news(1, "plan", last=AT - timedelta(days=300), staleness="personnel")
    h = inspect(hsite, AT)
    # (the mailbox plugin provides the unanswered messages: none here)
    assert states(h) == {"homepage": PASS, "stale_key": PASS, "long_stale": PASS, "blank": PASS,
                         "messages": PASS, "checks": NO_DATA}
    assert h.state == PASS and h.homepage_days == 3


def test_r93_veto_lines_stale_key_long_stale_and_blank(hsite):
    news(1, "fresh", last=AT - timedelta(days=1))
    # 4 key news columns stale (15 days) and 1 key column about to be (11 days): at risk (4 + 1 >= 5 - 2)
    news(4, "key", last=AT - timedelta(days=15), key=True)
    news(1, "keysoon", last=AT - timedelta(days=11), key=True)
    h = inspect(hsite, AT)
    assert (h.line("stale_key").count, h.line("stale_key").state) == (4, RISK)
    news(1, "key5", last=AT - timedelta(days=20), key=True)
    h = inspect(hsite, AT)
    assert (h.line("stale_key").count, h.line("stale_key").state) == (5, VETO) and h.state == VETO
    # long-stale counts every column past its line: 5 key + 4 others (notice 200 days, personnel 400) = 9
    news(2, "notice", last=AT - timedelta(days=200), staleness="notice")
    news(2, "pers", last=AT - timedelta(days=400), staleness="personnel")
    h = inspect(hsite, AT)
    assert (h.line("long_stale").count, h.line("long_stale").state) == (9, RISK)
    news(1, "notice-x", last=AT - timedelta(days=183), staleness="notice")
    assert inspect(hsite, AT).line("long_stale").state == VETO
    # notice at 181 days is not past its 6-month line
    news(1, "notice-ok", last=AT - timedelta(days=100), staleness="notice")
    assert inspect(hsite, AT).line("long_stale").count == 10


def test_r93_blank_columns_at_risk_then_veto(hsite):
    news(1, "fresh", last=AT - timedelta(days=1))
    news(2, "blank")
    h = inspect(hsite, AT)
    assert (h.line("blank").count, h.line("blank").state) == (2, PASS)
    news(1, "newblank", created=AT - timedelta(days=2))  # new: not blank yet, but on its way
    h = inspect(hsite, AT)
    assert (h.line("blank").count, h.line("blank").state) == (2, RISK)
    news(3, "blank-more")
    h = inspect(hsite, AT)
    assert (h.line("blank").count, h.line("blank").state, h.state) == (5, VETO, VETO)
    # the line is a setting
    from flask import current_app
    current_app.config["LANMU_HEALTH_VETO_BLANK"] = 6
    assert inspect(hsite, AT).line("blank").state == RISK


def test_r93_homepage_against_the_two_week_line(hsite):
    c = news(1, "home", last=datetime(2026, 6, 1, 9))[0]
    assert inspect(hsite, datetime(2026, 6, 10, 12)).line("homepage").state == PASS
    assert inspect(hsite, datetime(2026, 6, 11, 12)).line("homepage").state == RISK
    h = inspect(hsite, datetime(2026, 6, 15, 12))
    assert (h.line("homepage").state, h.homepage_days) == (VETO, 14)
    publish(c, datetime(2026, 6, 16, 9))
    assert inspect(hsite, datetime(2026, 6, 16, 12)).line("homepage").state == PASS


def test_r93_any_past_date_ignores_later_publications_and_columns(hsite, demo):
    cols = news(5, "key", last=datetime(2026, 3, 1, 9), key=True)
    for c in cols:
        publish(c, datetime(2026, 3, 20, 9))  # fresh again on 20 March
    news(6, "later", created=datetime(2026, 4, 1))  # did not exist in March
    h = inspect(hsite, as_of(datetime(2026, 3, 18).date()))
    assert h.at == datetime(2026, 3, 18, 23, 59, 59)
    assert (h.line("stale_key").state, h.line("stale_key").count) == (VETO, 5)
    assert h.line("blank").count == 0
    assert inspect(hsite, as_of(datetime(2026, 3, 21).date())).line("stale_key").state == PASS
    # the reminders' facts at a past date ignore later publications too (the fix this view relies on)
    row = next(r for r in column_facts(datetime(2026, 3, 18, 12), site_id=hsite.id) if r.id == cols[0].id)
    assert row.last == datetime(2026, 3, 1, 9)
    # today's date means now
    assert as_of(datetime(2026, 11, 23).date()) == datetime(2026, 11, 23, 10, 0, 0)


def test_r93_messages_unanswered_beyond_three_months_via_the_provider(hsite, demo):
    news(1, "fresh", last=AT - timedelta(days=1))
    box = column("sc-office", slug="box", site="h1", type_="article")
    other_site_col = column("sc-office", slug="elsewhere")  # youth site: not this site's
    seen = []

    def unanswered(at, received_before, site_id=None):
        seen.append((at, received_before))
        msgs = [{"message_id": 1, "column_id": box.id, "unit_id": box.unit_id, "received_at": datetime(2026, 3, 1),
                 "subject": "咨询一", "url": "/x/1"},
                {"message_id": 2, "column_id": box.id, "unit_id": box.unit_id, "received_at": datetime(2026, 4, 20),
                 "subject": "咨询二"},
                {"message_id": 3, "column_id": other_site_col.id, "unit_id": box.unit_id,
                 "received_at": datetime(2026, 1, 1), "subject": "别的网站"}]
        return [m for m in msgs if m["received_at"] < received_before]
    register_provider(demo, "unanswered_messages", unanswered)
    h = inspect(hsite, AT)
    assert (h.line("messages").count, h.line("messages").state) == (1, VETO)
    assert (AT, AT - timedelta(days=90)) in seen and (AT, AT - timedelta(days=60)) in seen
    h = inspect(hsite, datetime(2026, 5, 25, 12))  # 咨询一 is 85 days old: at risk
    assert (h.line("messages").count, h.line("messages").state) == (0, RISK)
    register_provider(demo, "published_findings", lambda at, site_id=None: [
        {"item_id": 1, "column_id": box.id, "unit_id": box.unit_id, "severity": "warn", "text": "错别字"}])
    assert inspect(hsite, datetime(2026, 5, 25, 12)).line("checks").state == RISK


def test_r93_page_links_each_finding_to_its_column_and_unit(hsite, client, login_as):
    news(1, "fresh", last=datetime(2026, 11, 20, 9))
    stale = news(1, "old", last=datetime(2026, 10, 1, 9), key=True)[0]
    login_as("webmaster")
    html = client.get(url(client, f"/health/{hsite.id}")).get_data(as_text=True)
    rows = table_rows(html, "findings")
    assert len(rows) == 1 and rows[0][0] == "栏目old0" and rows[0][2] == "是"
    assert f"/sites/{hsite.id}/columns/{stale.id}/edit" in html
    assert f"/org/units/{unit('sc-office').id}/edit" in html
    lines = {r[0]: r[1] for r in table_rows(html, "lines")}
    assert lines["重点栏目超期未更新"] == "达标" and lines["留言超3个月未答复"] == "达标"
    past = client.get(url(client, f"/health/{hsite.id}?date=2026-10-10")).get_data(as_text=True)
    # on 10 October "old" was 9 days old (fine) and "fresh" had published nothing yet (blank)
    assert "检查时点：2026-10-10 23:59" in past
    assert [(r[0], r[5][:4]) for r in table_rows(past, "findings")] == [("栏目fresh0", "空白栏目")]
    overview = client.get(url(client, "/health/")).get_data(as_text=True)
    assert f'data-site="{hsite.id}"' in overview
    # an information officer does not see the inspection view
    login_as("officer")
    assert client.get(url(client, f"/health/{hsite.id}")).status_code == 403


def test_r93_lines_at_risk_feed_the_reminders(hsite, demo):
    news(1, "fresh", last=datetime(2026, 11, 20, 9))
    news(3, "blank", created=datetime(2026, 10, 1))
    set_now(demo, datetime(2026, 11, 23, 10))
    _, new = run_sweep(now=datetime(2026, 11, 23, 10))
    mine = [r for r in new if r.kind == "health_line" and r.duty_key == f"site:{hsite.id}:blank"]
    assert [(r.severity, r.user.username) for r in mine] == [("warn", "officer")]
    assert "空白栏目：有风险" in mine[0].title
    _, new = run_sweep(now=datetime(2026, 11, 24, 10))  # same week: no repeat
    assert not [r for r in new if r.kind == "health_line" and r.duty_key == f"site:{hsite.id}:blank"]
    news(2, "blank2", created=datetime(2026, 10, 1))
    _, new = run_sweep(now=datetime(2026, 11, 24, 11))
    assert [r.severity for r in new if r.kind == "health_line" and r.duty_key == f"site:{hsite.id}:blank"] == ["veto"]


def test_r93_the_sweep_judges_columns_once_for_the_reminders_and_the_view(hsite, demo):
    """The scheduler's sweep evaluates the R-12 lines once per column and hands
    the findings to both the columns' reminders and the health view: the view
    built from them must equal the view built on its own, and every column it
    shows past or near a line must be reminded with the matching kind."""
    from intranet.health.inspect import inspect_all
    from intranet.reminders.engine import SweepContext, working_calendar
    from intranet.reminders.sweeps import sweep_column_facts, sweep_columns, sweep_staleness
    news(2, "fresh", last=AT - timedelta(days=2), key=True)
    news(2, "soon", last=AT - timedelta(days=11), key=True)
    news(2, "stale", last=AT - timedelta(days=20))
    news(1, "nsoon", last=AT - timedelta(days=160), staleness="notice")
    news(1, "nstale", last=AT - timedelta(days=190), staleness="notice")
    news(1, "pstale", last=AT - timedelta(days=400), staleness="personnel")
    news(2, "blank")
    news(1, "newblank", created=AT - timedelta(days=2))
    ctx = SweepContext(now=AT, calendar=working_calendar(), app=demo)
    notices = sweep_columns(ctx)
    shared = inspect_all(AT, facts=sweep_column_facts(ctx), staleness=sweep_staleness(ctx))[hsite.id]
    alone = inspect(hsite, AT)

    def view(h):
        return ([(f.column_id, f.state, f.message, f.days, f.last) for f in h.columns],
                [(ln.code, ln.state, ln.count, ln.text) for ln in h.lines])
    assert view(shared) == view(alone)
    assert sorted(f.state for f in alone.columns) == ["blank", "blank", "new_blank", "stale", "stale", "stale",
                                                      "stale", "warn", "warn", "warn"]
    expected = {"blank": {("column_blank", "veto")}, "warn": {("column_stale", "warn")},
                "stale": {("column_stale", "veto"), ("column_stale", "overdue")}}
    reminded = {}
    for n in notices:
        if n.kind in ("column_stale", "column_blank"):
            reminded[n.key] = (n.kind, n.severity)
    for f in alone.columns:
        if f.state == "new_blank":
            assert f"column:{f.column_id}" not in reminded
        else:
            assert reminded[f"column:{f.column_id}"] in expected[f.state], f
            assert any(n.key == f"column:{f.column_id}" and f.message in n.title for n in notices)
    site_columns = {f"column:{r.id}" for r in sweep_column_facts(ctx) if r.site_id == hsite.id}
    assert {k for k in reminded if k in site_columns} == {f"column:{f.column_id}" for f in alone.columns
                                                          if f.state != "new_blank"}

"""An administrator's oversight pages in the browser: the outbox after a
scheduler sweep (R-80..R-84), the inspection health view (R-93) and a monthly
assessment with its chart (R-90)."""
from playwright.sync_api import expect

from .conftest import NOW, shot


def test_admin_sees_the_outbox_the_health_view_and_an_assessment(people, live):
    from intranet.reminders.engine import run_sweep
    from intranet.extensions import db
    with live.app.app_context():  # what `flask scheduler sweep` does
        run_sweep(NOW)
        db.session.commit()

    admin = people["admin"]
    errors = []
    admin.on("pageerror", lambda e: errors.append(str(e)))
    admin.goto(live.intranet("/"))
    shot(admin, "admin-dashboard")
    admin.locator(".navbar").get_by_role("button", name="系统管理").click()
    admin.locator(".dropdown-menu").get_by_role("link", name="发送队列").click()
    expect(admin.locator("h1")).to_contain_text("发送队列")
    expect(admin.locator("main table").first).to_be_visible()
    assert admin.locator("main table tbody tr").count() > 0
    shot(admin, "admin-outbox")

    admin.locator(".navbar").get_by_role("button", name="系统管理").click()
    admin.locator(".dropdown-menu").get_by_role("link", name="网站健康度").click()
    expect(admin.locator("main")).to_contain_text("杭州市社区青少年俱乐部")
    shot(admin, "admin-health")
    admin.locator("main table a", has_text="杭州市社区青少年俱乐部").first.click()
    expect(admin.locator("main")).to_contain_text("首页")
    shot(admin, "admin-health-site")

    admin.goto(live.intranet("/assessment/"))
    admin.locator("main table a", has_text="考核").first.click()
    expect(admin.locator("main")).to_contain_text(f"{NOW.year}年")
    expect(admin.locator("main table").first).to_be_visible()
    shot(admin, "admin-assessment")
    admin.goto(live.intranet("/assessment/reports"))
    admin.wait_for_function("() => !document.querySelector('[data-chart]') || document.querySelector('[data-chart] canvas')")
    shot(admin, "admin-reports")
    assert not errors, errors

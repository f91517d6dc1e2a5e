"""R-91: per-person statistics count submissions, returns and rejections from
the review engine (the `review_counts` assessment provider)."""
from datetime import datetime

from intranet.assessment.providers import provide
from intranet.extensions import db
from intranet.org.models import User

from .conftest import as_user, create_item, decide, submit


def test_r91_review_counts_come_from_real_decisions(demo, mailbox):
    officer = as_user(demo, "officer")
    first = create_item(officer, title="第一篇")
    second = create_item(officer, title="第二篇")
    submit(officer, first)
    decide(as_user(demo, "proof1"), first, "return", comment="请补充时间地点")
    submit(officer, first)
    submit(officer, second)
    decide(as_user(demo, "proof1"), second, "reject", comment="不宜公开")
    rows = provide("review_counts", datetime(2026, 11, 1), datetime(2026, 12, 1))
    officer_id = db.session.execute(db.select(User.id).filter_by(username="officer")).scalar_one()
    mine = [r for r in rows if r["author_id"] == officer_id]
    assert mine == [{"author_id": officer_id, "submitted": 3, "returned": 1, "rejected": 1}]
    assert not provide("review_counts", datetime(2026, 10, 1), datetime(2026, 11, 1))

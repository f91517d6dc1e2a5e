"""R-34: two people deciding the same step at the same moment: exactly one
decision is recorded and the other person is told so. Real concurrent HTTP
requests in two threads (each with its own session and connection), lined up
so both pass every check before either writes. Runs on SQLite and, with
TEST_DATABASE_URL, on PostgreSQL."""
import threading

from intranet import audit
from intranet.audit.models import AuditEntry
from intranet.extensions import db
from intranet.review.models import OPEN, ReviewStep

from ..conftest import prefix, text_of
from .conftest import as_user, create_item, open_step, submit


def _line_up_decisions(monkeypatch, parties=2):
    barrier = threading.Barrier(parties, timeout=10)
    real = audit.record

    def record(action, *args, **kwargs):
        if action == "review_decided":
            try:
                barrier.wait()
            except threading.BrokenBarrierError:
                pass
        return real(action, *args, **kwargs)

    monkeypatch.setattr(audit, "record", record)
    return barrier


def _race(demo, url, clients, data):
    results, errors = {}, []

    def go(name):
        try:
            results[name] = clients[name].post(url, data=data, follow_redirects=True)
        except Exception as exc:  # pragma: no cover - shown in the assertion
            errors.append(exc)

    threads = [threading.Thread(target=go, args=(name,)) for name in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors
    return results


def test_r34_concurrent_decisions_on_one_step_record_exactly_one(demo, monkeypatch):
    officer = as_user(demo, "officer")
    item_id = create_item(officer)
    submit(officer, item_id)
    step = open_step(item_id)
    step_id, rev = step.id, step.run.revision_no
    clients = {name: as_user(demo, name) for name in ("proof1", "proof2")}
    _line_up_decisions(monkeypatch)

    url = prefix(demo) + f"/review/steps/{step_id}/decide"
    results = _race(demo, url, clients, {"decision": "approve", "comment": "", "revision_no": rev})

    db.session.expire_all()
    decided = db.session.get(ReviewStep, step_id)
    winner = decided.decided_by.username
    loser = "proof2" if winner == "proof1" else "proof1"
    assert "已记录审核意见" in text_of(results[winner])
    assert "刚刚已由他人处理" in text_of(results[loser])
    # Exactly one decision: one audit entry, one next step open, waiting for the loser.
    n = db.session.execute(db.select(db.func.count(AuditEntry.id)).filter_by(action="review_decided")).scalar()
    assert n == 1
    open_steps = db.session.execute(db.select(ReviewStep).filter_by(item_id=item_id, status=OPEN)).scalars().all()
    assert [s.position for s in open_steps] == [2]
    assert [c.user.username for c in open_steps[0].candidates] == [loser]
    assert audit.verify() is None


def test_r34_concurrent_return_and_approve_record_exactly_one(demo, monkeypatch):
    officer = as_user(demo, "officer")
    item_id = create_item(officer)
    submit(officer, item_id)
    step = open_step(item_id)
    step_id, rev = step.id, step.run.revision_no
    clients = {name: as_user(demo, name) for name in ("proof1", "proof2")}
    _line_up_decisions(monkeypatch)
    url = prefix(demo) + f"/review/steps/{step_id}/decide"
    results = {}
    barrier_results = {}

    def go(name, decision):
        barrier_results[name] = clients[name].post(url, data={"decision": decision, "comment": "意见",
                                                              "revision_no": rev})

    threads = [threading.Thread(target=go, args=("proof1", "return")),
               threading.Thread(target=go, args=("proof2", "approve_comment"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    results.update(barrier_results)
    db.session.expire_all()
    decided = db.session.get(ReviewStep, step_id)
    assert decided.status in ("returned", "approved")
    from .conftest import item
    it = item(item_id)
    if decided.status == "returned":
        assert it.status == "returned" and open_step(item_id) is None
    else:
        assert it.status == "in_review" and open_step(item_id).position == 2
    n = db.session.execute(db.select(db.func.count(AuditEntry.id)).filter_by(action="review_decided")).scalar()
    assert n == 1

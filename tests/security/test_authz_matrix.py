"""The authorisation matrix: every rule of the URL map, as every demo role and
as an anonymous visitor, against tests/security/authz_matrix.py. Pages that
answer 200 with HTML are also checked for anything executable (the CSP
forbids inline scripts)."""
import io
from datetime import date

from werkzeug.datastructures import FileStorage

from intranet.assessment import cycle
from intranet.extensions import db
from intranet.items import storage
from intranet.items.models import Item
from intranet.notify import notify
from intranet.notify.inbox import InboxMessage
from intranet.outbox.models import FAILED, OutboxMessage
from intranet.review import engine, links
from intranet.review.models import Publication, PublicationFile
from intranet.checks import service as checks_service
from intranet.workdays.models import WorkdayOverride
from plugins.mailbox import service as mailbox_service
from plugins.mailbox.models import Message
from intranet.org.models import RoleAssignment
from intranet.security import incidents, letters
from intranet.security.models import DutyShift, UserSession
from intranet.sites.models import ColumnGrant

from ..conftest import TEST_NOW, login
from .authz_matrix import ANON, MATRIX, ROLES
from .helpers import attachment_of, client_from, column, new_item, publish, site, unit, upload, user
from .htmlcheck import executable_parts

MATRIX_FILE = "tests/security/authz_matrix.py"


def through_the_chain(item_id, author="officer"):
    """Submit the item and approve every step as its first candidate: the engine publishes it
    (approval form, archive, ledger). Returns the item."""
    item = db.session.get(Item, item_id)
    engine.submit(item, user(author))
    for _ in range(20):
        step = engine.open_step(item)
        if step is None:
            break
        decider = min(step.candidates, key=lambda c: c.user_id).user
        engine.decide(step, decider, "approve")
    db.session.commit()
    assert item.status == "published", item.status
    return item


def submitted(item_id, author="officer"):
    """Submit the item: its first step (校对) opens for 市办's proof-readers. Returns the open step."""
    item = db.session.get(Item, item_id)
    engine.submit(item, user(author))
    db.session.commit()
    return engine.open_step(item)


def fixed_month(year, month, publish=False):
    """The month assessed for every unit as computed, fixed, and (publish) published in public too."""
    m = cycle.get_month(year, month)
    for score in cycle.refresh(m).values():
        values = {"leader_named": 10, "responsibility": 5, "problem_solving": 5, "dedicated_officer": 10,
                  "frequency": score.computed_frequency, "volume": score.computed_volume}
        cycle.save_unified(m, score.unit, user("webmaster"), values, {})
    cycle.fix_month(m, user("webmaster"))
    if publish:
        cycle.publish_month(m, user("webmaster"), public=True)
    db.session.commit()
    return m


def assessment_months():
    """October 2026 open (its self-assessment closed on 10 November, the unified assessment under way),
    September 2026 fixed and published, on the intranet and in public, and August 2026 fixed."""
    opened = cycle.get_month(2026, 10)
    cycle.refresh(opened)
    db.session.commit()
    return opened, fixed_month(2026, 9, publish=True), fixed_month(2026, 8)


def _objects(app):
    """The objects the URLs point at: one of each kind, built from the demo."""
    officer = client_from(app)
    login(officer, "officer")
    draft = new_item(officer, "progress", title="矩阵草稿")
    upload(officer, draft)
    published = new_item(officer, "progress", title="矩阵已发布")
    upload(officer, published)
    publish(published)
    col = column("progress")
    grant = ColumnGrant(column_id=col.id, user_id=user("head").id, permission="review")
    db.session.add(grant)
    inc = incidents.register("outage", "矩阵事件", "", TEST_NOW, user("siteadmin"))
    shift = DutyShift(kind="holiday", title="矩阵值班", starts_at=TEST_NOW, ends_at=TEST_NOW, user_id=user("head").id)
    db.session.add(shift)
    sig = letters.sign(unit("hz-office"), user("principal"), TEST_NOW.year)
    sess = UserSession(sid="matrix", user_id=user("liaison").id, ip="10.0.0.1", created_at=TEST_NOW,
                       last_seen_at=TEST_NOW)
    db.session.add(sess)
    override = WorkdayOverride(date=date(2026, 12, 31), is_workday=False, note="矩阵")
    db.session.add(override)
    stored = storage.store(FileStorage(io.BytesIO(b"%PDF-1.4 matrix\n%%EOF\n"), filename="矩阵.pdf"))
    message = mailbox_service.receive_message(column("consult"), name="矩阵", contact="13800000000",
                                              subject="矩阵留言", text="矩阵留言的内容", attachment=stored)
    # A published answer not yet made a FAQ (the demo's), and messages in the states whose pages show
    # the other staff forms (for the fuzzer): assigned, reply in review, answered but not public.
    public_message = db.session.execute(db.select(Message).filter_by(is_public=True, faq_item_id=None)
                                        .order_by(Message.id)).scalars().first()
    assigned, in_review, answered = (
        mailbox_service.receive_message(column("consult"), name="矩阵", contact="13800000000",
                                        subject=f"矩阵留言{i}", text="矩阵留言的内容") for i in (1, 2, 3))
    for m in (assigned, in_review, answered):
        mailbox_service.route_message(m, unit("hz-office"), user("officer"))
    from plugins.mailbox.review import approve_reply, submit_reply_for_review
    from plugins.mailbox import links as reply_links
    pending = submit_reply_for_review(in_review, "矩阵答复的内容", user("officer"))
    reply_token = reply_links.create_links_many(pending.open_step, [user("head")])[user("head").id]["approve"]
    reply = submit_reply_for_review(answered, "矩阵答复的内容", user("officer"), publish=False)
    for reviewer in ("head", "leader"):  # the reply review chain: 科室负责人, then 局领导
        approve_reply(reply, user(reviewer))
    db.session.commit()
    # Review: an item waiting for the proof-readers (its step, decided on the web), another whose step
    # has an e-mail link for proof1, and one published through the chain with a file and then withdrawn.
    step = submitted(new_item(officer, "progress", title="矩阵审核中", source="市办"))
    link_step = submitted(new_item(officer, "progress", title="矩阵审核链接", source="市办"))
    token = links.create_links(link_step, user("proof1"))["approve"]
    chained = new_item(officer, "progress", title="矩阵经审核发布", source="市办")
    upload(officer, chained)
    through_the_chain(chained)
    engine.withdraw(db.session.get(Item, chained), user("webmaster"), "矩阵撤回原因")
    db.session.commit()
    pub = db.session.execute(db.select(Publication).filter_by(item_id=chained)).scalars().first()
    pub_file = db.session.execute(db.select(PublicationFile).filter_by(publication_id=pub.id)).scalars().first()
    notify([user("officer")], "矩阵消息", "矩阵消息的内容", "/intranet/items/")
    db.session.commit()
    inbox = db.session.execute(db.select(InboxMessage).filter_by(user_id=user("officer").id)
                               .order_by(InboxMessage.id)).scalars().first()
    outbox = db.session.execute(db.select(OutboxMessage).order_by(OutboxMessage.id)).scalars().first()
    outbox.status, outbox.attempts, outbox.last_error = FAILED, 8, "矩阵：投递失败"
    personal = new_item(officer, "progress", title="矩阵个人信息", body="<p>联系人手机13812345678，请及时联系。</p>")
    word = checks_service.save_word(None, user("admin"), word="矩阵词", category="typo", severity="warn",
                                    suggestion="矩阵", enabled=True, site_id=None)
    opened, published_month, fixed = assessment_months()
    db.session.commit()
    membership = db.session.execute(db.select(RoleAssignment).filter_by(user_id=user("officer").id)).scalar()
    return {
        "item_id": draft, "attachment_id": attachment_of(draft).id, "number": 1,
        "published_item": published, "published_image": attachment_of(published).id,
        "unit_id": unit("hz-office").id, "user_id": user("officer").id, "assignment_id": membership.id,
        "site_id": site().id, "column_id": col.id, "grant_id": grant.id, "code": "youth", "slug": "progress",
        "incident_id": inc.id, "shift_id": shift.id, "signature_id": sig.id, "session_id": sess.id,
        "workday_override_id": override.id, "workday_year": 2027, "mailbox_slug": "consult",
        "message_id": message.id, "public_message_id": public_message.id,
        "mailbox_assigned_id": assigned.id, "mailbox_review_id": in_review.id, "mailbox_answered_id": answered.id,
        "review_item": step.item_id, "review_step": step.id, "review_link_token": token,
        "reply_link_token": reply_token,
        "link_item": link_step.item_id, "withdrawn_item": chained, "publication": pub.id,
        "publication_file": pub_file.id, "importance": "normal", "inbox_message": inbox.id,
        "outbox_row": outbox.id, "lexicon_word": word.id, "assessment_year": opened.year,
        "open_month": opened.month, "published_month": published_month.month,
        "fixed_month": fixed.month, "personal_item": personal,
        "filename": None,  # per endpoint below
    }


STATIC_FILES = {"static": "css/lanmu.css", "bootstrap.static": "js/bootstrap.min.js"}


def _url(app, rule, access, objects):
    values = {}
    for name in rule.arguments:
        if name == "filename":
            values[name] = STATIC_FILES[rule.endpoint]
            continue
        key = access.params.get(name, name)
        assert key in objects, (f"URL parameter <{name}> of {rule.rule} has no test object: add one to "
                                f"_objects() in tests/security/test_authz_matrix.py")
        values[name] = objects[key]
    _domain, path = rule.build(values, append_unknown=False)
    return path


def _refused(role, resp, access=None):
    if access is not None and access.status:
        return resp.status_code == access.status
    if resp.status_code in (403, 404):
        return True
    return role == ANON and resp.status_code == 302 and "/login" in resp.headers.get("Location", "")


def _accepted(resp):
    if resp.status_code == 200:
        return True
    return resp.status_code in (301, 302, 303) and "/login" not in resp.headers.get("Location", "")


def test_every_route_is_in_the_matrix(app):
    endpoints = {r.endpoint for r in app.url_map.iter_rules()}
    missing = sorted(endpoints - set(MATRIX))
    assert not missing, (f"routes missing from the authorisation matrix: {missing}. Add an entry for each to "
                         f"MATRIX in {MATRIX_FILE} saying which demo roles may use it.")
    stale = sorted(set(MATRIX) - endpoints)
    assert not stale, f"{MATRIX_FILE} lists routes that no longer exist: {stale}; remove them."


def test_authorisation_matrix_every_route_as_every_role(demo):
    test_every_route_is_in_the_matrix(demo)
    objects = _objects(demo)
    rules = sorted(demo.url_map.iter_rules(), key=lambda r: (r.endpoint, r.rule))
    failures = []
    for role in ROLES:
        client = client_from(demo)
        if role != ANON:
            assert login(client, role).status_code == 302, role
        for rule in rules:
            access = MATRIX[rule.endpoint]
            url = _url(demo, rule, access, objects)
            allowed = role in access.allowed and not (access.needs and not demo.config.get(access.needs))
            if "GET" in rule.methods:
                resp = client.get(url)
                ok = _accepted(resp) if allowed else _refused(role, resp, access)
                if not ok:
                    failures.append(f"{role:>10} GET  {url} -> {resp.status_code} (expected "
                                    f"{'allowed' if allowed else 'refused'}; {rule.endpoint})")
                elif resp.status_code == 200 and resp.mimetype == "text/html":
                    problems = executable_parts(resp.get_data(as_text=True))
                    if problems:
                        failures.append(f"{role:>10} GET  {url}: executable content {problems[:3]}")
            if "POST" in rule.methods and (not allowed or access.post == "safe"):
                resp = client.post(url, data={})
                ok = _accepted(resp) or resp.status_code == 400 if allowed else _refused(role, resp, access)
                if not ok:
                    failures.append(f"{role:>10} POST {url} -> {resp.status_code} (expected "
                                    f"{'allowed' if allowed else 'refused'}; {rule.endpoint})")
    assert not failures, "authorisation matrix mismatches:\n" + "\n".join(failures)

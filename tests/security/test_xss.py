"""Bad input (1): an XSS corpus of well over 100 payloads through every text
input there is — item titles, bodies, sources, topics, genres, reprint fields,
image captions, file names, unit, person, site and column names, incidents,
the duty roster, the responsibility letter, the public's messages (and the
form typed back when refused), routing notes, internal notes, replies and the
head's comments, lexicon words, suggestions and notes (typed and imported, and
as findings in the editor's panel and its preview), review comments (from the
review page and from an e-mail link) and withdrawal reasons, self-assessment
notes and the assessor's adjustment reasons — and every page that shows them,
in the intranet and on the public site (and the e-mails in the outbox):
nothing executable may come out (R-54 and the CSP)."""
import re
from pathlib import Path

from intranet.extensions import db
from intranet.security.models import Incident

from ..conftest import login
from .helpers import P, client_from, column, new_item, publish, site, unit, upload, user
from .htmlcheck import executable_parts

PAYLOADS = [line for line in (Path(__file__).parent / "xss_payloads.txt").read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("# ")]
URL_PAYLOADS = ["javascript://%0aalert(1)", "javascript://example.com/%0Aalert(1)", "JaVaScRiPt://x.org/%0aalert(1)",
                "data://text/html,alert(1)", "vbscript://x.org/%0amsgbox(1)", "http://ok.example/\"onmouseover=\"alert(1)",
                "https://ok.example/'><script>alert(1)</script>"]


def _clean(client, url, where):
    resp = client.get(url)
    assert resp.status_code in (200, 302, 404), (url, resp.status_code)
    if resp.mimetype == "text/html":
        problems = executable_parts(resp.get_data(as_text=True))
        assert not problems, f"{where}: {url} renders executable content {problems[:3]}"


def test_the_corpus_is_large_and_the_checker_catches_it_raw():
    assert len(PAYLOADS) >= 100
    caught = [p for p in PAYLOADS if executable_parts(p)]
    assert len(caught) >= 100, "the checker must recognise the payloads when they are not escaped"


def test_xss_through_item_fields_captions_and_file_names(demo):
    officer = client_from(demo)
    login(officer, "officer")
    col = column("progress")
    ids = []
    for i, p in enumerate(PAYLOADS):
        item_id = new_item(officer, "progress", title=p[:300], body=p, source=p[:200], topic=p[:100],
                           genre=p[:100], is_reprint="y", reprint_source_site=p[:200])
        assert upload(officer, item_id, filename=f"{p[:60]}.png", caption=p[:300]).status_code == 302
        publish(item_id)
        ids.append(item_id)
    for item_id in ids:
        _clean(officer, f"{P(demo)}/items/{item_id}", "item view")
        _clean(officer, f"{P(demo)}/items/{item_id}/revisions/2", "revision")
        _clean(officer, f"/s/youth/i/{item_id}.html", "public item")
    pages = [f"{P(demo)}/items/", f"{P(demo)}/", "/s/youth/", "/"] + \
        [f"/s/youth/c/{col.slug}/?page={n}" for n in range(1, len(ids) // 20 + 2)]
    for url in pages:
        _clean(officer, url, "list")
    admin = client_from(demo)
    login(admin, "admin")
    for before in ("", f"&before={10**6}"):
        _clean(admin, f"{P(demo)}/audit/?action=item_created{before}", "audit trail")
    # Drafts are edited in the form: re-open one as a draft and show its edit page.
    from intranet.items.models import DRAFT, Item
    for item_id in ids[:: max(1, len(ids) // 25)]:
        db.session.get(Item, item_id).status = DRAFT
    db.session.commit()
    for item_id in ids[:: max(1, len(ids) // 25)]:
        _clean(officer, f"{P(demo)}/items/{item_id}/edit", "item edit")
    _clean(officer, f"{P(demo)}/", "dashboard drafts")


def test_xss_through_reprint_links(demo, login_as):
    client = login_as("officer")
    item_id = new_item(client, "progress")
    publish(item_id)
    from intranet.items.models import DRAFT, Item
    for url in URL_PAYLOADS + [p for p in PAYLOADS if ":" in p]:
        db.session.get(Item, item_id).status = DRAFT
        db.session.commit()
        resp = client.post(f"{P(demo)}/items/{item_id}/edit", data={
            "title": "转载", "body": "<p>转载正文内容</p>", "importance": "normal", "classification": "",
            "is_reprint": "y", "reprint_source_site": "某网站", "reprint_url": url})
        assert resp.status_code in (200, 302)
        publish(item_id)
        _clean(client, f"{P(demo)}/items/{item_id}", "item view")
        _clean(client, f"/s/youth/i/{item_id}.html", "public item")


def test_xss_through_names_of_units_people_sites_and_columns(demo):
    admin = client_from(demo)
    login(admin, "admin")
    hz = unit("hz-office")
    youth = site()
    for i, p in enumerate(PAYLOADS):
        admin.post(f"{P(demo)}/org/units/new", data={"name": p[:200], "code": f"xss{i}", "parent_id": hz.id,
                                                     "kind": "department", "contact_name": p[:100]})
        admin.post(f"{P(demo)}/org/users/new", data={"username": f"xssu{i}", "name": p[:100], "password": "Xss#Pass2026",
                                                      "phone": p[:50]})
        admin.post(f"{P(demo)}/sites/{youth.id}/columns/new", data={
            "name": p[:200], "slug": f"xss{i}", "type": "article", "parent_id": 0, "unit_id": hz.id, "description": p,
            "rule_kind": "timely", "staleness_class": "news", "link_visible": "y"})
    admin.post(f"{P(demo)}/sites/new", data={"name": PAYLOADS[0], "code": "xss", "unit_id": hz.id,
                                             "description": PAYLOADS[1]})
    from intranet.org.models import Unit, User
    from intranet.sites.models import Column, Site
    for model, field, prefix in ((Unit, Unit.code, "xss"), (User, User.username, "xssu"), (Column, Column.slug, "xss")):
        n = db.session.execute(db.select(db.func.count()).select_from(model).filter(field.like(prefix + "%"))).scalar()
        assert n == len(PAYLOADS), (model, n)
    assert db.session.execute(db.select(Site).filter_by(code="xss")).scalar() is not None
    for url in (f"{P(demo)}/org/units", f"{P(demo)}/org/users", f"{P(demo)}/org/users?q=%3Cscript%3E",
                f"{P(demo)}/sites/", f"{P(demo)}/sites/{youth.id}/columns", "/", "/s/youth/", f"{P(demo)}/items/new",
                f"{P(demo)}/audit/", f"{P(demo)}/security/letters/", f"{P(demo)}/security/duty/new"):
        _clean(admin, url, "admin list")
    people = [u for u in db.session.execute(db.select(user("admin").__class__)).scalars() if u.username.startswith("xssu")]
    for u in people[::10]:
        _clean(admin, f"{P(demo)}/org/users/{u.id}/edit", "user edit")


def test_xss_through_incidents_duty_roster_and_the_letter(demo):
    admin = client_from(demo)
    login(admin, "admin")
    for i, p in enumerate(PAYLOADS):
        admin.post(f"{P(demo)}/security/incidents/new", data={
            "kind": "defacement", "title": p[:200], "description": p, "discovered_at": "2026-11-23T09:00",
            "site_id": 0, "unit_id": 0})
        if i % 4 == 0:
            admin.post(f"{P(demo)}/security/duty/new", data={
                "kind": "holiday", "title": p[:200], "note": p[:500], "phone": p[:50], "starts_at": "2026-11-23T00:00",
                "ends_at": "2026-11-25T00:00", "user_id": user("head").id, "backup_user_id": 0})
    incidents = db.session.execute(db.select(Incident)).scalars().all()
    assert len(incidents) == len(PAYLOADS)
    for inc in incidents[:: 5]:
        admin.post(f"{P(demo)}/security/incidents/{inc.id}/actions", data={"a-kind": "note", "a-text": inc.description})
        admin.post(f"{P(demo)}/security/incidents/{inc.id}/report", data={"r-reported_to": inc.title})
        _clean(admin, f"{P(demo)}/security/incidents/{inc.id}", "incident")
    _clean(admin, f"{P(demo)}/security/incidents/", "incident list")
    _clean(admin, f"{P(demo)}/security/duty/", "duty roster")
    admin.post(f"{P(demo)}/security/letters/template", data={"title": PAYLOADS[0], "body": "\n".join(PAYLOADS)})
    _clean(admin, f"{P(demo)}/security/letters/template", "letter template")
    principal = client_from(demo)
    login(principal, "principal")
    _clean(principal, f"{P(demo)}/security/letters/{unit('hz-office').id}/sign", "letter")


# -- the workflows' text: mailbox messages, lexicon entries, review comments and withdrawal reasons,
#    assessment notes and adjustment reasons ----------------------------------------------------------

def _shows(client, url, text):
    """The page shows `text` (as text: escaped in the HTML)."""
    import html
    page = html.unescape(re.sub(r"<[^>]+>", " ", client.get(url).get_data(as_text=True)))
    return text in page


def _signed_in(app, *usernames):
    clients = {}
    for name in usernames:
        clients[name] = client_from(app)
        assert login(clients[name], name).status_code == 302, name
    return clients


def _captcha():
    """A solved captcha question, as the public form's page would ask it."""
    import re

    from plugins.mailbox import captcha
    words = {"加": lambda a, b: a + b, "减": lambda a, b: a - b, "乘以": lambda a, b: a * b}
    question, token = captcha.new_challenge()
    a, op, b = re.match(r"(\d+) (加|减|乘以) (\d+) 等于几？", question).groups()
    return str(words[op](int(a), int(b))), token


def test_xss_through_mailbox_messages_replies_and_notes(demo):
    """The public form's fields (also as typed back on a refused form), the routing note, internal notes,
    the reply and the head's comment: on the staff pages, the public answer, the query page and the lists."""
    from plugins.mailbox import links as reply_links
    from plugins.mailbox.models import Message
    public = client_from(demo)
    staff = _signed_in(demo, "officer", "head", "leader")
    ids, codes = [], []
    for i, p in enumerate(PAYLOADS):
        env = {"REMOTE_ADDR": f"198.51.{100 + i // 200}.{i % 200 + 1}"}  # the per-address limit is not the point
        answer, token = _captcha()
        form = {"name": p[:50], "contact": p[:100], "subject": p[:100], "text": (p + "（请予答复）")[:5000],
                "captcha_answer": answer, "captcha_token": token}
        if i % 10 == 0:  # refused (wrong answer): the form comes back with what was typed
            resp = public.post("/s/youth/c/consult/write", data={**form, "captcha_answer": "x"}, environ_base=env)
            assert resp.status_code == 200
            assert not executable_parts(resp.get_data(as_text=True)), ("refused form", p)
        resp = public.post("/s/youth/c/consult/write", data=form, environ_base=env)
        assert resp.status_code == 200 and not executable_parts(resp.get_data(as_text=True)), ("sent page", p)
        message = db.session.execute(db.select(Message).order_by(Message.id.desc())).scalars().first()
        assert message.subject == p[:100].strip() or message.subject == p[:100], p
        ids.append(message.id)
        codes.append(message.query_code)
    hz = unit("hz-office").id
    for message_id, p in zip(ids, PAYLOADS):
        base = f"{P(demo)}/mailbox/{message_id}"
        officer, head = staff["officer"], staff["head"]
        assert officer.post(f"{base}/route", data={"unit_id": hz, "note": p[:500]}).status_code == 302
        assert officer.post(f"{base}/notes", data={"text": p}).status_code == 302
        assert officer.post(f"{base}/reply", data={"text": p, "publish": "y"}).status_code == 302
        assert head.post(f"{base}/review", data={"decision": "approve", "comment": p}).status_code == 302
        # then 局领导 (市办 is the top unit: its own leader in charge); every tenth from the e-mail link
        if message_id % 10:
            assert staff["leader"].post(f"{base}/review", data={"decision": "approve", "comment": p}).status_code \
                == 302
            continue
        step = db.session.get(Message, message_id).pending_reply.open_step
        token = reply_links.create_links_many(step, [user("leader")])[user("leader").id]["approve"]
        db.session.commit()
        _clean(public, f"{P(demo)}/mailbox/link/{token}", "reply decision link")
        resp = public.post(f"{P(demo)}/mailbox/link/{token}", data={"comment": p})
        assert resp.status_code == 200 and not executable_parts(resp.get_data(as_text=True)), "reply link done"
    answered = db.session.execute(db.select(db.func.count()).select_from(Message)
                                  .filter(Message.id.in_(ids), Message.is_public.is_(True))).scalar()
    assert answered == len(ids)
    for message_id, code in zip(ids, codes):
        _clean(staff["officer"], f"{P(demo)}/mailbox/{message_id}", "staff message")
        _clean(public, f"/s/youth/c/consult/m/{message_id}.html", "public answer")
    for code in codes[::10]:
        resp = public.post("/s/youth/c/consult/query", data={"code": code})
        assert resp.status_code == 200 and not executable_parts(resp.get_data(as_text=True)), "query page"
    # the sinks are real: the first payload is on the staff page (subject, note, reply) and the public answer
    assert _shows(staff["officer"], f"{P(demo)}/mailbox/{ids[0]}", PAYLOADS[0])
    assert _shows(public, f"/s/youth/c/consult/m/{ids[0]}.html", PAYLOADS[0])
    for url in (f"{P(demo)}/mailbox/?status=answered", f"{P(demo)}/mailbox/", f"{P(demo)}/", "/s/youth/c/consult/",
                "/s/youth/c/consult/?page=2", "/s/youth/c/consult/?page=8"):
        _clean(staff["officer"], url, "mailbox lists")


def test_xss_through_lexicon_entries_and_the_editor_panel(demo):
    """Words, suggestions and notes of the lexicon (typed and imported) on its pages, and as findings in
    the editor's panel: the words matched in an item's text, highlighted, and in the unsaved preview."""
    from intranet.checks.models import LexiconWord
    admin = _signed_in(demo, "admin")["admin"]
    for i, p in enumerate(PAYLOADS):
        resp = admin.post(f"{P(demo)}/checks/lexicon/new", data={
            "word": p[:50], "category": "sensitive", "severity": "warn", "suggestion": f"建议{i}{p}"[:200],
            "site_id": 0, "enabled": "y", "note": p[:200]})
        assert resp.status_code in (200, 302)
        if resp.status_code == 200:
            assert not executable_parts(resp.get_data(as_text=True)), ("refused word form", p)
    words = db.session.execute(db.select(LexiconWord).filter(LexiconWord.note != "")).scalars().all()
    assert len(words) >= len(PAYLOADS) * 9 // 10, len(words)  # a few payloads coincide in their first 50 characters
    n = db.session.execute(db.select(db.func.count()).select_from(LexiconWord)).scalar()
    for page in range(1, n // 100 + 2):
        _clean(admin, f"{P(demo)}/checks/lexicon?page={page}", "lexicon list")
    _clean(admin, f"{P(demo)}/checks/lexicon?q=%3Cscript", "lexicon search")
    for w in words[::7]:
        _clean(admin, f"{P(demo)}/checks/lexicon/{w.id}/edit", "lexicon word")
    # An import whose lines are payloads (bad lines are listed back on the page).
    import io
    text = "\n".join(f"{p[:50]},{'banned' if i % 2 else 'nonsense'},warn,{p[:100]}" for i, p in enumerate(PAYLOADS))
    resp = admin.post(f"{P(demo)}/checks/lexicon/import", data={
        "file": (io.BytesIO(text.encode("utf-8")), "词库.txt"), "site_id": 0, "default_category": "sensitive"},
        content_type="multipart/form-data")
    assert resp.status_code == 200 and not executable_parts(resp.get_data(as_text=True)), "import outcome"
    # The words found in a draft's text: the body holds the payloads as text (escaped), so the panel
    # shows each with its suggestion and highlights it in the body's plain text.
    import html as html_lib
    officer = _signed_in(demo, "officer")["officer"]
    ids = []
    for chunk in range(0, len(PAYLOADS), 20):
        body = "".join(f"<p>{html_lib.escape(p)}</p>" for p in PAYLOADS[chunk:chunk + 20])
        ids.append(new_item(officer, "progress", title=PAYLOADS[chunk][:300], body=body))
    for item_id in ids:
        for url in (f"{P(demo)}/items/{item_id}/edit", f"{P(demo)}/items/{item_id}"):
            resp = officer.get(url)
            assert resp.status_code == 200 and 'id="check-panel"' in resp.get_data(as_text=True)
            assert not executable_parts(resp.get_data(as_text=True)), url
    assert _shows(officer, f"{P(demo)}/items/{ids[0]}/edit", f"建议0{PAYLOADS[0]}")  # the finding's suggestion
    for p in PAYLOADS:
        resp = officer.post(f"{P(demo)}/checks/items/{ids[0]}/preview", data={"title": p, "body": html_lib.escape(p)})
        assert resp.status_code == 200 and not executable_parts(resp.get_data(as_text=True)), ("preview", p)


def test_xss_through_review_comments_and_withdrawal_reasons(demo):
    """Every reviewer's comment (returns, approvals with a comment, decisions from an e-mail link) and the
    withdrawal reason: review pages, the item, approval forms, the archive, the ledger, the queue, the
    author's inbox and dashboard, and the e-mail bodies in the outbox."""
    from intranet.items.models import Item
    from intranet.outbox.models import OutboxMessage
    from intranet.review import links
    from intranet.review.models import OPEN, Publication, ReviewStep
    people = _signed_in(demo, "officer", "proof1", "proof2", "head", "secrecy", "leader", "webmaster", "admin")
    officer = people["officer"]
    payloads = iter(PAYLOADS * 2)

    def open_step(item_id):
        db.session.expire_all()
        return db.session.execute(db.select(ReviewStep).filter_by(item_id=item_id, status=OPEN)).scalar()

    def decide(item_id, decision, comment):
        step = open_step(item_id)
        who = min(c.user.username for c in step.candidates)
        resp = people[who].post(f"{P(demo)}/review/steps/{step.id}/decide",
                                data={"decision": decision, "comment": comment, "revision_no": step.run.revision_no})
        assert resp.status_code == 302, (who, resp.status_code)
        return who

    ids, used = [], 0
    while used < len(PAYLOADS):
        item_id = new_item(officer, "progress", title=f"审核意见{len(ids)}", source="市办")
        ids.append(item_id)
        assert officer.post(f"{P(demo)}/review/items/{item_id}/submit").status_code == 302
        # returned by the first proof-reader with a comment, then submitted again
        decide(item_id, "return", next(payloads))
        _clean(officer, f"{P(demo)}/items/{item_id}", "returned item")
        assert officer.post(f"{P(demo)}/review/items/{item_id}/submit").status_code == 302
        steps = 0
        while open_step(item_id) is not None:
            step = open_step(item_id)
            if steps == 1:  # one step decided from the e-mail link, with a comment
                token = links.create_links(step, min(step.candidates, key=lambda c: c.user_id).user)["approve"]
                db.session.commit()
                anon = client_from(demo)
                _clean(anon, f"{P(demo)}/review/link/{token}", "decision link")
                resp = anon.post(f"{P(demo)}/review/link/{token}", data={"comment": next(payloads)})
                assert resp.status_code == 200 and not executable_parts(resp.get_data(as_text=True)), "link done"
            else:
                decide(item_id, "approve_comment", next(payloads))
            steps += 1
        assert db.session.get(Item, item_id).status == "published"
        resp = people["webmaster"].post(f"{P(demo)}/review/items/{item_id}/withdraw", data={"reason": next(payloads)})
        assert resp.status_code == 302
        used += steps + 2
    pubs = db.session.execute(db.select(Publication).filter(Publication.item_id.in_(ids))).scalars().all()
    assert len(pubs) == len(ids)
    for item_id in ids:
        _clean(officer, f"{P(demo)}/review/items/{item_id}", "review page")
        _clean(officer, f"{P(demo)}/items/{item_id}", "item page")
    for pub in pubs:
        _clean(people["admin"], f"{P(demo)}/review/forms/{pub.id}", "approval form")
        _clean(people["admin"], f"{P(demo)}/review/archive/{pub.id}", "archive")
    for url in (f"{P(demo)}/review/ledger", f"{P(demo)}/review/ledger?action=withdraw", f"{P(demo)}/review/archive"):
        _clean(people["admin"], url, "ledger")
    assert _shows(officer, f"{P(demo)}/review/items/{ids[0]}", PAYLOADS[0])  # the return comment, in the history
    assert _shows(people["admin"], f"{P(demo)}/review/forms/{pubs[0].id}", PAYLOADS[2])  # a comment on the form
    for who in ("proof1", "proof2", "head", "secrecy", "leader", "webmaster"):
        _clean(people[who], f"{P(demo)}/review/", "queue")
    for url in (f"{P(demo)}/inbox/", f"{P(demo)}/inbox/?page=2", f"{P(demo)}/", f"{P(demo)}/reminders/"):
        _clean(officer, url, "inbox and dashboard")
    _clean(people["admin"], f"{P(demo)}/reminders/outbox", "outbox")
    for row in db.session.execute(db.select(OutboxMessage).filter(OutboxMessage.html != "")).scalars():
        assert not executable_parts(row.html), ("e-mail", row.subject, executable_parts(row.html)[:3])


def test_xss_through_assessment_notes_and_adjustment_reasons(demo):
    """Self-assessment notes and the assessor's reasons for each changed figure, month after month: the
    self-assessment and unified pages, the month, the results on the intranet and in public."""
    from datetime import datetime

    from intranet.assessment import cycle, scoring
    from intranet.clock import set_now

    from ..conftest import TEST_NOW
    people = _signed_in(demo, "webmaster", "officer", "sc_officer", "admin")
    units = [u for u in scoring.assessed_units()]
    selfers = {u.id: ("officer" if u.code == "hz-office" else "sc_officer") for u in units}
    assert {u.code for u in units} == {"hz-office", "sc-office"}
    own = {"leader_named": 10, "responsibility": 5, "problem_solving": 5, "dedicated_officer": 10, "frequency": 30,
           "volume": 60}
    changed = {"leader_named": 9, "responsibility": 4, "problem_solving": 4, "dedicated_officer": 9, "frequency": 20,
               "volume": 54}
    payloads = iter(PAYLOADS * 2)
    year, month, used = 2026, 10, 0
    months = []
    while used < len(PAYLOADS):
        months.append((year, month))
        base = f"{P(demo)}/assessment/{year}/{month}"
        set_now(demo, cycle.dates(year, month).opens.replace(day=5, hour=9))
        try:
            for u in units:
                client = people[selfers[u.id]]
                resp = client.post(f"{base}/self/{u.id}", data={**{k: str(v) for k, v in own.items()},
                                                              "note": next(payloads)})
                assert resp.status_code == 302, (year, month, u.code)
                _clean(client, f"{base}/self/{u.id}", "self-assessment")
        finally:
            set_now(demo, TEST_NOW)
        for u in units:
            reasons = {f"reason_{k}": next(payloads) for k in changed}
            resp = people["webmaster"].post(f"{base}/unified/{u.id}",
                                            data={**{k: str(v) for k, v in changed.items()}, **reasons})
            assert resp.status_code == 302, (year, month, u.code, resp.get_data(as_text=True)[:300])
            _clean(people["webmaster"], f"{base}/unified/{u.id}", "unified assessment")
        _clean(people["webmaster"], base, "month")
        assert people["webmaster"].post(f"{base}/fix").status_code == 302
        assert people["webmaster"].post(f"{base}/publish", data={"public": "1"}).status_code == 302
        assert cycle.get_month(year, month, create=False).status == "published"
        used += len(units) * (1 + len(changed))
        year, month = cycle.prev_month(year, month)
    from intranet.assessment.models import AssessmentAdjustment
    reasons = set(db.session.execute(db.select(AssessmentAdjustment.reason)).scalars())
    assert len(reasons) >= len(PAYLOADS) * 3 // 4, len(reasons)  # (reasons are stripped; a few coincide)
    first = f"{P(demo)}/assessment/{months[0][0]}/{months[0][1]}"
    assert _shows(people["officer"], f"{first}/results", PAYLOADS[2])  # the first reason, with the results
    for year, month in months:
        _clean(people["officer"], f"{P(demo)}/assessment/{year}/{month}/results", "results")
        _clean(people["webmaster"], f"{P(demo)}/assessment/{year}/{month}", "month")
        _clean(client_from(demo), f"/kaohe/{year}-{month}/", "public results")
    for url in (f"{P(demo)}/assessment/", f"{P(demo)}/assessment/year/2026", f"{P(demo)}/assessment/year/2025"):
        _clean(people["webmaster"], url, "assessment pages")
    _clean(people["admin"], f"{P(demo)}/audit/?action=assessment_unified", "audit trail")
    _clean(client_from(demo), "/kaohe/", "public index")

"""Review pages: my queue, the review page of an item (diff, history,
decision), submit / withdraw / reopen, email decision links (R-35), chain
configuration (R-31), approval forms (R-36), ledger (R-37), archive (R-38)."""
from datetime import datetime, time

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from .. import audit, clock
from ..extensions import db
from ..items.models import EXPIRED, IMPORTANCE_LABELS, IN_REVIEW, PUBLISHED, WITHDRAWN, Item, Revision
from ..org import roles
from ..org.models import Unit, User
from ..org.permissions import can_edit_item, can_manage_column, manages_unit
from ..sites.models import Column, Site
from ..ui import MAX_ID, id_arg, page_arg
from . import access, chains, diff, engine, exports, links
from .archive import archived_path
from .models import (DECISION_LABELS, LEDGER_LABELS, OPEN, PUBLISH_DECISION_LABELS, ChainStep, LedgerEntry,
                     Publication, PublicationFile, ReviewChain, ReviewRun, ReviewSeen, ReviewStep, SecrecyRecord,
                     StepCandidate)

bp = Blueprint("review", __name__, url_prefix="/review")
PAGE_SIZE = 50


# -- helpers -------------------------------------------------------------------

def _item_or_404(item_id):
    item = db.session.get(Item, item_id)
    if item is None:
        abort(404)
    return item


def diff_for(user, item, run):
    """(what the diff is against, compare() result) for this person (R-22):
    the revision they last decided on, else the last published version."""
    new = db.session.execute(db.select(Revision).filter_by(item_id=item.id, number=run.revision_no)).scalar()
    new_data = new.data if new else item.snapshot()
    seen = db.session.execute(db.select(ReviewSeen).filter_by(user_id=user.id, item_id=item.id)).scalar() \
        if user is not None else None
    if seen is not None and seen.revision_no != run.revision_no:
        old = db.session.execute(db.select(Revision).filter_by(item_id=item.id, number=seen.revision_no)).scalar()
        if old is not None:
            return f"您上次审核的第{seen.revision_no}版", diff.compare(old.data, new_data)
    if seen is not None and seen.revision_no == run.revision_no:
        return f"您上次审核的第{seen.revision_no}版（之后没有修改）", diff.compare(new_data, new_data)
    pub = db.session.execute(db.select(Publication).filter_by(item_id=item.id)
                             .order_by(Publication.number.desc())).scalars().first()
    if pub is not None:
        return f"上次发布的版本（第{pub.revision_no}版）", diff.compare(pub.snapshot, new_data)
    return None, diff.compare(None, new_data)


def review_state(item):
    """What the item pages show about review (template global)."""
    user = current_user
    runs = list(item.review_runs)
    run = next((r for r in reversed(runs) if r.status == "active"), None)
    step = next((s for s in run.steps if s.status == OPEN), None) if run else None
    last = runs[-1] if runs else None
    last_return = None
    if last is not None and last.status in ("returned", "rejected"):
        last_return = next((s for s in last.steps if s.status in ("returned", "rejected")), None)
    return {
        "runs": runs,
        "run": run,
        "step": step,
        "mine": step is not None and engine.is_candidate(step, user),
        "can_reresolve": step is not None and manages_unit(user, item.unit),
        "can_submit": item.status in ("draft", "returned") and can_edit_item(user, item),
        "can_withdraw": item.status in (PUBLISHED, "approved") and engine.can_withdraw(user, item),
        "can_reopen": item.status in (WITHDRAWN, EXPIRED) and (item.author_id == user.id or
                                                               engine.can_edit_item_when_draft(user, item)),
        "last_return": last_return,
        "classified": engine.classified_reasons(item),
        "publications": db.session.execute(db.select(Publication).filter_by(item_id=item.id)
                                           .order_by(Publication.number)).scalars().all(),
    }


# Refusals of the person rather than of the item's state: 403 with the reason.
FORBIDDEN = (engine.NotAllowed, engine.NotYourStep, engine.FourEyes)


def _refused(exc):
    db.session.rollback()
    if isinstance(exc, FORBIDDEN):
        abort(403, exc.message)
    flash(exc.message, "danger")


# -- my queue ------------------------------------------------------------------

def waiting_for(user, limit=200):
    return db.session.execute(
        db.select(ReviewStep).join(StepCandidate).filter(StepCandidate.user_id == user.id, ReviewStep.status == OPEN)
        .order_by(ReviewStep.opened_at, ReviewStep.id).limit(limit)).scalars().all()


def waited(since, now=None):
    now = now or clock.now()
    if since is None:
        return ""
    delta = now - since
    days, hours = delta.days, delta.seconds // 3600
    if days:
        return f"{days}天{hours}小时"
    if hours:
        return f"{hours}小时"
    return f"{max(1, delta.seconds // 60)}分钟"


@bp.route("/")
@login_required
def queue():
    decided = db.session.execute(
        db.select(ReviewStep).filter(ReviewStep.decided_by_id == current_user.id)
        .order_by(ReviewStep.decided_at.desc()).limit(30)).scalars().all()
    return render_template("review/queue.html", steps=waiting_for(current_user), decided=decided, waited=waited)


# -- the review page of one item ------------------------------------------------

@bp.route("/items/<int:item_id>")
@login_required
def item(item_id):
    it = _item_or_404(item_id)
    if not access.can_see_item_review(current_user, it):
        abort(403)
    state = review_state(it)
    base_label, changes = (None, None)
    if state["run"] is not None:
        base_label, changes = diff_for(current_user, it, state["run"])
    return render_template("review/item.html", item=it, state=state, base_label=base_label, changes=changes,
                           decisions=PUBLISH_DECISION_LABELS if state["step"] and state["step"].kind == chains.PUBLISH
                           else DECISION_LABELS, waited=waited)


@bp.route("/items/<int:item_id>/submit", methods=["POST"])
@login_required
def submit(item_id):
    it = _item_or_404(item_id)
    try:
        run = engine.submit(it, current_user, request.form)
    except engine.ReviewRefused as exc:
        _refused(exc)
        return redirect(url_for("items.view", item_id=item_id))
    db.session.commit()
    step = next((s for s in run.steps if s.status == OPEN), None)
    flash(f"已提交审核（{run.chain_source}）" + (f"，当前环节：{step.label}。" if step else "。"), "success")
    return redirect(url_for("items.view", item_id=item_id))


@bp.route("/steps/<int:step_id>/decide", methods=["POST"])
@login_required
def decide(step_id):
    step = db.session.get(ReviewStep, step_id)
    if step is None:
        abort(404)
    item_id = step.item_id
    try:
        engine.decide(step, current_user, request.form.get("decision", ""), request.form.get("comment", ""),
                      seen_revision=request.form.get("revision_no", type=int), via="web", form=request.form)
    except engine.ReviewRefused as exc:
        _refused(exc)
        return redirect(url_for("review.item", item_id=item_id))
    db.session.commit()
    flash(f"已记录审核意见：{step.label} · {step.decision_label}。", "success")
    return redirect(url_for("review.queue"))


@bp.route("/steps/<int:step_id>/reresolve", methods=["POST"])
@login_required
def reresolve(step_id):
    """An admin re-resolves who may decide an open step (e.g. after assigning a missing role)."""
    step = db.session.get(ReviewStep, step_id)
    if step is None:
        abort(404)
    if not manages_unit(current_user, step.item.unit):
        abort(403)
    try:
        people = engine.reresolve(step, current_user)
    except engine.ReviewRefused as exc:
        _refused(exc)
        return redirect(url_for("review.item", item_id=step.item_id))
    db.session.commit()
    flash("已重新确定审核人：" + ("、".join(p.name for p in people) if people else "仍然没有符合条件的人员"),
          "success" if people else "warning")
    return redirect(url_for("review.item", item_id=step.item_id))


@bp.route("/items/<int:item_id>/withdraw", methods=["POST"])
@login_required
def withdraw(item_id):
    it = _item_or_404(item_id)
    try:
        engine.withdraw(it, current_user, request.form.get("reason", ""))
    except engine.ReviewRefused as exc:
        _refused(exc)
        return redirect(url_for("review.item", item_id=item_id))
    db.session.commit()
    flash("信息已撤回，已从网站下线，并已通知责任单位。", "success")
    return redirect(url_for("review.item", item_id=item_id))


@bp.route("/items/<int:item_id>/reopen", methods=["POST"])
@login_required
def reopen(item_id):
    it = _item_or_404(item_id)
    try:
        engine.reopen(it, current_user)
    except engine.ReviewRefused as exc:
        _refused(exc)
        return redirect(url_for("items.view", item_id=item_id))
    db.session.commit()
    flash("信息已退回草稿，修改后请重新提交审核。首次发布时间将保留。", "success")
    return redirect(url_for("items.edit", item_id=item_id))


# -- email decision links (R-35) -------------------------------------------------

LINK_ACTION = {"approve": ("同意", "btn-success"), "return": ("退回修改", "btn-warning"), "reject": ("不予发布", "btn-danger")}


@bp.route("/link/<token>", methods=["GET", "POST"])
def link(token):
    """GET shows the item, its diff and one button; only the POST decides."""
    try:
        lk = links.check(token, current_user)
    except links.LinkRefused as exc:
        return render_template("review/link_refused.html", refusal=exc), exc.status
    step, it = lk.step, lk.step.item
    error = None
    if request.method == "POST":
        comment = (request.form.get("comment") or "").strip()
        decision = {"approve": "approve", "return": "return", "reject": "reject"}[lk.action]
        if lk.action != "approve" and not comment:
            error = "请填写意见后再提交。"
        else:
            refusal = links.decide_by_link(
                lambda: links.mark_used(lk),
                lambda: engine.decide(step, lk.user, decision, comment, seen_revision=lk.revision_no, via="email",
                                      form=request.form),
                lambda: links.check(token, current_user), engine.ReviewRefused)
            if refusal is not None:
                return render_template("review/link_refused.html", refusal=refusal), refusal.status
            db.session.commit()
            return render_template("review/link_done.html", step=step, item=it)
    base_label, changes = diff_for(lk.user, it, step.run)
    return render_template("review/link.html", link=lk, step=step, item=it, token=token, error=error,
                           action_label=LINK_ACTION[lk.action], base_label=base_label, changes=changes)


@bp.route("/link/<token>/files/<int:attachment_id>")
def link_file(token, attachment_id):
    """An image of the item a decision link shows (the reviewer reading the
    mail may not be signed in): only while the link could still decide, only
    the item's own images. Changes nothing."""
    from ..items import storage
    from ..items.models import Attachment
    try:
        lk = links.check(token, current_user)
    except links.LinkRefused:
        abort(404)
    att = db.session.get(Attachment, attachment_id)
    if att is None or att.item_id != lk.step.item_id or not att.is_image:
        abort(404)
    path = storage.path_of(att)
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype=att.mime, download_name=att.filename)


# -- chain configuration (R-31) -------------------------------------------------

def _column_or_404(column_id, manage=True):
    col = db.session.get(Column, column_id)
    if col is None:
        abort(404)
    if manage and not can_manage_column(current_user, col):
        abort(403)
    return col


@bp.route("/chains")
@login_required
def chains_index():
    from ..sites.views import column_tree
    sites = [s for s in db.session.execute(db.select(Site).order_by(Site.id)).scalars()
             if manages_unit(current_user, s.unit)]
    if not sites:
        abort(403)
    site = next((s for s in sites if s.id == id_arg("site")), sites[0])
    rows = []
    for col, depth in column_tree(site):
        cells = []
        for imp in chains.IMPORTANCES:
            specs, source = chains.effective_chain(col, imp)
            own = db.session.execute(db.select(ReviewChain).filter_by(column_id=col.id, importance=imp)).scalar()
            cells.append({"importance": imp, "labels": chains.step_labels(specs), "source": source,
                          "own": own is not None})
        rows.append((col, depth, cells))
    return render_template("review/chains.html", sites=sites, site=site, rows=rows, importances=chains.IMPORTANCES)


MAX_CHAIN_ROWS = 50


def _form_id(name):
    """A positive id from the form, or None (also for text and numbers no row can have)."""
    raw = (request.form.get(name) or "").strip()
    if not (raw.isascii() and raw.isdigit()):
        return None
    value = int(raw) if len(raw) <= 10 else 0
    return value if 0 < value <= MAX_ID else None


@bp.route("/chains/<int:column_id>/<importance>", methods=["GET", "POST"])
@login_required
def chain_edit(column_id, importance):
    col = _column_or_404(column_id)
    if importance not in chains.IMPORTANCES:
        abort(404)
    chain = db.session.execute(db.select(ReviewChain).filter_by(column_id=col.id, importance=importance)).scalar()
    errors = []
    posted = None
    if request.method == "POST":
        specs = []
        posted = []
        # the page's row count: a number, and no more rows than a chain can sensibly have
        rows = min(max(request.form.get("rows", 0, type=int), 0), MAX_CHAIN_ROWS)
        for i in range(rows):
            kind = request.form.get(f"kind_{i}") or ""
            raw_ref = request.form.get(f"unit_ref_{i}") or ""
            role = request.form.get(f"role_{i}") or ""
            unit_id = _form_id(f"unit_{i}")
            if not raw_ref and unit_id:
                raw_ref = "named"  # a unit chosen in 指定单位 names that unit, whatever the kind's default
            posted.append({"kind": kind, "unit_ref": raw_ref, "unit_id": unit_id, "role": role})
            if not kind:
                continue
            if kind not in chains.KINDS:
                errors.append(f"第{i + 1}行：环节类型无效")
                continue
            ref = raw_ref or chains.KINDS[kind][2]
            role = role or chains.KINDS[kind][1]
            if ref not in chains.UNIT_REFS or role not in roles.LABELS:
                errors.append(f"第{i + 1}行：单位或角色无效")
                continue
            if ref == "named" and not (unit_id and db.session.get(Unit, unit_id)):
                errors.append(f"第{i + 1}行：请选择指定单位")
                continue
            specs.append((kind, ref, unit_id if ref == "named" else None, role))
        if not any(k != chains.PUBLISH for k, *_ in specs):
            errors.append("审核流程至少要有一个审核环节（先审后发）")
        if not errors:
            if chain is None:
                chain = ReviewChain(column_id=col.id, importance=importance)
                db.session.add(chain)
            chain.steps.clear()
            db.session.flush()
            specs = [s for s in specs if s[0] != chains.PUBLISH] + \
                ([s for s in specs if s[0] == chains.PUBLISH][:1] or [(chains.PUBLISH, "site", None, roles.WEBMASTER)])
            for pos, (kind, ref, unit_id, role) in enumerate(specs, start=1):
                chain.steps.append(ChainStep(position=pos, kind=kind, unit_ref=ref, unit_id=unit_id, role=role))
            chain.updated_at, chain.updated_by_id = clock.now(), current_user.id
            audit.record("review_chain_saved", col, detail={"importance": importance, "steps": [s[0] for s in specs]})
            db.session.commit()
            flash("审核流程已保存。下级栏目未单独设置的，将继承此流程。", "success")
            return redirect(url_for("review.chains_index", site=col.site_id))
    specs, source = chains.effective_chain(col, importance)
    if posted is not None:  # refused: the rows as they were typed (less the unused ones at the end)
        current = posted
        while current and not (current[-1]["kind"] or current[-1]["unit_id"]):
            current.pop()
    else:
        current = [{"kind": s.kind, "unit_ref": s.unit_ref, "unit_id": s.unit_id, "role": s.role} for s in specs]
    # Active units, and any unit a row names even if it has since been deactivated, so that
    # every named unit is shown selected and posts back as the same id.
    named = {r["unit_id"] for r in current if r.get("unit_id")}
    units = db.session.execute(db.select(Unit).filter(db.or_(Unit.active.is_(True), Unit.id.in_(named or [-1])))
                               .order_by(Unit.sort_order, Unit.id)).scalars().all()
    return render_template("review/chain_edit.html", column=col, importance=importance, chain=chain, source=source,
                           current=current + [{}] * 3, errors=errors, kinds=chains.KINDS, unit_refs=chains.UNIT_REFS,
                           role_labels=roles.LABELS, units=units, importances=chains.IMPORTANCES)


@bp.route("/chains/<int:column_id>/<importance>/delete", methods=["POST"])
@login_required
def chain_delete(column_id, importance):
    col = _column_or_404(column_id)
    chain = db.session.execute(db.select(ReviewChain).filter_by(column_id=col.id, importance=importance)).scalar()
    if chain is not None:
        db.session.delete(chain)
        audit.record("review_chain_removed", col, detail={"importance": importance})
        db.session.commit()
        flash("已删除本栏目的审核流程设置，恢复继承上级栏目或默认流程。", "success")
    return redirect(url_for("review.chains_index", site=col.site_id))


# -- ledger (R-37) --------------------------------------------------------------

def _require_inspector():
    if not access.can_inspect(current_user):
        abort(403, "只有网站管理员、领导、保密审查员等检查人员可以查看台账和归档。")
    return access.inspect_scope(current_user)


def _date_arg(name, end=False):
    raw = request.args.get(name) or ""
    try:
        d = datetime.strptime(raw, "%Y-%m-%d").date()
    except ValueError:
        return None
    return datetime.combine(d, time.max if end else time.min)


def _filters():
    return {k: request.args.get(k, "") for k in ("site", "column", "unit", "user", "action", "start", "end", "q")}


def ledger_query(scope):
    stmt = db.select(LedgerEntry)
    if scope is not None:
        stmt = stmt.filter(LedgerEntry.unit_id.in_(scope or [-1]))
    for arg, col in (("site", LedgerEntry.site_id), ("column", LedgerEntry.column_id), ("unit", LedgerEntry.unit_id),
                     ("user", LedgerEntry.user_id)):
        value = id_arg(arg)
        if value:
            stmt = stmt.filter(col == value)
    if request.args.get("action") in LEDGER_LABELS:
        stmt = stmt.filter(LedgerEntry.action == request.args["action"])
    start, end = _date_arg("start"), _date_arg("end", end=True)
    if start:
        stmt = stmt.filter(LedgerEntry.at >= start)
    if end:
        stmt = stmt.filter(LedgerEntry.at <= end)
    q = (request.args.get("q") or "").strip()
    if q:
        stmt = stmt.filter(LedgerEntry.title.contains(q, autoescape=True))
    return stmt.order_by(LedgerEntry.at.desc(), LedgerEntry.id.desc())


def _filter_choices(scope):
    sites = db.session.execute(db.select(Site).order_by(Site.id)).scalars().all()
    units = [u for u in db.session.execute(db.select(Unit).order_by(Unit.sort_order, Unit.id)).scalars()
             if scope is None or u.id in scope]
    columns = db.session.execute(db.select(Column).order_by(Column.site_id, Column.sort_order)).scalars().all()
    people = db.session.execute(db.select(User).order_by(User.id)).scalars().all()
    return {"sites": sites, "units": units, "columns": columns, "people": people}


@bp.route("/ledger")
@login_required
def ledger():
    scope = _require_inspector()
    page = page_arg()
    total = db.session.execute(db.select(db.func.count()).select_from(ledger_query(scope).order_by(None).subquery())
                               ).scalar()
    entries = db.session.execute(ledger_query(scope).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).scalars().all()
    args = {k: v for k, v in _filters().items() if v}
    return render_template("review/ledger.html", entries=entries, total=total, page=page,
                           has_next=page * PAGE_SIZE < total, filters=_filters(), args=args,
                           actions=LEDGER_LABELS, **_filter_choices(scope))


@bp.route("/ledger.xlsx")
@login_required
def ledger_xlsx():
    scope = _require_inspector()
    entries = db.session.execute(ledger_query(scope).limit(100_000)).scalars().all()
    audit.record("ledger_exported", detail={"filters": _filters(), "rows": len(entries)})
    db.session.commit()
    return send_file(exports.ledger_workbook(entries), as_attachment=True,
                     download_name=f"发布台账_{clock.now():%Y%m%d%H%M}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


# -- approval forms and archive (R-38) ------------------------------------

def _publication_or_404(pub_id):
    pub = db.session.get(Publication, pub_id)
    if pub is None:
        abort(404)
    if not access.can_see_publication(current_user, pub):
        abort(403)
    return pub


def _ids_arg():
    """The publication ids of `?ids=1,2,3` (at most 1000, only ids a row can have)."""
    return [int(x) for x in (request.args.get("ids") or "").split(",")[:1000]
            if x.strip().isdigit() and 0 < int(x) <= MAX_ID]


def publications_query(scope):
    stmt = db.select(Publication)
    if scope is not None:
        stmt = stmt.filter(Publication.unit_id.in_(scope or [-1]))
    ids = _ids_arg()
    if ids:
        stmt = stmt.filter(Publication.id.in_(ids))
    for arg, col in (("site", Publication.site_id), ("column", Publication.column_id), ("unit", Publication.unit_id)):
        value = id_arg(arg)
        if value:
            stmt = stmt.filter(col == value)
    start, end = _date_arg("start"), _date_arg("end", end=True)
    if start:
        stmt = stmt.filter(Publication.published_at >= start)
    if end:
        stmt = stmt.filter(Publication.published_at <= end)
    q = (request.args.get("q") or "").strip()
    if q:
        stmt = stmt.filter(Publication.title.contains(q, autoescape=True))
    return stmt.order_by(Publication.published_at.desc(), Publication.id.desc())


def _earlier_runs(pub):
    if pub.run is None:
        return []
    return db.session.execute(db.select(ReviewRun).filter(ReviewRun.item_id == pub.item_id,
                                                          ReviewRun.number < pub.run.number)
                              .order_by(ReviewRun.number)).scalars().all()


@bp.route("/forms/<int:pub_id>")
@login_required
def form(pub_id):
    pub = _publication_or_404(pub_id)
    secrecy = db.session.execute(db.select(SecrecyRecord).filter_by(run_id=pub.run_id)).scalars().all() \
        if pub.run_id else []
    return render_template("review/form.html", pub=pub, snap=pub.snapshot, secrecy=secrecy,
                           earlier=_earlier_runs(pub), importance_labels=IMPORTANCE_LABELS)


@bp.route("/forms.xlsx")
@login_required
def forms_xlsx():
    if "ids" in request.args:
        # Chosen forms (the 导出Excel of one form's page): each for whoever may see that form,
        # its author and the people who may see the item included, not only inspectors.
        if not _ids_arg():
            abort(404)
        scope = None
    else:
        scope = _require_inspector()
    pubs = db.session.execute(publications_query(scope).limit(10_000)).scalars().all()
    pubs = [p for p in pubs if access.can_see_publication(current_user, p)]
    if not pubs:
        abort(404)
    run_ids = [p.run_id for p in pubs if p.run_id]
    secrecy = db.session.execute(db.select(SecrecyRecord).filter(SecrecyRecord.run_id.in_(run_ids or [-1]))
                                 .order_by(SecrecyRecord.at)).scalars().all()
    name = f"信息发布审批表_{pubs[0].item_id}-{pubs[0].number}.xlsx" if len(pubs) == 1 else \
        f"信息发布审批表_{clock.now():%Y%m%d%H%M}.xlsx"
    return send_file(exports.approval_forms_workbook(pubs, secrecy), as_attachment=True, download_name=name,
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.route("/archive")
@login_required
def archive():
    scope = _require_inspector()
    page = page_arg()
    pubs = db.session.execute(publications_query(scope).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)
                              ).scalars().all()
    args = {k: v for k, v in _filters().items() if v}
    return render_template("review/archive.html", pubs=pubs[:PAGE_SIZE], page=page, has_next=len(pubs) > PAGE_SIZE,
                           filters=_filters(), args=args, **_filter_choices(scope))


@bp.route("/archive/<int:pub_id>")
@login_required
def archived(pub_id):
    pub = _publication_or_404(pub_id)
    ledger_rows = db.session.execute(db.select(LedgerEntry).filter_by(item_id=pub.item_id)
                                     .order_by(LedgerEntry.at, LedgerEntry.id)).scalars().all()
    return render_template("review/archived.html", pub=pub, snap=pub.snapshot, ledger=ledger_rows)


@bp.route("/archive/<int:pub_id>/files/<int:file_id>")
@login_required
def archived_file(pub_id, file_id):
    pub = _publication_or_404(pub_id)
    pfile = db.session.get(PublicationFile, file_id)
    if pfile is None or pfile.publication_id != pub.id:
        abort(404)
    path = archived_path(pfile)
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype=pfile.mime, as_attachment=not pfile.is_image, download_name=pfile.filename)

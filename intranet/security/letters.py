"""Security responsibility letters (R-98, 信息安全责任书): each unit's head
signs the letter every year in the intranet (a recorded acknowledgement with
time, person and address). The text starts as regulation 000 附件2 and admins
may edit it; each edit is a new version and a signature keeps the version and
a hash of the text it acknowledged.

The head of a unit is whoever holds the first role of
LANMU_LETTER_SIGNER_ROLES that anyone in the unit holds (default: 主要领导,
then 分管领导, then 科室负责人). A letter counts only while its signer is still
the unit's head; a hand-over voids the old head's letters, so the successor
signs again (附件2 §7)."""
import hashlib

from flask import current_app, request

from .. import audit, clock
from ..extensions import db
from ..org.models import RoleAssignment, Unit, User
from ..signals import handing_over
from .letter_text import DEFAULT_BODY, DEFAULT_TITLE
from .models import LetterSignature, LetterTemplate


def current_template(create=False):
    tpl = db.session.execute(db.select(LetterTemplate).order_by(LetterTemplate.id.desc()).limit(1)).scalar()
    if tpl is None:
        tpl = LetterTemplate(title=DEFAULT_TITLE, body=DEFAULT_BODY, created_at=clock.now())
        if create:
            db.session.add(tpl)
            db.session.flush()
    return tpl


def text_sha256(title, body):
    return hashlib.sha256(f"{title}\n{body}".encode("utf-8")).hexdigest()


def save_template(title, body, user):
    old = current_template()
    if old.title == title and old.body == body:
        return None
    tpl = LetterTemplate(title=title, body=body, created_at=clock.now(), created_by_id=user.id)
    db.session.add(tpl)
    db.session.flush()
    audit.record("letter_template_changed", tpl, user=user,
                 detail={"title": title, "sha256": text_sha256(title, body)})
    return tpl


def required_units():
    """Units that sign a letter: active units, limited to LANMU_LETTER_UNIT_KINDS when set.
    Rows (id, code, name), not ORM objects: a province has thousands."""
    stmt = db.select(Unit.id, Unit.code, Unit.name).filter(Unit.active.is_(True)).order_by(Unit.sort_order, Unit.id)
    kinds = current_app.config.get("LANMU_LETTER_UNIT_KINDS")
    if kinds:
        stmt = stmt.filter(Unit.kind.in_(kinds))
    return db.session.execute(stmt).all()


def _holders():
    """unit_id -> {role: [active users as rows (id, username, name)]} for the
    signer roles, in one query."""
    signer_roles = current_app.config["LANMU_LETTER_SIGNER_ROLES"]
    rows = db.session.execute(
        db.select(RoleAssignment.unit_id, RoleAssignment.role, User.id, User.username, User.name)
        .join(User, User.id == RoleAssignment.user_id)
        .filter(RoleAssignment.role.in_(signer_roles), User.active.is_(True)).order_by(User.id)).all()
    out = {}
    for row in rows:
        out.setdefault(row.unit_id, {}).setdefault(row.role, []).append(row)
    return out


def heads(unit, holders=None):
    """(users, role): the unit's head(s) and the role that makes them head."""
    holders = _holders() if holders is None else holders
    by_role = holders.get(unit.id, {})
    for role in current_app.config["LANMU_LETTER_SIGNER_ROLES"]:
        if by_role.get(role):
            return by_role[role], role
    return [], None


def status(year):
    """One row per unit that must sign: unit, heads, role, signature (the valid
    one, or None)."""
    holders = _holders()
    sigs = {}
    for s in db.session.execute(db.select(LetterSignature).filter(
            LetterSignature.year == year, LetterSignature.voided_at.is_(None))
            .order_by(LetterSignature.signed_at)).scalars():
        sigs.setdefault(s.unit_id, []).append(s)
    rows = []
    for unit in required_units():
        people, role = heads(unit, holders)
        ids = {u.id for u in people}
        valid = [s for s in sigs.get(unit.id, []) if s.user_id in ids]
        rows.append({"unit": unit, "heads": people, "role": role, "signature": valid[0] if valid else None})
    return rows


def unsigned_letters(year=None):
    """Units with no valid letter for `year` (default: this year), each with the
    people who should sign it (empty when the unit has no head yet). For the
    scheduler's reminders and the admins' list."""
    year = year or clock.today().year
    return [r for r in status(year) if r["signature"] is None]


def units_to_sign(user, year):
    """Rows of `status(year)` where `user` is a head."""
    return [r for r in status(year) if any(u.id == user.id for u in r["heads"])]


def sign(unit, user, year):
    people, role = heads(unit)
    if user.id not in {u.id for u in people}:
        raise ValueError("只有本单位负责人可以签署安全责任书")
    existing = db.session.execute(db.select(LetterSignature).filter_by(
        year=year, unit_id=unit.id, user_id=user.id, voided_at=None)).scalar()
    if existing is not None:
        raise ValueError(f"您已于{existing.signed_at:%Y-%m-%d %H:%M}签署{year}年度安全责任书")
    tpl = current_template(create=True)
    sig = LetterSignature(year=year, unit_id=unit.id, user_id=user.id, template_id=tpl.id,
                          text_sha256=text_sha256(tpl.title, tpl.body), signed_at=clock.now(),
                          ip=(request.remote_addr or "")[:64] if request else "", role=role)
    db.session.add(sig)
    db.session.flush()
    audit.record("letter_signed", sig, user=user, detail={"year": year, "unit": unit.code, "sha256": sig.text_sha256})
    return sig


def _void_on_handover(sender, old, new, **_):
    """handing_over: the old head's letters are void; the successor signs again."""
    sigs = db.session.execute(db.select(LetterSignature).filter(
        LetterSignature.user_id == old.id, LetterSignature.voided_at.is_(None))).scalars().all()
    for s in sigs:
        s.voided_at = clock.now()
        s.void_reason = f"工作交接：由{new.name}接任，须重新签署"[:200]
        audit.record("letter_voided", s, detail={"year": s.year, "from": old.username, "to": new.username})
    if sigs:
        return f"安全责任书{len(sigs)}份待接任人重新签署"
    return None


handing_over.connect(_void_on_handover)

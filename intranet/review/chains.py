"""Review chains (R-31, R-32, R-33): step kinds, the built-in default chains,
the effective chain of a column (its own, else inherited from the nearest
ancestor column, else the default), and who may decide a step.

A step names a role in a unit *relative to the item's unit* (`own`, `parent`,
`site` = the site's hosting unit) or a `named` unit, so one chain serves every
district: a district office's item is proof-read and signed off inside the
district, and a major item goes to its parent (the city office)."""
from dataclasses import dataclass

from flask import current_app

from ..extensions import db
from ..org import roles
from ..org.models import RoleAssignment, User

PROOFREAD = "proofread"
DEPT_HEAD = "dept_head"
SECRECY = "secrecy"
LEADER = "leader"
PRINCIPAL = "principal"
HIGHER_OFFICE = "higher_office"
PUBLISH = "publish"

KINDS = {
    PROOFREAD: ("校对", roles.PROOFREADER, "own"),
    DEPT_HEAD: ("科室负责人初审", roles.DEPT_HEAD, "own"),
    SECRECY: ("保密审查", roles.SECRECY_REVIEWER, "own"),
    LEADER: ("分管领导签发", roles.LEADER, "own"),
    PRINCIPAL: ("主要领导审核", roles.PRINCIPAL, "own"),
    HIGHER_OFFICE: ("上级单位审核", roles.LEADER, "parent"),
    PUBLISH: ("网站管理员发布", roles.WEBMASTER, "site"),
}
KIND_LABELS = {k: v[0] for k, v in KINDS.items()}

UNIT_REFS = {"own": "本单位（信息所属单位）", "parent": "上级单位", "site": "网站主办单位", "named": "指定单位"}

IMPORTANCES = {"normal": "一般", "important": "重要", "major": "重大敏感"}


@dataclass
class StepSpec:
    kind: str
    role: str = None
    unit_ref: str = None
    unit_id: int = None

    def __post_init__(self):
        _label, role, ref = KINDS[self.kind]
        self.role = self.role or role
        self.unit_ref = self.unit_ref or ref


def default_chain(importance):
    """三审三校 (R-31, R-32, R-33): two proof-reads, head, secrecy, leader,
    + principal for important, + principal and the higher level for major,
    and the webmaster publishes last."""
    steps = [StepSpec(PROOFREAD), StepSpec(PROOFREAD), StepSpec(DEPT_HEAD), StepSpec(SECRECY), StepSpec(LEADER)]
    if importance in ("important", "major"):
        steps.append(StepSpec(PRINCIPAL))
    if importance == "major":
        steps.append(StepSpec(HIGHER_OFFICE))
    steps.append(StepSpec(PUBLISH))
    return steps


def configured_chain(column, importance):
    """(chain row or None, the column it was configured on) for a column, inherited down the tree."""
    from .models import ReviewChain
    for col in [column, *column.ancestors()]:
        chain = db.session.execute(
            db.select(ReviewChain).filter_by(column_id=col.id, importance=importance)).scalar()
        if chain is not None:
            return chain, col
    return None, None


def effective_chain(column, importance):
    """(list of StepSpec, Chinese description of where it comes from).

    The secrecy step is kept only where the column requires secrecy review, and
    added after the first head/leader step when the column requires it and the
    configured chain lacks it (R-33). A chain always ends with publishing."""
    chain, source_col = configured_chain(column, importance)
    if chain is not None:
        specs = [StepSpec(s.kind, s.role, s.unit_ref, s.unit_id) for s in chain.steps]
        source = f"栏目“{source_col.name}”的{IMPORTANCES.get(importance, importance)}信息审核流程"
        if source_col.id != column.id:
            source += "（继承）"
    else:
        specs = default_chain(importance)
        source = f"默认审核流程（三审三校·{IMPORTANCES.get(importance, importance)}信息）"
    if column.requires_secrecy_review:
        if not any(s.kind == SECRECY for s in specs):
            at = next((i + 1 for i, s in enumerate(specs) if s.kind == DEPT_HEAD), None)
            if at is None:
                at = next((i for i, s in enumerate(specs) if s.kind != PROOFREAD), len(specs))
            specs.insert(at, StepSpec(SECRECY))
    else:
        specs = [s for s in specs if s.kind != SECRECY]
    specs = [s for s in specs if s.kind != PUBLISH] + [next((s for s in specs if s.kind == PUBLISH),
                                                            StepSpec(PUBLISH))]
    return specs, source


def step_labels(specs):
    """Chinese labels, numbering repeated kinds (第一次校对, 第二次校对)."""
    counts = {}
    total = {}
    for s in specs:
        total[s.kind] = total.get(s.kind, 0) + 1
    out = []
    for s in specs:
        counts[s.kind] = counts.get(s.kind, 0) + 1
        label = KIND_LABELS[s.kind]
        if total[s.kind] > 1:
            label = f"第{'一二三四五六七八九十'[counts[s.kind] - 1]}次{label}"
        out.append(label)
    return out


def resolve_unit(spec, item):
    """The unit a step points at for this item (None when it has no such unit)."""
    return unit_relative_to(spec.unit_ref, item.unit, site=item.column.site, named_unit_id=spec.unit_id)


def unit_relative_to(unit_ref, unit, site=None, named_unit_id=None):
    """The unit `unit_ref` names relative to `unit` (the item's unit, or for a
    reply to the public the handling unit): `own`, `parent`, `site` (the
    site's hosting unit) or a `named` unit. None when there is no such unit."""
    from ..org.models import Unit
    if unit_ref == "own":
        return unit
    if unit_ref == "parent":
        return unit.parent if unit is not None else None
    if unit_ref == "site":
        return site.unit if site is not None else None
    if unit_ref == "named":
        return db.session.get(Unit, named_unit_id) if named_unit_id else None
    return None


def role_holders(role, unit):
    return db.session.execute(
        db.select(User).join(RoleAssignment, RoleAssignment.user_id == User.id)
        .filter(RoleAssignment.role == role, RoleAssignment.unit_id == unit.id, User.active.is_(True))
        .order_by(User.id)).scalars().all()


def candidates_for(kind, role, unit, item, excluded_ids):
    """People who may decide: holders of the role in the unit, else in the
    nearest ancestor unit that has one, never anyone in `excluded_ids` (the
    item's authors, and with LANMU_REVIEW_DISTINCT_DECIDERS the people who
    already decided a step of this run). The publish step also accepts
    explicit publish grants on the column."""
    found = holders_up_the_tree(role, unit, excluded_ids)
    if kind == PUBLISH:
        for g in item.column.grants:
            if g.permission == "publish" and g.user.active and g.user_id not in excluded_ids \
                    and g.user not in found:
                found.append(g.user)
    return found


def holders_up_the_tree(role, unit, excluded_ids=()):
    """Active holders of `role` in `unit`, else in its nearest ancestor that has
    one, never anyone in `excluded_ids`; [] when the whole line has nobody."""
    if unit is None:
        return []
    for u in [unit, *unit.ancestors()]:
        found = [p for p in role_holders(role, u) if p.id not in excluded_ids]
        if found:
            return found
    return []


def distinct_deciders():
    return current_app.config.get("LANMU_REVIEW_DISTINCT_DECIDERS", True)

"""The content checks inside the application (R-24, R-50..R-53).

What other features call:

* ``check_item(item, *, for_publish=False) -> CheckReport``: every check of an
  item (title, 红头标题, body, image captions, attachment names, the 密级
  field, hidden and external links in the body, dead links known from the
  background link check). ``report.blocking`` lists one Chinese message per
  blocking finding (naming the word, the place, and how many times it occurs);
  ``report.warnings`` the same for warn-level findings. Never touches the
  network; reads the lexicon cache, the acknowledgements and the link cache.
* ``acknowledge(item, user, findings, *, context="submit")``: records that a
  person confirmed warn-level findings for the item's current revision.
* ``mask_item(item, user)``: the one-click masking of personal data (R-51).
* ``get_lexicon(site_id)``: the compiled lexicon for a site, cached per
  process and rebuilt when any process changed a lexicon.

The lexicon cache: each app keeps its compiled matchers in
``app.extensions["lanmu_checks_lexicon"]`` together with the version token
they were built from. Every change to a lexicon word writes a new random token
to ``kv_store['checks:lexicon_version']`` in the same transaction; each use
reads the token (one indexed query) and rebuilds when it differs. Until the
starter lexicon has been loaded into the database (``ensure_starter_lexicon``:
the lexicon pages, ``flask --app wsgi demo`` and ``flask --app wsgi checks
lexicon-init`` do it) there is no token, and the checks use the starter
lexicon shipped in ``data/starter_lexicon.txt``: a new install checks
something on day one without writing on a read path.
"""
from __future__ import annotations

import hashlib
import json
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable, Optional

from flask import current_app
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from .. import audit, clock
from ..extensions import db
from ..outbox.models import KeyValue
from .findings import BLOCK, WARN, Finding
from .htmltext import extract
from .lexicon import LexiconEntry, LexiconMatcher, load_starter_lexicon
from .links import LinkStatus, dead_link_findings, link_findings
from .models import CheckAcknowledgement, CheckedLink, LexiconWord
from .personal import apply_masking, find_personal_data
from .runner import check_filenames, check_plain, check_title

VERSION_KEY = "checks:lexicon_version"


# --- lexicon version and cache ------------------------------------------------

def _insert(table):
    dialect = db.session.get_bind().dialect.name
    return pg_insert(table) if dialect == "postgresql" else sqlite_insert(table)


def lexicon_version() -> Optional[str]:
    """The current version token, None while the starter lexicon has not been
    loaded into the database. A column query, never the identity map, so a
    long-lived session still sees other processes' changes."""
    return db.session.execute(select(KeyValue.value).where(KeyValue.key == VERSION_KEY)).scalar()


def bump_lexicon_version() -> str:
    """Write a new version token (in the caller's transaction)."""
    token = uuid.uuid4().hex
    stmt = _insert(KeyValue.__table__).values(key=VERSION_KEY, value=token)
    db.session.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": token}))
    return token


def ensure_starter_lexicon(user=None) -> int:
    """Load the starter lexicon as global words, once per database. Returns
    how many words it added (0 when it was loaded before). Safe when several
    processes do it at once: the version row is inserted first and only the
    process whose insert took effect loads the words. The caller commits."""
    if lexicon_version() is not None:
        return 0
    stmt = (_insert(KeyValue.__table__).values(key=VERSION_KEY, value=uuid.uuid4().hex)
            .on_conflict_do_nothing(index_elements=["key"]).returning(KeyValue.key))
    if db.session.execute(stmt).first() is None:  # (rowcount is -1 on psycopg here)
        return 0
    existing = set(db.session.execute(select(LexiconWord.word).where(LexiconWord.scope == 0)).scalars())
    now = clock.now()
    rows = [_row(e, None, user, now) for e in load_starter_lexicon() if e.word not in existing]
    if rows:
        db.session.execute(LexiconWord.__table__.insert(), rows)
    audit.record("lexicon_starter_loaded", None, detail={"words": len(rows)}, user=user)
    return len(rows)


def _row(entry: LexiconEntry, site_id, user, now):
    return {"word": entry.word, "category": entry.category, "severity": entry.severity,
            "suggestion": entry.suggestion, "enabled": True, "site_id": site_id, "scope": site_id or 0,
            "note": "", "created_at": now, "updated_at": now,
            "created_by_id": user.id if user is not None else None,
            "updated_by_id": user.id if user is not None else None}


class SiteLexicon:
    """The lexicon of one site: the global matcher plus the site's own words.

    A site word replaces a global word with the same spelling on that site (a
    disabled site word switches the global word off there). Duck-types
    ``LexiconMatcher`` for ``runner.check_plain`` and friends (``find``).
    Overlaps are resolved within each matcher (see ``LexiconMatcher.find``),
    not between a global and a site word."""

    def __init__(self, global_matcher: LexiconMatcher, site_matcher: Optional[LexiconMatcher] = None,
                 overridden: frozenset = frozenset(), version: Optional[str] = None,
                 size: Optional[int] = None):
        self.global_matcher = global_matcher
        self.site_matcher = site_matcher
        self.overridden = overridden
        self.version = version
        if size is None:
            size = len(global_matcher) + (len(site_matcher) if site_matcher else 0) - sum(
                1 for e in global_matcher.entries if e.word in overridden)
        self.size = size  # words in effect on the site

    def __len__(self):
        return self.size

    @property
    def fingerprint(self):
        parts = [self.global_matcher.fingerprint]
        if self.site_matcher is not None:
            parts.append(self.site_matcher.fingerprint)
        if self.overridden:
            parts.append(hashlib.sha256("\n".join(sorted(self.overridden)).encode()).hexdigest()[:16])
        return "-".join(parts)

    def find(self, text: str) -> list[Finding]:
        hits = self.global_matcher.find(text)
        if self.overridden:
            hits = [f for f in hits if f.text not in self.overridden]
        if self.site_matcher is not None:
            hits.extend(self.site_matcher.find(text))
            hits.sort(key=lambda f: (f.end, f.start))
        return hits


class _Cache:
    def __init__(self):
        self.lock = threading.Lock()
        self.version = object()      # never equal to a token or None
        self.global_matcher = None
        self.sites: dict = {}        # site_id -> (matcher or None, overridden words)
        self.builds = 0              # how many matchers were compiled (tests, diagnostics)


def _cache() -> _Cache:
    return current_app.extensions.setdefault("lanmu_checks_lexicon", _Cache())


def _entries(scope: int, enabled_only=True):
    stmt = select(LexiconWord.word, LexiconWord.category, LexiconWord.severity, LexiconWord.suggestion,
                  LexiconWord.enabled).where(LexiconWord.scope == scope)
    if enabled_only:
        stmt = stmt.where(LexiconWord.enabled.is_(True))
    return db.session.execute(stmt).all()


def get_lexicon(site_id: Optional[int] = None) -> SiteLexicon:
    """The compiled lexicon for a site (global words only when site_id is
    None), rebuilt when the version token changed since it was compiled."""
    version = lexicon_version()
    cache = _cache()
    with cache.lock:
        if cache.version != version:
            cache.version, cache.global_matcher, cache.sites = version, None, {}
        if cache.global_matcher is None:
            if version is None:
                cache.global_matcher = LexiconMatcher(load_starter_lexicon())
            else:
                cache.global_matcher = LexiconMatcher(
                    LexiconEntry(w, c, s, g or None) for w, c, s, g, _e in _entries(0))
            cache.builds += 1
        if site_id is None:
            return SiteLexicon(cache.global_matcher, version=version, size=len(cache.global_matcher))
        if site_id not in cache.sites:
            rows = _entries(site_id, enabled_only=False) if version is not None else []
            enabled = [LexiconEntry(w, c, s, g or None) for w, c, s, g, e in rows if e]
            built = SiteLexicon(cache.global_matcher, LexiconMatcher(enabled) if enabled else None,
                                frozenset(w for w, *_rest in rows), version=version)
            cache.sites[site_id] = (built.site_matcher, built.overridden, built.size)
            cache.builds += 1
        matcher, overridden, size = cache.sites[site_id]
        return SiteLexicon(cache.global_matcher, matcher, overridden, version=version, size=size)


# --- lexicon administration -------------------------------------------------------

@dataclass
class ImportOutcome:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list = field(default_factory=list)   # (line number, Chinese message)


def import_words(entries: Iterable[LexiconEntry], *, site_id: Optional[int], user,
                 errors: Iterable = ()) -> ImportOutcome:
    """Add or update words in one scope (global when site_id is None): a word
    already there takes the imported category, severity and suggestion and is
    enabled again. The caller commits."""
    ensure_starter_lexicon(user)
    outcome = ImportOutcome(errors=list(errors))
    scope = site_id or 0
    existing = {w.word: w for w in db.session.execute(
        select(LexiconWord).where(LexiconWord.scope == scope)).scalars()}
    now = clock.now()
    new_rows = []
    for e in entries:
        row = existing.get(e.word)
        if row is None:
            new_rows.append(_row(e, site_id, user, now))
            existing[e.word] = e  # a repeated word in one import counts once
            continue
        if not isinstance(row, LexiconWord):
            continue
        if (row.category, row.severity, row.suggestion or None, row.enabled) == \
                (e.category, e.severity, e.suggestion, True):
            outcome.unchanged += 1
            continue
        row.category, row.severity, row.suggestion, row.enabled = e.category, e.severity, e.suggestion, True
        row.updated_at, row.updated_by_id = now, user.id if user is not None else None
        outcome.updated += 1
    for start in range(0, len(new_rows), 1000):
        db.session.execute(LexiconWord.__table__.insert(), new_rows[start:start + 1000])
    outcome.added = len(new_rows)
    if outcome.added or outcome.updated:
        bump_lexicon_version()
    audit.record("lexicon_imported", None, user=user, detail={
        "site_id": site_id, "added": outcome.added, "updated": outcome.updated,
        "unchanged": outcome.unchanged, "bad_lines": len(outcome.errors)})
    return outcome


def save_word(row: Optional[LexiconWord], user, *, word, category, severity, suggestion, enabled,
              site_id, note="") -> LexiconWord:
    """Create (row None) or change one word. Raises ValueError with a Chinese
    message when the word already exists in that scope. The caller commits."""
    ensure_starter_lexicon(user)
    word = word.strip()
    clash = db.session.execute(select(LexiconWord).where(
        LexiconWord.scope == (site_id or 0), LexiconWord.word == word)).scalar()
    if clash is not None and clash is not row:
        raise ValueError(f"词语“{word}”在该范围内已存在，请直接编辑已有词条。")
    now = clock.now()
    created = row is None
    if created:
        row = LexiconWord(created_at=now, created_by_id=user.id)
        db.session.add(row)
    before = None if created else {"word": row.word, "category": row.category, "severity": row.severity,
                                   "suggestion": row.suggestion, "enabled": row.enabled, "site_id": row.site_id}
    row.word, row.category, row.severity = word, category, severity
    row.suggestion = (suggestion or "").strip() or None
    row.enabled, row.site_id, row.note = bool(enabled), site_id, note or ""
    row.updated_at, row.updated_by_id = now, user.id
    db.session.flush()
    bump_lexicon_version()
    audit.record("lexicon_word_created" if created else "lexicon_word_changed", row, user=user,
                 detail={"word": row.word, "category": row.category, "severity": row.severity,
                         "enabled": row.enabled, "site_id": row.site_id, "before": before})
    return row


def set_enabled(row: LexiconWord, enabled: bool, user) -> None:
    ensure_starter_lexicon(user)
    if row.enabled == enabled:
        return
    row.enabled = enabled
    row.updated_at, row.updated_by_id = clock.now(), user.id
    bump_lexicon_version()
    audit.record("lexicon_word_enabled" if enabled else "lexicon_word_disabled", row, user=user,
                 detail={"word": row.word, "site_id": row.site_id})


def words_in_scope(site_id: Optional[int], *, enabled_only=True) -> list[LexiconEntry]:
    """The words of one scope as library entries, for export. Before the
    starter lexicon was loaded, the global scope is the starter lexicon."""
    if site_id is None and lexicon_version() is None:
        return load_starter_lexicon()
    stmt = select(LexiconWord).where(LexiconWord.scope == (site_id or 0)).order_by(
        LexiconWord.category, LexiconWord.word)
    if enabled_only:
        stmt = stmt.where(LexiconWord.enabled.is_(True))
    return [w.to_entry() for w in db.session.execute(stmt).scalars()]


# --- checking an item --------------------------------------------------------------

SEVERITY_NAMES = {BLOCK: "阻止", WARN: "提示"}
CATEGORY_NAMES = {
    "sensitive": "敏感词", "banned": "禁用语", "typo": "错别字", "nonstandard": "不规范用语",
    "id_card": "身份证号码", "bank_card": "银行卡号", "mobile": "手机号码", "landline": "固定电话",
    "email": "电子邮箱", "marking": "密级标志", "classification": "密级", "hidden_link": "隐藏链接（暗链）",
    "external_link": "外部链接", "dead_link": "无法访问的链接",
}

PLACE_LABELS = {"title": "标题", "red_header_title": "红头标题", "body": "正文", "caption": "图片说明",
                "attachment": "附件名称", "classification": "密级"}


@dataclass
class ItemFinding:
    """A finding with the place it was found: ``where`` is title,
    red_header_title, body, caption (``name`` = the image's file name),
    attachment (``name`` = the file name) or classification (the 密级 field).
    Offsets of title/body findings index the title / ``CheckReport.plain_body``;
    of attachment findings the file name; of caption findings the caption."""
    where: str
    name: str
    finding: Finding

    kind = property(lambda self: self.finding.kind)
    category = property(lambda self: self.finding.category)
    severity = property(lambda self: self.finding.severity)
    start = property(lambda self: self.finding.start)
    end = property(lambda self: self.finding.end)
    text = property(lambda self: self.finding.text)
    suggestion = property(lambda self: self.finding.suggestion)
    message = property(lambda self: self.finding.message)

    @property
    def category_label(self) -> str:
        return CATEGORY_NAMES.get(self.category, self.category)

    @property
    def severity_label(self) -> str:
        return SEVERITY_NAMES.get(self.severity, self.severity)

    @property
    def place(self) -> str:
        label = PLACE_LABELS.get(self.where, self.where)
        return f"{label}“{self.name}”" if self.name else label

    @property
    def key(self) -> str:
        """What an acknowledgement covers: the same words at the same place,
        wherever they move within it."""
        return f"{self.where}|{self.name}|{self.kind}|{self.category}|{self.text}"

    def to_dict(self) -> dict:
        return {"key": self.key, "where": self.where, "name": self.name, **self.finding.to_dict()}


@dataclass
class LinkRow:
    """One link of the body, for the panel and the item page."""
    url: str
    anchor: str
    tag: str
    hidden: Optional[str]
    external: bool
    state: str            # 正常 / 无法访问 / 尚未检查 / 不检查 (relative, mailto:)
    reason: str
    checked_at: Optional[datetime]


@dataclass
class CheckReport:
    item_id: Optional[int]
    revision_no: int
    for_publish: bool
    findings: list                       # ItemFinding, by place then position
    blocking: list                       # Chinese messages, one per word and place
    warnings: list
    acknowledged_keys: set
    title: str = ""
    plain_body: str = ""
    links: list = field(default_factory=list)       # LinkRow
    lexicon_version: Optional[str] = None
    lexicon_size: int = 0

    @property
    def ok(self) -> bool:
        """No blocking finding: the item may go on (submission or publication)."""
        return not self.blocking

    @property
    def block_findings(self) -> list:
        return [f for f in self.findings if f.severity == BLOCK]

    @property
    def warn_findings(self) -> list:
        return [f for f in self.findings if f.severity == WARN]

    @property
    def unacknowledged(self) -> list:
        """Warn-level findings nobody has confirmed for this revision."""
        return [f for f in self.warn_findings if f.key not in self.acknowledged_keys]

    @property
    def needs_acknowledgement(self) -> bool:
        return bool(self.unacknowledged)

    @property
    def personal_data(self) -> list:
        return [f for f in self.findings if f.kind == "personal_data" and f.where in ("title", "body")]

    def at(self, where: str) -> list:
        return [f for f in self.findings if f.where == where]

    def summary(self) -> dict:
        return {"total": len(self.findings), "block": len(self.block_findings), "warn": len(self.warn_findings),
                "unacknowledged": len(self.unacknowledged)}


def allowed_domains() -> list[str]:
    """The link allow-list (R-52): LANMU_LINK_ALLOWED_DOMAINS plus the domains
    of our own sites."""
    from ..sites.models import Site
    configured = current_app.config.get("LANMU_LINK_ALLOWED_DOMAINS") or []
    if isinstance(configured, str):
        configured = [d for d in configured.replace(",", " ").split() if d]
    own = db.session.execute(select(Site.domain).where(Site.domain.is_not(None), Site.domain != "")).scalars()
    return [*configured, *own]


def url_hash(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()


def is_checkable(url: str) -> bool:
    from urllib.parse import urlsplit
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def _messages(findings: list, prefix: str = "") -> list[str]:
    """One message per word and place, with the number of occurrences."""
    grouped: OrderedDict = OrderedDict()
    for f in findings:
        grouped.setdefault(f.key, []).append(f)
    out = []
    for group in grouped.values():
        f = group[0]
        count = f"（共{len(group)}处）" if len(group) > 1 else ""
        out.append(f"{prefix}{f.place}：{f.message}{count}")
    return out


def check_content(*, title: str, body: str, site_id: Optional[int], red_header_title: str = "",
                  attachments: Iterable = (), classification: str = "", item_id=None, revision_no=0,
                  for_publish=False, acknowledged_keys=frozenset()) -> CheckReport:
    """Every check over the given content (what ``check_item`` runs on a
    saved item; the editor's preview runs it on unsaved text).
    ``attachments``: (filename, caption, is_image) tuples."""
    from ..items.models import CLASSIFICATION_LABELS
    lexicon = get_lexicon(site_id)
    today = clock.today()
    found: list[ItemFinding] = []
    for f in check_title(title or "", lexicon, today=today):
        found.append(ItemFinding("title", "", f))
    if red_header_title:
        for f in check_title(red_header_title, lexicon, today=today):
            found.append(ItemFinding("red_header_title", "", f))
    doc = extract(body or "")
    for f in check_plain(doc.text, lexicon, today=today):
        found.append(ItemFinding("body", "", f))
    attachments = list(attachments)
    for name, fs in check_filenames([a[0] for a in attachments], lexicon).items():
        found.extend(ItemFinding("attachment", name, f) for f in fs)
    for name, caption, is_image in attachments:
        if caption:
            found.extend(ItemFinding("caption", name, f) for f in check_title(caption, lexicon, today=today))
    if classification:
        label = CLASSIFICATION_LABELS.get(classification, classification)
        found.append(ItemFinding("classification", "", Finding(
            "classified", "classification", BLOCK, 0, 0, label, None,
            f"信息标有密级“{label}”，涉密信息一律不得上网发布。")))
    allowed = allowed_domains()
    found.extend(ItemFinding("body", "", f) for f in link_findings(doc, allowed))
    # dead links: what the background job found, never a request from here
    checkable = {link.url.strip() for link in doc.links if is_checkable(link.url)}
    cached = {}
    if checkable:
        hashes = {url_hash(u): u for u in checkable}
        for row in db.session.execute(select(CheckedLink).where(CheckedLink.url_hash.in_(list(hashes)))).scalars():
            cached[hashes[row.url_hash]] = row
        statuses = {u: LinkStatus(u, bool(r.ok), r.status, r.reason or "", 0.0)
                    for u, r in cached.items() if r.ok is False}
        found.extend(ItemFinding("body", "", f) for f in dead_link_findings(doc, statuses))
    from .links import is_external
    links = []
    for link in doc.links:
        url = link.url.strip()
        row = cached.get(url)
        if not is_checkable(url):
            state, reason, at = "不检查", "站内相对链接或非网页链接", None
        elif row is None or row.ok is None:
            state, reason, at = "尚未检查", "后台链接检查尚未进行", None
        else:
            state, reason, at = row.state_label, row.reason or "", row.checked_at
        links.append(LinkRow(url, link.text[:200], link.tag, link.hidden, is_external(url, allowed),
                             state, reason, at))

    order = {w: i for i, w in enumerate(PLACE_LABELS)}
    by_upload = {a[0]: i for i, a in enumerate(attachments)}
    found.sort(key=lambda f: (order.get(f.where, 99), by_upload.get(f.name, 0), f.start, f.end))
    blocking = _messages([f for f in found if f.severity == BLOCK])
    warn = [f for f in found if f.severity == WARN]
    warnings = _messages(warn)
    if for_publish and current_app.config.get("LANMU_CHECKS_PUBLISH_REQUIRES_ACK", True):
        pending = [f for f in warn if f.key not in acknowledged_keys and f.category != "dead_link"]
        blocking.extend(_messages(pending, prefix="尚未确认的提示（确认后方可发布）——"))
    return CheckReport(item_id=item_id, revision_no=revision_no, for_publish=for_publish, findings=found,
                       blocking=blocking, warnings=warnings, acknowledged_keys=set(acknowledged_keys),
                       title=title or "", plain_body=doc.text, links=links,
                       lexicon_version=lexicon.version, lexicon_size=len(lexicon))


def acknowledged_keys(item) -> set:
    rows = db.session.execute(select(CheckAcknowledgement.findings_json).where(
        CheckAcknowledgement.item_id == item.id, CheckAcknowledgement.revision_no == item.revision_no)).scalars()
    keys = set()
    for raw in rows:
        keys.update(f.get("key") for f in json.loads(raw or "[]"))
    return keys


def check_item(item, *, for_publish: bool = False) -> CheckReport:
    """Every content check of a saved item (R-24, R-50..R-52); see the module
    docstring. ``for_publish=True`` (the publish step): the same checks, and
    in addition every warn-level finding that nobody acknowledged for the
    current revision (except dead links, which come and go with other sites)
    is blocking, unless LANMU_CHECKS_PUBLISH_REQUIRES_ACK is False."""
    return check_content(
        title=item.title, body=item.body, site_id=item.column.site_id if item.column else None,
        red_header_title=item.red_header_title or "",
        attachments=[(a.filename, a.caption or "", a.is_image) for a in item.attachments],
        classification=item.classification or "", item_id=item.id, revision_no=item.revision_no or 0,
        for_publish=for_publish, acknowledged_keys=acknowledged_keys(item) if item.id else set())


def _finding_dict(f) -> dict:
    if isinstance(f, ItemFinding):
        return f.to_dict()
    if isinstance(f, Finding):
        return {"key": f"body||{f.kind}|{f.category}|{f.text}", "where": "body", "name": "", **f.to_dict()}
    if isinstance(f, dict) and "key" in f:
        return dict(f)
    raise TypeError(f"cannot acknowledge {f!r}")


def acknowledge(item, user, findings, *, context: str = "submit") -> Optional[CheckAcknowledgement]:
    """Record that ``user`` confirmed ``findings`` (ItemFinding objects from a
    CheckReport of this item, e.g. ``report.unacknowledged``) for the item's
    current revision. Returns the row (None when there was nothing to
    confirm). Audited; the caller commits with its decision."""
    data = [_finding_dict(f) for f in findings]
    if not data:
        return None
    ack = CheckAcknowledgement(item_id=item.id, revision_no=item.revision_no or 0, user_id=user.id,
                               at=clock.now(), context=context,
                               findings_json=json.dumps(data, ensure_ascii=False, default=str))
    db.session.add(ack)
    db.session.flush()
    audit.record("checks_acknowledged", item, user=user, detail={
        "revision": ack.revision_no, "context": context,
        "findings": [f"{d['where']}:{d['category']}:{d['text']}" for d in data]})
    return ack


ACK_FIELD = "checks_ack"
ACK_KEY_FIELD = "checks_ack_key"


def acknowledge_from_form(item, user, report: CheckReport, form, *, context="submit"):
    """For a submit or publish form that included ``checks/_acknowledge.html``:
    True when nothing needed confirming or the person ticked the box; the
    acknowledgement then covers exactly the findings the page showed (their
    keys came back with the form) that are still present. False when the box
    was not ticked, or a finding appeared that the page did not show."""
    pending = report.unacknowledged
    if not pending:
        return True
    if not form.get(ACK_FIELD):
        return False
    shown = set(form.getlist(ACK_KEY_FIELD)) if hasattr(form, "getlist") else set(form.get(ACK_KEY_FIELD) or [])
    if any(f.key not in shown for f in pending):
        return False
    acknowledge(item, user, pending, context=context)
    return True


# --- one-click masking (R-51) -----------------------------------------------------

def mask_item(item, user):
    """Mask every personal-data finding in the title and body of the draft and
    save that as a new revision (everything else kept). Returns (revision,
    number of masked places); (None, 0) when there was nothing to mask. The
    caller commits."""
    from ..items.service import record_revision
    from ..signals import item_edited
    today = clock.today()
    title_found = find_personal_data((item.title or "").replace("\r", " ").replace("\n", " "), today=today)
    body = item.body or ""
    body_found = find_personal_data(extract(body).text, today=today)
    if not title_found and not body_found:
        return None, 0
    item.title = apply_masking(item.title or "", title_found, is_html=False)
    item.body = apply_masking(body, body_found, is_html=True)
    rev = record_revision(item, user, "一键脱敏")
    categories = sorted({f.category for f in title_found + body_found})
    audit.record("item_masked", item, user=user, detail={
        "revision": rev.number, "places": len(title_found) + len(body_found), "categories": categories})
    item_edited.send(current_app._get_current_object(), item=item, user=user)
    return rev, len(title_found) + len(body_found)

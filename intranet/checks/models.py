"""Tables of the content checks (R-24, R-50..R-53).

* ``check_lexicon_word``: the lexicons admins manage (R-50). A word is global
  (``site_id`` NULL) or belongs to one site. ``scope`` is ``site_id or 0`` so
  that (scope, word) can be unique on every engine (NULLs are never equal in a
  unique constraint). A site word overrides the global word with the same
  spelling on that site; a disabled site word switches a global word off there.
* ``check_acknowledgement``: a person confirmed the warn-level findings of one
  revision of an item (at submission or publication).
* ``check_link``: the link cache of the background dead-link check (R-52):
  one row per absolute URL with its last result.
* ``check_item_link`` / ``check_item_scan``: which links each item has (from
  its latest scanned revision), whether hidden or external; the scan row says
  which revision was scanned, so the job finds the items that changed.

Every change to ``check_lexicon_word`` also writes a new random token under
``checks:lexicon_version`` in ``kv_store`` (same transaction): processes compare
it with the token their cached matcher was built for (see ``service``).
"""
import json

from sqlalchemy.orm import validates

from .. import clock
from ..extensions import db


class LexiconWord(db.Model):
    __tablename__ = "check_lexicon_word"
    __table_args__ = (
        db.UniqueConstraint("scope", "word", name="uq_check_lexicon_word_scope_word"),
        db.Index("ix_check_lexicon_word_scope_enabled", "scope", "enabled"),
    )
    id = db.Column(db.Integer, primary_key=True)
    word = db.Column(db.String(50), nullable=False)
    category = db.Column(db.String(16), nullable=False)      # sensitive | banned | typo | nonstandard
    severity = db.Column(db.String(8), nullable=False)       # block | warn
    suggestion = db.Column(db.String(200))                   # correct / preferred form
    enabled = db.Column(db.Boolean, nullable=False, default=True)
    site_id = db.Column(db.Integer, db.ForeignKey("site.id", ondelete="CASCADE"), index=True)
    scope = db.Column(db.Integer, nullable=False, default=0)  # site_id or 0 (global)
    note = db.Column(db.String(200), default="")
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)
    created_by_id = db.Column(db.Integer, db.ForeignKey("user_account.id"))
    updated_at = db.Column(db.DateTime, nullable=False, default=clock.now)
    updated_by_id = db.Column(db.Integer, db.ForeignKey("user_account.id"))

    site = db.relationship("Site")

    @validates("site_id")
    def _sync_scope(self, _key, value):
        self.scope = value or 0
        return value

    @property
    def category_label(self):
        from .lexicon import CATEGORY_LABELS
        return CATEGORY_LABELS.get(self.category, self.category)

    @property
    def severity_label(self):
        from .lexicon import SEVERITY_LABELS
        return SEVERITY_LABELS.get(self.severity, self.severity)

    @property
    def scope_label(self):
        return self.site.name if self.site_id else "全局（所有网站）"

    def to_entry(self):
        from .lexicon import LexiconEntry
        return LexiconEntry(self.word, self.category, self.severity, self.suggestion or None)


class CheckAcknowledgement(db.Model):
    """A person confirmed the warn-level findings of one revision (R-50: the
    acknowledgement is recorded with the decision)."""
    __tablename__ = "check_acknowledgement"
    id = db.Column(db.Integer, primary_key=True)
    item_id = db.Column(db.Integer, db.ForeignKey("item.id", ondelete="CASCADE"), nullable=False, index=True)
    revision_no = db.Column(db.Integer, nullable=False)
    user_id = db.Column(db.Integer, db.ForeignKey("user_account.id"), nullable=False)
    at = db.Column(db.DateTime, nullable=False, default=clock.now)
    context = db.Column(db.String(16), nullable=False, default="submit")  # submit | publish | other
    findings_json = db.Column(db.Text, nullable=False, default="[]")

    user = db.relationship("User")

    @property
    def findings(self):
        return json.loads(self.findings_json or "[]")

    @property
    def keys(self):
        return {f.get("key") for f in self.findings}


class CheckedLink(db.Model):
    """The link cache (R-52): the last result for one absolute URL."""
    __tablename__ = "check_link"
    id = db.Column(db.Integer, primary_key=True)
    url_hash = db.Column(db.String(64), nullable=False, unique=True)  # sha256 of url
    url = db.Column(db.Text, nullable=False)
    ok = db.Column(db.Boolean)                    # None: not checked yet
    status = db.Column(db.Integer)                # final HTTP status, None if no answer
    reason = db.Column(db.String(300), default="")
    checked_at = db.Column(db.DateTime, index=True)
    first_seen_at = db.Column(db.DateTime, nullable=False, default=clock.now)

    @property
    def state_label(self):
        if self.ok is None:
            return "尚未检查"
        return "正常" if self.ok else "无法访问"


class ItemLink(db.Model):
    """One link of an item's body, from its latest scanned revision."""
    __tablename__ = "check_item_link"
    id = db.Column(db.Integer, primary_key=True)
    item_id = db.Column(db.Integer, db.ForeignKey("item.id", ondelete="CASCADE"), nullable=False, index=True)
    link_id = db.Column(db.Integer, db.ForeignKey("check_link.id", ondelete="SET NULL"), index=True)
    url = db.Column(db.Text, nullable=False)         # as written in the body
    tag = db.Column(db.String(16), nullable=False, default="a")
    anchor = db.Column(db.String(200), default="")
    hidden = db.Column(db.String(200))               # why it is hidden (暗链), None if visible
    external = db.Column(db.Boolean, nullable=False, default=False)

    item = db.relationship("Item")
    link = db.relationship("CheckedLink")


class ItemLinkScan(db.Model):
    """Which revision of an item the link job last scanned."""
    __tablename__ = "check_item_scan"
    item_id = db.Column(db.Integer, db.ForeignKey("item.id", ondelete="CASCADE"), primary_key=True)
    revision_no = db.Column(db.Integer, nullable=False)
    scanned_at = db.Column(db.DateTime, nullable=False)
    links = db.Column(db.Integer, nullable=False, default=0)

"""Per-person API tokens (issue 9). The token itself is shown once, when it
is made; the database keeps its SHA-256 (the token is 256 random bits, so a
fast hash is enough) and a short prefix people recognise it by."""
from .. import clock
from ..extensions import db

READ = "read"
WRITE = "write"
SCOPES = {READ: "只读（查询）", WRITE: "读写（报送、审核、办理）"}


class ApiToken(db.Model):
    __tablename__ = "api_token"
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user_account.id"), nullable=False, index=True)
    name = db.Column(db.String(100), nullable=False)          # what it is for, e.g. "OA系统推送"
    prefix = db.Column(db.String(16), nullable=False)         # the first characters, shown in lists
    token_hash = db.Column(db.String(64), nullable=False, unique=True)
    scope = db.Column(db.String(8), nullable=False, default=READ)
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)
    created_by_id = db.Column(db.Integer, db.ForeignKey("user_account.id"), nullable=False)
    expires_at = db.Column(db.DateTime)                       # None: until revoked
    last_used_at = db.Column(db.DateTime)
    last_used_ip = db.Column(db.String(64), default="")
    revoked_at = db.Column(db.DateTime)
    revoked_by_id = db.Column(db.Integer, db.ForeignKey("user_account.id"))

    user = db.relationship("User", foreign_keys=[user_id])
    created_by = db.relationship("User", foreign_keys=[created_by_id])
    revoked_by = db.relationship("User", foreign_keys=[revoked_by_id])

    @property
    def scope_label(self):
        return SCOPES.get(self.scope, self.scope)

    def is_expired(self, now=None):
        return self.expires_at is not None and self.expires_at <= (now or clock.now())

    @property
    def state_label(self):
        if self.revoked_at is not None:
            return "已吊销"
        if self.is_expired():
            return "已过期"
        return "有效"

    @property
    def usable(self):
        return self.revoked_at is None and not self.is_expired()

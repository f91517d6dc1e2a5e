"""Making, finding and revoking API tokens.

A token is ``lmu_`` followed by 43 URL-safe characters (256 random bits).
Only its SHA-256 is stored; the first 12 characters (the prefix) are kept so
people can tell their tokens apart. Every creation and revocation is audited."""
import hashlib
import secrets
from datetime import timedelta

from .. import audit, clock
from ..extensions import db
from ..org.permissions import manages_unit
from .models import READ, SCOPES, ApiToken

TOKEN_PREFIX = "lmu_"
SHOWN = 12
MAX_TOKEN_LENGTH = 200


def digest(secret):
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create(user, name, scope=READ, by=None, expires_days=None):
    """Make a token for `user` (by themselves or an admin). Returns (row, secret):
    the secret is shown once and never stored. The caller commits."""
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}")
    by = by or user
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = clock.now()
    row = ApiToken(user_id=user.id, name=(name or "").strip()[:100] or "API令牌", prefix=secret[:SHOWN],
                   token_hash=digest(secret), scope=scope, created_at=now, created_by_id=by.id,
                   expires_at=now + timedelta(days=int(expires_days)) if expires_days else None)
    db.session.add(row)
    db.session.flush()
    audit.record("api_token_created", row, user=by,
                 detail={"owner": user.username, "name": row.name, "scope": scope, "prefix": row.prefix,
                         "expires_at": row.expires_at.isoformat() if row.expires_at else None})
    return row, secret


def revoke(row, by=None):
    """Revoke a token (once). The caller commits."""
    if row.revoked_at is not None:
        return False
    row.revoked_at = clock.now()
    row.revoked_by_id = by.id if by is not None else None
    audit.record("api_token_revoked", row, user=by,
                 detail={"owner": row.user.username, "name": row.name, "prefix": row.prefix})
    return True


def find(secret):
    """The token row for a presented secret, or None."""
    if not secret or len(secret) > MAX_TOKEN_LENGTH or not secret.startswith(TOKEN_PREFIX):
        return None
    try:
        secret.encode("ascii")
    except UnicodeEncodeError:
        return None
    return db.session.execute(db.select(ApiToken).filter_by(token_hash=digest(secret))).scalar()


def tokens_of(user):
    return db.session.execute(db.select(ApiToken).filter_by(user_id=user.id)
                              .order_by(ApiToken.revoked_at.is_not(None), ApiToken.id.desc())).scalars().all()


def may_manage(actor, person):
    """The person themselves, a system admin, or an admin of every unit the person belongs to
    (the rule of the people pages, org.views)."""
    if not actor.is_authenticated:
        return False
    if actor.id == person.id or actor.is_sysadmin:
        return True
    if not person.memberships:
        return False
    return all(manages_unit(actor, m.unit) for m in person.memberships)


def revoke_all_of(user, by=None):
    """Revoke every live token of a person. Returns how many."""
    n = 0
    for row in db.session.execute(db.select(ApiToken).filter_by(user_id=user.id, revoked_at=None)).scalars():
        revoke(row, by)
        n += 1
    return n


def _on_handing_over(sender, old, new, **_):
    """R-03: a person who hands over their post keeps no API access; the
    successor makes their own tokens."""
    n = revoke_all_of(old)
    return f"API令牌{n}个已吊销" if n else None

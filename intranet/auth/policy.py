"""Password policy and lockout (R-04): length and character classes, expiry
with a forced change, no reuse of the last N, lockout after repeated failures
with automatic unlock."""
from datetime import timedelta

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from .. import clock
from ..extensions import db
from ..org.models import PasswordHistory


def strength_errors(password, username=""):
    cfg = current_app.config
    errors = []
    if len(password) < cfg["LANMU_PASSWORD_MIN_LENGTH"]:
        errors.append(f"密码长度至少{cfg['LANMU_PASSWORD_MIN_LENGTH']}位")
    classes = sum([
        any(c.islower() for c in password),
        any(c.isupper() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    ])
    if classes < cfg["LANMU_PASSWORD_MIN_CLASSES"]:
        errors.append(f"密码须包含大写字母、小写字母、数字、符号中的至少{cfg['LANMU_PASSWORD_MIN_CLASSES']}类")
    if username and username.lower() in password.lower():
        errors.append("密码不能包含用户名")
    return errors


def hash_password(password):
    return generate_password_hash(password, method=current_app.config["LANMU_PASSWORD_HASH_METHOD"])


def reused(user, password):
    """True if the password matches the current one or one of the last N."""
    keep = current_app.config["LANMU_PASSWORD_HISTORY"]
    if user.password_hash and check_password_hash(user.password_hash, password):
        return True
    history = db.session.execute(
        db.select(PasswordHistory).filter_by(user_id=user.id)
        .order_by(PasswordHistory.created_at.desc(), PasswordHistory.id.desc()).limit(max(keep - 1, 0))
    ).scalars()
    return any(check_password_hash(h.password_hash, password) for h in history)


def set_password(user, password, *, force_change=False):
    """Store a new password, keeping the previous hash in the history."""
    if user.password_hash:
        db.session.add(PasswordHistory(user_id=user.id, password_hash=user.password_hash, created_at=clock.now()))
    user.password_hash = hash_password(password)
    user.password_changed_at = clock.now()
    user.must_change_password = force_change


def expires_at(user):
    return password_expires_at(user.password_changed_at)


def password_expires_at(changed_at):
    return changed_at + timedelta(days=current_app.config["LANMU_PASSWORD_MAX_AGE_DAYS"])


def is_expired(user):
    return password_expired(user.must_change_password, user.password_changed_at)


def password_expired(must_change, changed_at):
    return bool(must_change) or clock.now() >= password_expires_at(changed_at)


def days_left(user):
    return (expires_at(user) - clock.now()).days


def is_locked(user):
    return user.locked_until is not None and user.locked_until > clock.now()


def register_failure(user):
    cfg = current_app.config
    user.failed_logins = (user.failed_logins or 0) + 1
    if user.failed_logins >= cfg["LANMU_LOCKOUT_THRESHOLD"]:
        user.locked_until = clock.now() + timedelta(minutes=cfg["LANMU_LOCKOUT_MINUTES"])
        user.failed_logins = 0


def register_success(user):
    user.failed_logins = 0
    user.locked_until = None


def check_password(user, password):
    return check_password_hash(user.password_hash, password)

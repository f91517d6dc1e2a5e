"""The in-app inbox (站内消息): always on, whatever channels a person chose (R-82)."""
from .. import clock
from ..extensions import db


class InboxMessage(db.Model):
    __tablename__ = "inbox_message"
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user_account.id"), nullable=False, index=True)
    subject = db.Column(db.String(300), nullable=False)
    text = db.Column(db.Text, nullable=False, default="")
    url = db.Column(db.String(500), default="")
    urgent = db.Column(db.Boolean, nullable=False, default=False)
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now, index=True)
    read_at = db.Column(db.DateTime)

    user = db.relationship("User")


def notify(users, subject, text, url="", urgent=False, email=None):
    """Tell each person (once, inactive accounts skipped): an inbox row, and the
    same message queued in the outbox for their WeCom and e-mail (R-82).
    `email(user) -> (text, html)`, when given, is that person's e-mail instead
    (one with their own decision links). Returns the inbox rows.

    Written in the caller's transaction: a rolled-back action notifies no one."""
    from ..outbox.service import deliver_soon, enqueue
    rows, seen = [], set()
    now = clock.now()
    for user in users:
        if user is None or user.id in seen or not user.active:
            continue
        seen.add(user.id)
        row = InboxMessage(user_id=user.id, subject=subject[:300], text=text, url=url or "", urgent=urgent,
                           created_at=now)
        db.session.add(row)
        rows.append(row)
        if email is None:
            deliver_soon(enqueue(user, subject, text, url=url, urgent=urgent))
        else:
            mail_text, mail_html = email(user)
            deliver_soon(enqueue(user, subject, text, url=url, urgent=urgent, channels=("wecom",))
                         + enqueue(user, subject, mail_text, html=mail_html, url=url, urgent=urgent,
                                   channels=("email",)))
    db.session.flush()
    return rows


def unread_count(user):
    return db.session.execute(
        db.select(db.func.count(InboxMessage.id)).filter(InboxMessage.user_id == user.id,
                                                         InboxMessage.read_at.is_(None))).scalar()

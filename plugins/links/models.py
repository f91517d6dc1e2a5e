"""The latest reachability check of each published link (R-52 for 友情链接)."""
from intranet import clock
from intranet.extensions import db


class LinkCheck(db.Model):
    __tablename__ = "links_check"
    id = db.Column(db.Integer, primary_key=True)
    item_id = db.Column(db.Integer, db.ForeignKey("item.id", ondelete="CASCADE"), nullable=False, unique=True)
    url = db.Column(db.String(500), nullable=False)
    ok = db.Column(db.Boolean, nullable=False, index=True)
    status_code = db.Column(db.Integer)
    reason = db.Column(db.String(200), nullable=False, default="")
    checked_at = db.Column(db.DateTime, nullable=False, default=clock.now)
    failures = db.Column(db.Integer, nullable=False, default=0)  # consecutive failed checks
    first_failed_at = db.Column(db.DateTime)

    item = db.relationship("Item", backref=db.backref("link_check", uselist=False, cascade="all, delete-orphan"))

"""The publication record of a document (R-60): when it was first published
against its deadline, on time or late. Written once, at first publication."""
from intranet import clock
from intranet.extensions import db


class DocumentPublication(db.Model):
    __tablename__ = "document_publication"
    id = db.Column(db.Integer, primary_key=True)
    item_id = db.Column(db.Integer, db.ForeignKey("item.id", ondelete="CASCADE"), nullable=False, unique=True)
    issue_date = db.Column(db.Date, nullable=False)          # 印发日期
    workdays = db.Column(db.Integer, nullable=False)         # the column's N at the time
    due_date = db.Column(db.Date, nullable=False, index=True)  # last day to be online
    provisional = db.Column(db.Boolean, nullable=False, default=False)  # due date used the Mon-Fri fallback
    published_at = db.Column(db.DateTime, nullable=False)    # first publication
    late = db.Column(db.Boolean, nullable=False, index=True)
    recorded_at = db.Column(db.DateTime, nullable=False, default=clock.now)

    item = db.relationship("Item", backref=db.backref("document_publication", uselist=False,
                                                      cascade="all, delete-orphan"))

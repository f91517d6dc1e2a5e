"""The admin's working-day data (R-61): single days that override the
chinesecalendar library (holidays and 调休 make-up working days from the State
Council's yearly notice), and years the admin has entered in full."""
from .. import clock
from ..extensions import db


class WorkdayOverride(db.Model):
    """One day whose status the admin has set: a holiday (is_workday False) or a
    make-up working day (True). Wins over the library."""
    __tablename__ = "workday_override"
    id = db.Column(db.Integer, primary_key=True)
    date = db.Column(db.Date, nullable=False, unique=True)
    is_workday = db.Column(db.Boolean, nullable=False)
    note = db.Column(db.String(200), nullable=False, default="")
    created_by_id = db.Column(db.Integer, db.ForeignKey("user_account.id"))
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)

    created_by = db.relationship("User")


class WorkdayYear(db.Model):
    """A year the admin declared complete: every holiday and make-up day of the
    State Council's notice for it is entered, so its other days follow
    Monday-Friday without being provisional."""
    __tablename__ = "workday_year"
    year = db.Column(db.Integer, primary_key=True, autoincrement=False)
    complete = db.Column(db.Boolean, nullable=False, default=True)
    note = db.Column(db.String(200), nullable=False, default="")
    updated_by_id = db.Column(db.Integer, db.ForeignKey("user_account.id"))
    updated_at = db.Column(db.DateTime, nullable=False, default=clock.now)

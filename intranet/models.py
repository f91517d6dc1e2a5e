"""Imports every core model module (and every bundled plugin's models) so the
metadata is complete for Alembic and for tests."""
from .api.models import ApiToken  # noqa: F401
from .assessment.models import AssessmentAdjustment, AssessmentMonth, AssessmentScore, AssessmentYear  # noqa: F401
from .audit.models import AuditEntry  # noqa: F401
from .checks.models import CheckAcknowledgement, CheckedLink, ItemLink, ItemLinkScan, LexiconWord  # noqa: F401
from .items.models import Attachment, Item, Revision  # noqa: F401
from .outbox.models import KeyValue, OutboxMessage  # noqa: F401
from .reminders.models import Reminder, Sweep  # noqa: F401
from .notify.inbox import InboxMessage  # noqa: F401
from .org.models import PasswordHistory, RoleAssignment, Unit, User  # noqa: F401
from .security.models import (DutyShift, Incident, IncidentAction, LetterSignature,  # noqa: F401
                              LetterTemplate, SecuritySetting, UserSession)
from .sites.models import Column, ColumnGrant, Site  # noqa: F401
from .review import models as _review_models  # noqa: F401
from .workdays.models import WorkdayOverride, WorkdayYear  # noqa: F401
from .columntypes import import_all_plugin_models

import_all_plugin_models()

"""The API's resources, one module each. Importing this package registers
every route on `bp` (mounted at /api/v1 by intranet.api.init_app)."""
from flask import Blueprint

from .. import errors
from ..framework import Api

API_PREFIX = "/api/v1"

bp = Blueprint("api", __name__, url_prefix=API_PREFIX, template_folder="../templates")
errors.register(bp)
api = Api(bp)

from . import docs, health, items, mailbox, me, published, reminders, review, sites  # noqa: E402,F401

"""The API's resources, one module each, declaring its routes with `api.route`.
A module is imported at the first request to one of its routes (routes.py,
where every route is registered at start)."""
from ..framework import Api

api = Api()

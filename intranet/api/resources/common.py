"""Helpers the resources share: objects by id (404 when missing), refusals."""
from ...extensions import db
from ..errors import ApiError


def get_or_404(model, obj_id, what="资源"):
    obj = db.session.get(model, obj_id)
    if obj is None:
        raise ApiError(404, "not_found", f"{what}不存在。")
    return obj


def forbidden(message="您没有权限执行此操作。"):
    return ApiError(403, "forbidden", message)


def conflict(code, message, **extra):
    return ApiError(409, code, message, **extra)

"""Who may use the security pages. System admins and site/security
administrators (网站专管员) run security operations; webmasters may also
register and update incidents (they are the ones who withdraw items)."""
from functools import wraps

from flask import abort
from flask_login import current_user

from ..org import permissions, roles


def is_security_admin(user):
    return bool(user.is_authenticated and (user.is_sysadmin or user.has_role(roles.SITE_ADMIN)))


def security_admin_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not is_security_admin(current_user):
            abort(403, "仅系统管理员和网站专管员可以访问此页面。")
        return view(*args, **kwargs)
    return wrapper


def incident_staff_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not permissions.is_admin(current_user):
            abort(403, "仅系统管理员、网站管理员和网站专管员可以处理安全事件。")
        return view(*args, **kwargs)
    return wrapper

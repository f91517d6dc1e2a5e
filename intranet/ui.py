"""What every page shares: Chinese error pages, the navigation context, the
forced password change, date filters."""
from flask import current_app, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from .org import permissions, roles

ERROR_MESSAGES = {
    400: ("请求有误", "提交的内容格式不正确，请返回重试。"),
    403: ("无权访问", "您没有权限访问此页面或执行此操作。"),
    404: ("页面不存在", "您访问的页面或信息不存在，可能已被删除或撤回。"),
    405: ("请求方式不允许", "此页面不支持该操作方式。"),
    413: ("文件过大", "上传的文件超过大小限制，请压缩后重试。"),
    429: ("操作过于频繁", "请稍后再试。"),
    500: ("系统错误", "系统出现错误，已记录，请稍后再试或联系管理员。"),
}

# Endpoints a person whose password expired may still reach.
_ALLOWED_WHEN_EXPIRED = {"auth.change_password", "auth.logout", "auth.login", "static", "bootstrap.static"}


def register_ui(app):
    for code in ERROR_MESSAGES:
        app.register_error_handler(code, _error_page)

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return render_template("error.html", code=400, title="页面已过期",
                               message="表单校验失败（页面停留过久或在其他窗口已退出），请返回刷新页面后重新提交。"), 400

    @app.before_request
    def force_password_change():
        from .auth import policy
        if (current_user.is_authenticated and request.endpoint
                and request.endpoint not in _ALLOWED_WHEN_EXPIRED
                and not request.endpoint.startswith("public.")
                and policy.is_expired(current_user)):
            return redirect(url_for("auth.change_password"))

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    @app.context_processor
    def inject_nav():
        return {
            "is_admin": permissions.is_admin(current_user) if current_user else False,
            "role_labels": roles.LABELS,
            "admin_prefix": current_app.config["LANMU_ADMIN_PREFIX"],
        }

    @app.template_filter("dt")
    def format_datetime(value, fmt="%Y-%m-%d %H:%M"):
        return value.strftime(fmt) if value else ""

    @app.template_filter("d")
    def format_date(value):
        return value.strftime("%Y-%m-%d") if value else ""


def _error_page(exc):
    code = getattr(exc, "code", 500) or 500
    title, message = ERROR_MESSAGES.get(code, ERROR_MESSAGES[500])
    description = getattr(exc, "description", None)
    # abort(403, "具体原因") passes a Chinese reason through; werkzeug's English defaults are not shown.
    if description and any("\u4e00" <= ch <= "\u9fff" for ch in str(description)):
        message = description
    return render_template("error.html", code=code, title=title, message=message), code


# -- numbers from the query string ---------------------------------------------------------------------

MAX_ID = 2**31 - 1  # integer columns: no row has a larger id (and SQLite cannot even compare one)
MAX_PAGE = 100_000  # a huge page number must not reach the database as an offset


def id_arg(name):
    """A positive id from the query string, or None (also for numbers no row can have)."""
    value = request.args.get(name, type=int)
    return value if value is not None and 0 < value <= MAX_ID else None


def page_arg(name="page"):
    """The page number from the query string: 1 to MAX_PAGE."""
    return min(max(1, request.args.get(name, 1, type=int)), MAX_PAGE)


# -- redirect targets ---------------------------------------------------------------------------------

def local_path(url):
    """`url` when it is a path on this site ("/intranet/items/1"), else None: the
    only kind of address a stored link or a `next` value may redirect to.

    Browsers take "//host" and "/\\host" for another site, and drop tabs and
    newlines before they look ("/", a tab, "/host" is "//host"), so a path passes
    only with one leading "/" not followed by "/" or "\\", no backslash at all
    and no control character."""
    if not isinstance(url, str) or not url.startswith("/") or url[1:2] in ("/", "\\"):
        return None
    if "\\" in url or any(ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        return None
    return url

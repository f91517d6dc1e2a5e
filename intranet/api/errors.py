"""Errors of the API: always JSON ``{"code": ..., "message": "中文", "fields": {...}}``.

``code`` is stable (clients branch on it; docs/api.md lists them), ``message``
is for people, ``fields`` names the request fields that were wrong (validation
errors), and some errors carry more: ``details`` (the missing elements of an
item), ``findings`` (content-check findings that must be acknowledged)."""
import json

from flask import Response, current_app, request
from werkzeug.exceptions import HTTPException

from ..extensions import db

# status -> (code, Chinese message) for errors raised by Flask/werkzeug itself
HTTP_CODES = {
    400: ("bad_request", "请求格式不正确。"),
    401: ("token_missing", "请提供API令牌。"),
    403: ("forbidden", "您没有权限执行此操作。"),
    404: ("not_found", "请求的资源不存在。"),
    405: ("method_not_allowed", "该接口不支持此请求方式。"),
    406: ("not_acceptable", "无法提供所请求的格式。"),
    409: ("conflict", "当前状态不允许此操作。"),
    413: ("payload_too_large", "请求内容超过大小限制。"),
    415: ("unsupported_media_type", "不支持的请求内容类型。"),
    422: ("validation_error", "请求内容未通过校验。"),
    429: ("rate_limited", "请求过于频繁，请稍后再试。"),
    500: ("internal_error", "系统出现错误，已记录，请稍后再试或联系管理员。"),
}

# Every stable code, with its status and meaning (docs/api.md and the OpenAPI document list these).
CODES = {
    "token_missing": (401, "没有提供API令牌（Authorization: Bearer ...）"),
    "cookie_not_accepted": (401, "接口不接受登录会话（Cookie），只接受API令牌"),
    "token_invalid": (401, "令牌无效"),
    "token_revoked": (401, "令牌已被吊销"),
    "token_expired": (401, "令牌已过期"),
    "account_disabled": (401, "令牌所属账号已停用"),
    "insufficient_scope": (403, "只读令牌不能执行写操作"),
    "forbidden": (403, "令牌所属人员没有此权限"),
    "network_refused": (403, "请求来自办公网络以外"),
    "four_eyes": (403, "不能审核自己撰写或修改过的信息（四眼原则）"),
    "not_your_step": (403, "不是该审核环节的审核人"),
    "not_found": (404, "资源不存在（或无权查看）"),
    "method_not_allowed": (405, "不支持此请求方式"),
    "not_acceptable": (406, "无法提供所请求的格式"),
    "bad_request": (400, "请求格式不正确"),
    "invalid_json": (400, "请求体不是合法的JSON"),
    "conflict": (409, "当前状态不允许此操作"),
    "invalid_state": (409, "对象当前状态不允许此操作"),
    "submission_incomplete": (409, "提交审核前还缺少必备要素（details列出）"),
    "checks_need_acknowledgement": (409, "内容检查有提示需确认（findings列出，确认后在acknowledge中提交其key）"),
    "content_refused": (409, "内容检查未通过"),
    "classified": (409, "涉密信息不得上网发布"),
    "already_decided": (409, "该审核环节已处理"),
    "stale_revision": (409, "稿件已修改，revision_no不是当前版本"),
    "review_refused": (409, "审核引擎拒绝了该操作"),
    "mailbox_refused": (409, "留言办理规则不允许该操作"),
    "payload_too_large": (413, "请求内容超过大小限制"),
    "unsupported_media_type": (415, "不支持的请求内容类型"),
    "validation_error": (422, "字段校验失败（fields逐项说明）"),
    "upload_refused": (422, "附件未通过上传检查（类型、大小、可执行文件、宏）"),
    "rate_limited": (429, "请求过于频繁"),
    "internal_error": (500, "系统错误"),
}


class ApiError(Exception):
    def __init__(self, status, code, message, fields=None, **extra):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields or {}
        self.extra = extra
        self.headers = {}


def json_response(data, status=200, headers=None):
    resp = Response(json.dumps(data, ensure_ascii=False, separators=(",", ":")), status=status,
                    mimetype="application/json")
    for key, value in (headers or {}).items():
        resp.headers[key] = value
    return resp


def error_response(status, code, message, fields=None, headers=None, **extra):
    body = {"code": code, "message": message, "fields": fields or {}}
    body.update({k: v for k, v in extra.items() if v is not None})
    if status == 401:
        headers = dict(headers or {})
        headers.setdefault("WWW-Authenticate", 'Bearer realm="lanmu-api"')
    return json_response(body, status, headers)


def handle_api_error(exc):
    db.session.rollback()
    return error_response(exc.status, exc.code, exc.message, exc.fields, exc.headers, **exc.extra)


def handle_http_exception(exc):
    """werkzeug's errors (abort(404), routing, 413 ...) inside the API, as JSON."""
    db.session.rollback()
    status = exc.code or 500
    code, message = HTTP_CODES.get(status, ("bad_request" if status < 500 else "internal_error",
                                            "请求未能完成。"))
    description = getattr(exc, "description", None)
    # abort(403, "具体原因") passes a Chinese reason through; werkzeug's English defaults are not shown.
    if description and any("\u4e00" <= ch <= "\u9fff" for ch in str(description)):
        message = str(description)
    headers = {}
    if status == 405 and getattr(exc, "valid_methods", None):
        headers["Allow"] = ", ".join(exc.valid_methods)
    return error_response(status, code, message, headers=headers)


def handle_internal_error(exc):
    """Only reached when exceptions are not propagated (production): log, answer JSON."""
    db.session.rollback()
    original = getattr(exc, "original_exception", None)
    if original is not None:
        current_app.logger.error("API error on %s %s", request.method, request.path, exc_info=original)
    code, message = HTTP_CODES[500]
    return error_response(500, code, message)


ERROR_STATUSES = (400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 429)


def register(bp):
    bp.register_error_handler(ApiError, handle_api_error)
    # Code-specific handlers: Flask looks up the app's code handlers (the HTML
    # error pages of ui.py) before a blueprint's class-based handler.
    for status in ERROR_STATUSES:
        bp.register_error_handler(status, handle_http_exception)
    bp.register_error_handler(HTTPException, handle_http_exception)
    bp.register_error_handler(500, handle_internal_error)

"""How an API route is declared, authenticated, validated and answered.

    @api.route("/items/<int:item_id>", "GET", tag="items", summary="...", scope="read",
               responses={200: ItemOut}, errors=(404,))
    def get_item(item_id): ...

`api.route` makes the view, keeps an `Operation` on it and hands it to the
route registered at start (routes.py, whose table it must match); the OpenAPI
document (spec.py) is built from those operations and the URL map, so every
route is described by the code that serves it.

The wrapper, before the view: authenticates the bearer token (never the
session cookie), checks its scope (read: GET; write: everything), counts the
request against the token's rate limit, and validates the query string
(`query=`) and the body (`body=`, plus `uploads=` for multipart). After the
view: a pydantic model becomes JSON with the declared status."""
import base64
import binascii
import json
from dataclasses import dataclass, field
from functools import wraps

from flask import current_app, g, request
from pydantic import BaseModel, ValidationError

from .. import clock
from ..extensions import db
from . import routes
from .errors import ApiError, json_response

READ_METHODS = {"GET", "HEAD", "OPTIONS"}


@dataclass
class Operation:
    method: str
    summary: str
    tag: str
    description: str = ""
    scope: str | None = "read"          # None: no token needed (the document itself)
    query: type | None = None           # pydantic model of the query string
    body: type | None = None            # pydantic model of the JSON body
    multipart: type | None = None       # pydantic model documenting a multipart/form-data body
    body_required: bool = True
    responses: dict = field(default_factory=dict)   # status -> model or None (no body)
    errors: tuple = ()                  # error statuses beyond the common ones
    raw: bool = False                   # the view returns a Response itself
    content_type: str = "application/json"  # of a raw response


class Api:
    def route(self, rule, method, **kwargs):
        op = Operation(method=method, **kwargs)

        def decorator(fn):
            @wraps(fn)
            def view(**path_values):
                if op.scope is not None:
                    authenticate(op)
                values = dict(path_values)
                if op.query is not None:
                    values["query"] = parse_query(op.query)
                if op.body is not None or op.multipart is not None:
                    body, uploads = parse_body(op)
                    values["body"] = body
                    if op.multipart is not None:
                        values["uploads"] = uploads
                result = fn(**values)
                if op.raw:
                    return result
                return respond(result, op)

            view.api_operation = op
            routes.declare(fn.__module__, rule, method, fn.__name__, view)
            return fn
        return decorator


def respond(result, op):
    status = min(op.responses) if op.responses else 200
    if isinstance(result, tuple):
        result, status = result
    if result is None:
        return current_app.response_class(status=status)
    if isinstance(result, BaseModel):
        data = result.model_dump(mode="json", exclude_none=False)
    else:
        data = result
    return json_response(data, status)


# --- authentication ------------------------------------------------------------------

def _cookies_sent():
    cfg = current_app.config
    names = {cfg.get("SESSION_COOKIE_NAME", "session"), cfg.get("REMEMBER_COOKIE_NAME", "remember_token")}
    return any(name in request.cookies for name in names)


def authenticate(op):
    """The token's person becomes `current_user` for this request (service
    functions and the audit trail see them); the session cookie is never read."""
    from . import limits, tokens
    header = request.headers.get("Authorization", "")
    if not header.strip():
        if _cookies_sent():
            raise ApiError(401, "cookie_not_accepted",
                           "接口不接受登录会话（Cookie）。请在个人的“API令牌”页面创建令牌，"
                           "以 Authorization: Bearer <令牌> 请求头调用。")
        raise ApiError(401, "token_missing", "请在 Authorization 请求头中提供API令牌：Authorization: Bearer <令牌>。")
    scheme, _, secret = header.strip().partition(" ")
    secret = secret.strip()
    token = tokens.find(secret) if scheme.lower() == "bearer" else None
    if token is None:
        limits.hit_failed_auth()
        raise ApiError(401, "token_invalid", "API令牌无效。请检查令牌是否完整，或重新创建令牌。")
    now = clock.now()
    if token.revoked_at is not None:
        raise ApiError(401, "token_revoked", "该API令牌已被吊销。")
    if token.is_expired(now):
        raise ApiError(401, "token_expired", "该API令牌已过期，请重新创建。")
    user = token.user
    if not user.active:
        raise ApiError(401, "account_disabled", "该令牌所属账号已停用。")
    if op.scope == "write" and token.scope != "write":
        raise ApiError(403, "insufficient_scope", "只读令牌不能执行此操作，请使用读写令牌。")
    limits.hit_token(token)
    _touch(token, now)
    g._login_user = user  # Flask-Login's current_user, without a session
    g.api_token = token


def _touch(token, now):
    """Record the last use, at most once a minute (a write per request would be costly)."""
    every = int(current_app.config.get("LANMU_API_TOUCH_SECONDS", 60))
    if token.last_used_at is not None and (now - token.last_used_at).total_seconds() < every:
        return
    from .models import ApiToken
    db.session.execute(db.update(ApiToken).where(ApiToken.id == token.id)
                       .values(last_used_at=now, last_used_ip=(request.remote_addr or "")[:64]))
    db.session.commit()


def current_token():
    return g.api_token


def current_person():
    return g._login_user


# --- validation ----------------------------------------------------------------------

MESSAGES = {
    "missing": "必填",
    "extra_forbidden": "不支持的字段",
    "string_type": "应为字符串",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "bool_type": "应为true或false",
    "bool_parsing": "应为true或false",
    "list_type": "应为数组",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "datetime_type": "应为ISO 8601日期时间，例如2026-11-23T10:00:00+08:00",
    "datetime_parsing": "应为ISO 8601日期时间，例如2026-11-23T10:00:00+08:00",
    "datetime_from_date_parsing": "应为ISO 8601日期时间，例如2026-11-23T10:00:00+08:00",
    "datetime_object_invalid": "日期时间无效",
    "date_type": "应为日期，例如2026-11-23",
    "date_parsing": "应为日期，例如2026-11-23",
    "date_from_datetime_parsing": "应为日期，例如2026-11-23",
    "date_from_datetime_inexact": "应为日期，例如2026-11-23",
    "bytes_type": "应为文件",
    "json_invalid": "JSON格式错误",
    "json_type": "应为JSON",
    "none_required": "应为null",
}


def _message(err):
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    if kind == "string_too_long":
        return f"不能超过{ctx.get('max_length')}个字符"
    if kind == "string_too_short":
        return "不能为空" if ctx.get("min_length") == 1 else f"至少{ctx.get('min_length')}个字符"
    if kind in ("too_long",):
        return f"最多{ctx.get('max_length')}项"
    if kind in ("too_short",):
        return f"至少{ctx.get('min_length')}项"
    if kind in ("greater_than_equal", "greater_than"):
        return f"应不小于{ctx.get('ge', ctx.get('gt'))}"
    if kind in ("less_than_equal", "less_than"):
        return f"应不大于{ctx.get('le', ctx.get('lt'))}"
    if kind in ("literal_error", "enum"):
        return f"应为以下之一：{ctx.get('expected')}"
    if kind == "value_error":
        text = str(ctx.get("error") or err.get("msg") or "")
        return text if any("\u4e00" <= ch <= "\u9fff" for ch in text) else "取值无效"
    return MESSAGES.get(kind, "格式不正确")


def field_errors(exc: ValidationError, prefix=""):
    out = {}
    for err in exc.errors(include_url=False):
        loc = [str(x) for x in err.get("loc", ()) if not str(x).startswith("function-")]
        # Drop pydantic's union/type markers (e.g. "int", "str") from the path
        loc = [x for x in loc if x not in ("int", "str", "constrained-str", "bool", "none")]
        name = ".".join([p for p in (prefix, *loc) if p]) or "_body"
        out.setdefault(name, _message(err))
    return out


def validation_error(fields, message="请求内容未通过校验，请按 fields 逐项修改。"):
    return ApiError(422, "validation_error", message, fields=fields)


def parse_query(model):
    raw = {}
    for key in request.args:
        values = request.args.getlist(key)
        raw[key] = values[0] if len(values) == 1 else values
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise validation_error(field_errors(exc)) from None


def _check_text(value, path="_body"):
    """Strings the database can store: no NUL, valid UTF-8 (no lone surrogates)."""
    if isinstance(value, str):
        if "\x00" in value:
            raise validation_error({path: "不能包含NUL字符"})
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise validation_error({path: "含有无效的Unicode字符"}) from None
    elif isinstance(value, dict):
        for k, v in value.items():
            _check_text(k, path)
            _check_text(v, f"{path}.{k}" if path != "_body" else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _check_text(v, f"{path}.{i}" if path != "_body" else str(i))


def _validate(model, data, prefix=""):
    _check_text(data)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_error(field_errors(exc, prefix)) from None


def parse_body(op):
    """-> (model instance, uploads). uploads: [{"field", "filename", "data", "caption"}]
    from multipart parts (data: a FileStorage) or base64 attachments (data: bytes);
    decoded here, checked by the view (items/storage.py)."""
    mimetype = request.mimetype
    if op.multipart is not None and mimetype == "multipart/form-data":
        meta = request.form.get("meta")
        try:
            data = json.loads(meta) if meta is not None else {}
        except (ValueError, RecursionError):
            raise validation_error({"meta": "不是合法的JSON"}) from None
        if not isinstance(data, dict):
            raise validation_error({"meta": "应为JSON对象"})
        body = _validate(op.body, data, "meta")
        captions = request.form.getlist("captions")
        for i, c in enumerate(captions):
            _check_text(c, f"captions.{i}")
            if len(c) > 300:
                raise validation_error({f"captions.{i}": "不能超过300个字符"})
        uploads = []
        for i, fs in enumerate(request.files.getlist("files")):
            _check_text(fs.filename or "", f"files.{i}")
            uploads.append({"field": f"files.{i}", "filename": fs.filename or "", "data": fs,
                            "caption": captions[i].strip() if i < len(captions) else ""})
        return body, uploads + _base64_uploads(body, "meta.")
    if not op.body_required and not request.get_data(cache=True):
        return op.body.model_validate({}), []
    if mimetype != "application/json":
        accepted = "application/json" + ("或multipart/form-data" if op.multipart is not None else "")
        raise ApiError(415, "unsupported_media_type", f"请求体须为{accepted}（Content-Type）。")
    try:
        data = json.loads(request.get_data(cache=True) or b"")
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise ApiError(400, "invalid_json", "请求体不是合法的JSON。") from None
    if not isinstance(data, dict):
        raise validation_error({"_body": "请求体应为JSON对象"})
    body = _validate(op.body, data)
    return body, _base64_uploads(body)


def _base64_uploads(body, prefix=""):
    out = []
    limit = current_app.config["LANMU_UPLOAD_MAX_BYTES"]
    for i, att in enumerate(getattr(body, "attachments", None) or []):
        field_name = f"{prefix}attachments.{i}"
        if len(att.content_base64) > (limit + 2) // 3 * 4 + 8:
            raise ApiError(422, "upload_refused", f"附件“{att.filename}”超过大小限制。",
                           fields={f"{field_name}.content_base64": "文件超过大小限制"})
        try:
            data = base64.b64decode(att.content_base64, validate=True)
        except (binascii.Error, ValueError):
            raise validation_error({f"{field_name}.content_base64": "不是合法的base64编码"}) from None
        out.append({"field": field_name, "filename": att.filename, "data": data, "caption": att.caption})
    return out


# --- pagination ----------------------------------------------------------------------

def encode_cursor(values):
    raw = json.dumps(values, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor, shape):
    """The cursor's values, checked against `shape` (a tuple of types), or a 422."""
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        if not isinstance(values, list) or len(values) != len(shape):
            raise ValueError
        out = []
        for value, kind in zip(values, shape):
            if kind is int:
                if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 2**31 - 1:
                    raise ValueError
                out.append(value)
            else:
                from datetime import datetime
                out.append(datetime.fromisoformat(value))
        return out
    except (ValueError, TypeError, UnicodeError, binascii.Error, OverflowError):
        raise validation_error({"cursor": "无效的分页游标：请使用上一页返回的 next"}) from None


def keyset_page(stmt, query, keys, order_desc=False, key_of=None):
    """One page of `stmt` ordered by `keys` (columns; the last one unique), after
    the cursor. Returns (rows, next cursor or None)."""
    after = decode_cursor(query.cursor, tuple(int if _is_int(k) else "datetime" for k in keys))
    if after is not None:
        stmt = stmt.filter(_after(keys, after, order_desc))
    order = [k.desc() if order_desc else k.asc() for k in keys]
    rows = db.session.execute(stmt.order_by(*order).limit(query.limit + 1)).scalars().all()
    more = len(rows) > query.limit
    rows = rows[:query.limit]
    nxt = None
    if more and rows:
        last = rows[-1]
        nxt = encode_cursor([_cursor_value(v) for v in key_of(last)])
    return rows, nxt


def _is_int(column):
    from sqlalchemy import Integer
    return isinstance(column.type, Integer)


def _cursor_value(v):
    return v.isoformat() if hasattr(v, "isoformat") else v


def _after(keys, values, desc):
    """(k1, k2) > (v1, v2) written out, which every engine plans well with the index."""
    from sqlalchemy import and_, or_
    clauses = []
    for i in range(len(keys)):
        eqs = [keys[j] == values[j] for j in range(i)]
        cmp = keys[i] < values[i] if desc else keys[i] > values[i]
        clauses.append(and_(*eqs, cmp))
    return or_(*clauses)

"""The OpenAPI 3.1 document, generated from the code: every rule of the URL map
whose view carries an `Operation` (framework.py) becomes an operation, with
its parameters, request body and responses from the pydantic models
(`models_json_schema`, JSON Schema 2020-12, which OpenAPI 3.1 uses as it is).
Built once per app and cached."""
import re

from flask import current_app
from pydantic.json_schema import models_json_schema

from . import errors, routes, schemas

PATH_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
REF = "#/components/schemas/{model}"

TAGS = [
    ("me", "令牌与本人"),
    ("sites", "网站与栏目（只读）"),
    ("items", "信息：起草（含附件）、修改、提交审核、状态与历史"),
    ("review", "审核：我的待审环节、审核决定（与网页相同的规则，含四眼原则）"),
    ("published", "已发布信息：分页与增量拉取（since）"),
    ("mailbox", "互动留言：列表、分办、转办、答复及答复审核"),
    ("reminders", "我的提醒"),
    ("health", "网站健康度（检查指标），按网站、按日期"),
    ("docs", "接口文档"),
]

COMMON_ERRORS = {
    401: "没有令牌、令牌无效、已吊销、已过期或账号停用（code区分），或只带了Cookie",
    403: "令牌范围不足（insufficient_scope）、无权限（forbidden）、办公网络以外（network_refused）",
    429: "请求过于频繁（rate_limited），见Retry-After",
}
ERROR_TEXT = {
    400: "请求格式不正确（bad_request / invalid_json）",
    404: "资源不存在或无权查看（not_found）",
    409: "状态冲突（code说明原因）",
    413: "请求内容超过大小限制（payload_too_large）",
    415: "不支持的Content-Type（unsupported_media_type）",
    422: "字段校验失败（validation_error，fields逐项说明）",
}


def operations(app):
    """(rule, method, Operation) for every API route."""
    views = routes.load_all()
    out = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        op = getattr(views.get(rule.endpoint.split(".", 1)[1]), "api_operation", None)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            out.append((rule, method, op))
    return out


def openapi_path(rule):
    return PATH_PARAM.sub(lambda m: "{" + m.group(2) + "}", rule.rule)


def _path_parameters(rule):
    params = []
    for conv, name in PATH_PARAM.findall(rule.rule):
        schema = {"type": "integer", "minimum": 0, "maximum": schemas.MAX_ID} if conv == "int" else {"type": "string"}
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
    return params


def _query_parameters(model, defs_of):
    schema = defs_of(model, "validation")
    props = schema.get("properties", {})
    required = set(schema.get("required", []))
    params = []
    for name, prop in props.items():
        prop = dict(prop)
        description = prop.pop("description", "")
        prop.pop("title", None)
        param = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if description:
            param["description"] = description
        params.append(param)
    return params


def build(app):
    ops = [(r, m, op) for r, m, op in operations(app) if op is not None]
    keys = set()
    for _rule, _method, op in ops:
        if op.query is not None:
            keys.add((op.query, "validation"))
        if op.body is not None:
            keys.add((op.body, "validation"))
        if op.multipart is not None:
            keys.add((op.multipart, "validation"))
        for model in op.responses.values():
            if model is not None and not isinstance(model, dict):
                keys.add((model, "serialization"))
    keys.add((schemas.Error, "serialization"))
    keys = sorted(keys, key=lambda k: (k[0].__module__, k[0].__qualname__, k[1]))
    refs, top = models_json_schema(keys, ref_template=REF)
    components = top.get("$defs", {})

    def ref_of(model, mode):
        return refs[(model, mode)]

    def inline(model, mode):
        target = ref_of(model, mode)["$ref"].rsplit("/", 1)[1]
        return components[target]

    error_ref = ref_of(schemas.Error, "serialization")
    paths = {}
    for rule, method, op in sorted(ops, key=lambda t: (openapi_path(t[0]), t[1])):
        entry = {"operationId": rule.endpoint.split(".", 1)[1] + ("" if method == op.method else "_" + method.lower()),
                 "summary": op.summary, "tags": [op.tag]}
        if op.description:
            entry["description"] = op.description
        params = _path_parameters(rule)
        if op.query is not None:
            params += _query_parameters(op.query, inline)
        if params:
            entry["parameters"] = params
        if op.body is not None or op.multipart is not None:
            content = {}
            if op.body is not None:
                content["application/json"] = {"schema": ref_of(op.body, "validation")}
            if op.multipart is not None:
                content["multipart/form-data"] = {
                    "schema": ref_of(op.multipart, "validation"),
                    "encoding": {"meta": {"contentType": "application/json"},
                                 "files": {"contentType": "application/octet-stream"}}}
            entry["requestBody"] = {"required": op.body_required, "content": content}
        responses = {}
        for status, model in sorted(op.responses.items()):
            text = "成功" if status < 300 else ERROR_TEXT.get(status, "")
            if model is None:
                responses[str(status)] = {"description": text}
            elif isinstance(model, dict):  # a raw response: {"content": {...}}
                responses[str(status)] = {"description": text, **model}
            else:
                responses[str(status)] = {"description": text,
                                          "content": {"application/json": {"schema": ref_of(model, "serialization")}}}
        statuses = set(op.errors) | set(_implied_errors(rule, op))
        if op.scope is not None:
            statuses |= set(COMMON_ERRORS)
        for status in sorted(statuses):
            text = COMMON_ERRORS.get(status) or ERROR_TEXT.get(status, "错误")
            responses.setdefault(str(status), {"description": text,
                                               "content": {"application/json": {"schema": error_ref}}})
        entry["responses"] = responses
        if op.scope is not None:
            entry["security"] = [{"bearerToken": []}]
            entry["x-scope"] = op.scope
            scope_text = "只读或读写令牌" if op.scope == "read" else "读写令牌（write）"
            entry["description"] = (entry.get("description", "") + f"\n\n令牌范围：{scope_text}。").strip()
        else:
            entry["security"] = []
        paths.setdefault(openapi_path(rule), {})[method.lower()] = entry
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "info": {
            "title": "栏目 Lanmu 集成接口",
            "version": "1.0.0",
            "description": _description(),
        },
        "servers": [{"url": "/"}],
        "tags": [{"name": n, "description": d} for n, d in TAGS],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"bearerToken": {
                "type": "http", "scheme": "bearer",
                "description": "个人API令牌（lmu_开头），在内网“API令牌”页面创建；只读令牌只能调用GET接口。"}},
        },
    }


def _implied_errors(rule, op):
    out = set()
    if PATH_PARAM.search(rule.rule):
        out.add(404)
    if op.query is not None:
        out |= {400, 422}  # 400: a NUL character anywhere in the query string (intranet/security/hardening.py)
    if op.body is not None or op.multipart is not None:
        out |= {400, 413, 415, 422}
    if op.scope == "write":
        out.add(409)  # every change depends on the object's state
    return out


def _description():
    codes = "\n".join(f"| `{code}` | {status} | {text} |"
                      for code, (status, text) in sorted(errors.CODES.items(), key=lambda kv: kv[1][0]))
    return (
        "网站信息发布内网的JSON接口：OA系统推送文件、监督单位拉取更新与答复数据。\n\n"
        "认证：`Authorization: Bearer <令牌>`，令牌代表创建它的人员，按其权限操作；不接受登录Cookie。\n\n"
        "分页：列表接口统一使用 `limit`（1..100）与 `cursor`，响应为 `{\"data\": [...], \"next\": 游标或null}`。\n\n"
        "错误：`{\"code\": ..., \"message\": \"中文\", \"fields\": {...}}`，`code` 稳定不变：\n\n"
        "| code | HTTP | 含义 |\n|---|---|---|\n" + codes
    )


def document():
    app = current_app._get_current_object()
    cached = app.extensions.get("lanmu_api_openapi")
    if cached is None:
        cached = app.extensions["lanmu_api_openapi"] = build(app)
    return cached

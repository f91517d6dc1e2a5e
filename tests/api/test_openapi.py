"""The OpenAPI document is generated from the code and complete: every route
under /api/v1 is in it with every method; its readable page is served from our
own static files; errors are JSON with stable codes, also for paths that
match no route."""
import re
from pathlib import Path

from intranet.api import errors
from intranet.api.spec import openapi_path

from ..security.htmlcheck import executable_parts
from .conftest import ApiClient, body, make_token

ROOT = Path(__file__).resolve().parents[2]


def test_every_api_route_is_in_the_openapi_document(app):
    doc = app.test_client().get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    routes = {(openapi_path(rule), method.lower()) for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/api/v1") for method in rule.methods - {"HEAD", "OPTIONS"}}
    documented = {(path, method) for path, methods in doc["paths"].items() for method in methods}
    missing = sorted(routes - documented)
    assert not missing, f"API routes missing from /api/v1/openapi.json (declare them with api.route): {missing}"
    assert not documented - routes, sorted(documented - routes)
    assert len(routes) > 20
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            assert op["summary"] and op["responses"], (method, path)
            if op["security"]:  # everything but the document and its page needs a token
                assert {"401", "403", "429"} <= set(op["responses"]), (method, path)
            for status, response in op["responses"].items():
                if int(status) >= 400:
                    assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


def test_request_and_response_schemas_come_from_the_models(app):
    """Not written by hand beside the code: the item model's fields are the document's."""
    from intranet.api.schemas import ItemCreate, ItemOut
    doc = app.test_client().get("/api/v1/openapi.json").get_json()
    schemas = doc["components"]["schemas"]
    create = doc["paths"]["/api/v1/items"]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert set(schemas[create.rsplit("/", 1)[1]]["properties"]) == set(ItemCreate.model_fields)
    out = doc["paths"]["/api/v1/items/{item_id}"]["get"]["responses"]["200"]["content"]["application/json"]
    assert set(schemas[out["schema"]["$ref"].rsplit("/", 1)[1]]["properties"]) == set(ItemOut.model_fields)
    assert "multipart/form-data" in doc["paths"]["/api/v1/items"]["post"]["requestBody"]["content"]


def test_every_error_code_used_is_a_documented_stable_code():
    used = set()
    for path in (ROOT / "intranet" / "api").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r'ApiError\(\d{3}, "([a-z_]+)"', text))
        used |= set(re.findall(r'(?:conflict|error_response)\((?:\d{3}, )?"([a-z_]+)"', text))
        used |= set(re.findall(r'\(\d{3}, "([a-z_]+)"\)', text))
    used |= {code for code, _message in errors.HTTP_CODES.values()}
    assert {"four_eyes", "cookie_not_accepted", "checks_need_acknowledgement", "invalid_state"} <= used, used
    assert used <= set(errors.CODES), sorted(used - set(errors.CODES))
    docs = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    assert [c for c in errors.CODES if f"`{c}`" not in docs] == []


def test_docs_page_uses_only_our_static_files(app):
    client = app.test_client()
    resp = client.get("/api/v1/docs")
    assert resp.status_code == 200 and resp.mimetype == "text/html"
    html = resp.get_data(as_text=True)
    assert executable_parts(html) == []  # no inline script, no outside script
    refs = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert refs and all(r.startswith("/") and not r.startswith("//") for r in refs), refs
    for ref in refs:
        assert client.get(ref).status_code == 200, ref
    assert 'data-spec-url="/api/v1/openapi.json"' in html


def test_unknown_paths_and_methods_answer_json(app):
    api = ApiClient(app, None)
    resp = api.get("/no-such-thing")
    assert resp.status_code == 404 and resp.mimetype == "application/json"
    assert body(resp) == {"code": "not_found", "message": "请求的资源不存在。", "fields": {}}
    resp = api.open("PUT", "/me")
    assert resp.status_code == 405 and body(resp)["code"] == "method_not_allowed" and "GET" in resp.headers["Allow"]
    resp = api.get("/items/notanumber")
    assert resp.status_code == 404 and resp.mimetype == "application/json"
    # the rest of the site keeps its pages
    page = app.test_client().get("/no-such-page")
    assert page.status_code == 404 and page.mimetype == "text/html"


def test_responses_are_not_cached_and_errors_are_chinese(demo):
    api = ApiClient(demo, make_token("officer"))
    resp = api.get("/me")
    assert resp.headers["Cache-Control"] == "no-store"
    resp = api.get("/items/999999")
    assert resp.status_code == 404 and re.search(r"[\u4e00-\u9fff]", body(resp)["message"])


def test_oversized_request_answers_json_413(make_app):
    from intranet.demo import load_demo
    app = make_app(MAX_CONTENT_LENGTH=2000)
    with app.app_context():
        load_demo()
        api = ApiClient(app, make_token("officer"))
        resp = api.post("/items", json={"column_id": 1, "title": "x", "body": "<p>" + "长" * 3000 + "</p>"})
        assert resp.status_code == 413 and body(resp)["code"] == "payload_too_large"

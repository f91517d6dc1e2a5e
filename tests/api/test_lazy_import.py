"""A web worker loads the API's code (pydantic and the schemas, about 10 MB)
only when /api/v1 is used (intranet/api/routes.py, docs/performance.md)."""
import json
import subprocess
import sys
from pathlib import Path

from intranet.api import routes

ROOT = Path(__file__).resolve().parents[2]

WORKER = """
import json, sys
from intranet import create_app
from intranet.extensions import db

app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": sys.argv[1]})
with app.app_context():
    db.create_all()
loaded = lambda: sorted(m for m in sys.modules if m.split(".")[0] == "pydantic" or m.startswith("intranet.api.resources"))
client = app.test_client()
before = loaded()
public = client.get("/").status_code
after_public = loaded()
api = client.get("/api/v1/me")
print(json.dumps({"before": before, "after_public": after_public, "public": public,
                  "api": [api.status_code, api.get_json()["code"]], "after_api": loaded()}))
"""


def test_a_worker_imports_the_api_schemas_only_when_the_api_is_used(tmp_path):
    out = subprocess.run([sys.executable, "-c", WORKER, f"sqlite:///{tmp_path / 'lazy.db'}"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120, check=True)
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["before"] == [] and seen["after_public"] == [], seen
    assert seen["public"] in (200, 404)
    assert seen["api"] == [401, "token_missing"]
    assert "pydantic" in seen["after_api"] and "intranet.api.resources.me" in seen["after_api"]
    assert "intranet.api.resources.items" not in seen["after_api"]  # only the module of the route used


def test_the_route_table_is_what_the_modules_declare(app):
    views = routes.load_all()
    declared = {(rule.rule, method, rule.endpoint) for rule in app.url_map.iter_rules()
                if rule.endpoint.startswith("api.") for method in rule.methods - {"HEAD", "OPTIONS"}}
    table = {(routes.API_PREFIX + r, m, "api." + e) for rs in routes.ROUTES.values() for r, m, e in rs}
    assert declared == table
    assert set(views) == {e for rs in routes.ROUTES.values() for _r, _m, e in rs}
    assert all(hasattr(view, "api_operation") for view in views.values())

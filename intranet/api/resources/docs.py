"""The OpenAPI document (generated from the code, spec.py) and a page to read
it: Swagger UI from our own static files (intranet/static/vendor/swagger-ui,
no CDN), started by static/js/lanmu-api-docs.js (no inline script: the CSP
forbids it). Neither needs a token; both answer only where the API does
(the office-network allow-list)."""
from flask import render_template

from ..errors import json_response
from ..spec import document
from . import api

OPENAPI_CONTENT = {"content": {"application/json": {"schema": {"type": "object"}}}}
HTML_CONTENT = {"content": {"text/html": {"schema": {"type": "string"}}}}


@api.route("/openapi.json", "GET", tag="docs", scope=None, summary="OpenAPI 3.1 接口文档（由代码生成）", raw=True,
           responses={200: OPENAPI_CONTENT})
def openapi():
    return json_response(document())


@api.route("/docs", "GET", tag="docs", scope=None, summary="接口文档页面", raw=True,
           responses={200: HTML_CONTENT})
def docs():
    return render_template("api/docs.html")

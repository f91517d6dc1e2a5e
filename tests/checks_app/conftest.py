"""Fixtures for the content checks in the app: a local HTTP server on
127.0.0.1 answering 200 / 404 / slowly, and helpers to create items over HTTP."""
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from intranet.extensions import db
from intranet.items.models import Item
from intranet.sites.models import Column

from ..conftest import prefix

SLOW_SECONDS = 2.0


class _Handler(BaseHTTPRequestHandler):
    def _answer(self, with_body):
        if self.path.startswith("/slow"):
            time.sleep(SLOW_SECONDS)
        code = 404 if self.path.startswith("/missing") else 200
        body = "好".encode()
        try:
            self.send_response(code)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if with_body:
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def do_HEAD(self):
        self.server.hits.append(("HEAD", self.path))
        self._answer(False)

    def do_GET(self):
        self.server.hits.append(("GET", self.path))
        self._answer(True)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def http_server():
    """(server, base URL); server.hits lists (method, path) of every request."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    httpd.hits = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def column(slug="progress"):
    return db.session.execute(db.select(Column).filter_by(slug=slug)).scalar_one()


def new_item(client, app, title, body, *, slug="progress", **fields):
    """Create an item over HTTP as the signed-in person; returns the Item."""
    data = {"title": title, "body": body, "source": "市推进办", "importance": "normal", "classification": ""}
    data.update(fields)
    resp = client.post(prefix(app) + f"/items/new?column={column(slug).id}", data=data)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:300]
    return db.session.execute(db.select(Item).filter_by(title=title)).scalar_one()


def edit_item(client, app, item, **fields):
    data = {"title": item.title, "body": item.body, "source": item.source, "importance": item.importance,
            "classification": item.classification}
    data.update(fields)
    resp = client.post(prefix(app) + f"/items/{item.id}/edit", data=data)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:300]
    db.session.refresh(item)
    return item

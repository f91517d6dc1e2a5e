"""R-52: hidden links, external links, and the dead-link checker against a
real HTTP server on 127.0.0.1."""
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from intranet.checks.links import (
    LinkStatus,
    MemoryLinkCache,
    check_urls,
    dead_link_findings,
    extract_links,
    is_external,
    link_findings,
)
from intranet.checks.runner import plain_text

ALLOWED = ["hangzhou.gov.cn", "www.gov.cn"]


# --- hidden links ----------------------------------------------------------------

@pytest.mark.parametrize("html", [
    '<div style="display:none"><a href="http://spam.example/">博彩</a></div>',
    '<div style="DISPLAY: None !important;"><p><a href="http://spam.example/">博彩</a></p></div>',
    '<a href="http://spam.example/" style="visibility:hidden">博彩</a>',
    '<span style="font-size:0"><a href="http://spam.example/">博彩</a></span>',
    '<span style="font-size:0px;"><a href="http://spam.example/">博彩</a></span>',
    '<div style="opacity:0"><a href="http://spam.example/">博彩</a></div>',
    '<div style="position:absolute;left:-9999px;top:0"><a href="http://spam.example/">博彩</a></div>',
    '<div style="position:absolute; top:-2000px"><a href="http://spam.example/">博彩</a></div>',
    '<p style="text-indent:-9999em"><a href="http://spam.example/">博彩</a></p>',
    '<div style="width:0;height:0;overflow:hidden"><a href="http://spam.example/">博彩</a></div>',
    '<div style="height:1px;overflow:hidden"><a href="http://spam.example/">博彩</a></div>',
    '<div hidden><a href="http://spam.example/">博彩</a></div>',
    '<marquee style="color:#fff;background-color:#fff"><a href="http://spam.example/">博彩</a></marquee>',
    '<div style="display:none"><img src="http://spam.example/x.gif"></div>',
])
def test_r52_hidden_link_variants_are_reported_and_block(html):
    body = f"<p>正常内容</p>{html}<p>结尾</p>"
    found = [f for f in link_findings(body) if f.category == "hidden_link"]
    assert len(found) == 1
    f = found[0]
    assert f.kind == "link" and f.severity == "block"
    assert f.text.startswith("http://spam.example/")
    assert "暗链" in f.message


@pytest.mark.parametrize("html", [
    '<a href="http://www.hangzhou.gov.cn/">杭州市人民政府</a>',
    '<div style="display:block"><a href="/news/1.html">新闻</a></div>',
    '<p style="font-size:0.9em;opacity:0.8"><a href="/a">链接</a></p>',
    '<div style="position:relative;left:-10px"><a href="/a">链接</a></div>',
    '<div style="width:0;height:0"><a href="/a">没有overflow:hidden仍可见</a></div>',
    '<div style="display:none"></div><a href="/a">隐藏元素已关闭</a>',
])
def test_r52_visible_links_are_not_hidden(html):
    assert [f for f in link_findings(html) if f.category == "hidden_link"] == []


def test_r52_link_offsets_point_at_the_anchor_text_in_plain_text():
    html = '<p>请访问<a href="https://evil.example/x">这个网站</a>了解详情。</p>'
    found = link_findings(html, ALLOWED)
    text = plain_text(html)
    assert [(f.category, text[f.start:f.end]) for f in found] == [("external_link", "这个网站")]


def test_r52_extract_links_from_a_img_iframe():
    html = ('<a href="/a">甲</a><img src="https://img.example/p.png" alt="">'
            '<iframe src="https://video.example/v"></iframe><a name="anchor">无链接</a>')
    assert [(l.tag, l.url) for l in extract_links(html)] == [
        ("a", "/a"), ("img", "https://img.example/p.png"), ("iframe", "https://video.example/v")]


# --- external links ----------------------------------------------------------------

@pytest.mark.parametrize("url, external", [
    ("https://www.hangzhou.gov.cn/art/1.html", False),
    ("http://HANGZHOU.GOV.CN./x", False),
    ("https://xihu.hangzhou.gov.cn:8443/x", False),     # subdomain
    ("https://www.gov.cn/zhengce/", False),
    ("/news/2024/1.html", False),                        # relative
    ("../a.pdf", False),
    ("#top", False),
    ("mailto:office@example.com", False),
    ("http://evil.example/", True),
    ("//cdn.evil.example/a.js", True),                   # protocol-relative
    ("https://nothangzhou.gov.cn/", True),               # suffix, not a subdomain
    ("https://hangzhou.gov.cn.evil.example/", True),
    ("https://gov.cn/", True),                           # parent of an allowed domain
])
def test_r52_external_domain_detection(url, external):
    assert is_external(url, ALLOWED) is external


def test_r52_external_links_are_reported_as_warnings():
    html = ('<p><a href="https://www.hangzhou.gov.cn/">市政府</a>'
            '<a href="https://shop.example.com/">某商城</a></p>')
    found = link_findings(html, ALLOWED)
    assert [(f.category, f.severity, f.text) for f in found] == [
        ("external_link", "warn", "https://shop.example.com/")]
    assert "shop.example.com" in found[0].message
    assert link_findings(html) == []  # no allow-list given: not checked


# --- dead links against a local server ------------------------------------------------

SLOW_SECONDS = 3.0


class _Handler(BaseHTTPRequestHandler):
    def _answer(self, with_body):
        path = self.path
        if path.startswith("/slow"):
            time.sleep(SLOW_SECONDS)
            code = 200
        elif path.startswith("/missing"):
            code = 404
        elif path.startswith("/error"):
            code = 500
        elif path.startswith("/no-head"):
            code = 405 if self.command == "HEAD" else 200
        elif path.startswith("/moved") or path.startswith("/to-local"):
            self.send_response(301)
            if path.startswith("/to-local"):
                self.send_header("Location", f"http://localhost:{self.server.server_address[1]}/ok?redirected")
            else:
                self.send_header("Location", "/ok")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        else:
            code = 200
        body = "好".encode()
        try:
            self.send_response(code)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if with_body:
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout test)

    def do_HEAD(self):
        self.server.hits.append(("HEAD", self.path))
        self._answer(False)

    def do_GET(self):
        self.server.hits.append(("GET", self.path))
        self._answer(True)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    httpd.hits = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield httpd, base
    httpd.shutdown()
    httpd.server_close()


def _closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_r52_dead_link_checker_200_404_500_refused_and_slow(server):
    httpd, base = server
    urls = [f"{base}/ok", f"{base}/missing", f"{base}/error", f"{base}/slow",
            f"http://127.0.0.1:{_closed_port()}/x", f"{base}/no-head", f"{base}/moved"]
    t0 = time.monotonic()
    results = check_urls(urls, timeout=0.5, allow_private=True)
    elapsed = time.monotonic() - t0
    assert {u: r.ok for u, r in results.items()} == {
        f"{base}/ok": True, f"{base}/missing": False, f"{base}/error": False,
        f"{base}/slow": False, urls[4]: False, f"{base}/no-head": True, f"{base}/moved": True}
    assert results[f"{base}/missing"].status == 404
    assert "404" in results[f"{base}/missing"].reason
    assert "超时" in results[f"{base}/slow"].reason
    assert results[urls[4]].reason == "无法连接到服务器"
    assert elapsed < SLOW_SECONDS  # the slow server did not hold us to its pace
    # HEAD was refused with 405, GET found the page
    assert ("GET", "/no-head") in httpd.hits


def test_r52_dns_failure_is_a_dead_link(monkeypatch):
    # no real resolver traffic: make name resolution fail the way it does
    def no_such_host(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    result = check_urls(["http://no-such-host.invalid/page"], timeout=1)
    status = result["http://no-such-host.invalid/page"]
    assert not status.ok and status.reason == "域名无法解析"


def test_r52_checks_run_concurrently_in_a_bounded_pool(server):
    _httpd, base = server
    urls = [f"{base}/slow?{i}" for i in range(4)]
    t0 = time.monotonic()
    results = check_urls(urls, timeout=0.5, max_workers=4, allow_private=True)
    elapsed = time.monotonic() - t0
    assert all(not r.ok for r in results.values())
    assert elapsed < 4 * 0.5  # four timeouts side by side, not one after another


def test_r52_non_web_and_relative_links_are_skipped_unless_a_base_is_given(server):
    _httpd, base = server
    assert check_urls(["mailto:a@example.com", "tel:12345", "#top", "/ok"]) == {}
    results = check_urls(["/ok"], timeout=2, base_url=base + "/news/1.html", allow_private=True)
    assert results["/ok"].ok


def test_r52_cache_answers_within_ttl_and_expires(server):
    httpd, base = server
    now = [1000.0]
    cache = MemoryLinkCache(ttl=60, dead_ttl=10, clock=lambda: now[0])
    url_ok, url_dead = f"{base}/ok?cache", f"{base}/missing?cache"
    check_urls([url_ok, url_dead], timeout=2, cache=cache, allow_private=True)
    first_hits = len(httpd.hits)
    check_urls([url_ok, url_dead], timeout=2, cache=cache, allow_private=True)
    assert len(httpd.hits) == first_hits              # both answered from the cache
    now[0] += 11                                      # dead result expired, ok one not
    check_urls([url_ok, url_dead], timeout=2, cache=cache, allow_private=True)
    new = httpd.hits[first_hits:]
    assert ("HEAD", "/missing?cache") in new and ("HEAD", "/ok?cache") not in new
    now[0] += 60
    assert cache.get(url_ok) is None


def test_r52_dead_link_findings_locate_the_link():
    html = '<p>详见<a href="http://old.example/gone">原文</a>。</p>'
    results = {"http://old.example/gone": LinkStatus(
        "http://old.example/gone", False, 404, "服务器返回错误状态404", 0.0)}
    found = dead_link_findings(html, results)
    assert [(f.category, f.severity, f.text) for f in found] == [
        ("dead_link", "warn", "http://old.example/gone")]
    assert plain_text(html)[found[0].start:found[0].end] == "原文"
    assert "404" in found[0].message


def test_r52_private_and_loopback_addresses_are_not_fetched_by_default(server):
    httpd, base = server
    before = len(httpd.hits)
    urls = [f"{base}/ok?ssrf", "http://10.0.0.1/admin", "http://[::1]/x", "http://169.254.169.254/latest"]
    results = check_urls(urls, timeout=0.5)
    assert all(not r.ok and "内网或本机地址" in r.reason for r in results.values()), results
    assert len(httpd.hits) == before  # nothing reached the server


def test_r52_a_redirect_to_a_private_address_is_refused(server, monkeypatch):
    """A public page that redirects inwards: the redirect target is checked too.
    127.0.0.1 plays the public host here; 'localhost' stays private."""
    from intranet.checks import links

    real = links.non_public_address
    monkeypatch.setattr(links, "non_public_address",
                        lambda host, port=None: None if host == "127.0.0.1" else real(host, port))
    httpd, base = server
    before = len(httpd.hits)
    result = check_urls([f"{base}/to-local"], timeout=2)[f"{base}/to-local"]
    assert not result.ok and "内网或本机地址" in result.reason
    assert [h for h in httpd.hits[before:] if "redirected" in h[1]] == []
    assert ("HEAD", "/to-local") in httpd.hits[before:]


def test_r52_non_public_address_classifies_addresses():
    from intranet.checks.links import non_public_address
    assert non_public_address("127.0.0.1") == "127.0.0.1"
    assert non_public_address("192.168.1.10") == "192.168.1.10"
    assert non_public_address("100.64.0.1") == "100.64.0.1"
    assert non_public_address("::ffff:10.1.2.3") == "10.1.2.3"
    assert non_public_address("8.8.8.8") is None

"""Links in an item body (R-52): hidden links, external links, dead links.

``link_findings`` is pure and fast (no network): hidden links (暗链) and links
to sites outside the allow-list. ``check_urls`` goes to the network and must
never run on the save path: the app calls it from a background job, with a
per-link timeout, a bounded thread pool and a cache, and turns the results
into findings with ``dead_link_findings``.

Link findings locate the link's anchor text in the plain text (``start``/
``end``, an empty span for an image); their ``text`` is the URL.

Server-side request forgery: a body is written by staff, but the checker runs
on the server, inside the office network. Unless ``allow_private=True``,
``check_urls`` refuses to connect to any address that is not a public
(global) one -- loopback, private ranges, link-local, carrier-grade NAT,
multicast, reserved -- and it checks again before every redirect, so a public
page that redirects to ``http://127.0.0.1/`` is refused too. Such a link is
reported as not reachable by the public. The host is resolved once for the
check and again by the HTTP client to connect; a DNS server that answers
differently within those milliseconds (DNS rebinding) is not defended against.
"""
from __future__ import annotations

import ipaddress
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable, Iterable, Optional, Protocol
from urllib.parse import urljoin, urlsplit


from .findings import BLOCK, WARN, Finding
from .htmltext import HtmlText, Link, extract

USER_AGENT = "Lanmu-LinkCheck/1.0"


def extract_links(html_or_doc) -> list[Link]:
    """Every link of an HTML body (a, area, img, iframe, embed, source, video,
    audio, object) with its anchor text and why it is hidden, if it is."""
    doc = html_or_doc if isinstance(html_or_doc, HtmlText) else extract(html_or_doc)
    return doc.links


# --- allow-list --------------------------------------------------------------

def _host(url: str) -> Optional[str]:
    """Lower-case host of an absolute or protocol-relative URL; None when the
    link is relative (internal) or not a web link (mailto:, tel:, #top)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme and parts.scheme.lower() not in ("http", "https"):
        return None
    if not parts.netloc:
        return None
    host = (parts.hostname or "").rstrip(".")
    try:  # 政府.cn and the like compare in their ASCII form
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        pass
    return host.lower() or None


def normalise_domain(domain: str) -> str:
    domain = domain.strip().lower().lstrip("*").lstrip(".").rstrip(".")
    if "://" in domain:
        domain = urlsplit(domain).hostname or ""
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        return domain


def is_external(url: str, allowed_domains: Iterable[str]) -> bool:
    """True if url points to a host outside the allow-list. A host is allowed
    if it is an allowed domain or a subdomain of one; relative links are
    internal."""
    host = _host(url)
    if host is None:
        return False
    for domain in allowed_domains:
        d = normalise_domain(domain)
        if d and (host == d or host.endswith("." + d)):
            return False
    return True


def link_findings(html_or_doc, allowed_domains: Optional[Iterable[str]] = None, *,
                  hidden_severity: str = BLOCK, external_severity: str = WARN) -> list[Finding]:
    """Hidden links and (when an allow-list is given) external links.

    A hidden link is a link inside an element hidden by CSS or the ``hidden``
    attribute, or hidden itself (see ``htmltext.hidden_reason``). Hidden links
    are what hacked sites carry (暗链), so they block by default.
    """
    allowed = list(allowed_domains) if allowed_domains is not None else None
    findings = []
    for link in extract_links(html_or_doc):
        if link.hidden:
            findings.append(Finding(
                "link", "hidden_link", hidden_severity, link.plain_start, link.plain_end,
                link.url, None,
                f"发现隐藏链接（暗链）“{link.url}”（{link.hidden}），须删除后才能发布。"))
        if allowed is not None and is_external(link.url, allowed):
            findings.append(Finding(
                "link", "external_link", external_severity, link.plain_start, link.plain_end,
                link.url, None,
                f"链接“{link.url}”指向本站允许范围以外的网站（{_host(link.url)}），请确认来源可靠。"))
    return findings


# --- dead links ----------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class LinkStatus:
    url: str
    ok: bool
    status: Optional[int]      # final HTTP status, None if no answer
    reason: str                # Chinese, shown to the user
    checked_at: float          # time.time() of the check


class LinkCache(Protocol):
    """What check_urls needs from a cache; the app may back it with a table."""

    def get(self, url: str) -> Optional[LinkStatus]: ...

    def set(self, url: str, status: LinkStatus) -> None: ...


class MemoryLinkCache:
    """Thread-safe in-memory cache; entries expire ``ttl`` seconds after they
    were stored (by ``clock``, injectable for tests). Dead results may be
    given a shorter TTL so a server that was briefly down is re-checked soon."""

    def __init__(self, ttl: float = 24 * 3600, *, dead_ttl: Optional[float] = None,
                 clock: Callable[[], float] = time.monotonic, max_entries: int = 100_000):
        self.ttl = ttl
        self.dead_ttl = ttl if dead_ttl is None else dead_ttl
        self.clock = clock
        self.max_entries = max_entries
        self._data: dict[str, tuple[float, LinkStatus]] = {}
        self._lock = threading.Lock()

    def get(self, url: str) -> Optional[LinkStatus]:
        with self._lock:
            item = self._data.get(url)
            if item is None:
                return None
            expires, status = item
            if self.clock() >= expires:
                del self._data[url]
                return None
            return status

    def set(self, url: str, status: LinkStatus) -> None:
        ttl = self.ttl if status.ok else self.dead_ttl
        with self._lock:
            if len(self._data) >= self.max_entries:  # crude bound: drop the oldest
                self._data.pop(next(iter(self._data)))
            self._data[url] = (self.clock() + ttl, status)

    def __len__(self) -> int:
        return len(self._data)


def non_public_address(host: str, port: Optional[int] = None) -> Optional[str]:
    """The first address ``host`` resolves to that is not a public one
    (loopback, private, link-local, CGNAT, multicast, reserved), or None when
    every address is public. Raises ``socket.gaierror`` if it does not resolve."""
    host = (host or "").strip("[]")
    infos = socket.getaddrinfo(host, port or 80, proto=socket.IPPROTO_TCP)
    for info in infos:
        raw = str(info[4][0]).split("%", 1)[0]
        try:
            ip = ipaddress.ip_address(raw)
        except ValueError:
            return raw
        if ip.version == 6 and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if not ip.is_global or ip.is_multicast:
            return str(ip)
    return None


def check_urls(urls: Iterable[str], timeout: float = 5, cache: Optional[LinkCache] = None, *,
               max_workers: int = 8, base_url: Optional[str] = None,
               allow_private: bool = False) -> dict[str, LinkStatus]:
    """Check web links concurrently; returns {url: LinkStatus} for the
    http(s) URLs given (others -- mailto:, tel:, anchors -- are skipped).

    Relative URLs are resolved against ``base_url`` if given, else skipped.
    At most ``max_workers`` requests run at once; each request has
    ``timeout`` seconds to connect and for each read. Results are taken from
    and stored in ``cache``. Blocking: call it from a background job only.

    ``allow_private`` False (the default) refuses links to loopback, private
    and other non-public addresses, also after a redirect (see the module
    docstring); tests against a server on 127.0.0.1 pass True.
    """
    targets: dict[str, str] = {}  # original -> absolute
    for url in urls:
        url = url.strip()
        absolute = urljoin(base_url, url) if base_url else url
        if urlsplit(absolute).scheme.lower() in ("http", "https") and urlsplit(absolute).netloc:
            targets[url] = absolute
    results: dict[str, LinkStatus] = {}
    todo: list[tuple[str, str]] = []
    for url, absolute in targets.items():
        cached = cache.get(absolute) if cache is not None else None
        if cached is not None:
            results[url] = cached
        else:
            todo.append((url, absolute))
    if todo:
        from .probe import probe  # requests is imported here, not in every web worker
        absolutes = sorted({a for _u, a in todo})
        with ThreadPoolExecutor(max_workers=max(1, min(max_workers, len(absolutes)))) as pool:
            probed = dict(zip(absolutes, pool.map(lambda a: probe(a, timeout, allow_private), absolutes)))
        for url, absolute in todo:
            results[url] = probed[absolute]
        if cache is not None:
            for absolute, status in probed.items():
                cache.set(absolute, status)
    return results


def dead_link_findings(html_or_doc, results: dict[str, LinkStatus], *,
                       severity: str = WARN) -> list[Finding]:
    """Findings for the links of a body whose check (from check_urls) failed."""
    findings = []
    for link in extract_links(html_or_doc):
        status = results.get(link.url.strip())
        if status is not None and not status.ok:
            findings.append(Finding(
                "link", "dead_link", severity, link.plain_start, link.plain_end, link.url,
                None, f"链接“{link.url}”无法访问：{status.reason}。"))
    return findings

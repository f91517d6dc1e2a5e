"""Fetching a link to see whether it answers (used by links.check_urls).

Apart from links.py so that a web worker, which only reads link results
from the cache, never imports requests (about 4 MB per worker)."""
from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

from . import links
from .links import USER_AGENT, LinkStatus


class PrivateAddressRefused(requests.exceptions.RequestException):
    """The link (or a redirect) points at an address that is not public."""

    def __init__(self, address: str):
        super().__init__(address)
        self.address = address


class _PublicOnlyAdapter(HTTPAdapter):
    """Refuses, before connecting, any request (the first and every redirect)
    whose host is not a public address."""

    def send(self, request, *args, **kwargs):
        parts = urlsplit(request.url)
        try:
            address = links.non_public_address(parts.hostname or "", parts.port)
        except (socket.gaierror, UnicodeError) as exc:
            raise requests.exceptions.ConnectionError(f"NameResolutionError: {exc}", request=request)
        if address is not None:
            raise PrivateAddressRefused(address)
        return super().send(request, *args, **kwargs)


def probe(url: str, timeout: float, allow_private: bool = False) -> LinkStatus:
    """HEAD, then GET when HEAD is refused or fails with a status: some servers
    answer HEAD with 403/404/405 although the page exists. A timeout or a
    connection failure is not retried with GET (it would only double the wait).
    ``timeout`` applies to connecting and to each read."""
    headers = {"User-Agent": USER_AGENT}
    try:
        with requests.Session() as session:
            if not allow_private:
                adapter = _PublicOnlyAdapter()
                session.mount("http://", adapter)
                session.mount("https://", adapter)
            response = session.head(url, timeout=timeout, allow_redirects=True, headers=headers)
            status = response.status_code
            response.close()
            if status >= 400:
                response = session.get(url, timeout=timeout, allow_redirects=True,
                                       headers=headers, stream=True)
                status = response.status_code
                response.close()
    except requests.exceptions.Timeout:
        return LinkStatus(url, False, None, f"访问超时（超过{timeout:g}秒）", time.time())
    except requests.exceptions.SSLError:
        return LinkStatus(url, False, None, "HTTPS证书错误，无法安全访问", time.time())
    except requests.exceptions.ConnectionError as exc:
        text = str(exc)
        if "NameResolution" in text or "Name or service not known" in text or "getaddrinfo" in text:
            reason = "域名无法解析"
        else:
            reason = "无法连接到服务器"
        return LinkStatus(url, False, None, reason, time.time())
    except PrivateAddressRefused as exc:
        return LinkStatus(url, False, None,
                          f"链接指向内网或本机地址（{exc.address}），公众无法访问，出于安全考虑未访问",
                          time.time())
    except requests.exceptions.TooManyRedirects:
        return LinkStatus(url, False, None, "重定向次数过多", time.time())
    except (requests.exceptions.RequestException, ValueError) as exc:
        return LinkStatus(url, False, None, f"链接无法访问（{type(exc).__name__}）", time.time())
    if status >= 400:
        return LinkStatus(url, False, status, f"服务器返回错误状态{status}", time.time())
    return LinkStatus(url, True, status, "正常", time.time())

"""Request hardening: the trusted proxy (ProxyFix, only when configured), the
office-network allow-list for the back office (R-05), refusal of NUL
characters, and the security headers (CSP without inline scripts, frame
denial, no sniffing, no caching of back-office pages)."""
import ipaddress
from functools import lru_cache

from flask import abort, current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix

DEFAULT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; media-src 'self'; frame-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def install_proxy_fix(app):
    """Honour X-Forwarded-For/-Proto only when LANMU_TRUSTED_PROXIES says how
    many proxies stand in front of the app; otherwise the header is ignored
    (anyone could send it)."""
    hops = int(app.config.get("LANMU_TRUSTED_PROXIES") or 0)
    if hops > 0 and not getattr(app.wsgi_app, "_lanmu_proxy_fix", False):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0, x_port=0, x_prefix=0)
        app.wsgi_app._lanmu_proxy_fix = True


def in_admin_area(path):
    prefix = current_app.config["LANMU_ADMIN_PREFIX"].rstrip("/")
    return bool(prefix) and (path == prefix or path.startswith(prefix + "/"))


@lru_cache(maxsize=64)
def parse_networks(networks):
    """A tuple of CIDR strings -> ip_network objects (invalid entries raise ValueError)."""
    return tuple(ipaddress.ip_network(n.strip(), strict=False) for n in networks if n.strip())


def address_allowed(addr, networks):
    if not networks:
        return True
    try:
        ip = ipaddress.ip_address((addr or "").split("%")[0])
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return any(ip in net for net in parse_networks(tuple(networks)))


def check_admin_network():
    """R-05: the back office answers only to configured office networks."""
    if not in_admin_area(request.path):
        return None
    if request.endpoint in set(current_app.config.get("LANMU_ADMIN_NETWORK_EXEMPT") or ()):
        return None
    from .. import versions
    from . import settings
    kept = versions.memo()  # the setting is kept per worker under the intranet token, which its change rewrites
    networks = (kept.remember("admin_networks", lambda: settings.get("admin_networks")) if kept is not None
                else settings.get("admin_networks")) or []
    try:
        allowed = address_allowed(request.remote_addr, networks)
    except ValueError:
        current_app.logger.error("admin_networks contains an invalid entry: %r", networks)
        allowed = False
    if not allowed:
        current_app.logger.warning("back office refused to %s (%s)", request.remote_addr, request.path)
        abort(403, "后台仅允许从单位办公网络访问。如需访问，请联系系统管理员。")
    return None


MAX_ID = 2**31 - 1  # integer columns: a larger id in a URL cannot exist (and overflows SQLite)


def refuse_nul():
    """A NUL character is never valid input and PostgreSQL cannot store it; an
    id in the URL beyond the integer range names nothing."""
    for value in (request.view_args or {}).values():
        if isinstance(value, int) and not 0 <= value <= MAX_ID:
            abort(404)
    values = list((request.view_args or {}).values()) + list(request.args.values())
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        values += list(request.form.values())
    if any(isinstance(v, str) and "\x00" in v for v in values):
        abort(400, "提交的内容含有非法字符，请检查后重新提交。")


def security_headers(response):
    cfg = current_app.config
    headers = response.headers
    headers.setdefault("Content-Security-Policy", cfg.get("LANMU_CSP") or DEFAULT_CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if cfg.get("LANMU_HSTS_SECONDS") and request.is_secure:
        headers.setdefault("Strict-Transport-Security", f"max-age={int(cfg['LANMU_HSTS_SECONDS'])}")
    if in_admin_area(request.path):
        # Back-office pages hold unpublished drafts and personal data: never cached.
        headers["Cache-Control"] = "no-store"
        headers.setdefault("X-Robots-Tag", "noindex, nofollow")
    return response

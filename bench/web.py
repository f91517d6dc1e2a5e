"""The web tier under load, beside a hello-world floor (issue 10).

    /work/main/.venv/bin/python bench/web.py URL [--duration 10] [--connections 8]

URL is a database made by bench/generate.py. Two gunicorn servers start on
127.0.0.1 with the same settings (4 sync workers, ``wsgi:app``) except one:
the rendered-page cache of the public site and the kept dashboard are off on
the first and on on the second (LANMU_PUBLIC_CACHE, LANMU_INTRANET_CACHE). ``wrk`` (Debian package ``wrk``) then loads, one
after the other in this one run:

* the floor: a hello-world route of the same app (``/bench/hello``, only
  registered when LANMU_BENCH_HELLO is set), on each server;
* the public site's home page (the portal site ``/s/sheng/``);
* a column page, page 1 and page 500, of a column with 20,000 items;
* an item page;
* the intranet dashboard (工作台) signed in as an officer with 50 columns;
* each of those with the cache off and on.

Each is warmed up (every worker renders it) and then measured for
--duration seconds, right after the floor is measured again on the same
server (the load of a shared machine drifts). Printed: requests per second,
p50 and p99 latency, p99 over p50, and the ratio to that floor; then each worker's
resident memory after the run (and the part of it no other process shares); the last four lines are
``dashboard_uncached_vs_floor=`` and ``dashboard_vs_floor=`` (kept dashboard off, on),
``web_uncached_min_vs_floor=<lowest ratio of a public page, cache off>`` and
``web_min_vs_floor=<lowest ratio of a public page, cache on>``.

Targets: cache on >= 0.5, cache off >= 0.15, dashboard >= 0.3 (a signed-in
person comes back to it between pages; it is rendered again after any write
it can show, see docs/performance.md), p99 < 10 x
p50, resident memory < 100 MB per worker.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")
WORKERS = 4


def need_wrk():
    if shutil.which("wrk") is None:
        print("bench/web.py needs wrk: install the Debian package with `apt-get install -y wrk` "
              "(or build it from https://github.com/wg/wrk) and run again.", file=sys.stderr)
        sys.exit(2)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def dataset(url):
    from sqlalchemy import create_engine, text
    engine = create_engine(url)
    with engine.connect() as conn:
        value = conn.execute(text("SELECT value FROM kv_store WHERE key = 'bench:dataset'")).scalar()
        version = (conn.execute(text("SHOW server_version")).scalar().split()[0] if engine.dialect.name == "postgresql"
                   else conn.execute(text("select sqlite_version()")).scalar())
    name = "PostgreSQL" if engine.dialect.name == "postgresql" else "SQLite"
    engine.dispose()
    if not value:
        sys.exit("no kv_store['bench:dataset']: make the database with bench/generate.py first")
    return json.loads(value), f"{name} {version}"


class Server:
    def __init__(self, url, cache, instance):
        self.port = free_port()
        env = dict(os.environ, LANMU_DATABASE_URL=url, LANMU_BENCH_HELLO="true",
                   LANMU_PUBLIC_CACHE="true" if cache else "false",
                   LANMU_INTRANET_CACHE="true" if cache else "false", LANMU_SECRET_KEY="bench-secret-key",
                   LANMU_INSTANCE_PATH=instance, LANMU_LINK_CHECK_IN_SWEEP="false")
        self.log = open(os.path.join(instance, f"gunicorn-{self.port}.log"), "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(WORKERS), "--worker-class", "sync",
             "--bind", f"127.0.0.1:{self.port}", "--backlog", "2048", "--timeout", "120", "wsgi:app"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.base = f"http://127.0.0.1:{self.port}"
        self.cache = cache

    def wait(self, timeout=60):
        import requests
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                sys.exit(f"gunicorn exited (see {self.log.name})")
            try:
                if requests.get(self.base + "/bench/hello", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        sys.exit(f"gunicorn did not answer in {timeout} s (see {self.log.name})")

    def workers_memory_mb(self):
        """(resident, private) MB of each worker (the master's children). Resident
        (VmRSS) includes the pages a worker shares with the others and the master
        (libraries, the interpreter); private is what one more worker adds."""
        out = []
        children = []
        for task in os.listdir(f"/proc/{self.proc.pid}/task"):  # the master runs more than one thread
            try:
                children += open(f"/proc/{self.proc.pid}/task/{task}/children").read().split()
            except OSError:
                pass
        for pid in children:
            try:
                fields = dict(line.split(":", 1) for line in open(f"/proc/{pid}/smaps_rollup") if ":" in line)
            except OSError:
                continue
            kb = {k: int(v.split()[0]) for k, v in fields.items() if k in ("Rss", "Private_Clean", "Private_Dirty")}
            out.append((kb["Rss"] / 1024, (kb["Private_Clean"] + kb["Private_Dirty"]) / 1024))
        return out

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()


def sign_in(server, username, password):
    """The session cookie of a signed-in person (the login form with its CSRF token)."""
    import requests
    s = requests.Session()
    page = s.get(server.base + "/intranet/login", timeout=30)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text) or \
        re.search(r'value="([^"]+)"[^>]*name="csrf_token"', page.text)
    data = {"username": username, "password": password}
    if token:
        data["csrf_token"] = token.group(1)
    resp = s.post(server.base + "/intranet/login", data=data, allow_redirects=False, timeout=30)
    if resp.status_code != 302 or "session" not in s.cookies:
        sys.exit(f"could not sign in as {username}: HTTP {resp.status_code}")
    return settled(server, f"session={s.cookies['session']}")


def settled(server, cookie):
    """The cookie as a browser holds it after its first page: one request sent
    the way wrk sends them (no User-Agent), whose updated cookie is kept. (The
    sign-in's session is bound to requests' User-Agent; wrk never stores a
    cookie, so without this every request would rewrite the session.)"""
    import http.client
    from urllib.parse import urlsplit
    host = urlsplit(server.base)
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
    conn.request("GET", "/intranet/", headers={"Cookie": cookie})
    resp = conn.getresponse()
    resp.read()
    fresh = re.match(r"(session=[^;]+)", resp.getheader("Set-Cookie") or "")
    conn.close()
    return fresh.group(1) if fresh else cookie


def _ms(text):
    m = re.match(r"([\d.]+)(us|ms|s|m)", text)
    value, unit = float(m.group(1)), m.group(2)
    return value * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def wrk(url, duration, connections, threads=2, header=None):
    cmd = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s", "--latency", url]
    if header:
        cmd[1:1] = ["-H", header]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": rps, "p50": p50, "p99": p99, "non2xx": int(errors.group(1)) if errors else 0,
            "socket": socket_errors.group(1) if socket_errors else ""}


def check(url, header=None):
    import requests
    resp = requests.get(url, headers={"Cookie": header.split(": ", 1)[1]} if header else {}, timeout=60,
                        allow_redirects=False)
    if resp.status_code != 200:
        sys.exit(f"{url} answered {resp.status_code}")
    return resp


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("url", help="a database made by bench/generate.py")
    ap.add_argument("--duration", type=int, default=10, help="seconds per measurement (default 10)")
    ap.add_argument("--warmup", type=int, default=3, help="seconds of warm-up per endpoint (default 3)")
    ap.add_argument("--connections", type=int, default=8, help="wrk connections (default 8)")
    args = ap.parse_args(argv)
    need_wrk()
    info, engine = dataset(args.url)
    portal, big = info["portal"], info["big_column"]
    pages = [
        ("home", f"/s/{portal}/"),
        ("column page 1", f"/s/{portal}/c/{big}/"),
        ("column page 500", f"/s/{portal}/c/{big}/?page=500"),
        ("item", f"/s/{portal}/i/{info['item_id']}.html"),
    ]
    instance = tempfile.mkdtemp(prefix="lanmu-web-")
    servers = {False: Server(args.url, False, instance), True: Server(args.url, True, instance)}
    results = []
    try:
        for server in servers.values():
            server.wait()
        cookie = "Cookie: " + sign_in(servers[False], info["officer"], info["password"])
        dashboard = check(servers[False].base + "/intranet/", cookie)
        if info["officer"] not in dashboard.text and "工作台" not in dashboard.text:
            sys.exit("the dashboard did not render for the officer")

        def measure(label, server, path, header=None):
            url = server.base + path
            check(url, header)
            wrk(url, args.warmup, args.connections, header=header)
            r = wrk(url, args.duration, args.connections, header=header)
            r.update(label=label, cache=server.cache, path=path)
            results.append(r)
            print(f"  {label:<18} cache {'on ' if server.cache else 'off'} {r['rps']:>8.0f} req/s "
                  f"p50 {r['p50']:.1f} ms p99 {r['p99']:.1f} ms", flush=True)
            return r

        print(f"web benchmark: {engine}, {WORKERS} sync workers per server, wrk -c {args.connections}, "
              f"{args.duration} s per endpoint")
        # Each endpoint is measured right after the floor on the same server, and its ratio
        # is to that floor: a shared machine's load drifts over minutes, not seconds.
        for cache, server in servers.items():
            endpoints = pages + [("dashboard", "/intranet/")]
            for label, path in endpoints:
                floor = measure("hello (floor)", server, "/bench/hello")
                r = measure(label, server, path, header=cookie if label == "dashboard" else None)
                r["floor"] = floor["rps"]
        memory = {cache: server.workers_memory_mb() for cache, server in servers.items()}
    finally:
        for server in servers.values():
            server.stop()
        shutil.rmtree(instance, ignore_errors=True)

    c = info.get("counts", {})
    print()
    print(f"engine {engine}; dataset {c.get('columns', 0):,} columns, {c.get('items', 0):,} items; "
          f"machine {os.cpu_count()} cores")
    print(f"{'endpoint':<18} {'cache':<5} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'p99/p50':>8} {'floor':>8} {'vs floor':>9}")
    floors = [r for r in results if r["label"] == "hello (floor)"]
    for cache in (False, True):
        rps = [r["rps"] for r in floors if r["cache"] == cache]
        print(f"floor, cache {'on' if cache else 'off'} server: {min(rps):.0f}-{max(rps):.0f} req/s over {len(rps)} runs")
    results = [r for r in results if r["label"] != "hello (floor)"]
    for r in results:
        ratio = r["rps"] / r["floor"]
        r["ratio"] = ratio
        flag = "" if not (r["non2xx"] or r["socket"]) else f"  errors: {r['non2xx']} non-2xx {r['socket']}"
        print(f"{r['label']:<18} {'on' if r['cache'] else 'off':<5} {r['rps']:>8.0f} {r['p50']:>8.2f} "
              f"{r['p99']:>8.2f} {r['p99'] / r['p50']:>8.1f} {r['floor']:>8.0f} {ratio:>9.3f}{flag}")
    for cache, values in memory.items():
        print(f"worker RSS, cache {'on' if cache else 'off'}: " + ", ".join(f"{rss:.0f} MB" for rss, _ in values)
              + " (private: " + ", ".join(f"{private:.0f} MB" for _, private in values) + ")")
    dash = {r["cache"]: r["ratio"] for r in results if r["label"] == "dashboard"}
    print(f"dashboard_uncached_vs_floor={dash[False]:.3f}")
    print(f"dashboard_vs_floor={dash[True]:.3f}")
    public = [r for r in results if r["label"] != "dashboard"]
    print(f"web_uncached_min_vs_floor={min(r['ratio'] for r in public if not r['cache']):.3f}")
    print(f"web_min_vs_floor={min(r['ratio'] for r in public if r['cache']):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Build a benchmark dataset of a provincial site group (issue 10).

    /work/main/.venv/bin/python bench/generate.py URL [--small] [--force]

URL is a SQLAlchemy database URL: ``sqlite:////tmp/lanmu-bench.db`` or
``postgresql+psycopg://postgres@127.0.0.1/lanmu_perf``. The schema is made by
the Alembic migrations (``flask_migrate.upgrade``), then filled in bulk: COPY
(psycopg 3) on PostgreSQL, ``executemany`` of large batches on SQLite. An
existing schema is refused unless --force (which drops every table first).

Default size (``--small`` in brackets, for smoke runs):

* 5,000 units (60): a root, cities, districts and departments;
* 20,000 people (240), four per unit (officer, liaison, 科室负责人, and a
  leader, proof-reader or webmaster), one password for all (printed);
  a few passwords about to expire or expired;
* one site per city and district plus the portal, with 100,000 columns
  (600) of every bundled type, every update rule and staleness class;
* 2,000,000 items (12,000) with realistic publish dates: about 55 % of the
  columns fresh (last publication within 8 days), 8 % in the warning window,
  25 % stale (weeks to two years), 12 % blank; the number of items per column
  is skewed (Pareto); a few per cent of items are drafts, in review (with an
  open review step waiting for a candidate), returned, withdrawn or expired;
  some carry an expiry date;
* 50,000 mailbox messages (300) in every state (received, assigned, reply in
  review, answered -- most of them public --, invalid), some open past the
  3-month veto line;
* the link checks in their steady state (every item scanned, 1 % with a body
  link, a few dead; every 友情链接 checked recently) and the document
  publication records;
* for the web benchmark: a unit (基准测试科) responsible for 50 columns of the
  portal (10 with --small), one of them (``yaowen``) with 20,000 items (1,000),
  and its officer ``bench_officer``.

What the benchmarks need to know (site code, column slug, item id, the
officer's user name and password, the generation time) is stored as JSON in
``kv_store['bench:dataset']``. Not generated: revisions, attachments, audit
entries, review history of published items, mailbox replies and events (no
benchmark reads them).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))

SIZES = {
    "default": dict(units=5_000, users=20_000, columns=100_000, items=2_000_000, messages=50_000,
                    big_items=20_000, officer_columns=50),
    "small": dict(units=60, users=240, columns=600, items=12_000, messages=300,
                  big_items=1_000, officer_columns=10),
}
PASSWORD = "Bench-2026-pass"
OFFICER = "bench_officer"
PORTAL_CODE = "sheng"
BIG_SLUG = "yaowen"

# column types: (type id, weight, staleness classes to pick from, names)
TYPES = [
    ("article", 62, ["news", "news", "news", "personnel"], ["工作动态", "要闻", "基层动态", "部门动态", "图片新闻", "人事信息"]),
    ("notice", 12, ["notice"], ["通知公告", "公示公告", "招标公告"]),
    ("document", 8, ["notice"], ["规范性文件", "文件通知", "政策文件"]),
    ("download", 4, ["notice"], ["办事下载", "表格下载"]),
    ("page", 4, ["personnel"], ["单位简介", "领导信息", "机构职能", "大事记"]),
    ("links", 2, ["none"], ["友情链接"]),
    ("video", 2, ["news"], ["视频新闻"]),
    ("gallery", 2, ["news"], ["图说"]),
    ("mailbox", 4, ["none"], ["在线咨询", "局长信箱", "投诉举报", "意见建议"]),
]
MAILBOX_KINDS = {"在线咨询": "consult", "局长信箱": "director", "投诉举报": "complaint", "意见建议": "suggestion"}
# (rule kind, weight, n, dates)
RULES = [("timely", 60, None, ""), ("every_n_workdays", 10, 5, ""), ("per_week", 12, 2, ""),
         ("per_month", 8, 4, ""), ("yearly", 5, None, ""), ("yearly_before", 3, None, "06-30"),
         ("fixed_dates", 2, None, "01-10, 07-10")]
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def ts(dt):
    """A datetime as both engines take it (SQLAlchemy's SQLite storage format)."""
    return None if dt is None else dt.isoformat(" ", "microseconds")


def ds(d):
    return None if d is None else d.isoformat()


def common_chars():
    chars = []
    for hi in range(0xB0, 0xD8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.append(bytes((hi, lo)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return chars


def weighted(rng, table):
    total = sum(row[1] for row in table)
    x = rng.random() * total
    for row in table:
        x -= row[1]
        if x < 0:
            return row
    return table[-1]


class Loader:
    """Bulk loads rows (tuples of str/int/None) into tables: COPY on PostgreSQL,
    executemany in batches elsewhere."""

    def __init__(self, engine):
        self.engine = engine
        self.dialect = engine.dialect.name
        self.raw = engine.raw_connection()
        self.counts = {}
        cur = self.raw.cursor()
        if self.dialect == "postgresql":
            cur.execute("SET synchronous_commit = off")
        else:
            cur.execute("PRAGMA synchronous = OFF")
            cur.execute("PRAGMA foreign_keys = OFF")
            cur.execute("PRAGMA cache_size = -400000")
        cur.close()

    def load(self, table, columns, rows, batch=20_000):
        n = 0
        cols = ", ".join(columns)
        cur = self.raw.cursor()
        if self.dialect == "postgresql":
            with cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    n += 1
        else:
            sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join('?' * len(columns))})"
            chunk = []
            for row in rows:
                chunk.append(row)
                if len(chunk) >= batch:
                    cur.executemany(sql, chunk)
                    n += len(chunk)
                    chunk = []
            if chunk:
                cur.executemany(sql, chunk)
                n += len(chunk)
        cur.close()
        self.raw.commit()
        self.counts[table] = self.counts.get(table, 0) + n
        return n

    def load_unindexed(self, table, columns, rows):
        """Load a big table with its secondary indexes dropped, then build them
        (one sort per index instead of a B-tree insert per row and index)."""
        from sqlalchemy.schema import CreateIndex, DropIndex

        from intranet.extensions import db
        indexes = list(db.metadata.tables[table].indexes)
        dialect = self.engine.dialect
        cur = self.raw.cursor()
        for index in indexes:
            cur.execute(str(DropIndex(index).compile(dialect=dialect)))
        cur.close()
        self.raw.commit()
        n = self.load(table, columns, rows)
        cur = self.raw.cursor()
        for index in indexes:
            cur.execute(str(CreateIndex(index).compile(dialect=dialect)))
        cur.close()
        self.raw.commit()
        return n

    def execute(self, sql, params=None):
        cur = self.raw.cursor()
        if self.dialect != "postgresql":
            sql = sql.replace("%s", "?")
        cur.execute(sql, params or ())
        cur.close()
        self.raw.commit()

    def close(self):
        self.raw.close()


def build(url, size, seed=20261128, log=print):
    from flask_migrate import upgrade
    from sqlalchemy import inspect, text

    from intranet import create_app
    from intranet.extensions import db
    from werkzeug.security import generate_password_hash

    started = time.perf_counter()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "LANMU_LINK_CHECK_IN_SWEEP": False})
    rng = random.Random(seed)
    with app.app_context():
        upgrade()
        engine = db.engine
        pw_hash = generate_password_hash(PASSWORD, method=app.config["LANMU_PASSWORD_HASH_METHOD"])
        now = datetime.now(ZoneInfo(app.config["LANMU_TIMEZONE"])).replace(tzinfo=None, microsecond=0)
        log(f"schema ready ({time.perf_counter() - started:.1f} s); generating at {now:%Y-%m-%d %H:%M}")
        loader = Loader(engine)
        meta = _generate(loader, size, rng, now, pw_hash, log)
        loader.close()
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO kv_store (key, value) VALUES (:k, :v)"),
                         {"k": "bench:dataset", "v": json.dumps(meta, ensure_ascii=False)})
        t = time.perf_counter()
        if engine.dialect.name == "postgresql":
            tables = inspect(engine).get_table_names()
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                for table in tables:
                    cols = {c["name"] for c in inspect(engine).get_columns(table)}
                    if "id" in cols:
                        conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                          f"GREATEST((SELECT max(id) FROM {table}), 1))"))
                conn.execute(text("VACUUM ANALYZE"))
        else:
            with engine.begin() as conn:
                conn.execute(text("ANALYZE"))
        log(f"analyze: {time.perf_counter() - t:.1f} s")
        db.session.remove()
        engine.dispose()
    meta["seconds"] = round(time.perf_counter() - started, 1)
    return meta


def _generate(L, size, rng, now, pw_hash, log):
    t0 = time.perf_counter()
    chars = common_chars()
    n_units = size["units"]
    # ---------------------------------------------------------------- units
    n_cities = max(2, n_units // 350)
    n_districts = max(4, n_units // 24)
    root = 1
    cities = list(range(2, 2 + n_cities))
    districts = list(range(2 + n_cities, 2 + n_cities + n_districts))
    bench_unit = n_units
    departments = list(range(2 + n_cities + n_districts, n_units))
    parent = {root: None}
    kind = {root: "city"}
    for c in cities:
        parent[c], kind[c] = root, "city"
    for i, d in enumerate(districts):
        parent[d], kind[d] = cities[i % n_cities], "district"
    for i, d in enumerate(departments):
        parent[d], kind[d] = districts[i % n_districts], "department"
    parent[bench_unit], kind[bench_unit] = root, "department"
    children = {}
    for u, p in parent.items():
        if p is not None:
            children.setdefault(p, []).append(u)
    names = {root: "省人民政府办公厅", bench_unit: "基准测试科"}
    for i, c in enumerate(cities, 1):
        names[c] = f"第{i}市人民政府"
    for i, d in enumerate(districts, 1):
        names[d] = f"第{i}区县人民政府"
    for i, d in enumerate(departments, 1):
        names[d] = f"第{i}科室"

    def unit_rows():
        for u in range(1, n_units + 1):
            yield (u, names[u], f"u{u}", parent[u], kind[u], f"联系人{u}", "0571-00000000",
                   f"unit{u}@example.gov.cn", u, 1, 0)
    L.load("unit", ["id", "name", "code", "parent_id", "kind", "contact_name", "contact_phone", "contact_email",
                    "sort_order", "active", "portal_link_hidden"], unit_rows())

    # ---------------------------------------------------------------- people
    n_users = size["users"]
    per_unit = [n_users // n_units + (1 if u <= n_users % n_units else 0) for u in range(1, n_units + 1)]
    users_of = {}   # unit -> [(user id, role)]
    user_rows, role_rows = [], []
    uid = 0
    officer_id = None
    for u in range(1, n_units + 1):
        slots = per_unit[u - 1]
        for slot in range(slots):
            uid += 1
            if slot == 0:
                roles_ = ["officer"]
            elif slot == 1:
                roles_ = ["liaison"]
            elif slot == 2:
                roles_ = ["dept_head"]
            elif kind[u] in ("city", "district"):
                roles_ = ["leader", "webmaster"]
            else:
                roles_ = ["proofreader"] if slot % 2 else ["secrecy_reviewer"]
            if u == root and slot == 3:
                roles_ = ["leader", "webmaster", "sysadmin"]
            username = f"user{uid}"
            age_roll = rng.random()
            if u == bench_unit and slot == 0:
                username, officer_id, changed = OFFICER, uid, now - timedelta(days=1)
            elif age_roll < 0.02:
                changed = now - timedelta(days=rng.uniform(91, 200))
            elif age_roll < 0.06:
                changed = now - timedelta(days=rng.uniform(84, 89.9))
            else:
                changed = now - timedelta(days=rng.uniform(0, 80))
            changed = changed.replace(microsecond=0)
            active = 0 if rng.random() < 0.01 and u != bench_unit else 1
            user_rows.append((uid, username, f"人员{uid}", f"user{uid}@example.gov.cn", "", f"w{uid}", pw_hash,
                              ts(changed), 0, 0, active, 1, 1, ts(now - timedelta(days=1000))))
            for r in roles_:
                role_rows.append((len(role_rows) + 1, uid, u, r))
                users_of.setdefault(u, []).append((uid, r))
    L.load("user_account", ["id", "username", "name", "email", "phone", "wecom_userid", "password_hash",
                            "password_changed_at", "must_change_password", "failed_logins", "active",
                            "notify_wecom", "notify_email", "created_at"], user_rows)
    L.load("role_assignment", ["id", "user_id", "unit_id", "role"], role_rows)
    authors_of = {u: [i for i, r in lst if r in ("officer", "liaison")] or [lst[0][0]] for u, lst in users_of.items()}
    reviewers_of = {u: [i for i, r in lst if r in ("dept_head", "proofreader")] or [lst[0][0]]
                    for u, lst in users_of.items()}
    log(f"units {n_units:,}, people {uid:,}, roles {len(role_rows):,} ({time.perf_counter() - t0:.1f} s)")

    # ---------------------------------------------------------------- sites
    site_hosts = [root] + cities + districts
    site_id = {h: i for i, h in enumerate(site_hosts, 1)}
    site_rows = []
    for h in site_hosts:
        sid = site_id[h]
        code = PORTAL_CODE if h == root else f"s{sid}"
        parent_site = None if h == root else site_id[parent[h]]
        site_rows.append((sid, f"{names[h]}门户网站", code, f"{code}.example.gov.cn", "", h, parent_site, 1,
                          ts(now - timedelta(days=1500))))
    L.load("site", ["id", "name", "code", "domain", "description", "unit_id", "parent_site_id", "active",
                    "created_at"], site_rows)

    # ---------------------------------------------------------------- columns
    n_columns = size["columns"]
    n_sites = len(site_hosts)
    bench_n = size["officer_columns"]
    others = n_columns - bench_n
    per_site = [others // n_sites + (1 if i < others % n_sites else 0) for i in range(n_sites)]
    col_rows = []
    columns = []  # (id, site id, unit id, type, staleness, created_at, freshness)
    cid = 0

    def add_column(sid, host, unit, top_ids, sort, forced=None, bench=False):
        nonlocal cid
        cid += 1
        if forced:
            ctype, staleness, name, rule = forced
        else:
            t = weighted(rng, TYPES[:-1] if bench else TYPES)  # the officer's columns all take items
            ctype, staleness, name = t[0], rng.choice(t[2]), rng.choice(t[3])
            rule = weighted(rng, RULES)
        parent_col = rng.choice(top_ids) if len(top_ids) >= 12 and not (forced and forced[2] == "要闻动态") else None
        settings = "{}"
        if ctype == "mailbox":
            settings = json.dumps({"kind": MAILBOX_KINDS.get(name, "consult")})
        elif ctype == "document":
            settings = json.dumps({"doc_kind": "normative"})
        roll = rng.random()
        if ctype == "mailbox":
            freshness = "mailbox"
        elif roll < 0.55:
            freshness = "fresh"
        elif roll < 0.63:
            freshness = "warn"
        elif roll < 0.88:
            freshness = "stale"
        else:
            freshness = "blank"
        if freshness == "blank":
            created = now - timedelta(days=rng.choice([rng.uniform(8, 400), rng.uniform(8, 400), rng.uniform(0, 6)]))
        else:
            created = now - timedelta(days=rng.uniform(800, 2000))
        created = created.replace(microsecond=0)
        archived = 1 if rng.random() < 0.01 and not (forced or bench) else 0
        slug = BIG_SLUG if forced and forced[2] == "要闻动态" else f"c{cid}"
        col_rows.append((cid, sid, parent_col, f"{name}{cid}" if not forced else name, slug, ctype, unit,
                         "", rule[0], rule[2], rule[3], staleness, 1 if rng.random() < 0.1 else 0,
                         0 if rng.random() < 0.03 else 1, 1, archived, sort, settings, ts(created)))
        columns.append((cid, sid, unit, ctype, staleness, created, freshness, archived))
        if parent_col is None and not forced:  # the bench unit's columns stay leaves (the big one lists only its own)
            top_ids.append(cid)
        return cid

    big_column = None
    for i, host in enumerate(site_hosts):
        sid = site_id[host]
        pool = [host] + [c for c in children.get(host, []) if c != bench_unit]
        top_ids = []
        for k in range(per_site[i]):  # about 12 top-level columns a site (its navigation), the rest below them
            add_column(sid, host, rng.choice(pool), top_ids, k)
        if host == root:  # the bench unit's columns: 要闻动态 (the big one) top-level, the others below
            for k in range(bench_n):
                forced = None
                if k == 0:
                    forced = ("article", "news", "要闻动态", ("per_week", 0, 2, ""))
                c = add_column(sid, host, bench_unit, top_ids, per_site[i] + k, forced, bench=True)
                if k == 0:
                    big_column = c
    L.load("site_column", ["id", "site_id", "parent_id", "name", "slug", "type", "unit_id", "description",
                           "rule_kind", "rule_n", "rule_dates", "staleness_class", "is_key", "link_visible",
                           "requires_secrecy_review", "archived", "sort_order", "settings_json", "created_at"],
           col_rows)
    col_rows = None
    log(f"sites {n_sites:,}, columns {cid:,} ({time.perf_counter() - t0:.1f} s)")

    # ---------------------------------------------------------------- items
    paragraphs = ["".join(rng.choices(chars, k=rng.randint(60, 140))) + "。" for _ in range(400)]
    title_words = ["关于", "召开", "开展", "做好", "推进", "加强", "印发", "公布", "举办", "部署"]
    title_tails = ["工作的通知", "专题会议", "情况通报", "实施方案", "活动顺利举行", "工作要点", "有关事项的公告",
                   "培训班开班", "调研座谈会", "年度工作总结"]
    item_cols = [c for c in columns if c[3] != "mailbox"]
    non_blank = [c for c in item_cols if c[6] != "blank" and c[0] != big_column]
    budget = size["items"] - size["big_items"]
    weights = [rng.paretovariate(1.6) for _ in non_blank]
    scale = budget / sum(weights)
    counts = {c[0]: max(1, int(w * scale)) for c, w in zip(non_blank, weights)}
    short = budget - sum(counts.values())
    ids = [c[0] for c in non_blank]
    while short > 0:  # top up one at a time, round robin from a random start
        step = min(short, len(ids))
        for c in rng.sample(ids, step):
            counts[c] += 1
        short -= step
    while short < 0:
        c = rng.choice(ids)
        if counts[c] > 1:
            counts[c] -= 1
            short += 1
    counts[big_column] = size["big_items"]
    blank_drafts = {c[0]: (rng.randint(1, 2) if rng.random() < 0.3 else 0) for c in item_cols if c[6] == "blank"}

    derived = {"review": [], "links": [], "documents": [], "body_links": []}
    meta = {"generated_at": now.isoformat(sep=" "), "size": size, "portal": PORTAL_CODE, "big_column": BIG_SLUG,
            "big_column_id": big_column, "officer": OFFICER, "password": PASSWORD, "officer_id": officer_id,
            "officer_unit_id": bench_unit}
    state = {"id": 0}

    bodies = ["<p>" + paragraphs[i] + "</p><p>" + paragraphs[(i * 7 + 3) % len(paragraphs)] + "</p>"
              for i in range(len(paragraphs))]
    titles = [f"{w}{{}}{t}" for w in title_words for t in title_tails]
    hour = timedelta(hours=1)
    day = timedelta(days=1)

    def item_rows():
        rnd = rng.random
        iid = 0
        for (col_id, sid, unit, ctype, staleness, created, freshness, archived) in item_cols:
            n = counts.get(col_id, 0)
            drafts = blank_drafts.get(col_id, 0)
            if freshness == "fresh":
                last_age, gap = rng.uniform(0, 8), rng.uniform(0.2, 4)
            elif freshness == "warn":
                last_age, gap = rng.uniform(10, 13.5), rng.uniform(1, 10)
            else:
                last_age, gap = math.exp(rng.uniform(math.log(15), math.log(700))), rng.uniform(2, 30)
            if col_id == big_column:
                last_age, gap = 0.2, 0.09
            at = now - timedelta(days=last_age)
            step = day * gap
            authors = authors_of[unit]
            short_name = names[unit][:6]
            for k in range(n + drafts):
                iid += 1
                published = None
                if k >= n:  # drafts in a blank column
                    status = "draft"
                else:
                    if k:
                        at -= step * (0.3 + 1.4 * rnd())
                    published = at
                    r = rnd()
                    if k == 0 and col_id != big_column and r < 0.08:  # the newest one is not out yet
                        status = ("draft", "in_review", "in_review", "returned", "approved")[int(r * 62.5)]
                        published = None
                    elif r < 0.012:
                        status = "withdrawn"
                    elif r < 0.016:
                        status = "expired"
                    elif r < 0.019:
                        status, published = "rejected", None
                    else:
                        status = "published"
                author = authors[iid % len(authors)]
                expires = publish_at = None
                r = rnd()
                if status == "published":
                    if r < 0.02:
                        expires = now + day * (1 + 364 * rnd())
                    elif r < 0.0202:
                        expires = now - day * (0.1 + 30 * rnd())
                elif status == "expired":
                    expires = published + day * 30
                elif status == "approved":
                    publish_at = now + day * (0.5 + 4.5 * rnd())
                extra = "{}"
                if ctype == "document":
                    issued = ((published or now) - day * (iid % 4)).date()
                    extra = json.dumps({"doc_number": f"浙办〔{issued.year}〕{iid % 300 + 1}号", "issue_date":
                                        issued.isoformat(), "issuing_unit": names[unit],
                                        "red_header_title": f"{names[unit]}文件"}, ensure_ascii=False)
                    if status == "published":
                        derived["documents"].append((iid, issued, published))
                elif ctype == "links":
                    extra = f'{{"url": "https://link{iid % 500}.example.gov.cn/"}}'
                    if status == "published":
                        derived["links"].append((iid, f"https://link{iid % 500}.example.gov.cn/"))
                elif status == "in_review":
                    derived["review"].append((iid, unit, author, now - day * (0.1 + 6 * rnd())))
                body = bodies[iid % len(bodies)]
                if status == "published" and r > 0.99:
                    derived["body_links"].append(iid)
                    body += f'<p><a href="https://www{iid % 1000}.example.gov.cn/page">相关链接</a></p>'
                title = titles[iid % len(titles)].format(short_name) + f"（{iid}）"
                created_at = (published or now) - hour * (2 + 70 * rnd())
                shown = ts(published) if published is not None and status != "rejected" else None
                if col_id == big_column and status == "published" and "item_id" not in meta:
                    meta["item_id"] = iid
                yield (iid, col_id, sid, unit, ctype, author, status, title, body, short_name, ts(publish_at),
                       created_at.date().isoformat(), "", "", "", "", "normal", "", ts(expires), 0, "", None, "",
                       extra, 1, shown, shown, ts(created_at), ts(created_at))
        state["id"] = iid
    L.load_unindexed("item", ["id", "column_id", "site_id", "unit_id", "type", "author_id", "status", "title", "body", "source",
                    "publish_at", "created_date", "topic", "genre", "doc_number", "red_header_title", "importance",
                    "classification", "expires_at", "is_reprint", "reprint_source_site", "reprint_time",
                    "reprint_url", "extra_json", "revision_no", "first_published_at", "published_at",
                    "created_at", "updated_at"], item_rows())
    n_items = state["id"]
    log(f"items {n_items:,} ({time.perf_counter() - t0:.1f} s)")

    # ------------------------------------------------------ review in progress
    runs, steps, cands = [], [], []
    for k, (iid, unit, author, opened) in enumerate(derived["review"], 1):
        runs.append((k, iid, 1, 1, "normal", "默认审核流程", "active", author, ts(opened)))
        steps.append((k, k, iid, 1, "proofread", "一校", "proofreader", unit, "open", "", ts(opened)))
        for j, who in enumerate([u for u in reviewers_of[unit] if u != author][:2] or [1]):
            cands.append((len(cands) + 1, k, who))
    L.load("review_run", ["id", "item_id", "number", "revision_no", "importance", "chain_source", "status",
                          "submitted_by_id", "submitted_at"], runs)
    L.load("review_step", ["id", "run_id", "item_id", "position", "kind", "label", "role", "unit_id", "status",
                           "note", "opened_at"], steps)
    L.load("review_step_candidate", ["id", "step_id", "user_id"], cands)

    # ------------------------------------------------------ plugin records
    L.load("document_publication", ["id", "item_id", "issue_date", "workdays", "due_date", "provisional",
                                    "published_at", "late", "recorded_at"],
           ((k, iid, ds(issued), 2, ds(issued + timedelta(days=2)), 0, ts(pub),
             1 if pub.date() > issued + timedelta(days=2) else 0, ts(pub))
            for k, (iid, issued, pub) in enumerate(derived["documents"], 1)))

    def link_check_rows():
        for k, (iid, url) in enumerate(derived["links"], 1):
            ok = rng.random() > 0.05
            checked = now - timedelta(hours=rng.uniform(0.5, 20))
            yield (k, iid, url, 1 if ok else 0, 200 if ok else None, "正常" if ok else "无法连接", ts(checked),
                   0 if ok else 2, None if ok else ts(checked - timedelta(days=1)))
    L.load("links_check", ["id", "item_id", "url", "ok", "status_code", "reason", "checked_at", "failures",
                           "first_failed_at"], link_check_rows())

    # the content checks' link job, caught up: every item scanned, 1 % with a body link
    import hashlib
    url_ids = {}
    link_rows = []
    for iid in derived["body_links"]:
        url = f"https://www{iid % 1000}.example.gov.cn/page"
        if url not in url_ids:
            url_ids[url] = len(url_ids) + 1
    L.load("check_link", ["id", "url_hash", "url", "ok", "status", "reason", "checked_at", "first_seen_at"],
           ((lid, hashlib.sha256(url.encode()).hexdigest(), url, 0 if lid % 40 == 0 else 1,
             None if lid % 40 == 0 else 200, "无法连接" if lid % 40 == 0 else "",
             ts(now - timedelta(hours=rng.uniform(0.5, 20))), ts(now - timedelta(days=30)))
            for url, lid in url_ids.items()))
    for k, iid in enumerate(derived["body_links"], 1):
        url = f"https://www{iid % 1000}.example.gov.cn/page"
        link_rows.append((k, iid, url_ids[url], url, "a", "相关链接", None, 1))
    L.load("check_item_link", ["id", "item_id", "link_id", "url", "tag", "anchor", "hidden", "external"], link_rows)
    L.execute("INSERT INTO check_item_scan (item_id, revision_no, scanned_at, links) "
              "SELECT id, revision_no, %s, 0 FROM item", (ts(now - timedelta(hours=1)),))
    L.execute("UPDATE check_item_scan SET links = 1 WHERE item_id IN (SELECT item_id FROM check_item_link)")
    log(f"review {len(runs):,}, documents {len(derived['documents']):,}, links {len(derived['links']):,}, "
        f"body links {len(link_rows):,} ({time.perf_counter() - t0:.1f} s)")

    # ---------------------------------------------------------------- mailbox
    mailboxes = [c for c in columns if c[3] == "mailbox" and not c[7]]
    codes = set()

    def message_rows():
        for mid in range(1, size["messages"] + 1):
            col_id, sid, unit = mailboxes[mid % len(mailboxes)][:3]
            while True:
                code = "".join(rng.choices(CODE_ALPHABET, k=12))
                if code not in codes:
                    codes.add(code)
                    break
            r = rng.random()
            if r < 0.04:
                status, age = "received", rng.uniform(0, 8)
            elif r < 0.11:
                status, age = "assigned", rng.uniform(0, 30)
            elif r < 0.13:
                status, age = "reply_review", rng.uniform(2, 20)
            elif r < 0.93:
                status, age = "answered", rng.uniform(1, 720)
            else:
                status, age = "invalid", rng.uniform(1, 720)
            if status in ("received", "assigned") and rng.random() < 0.03:
                age = rng.uniform(92, 200)  # past the 3-month veto line
            received = (now - timedelta(days=age)).replace(microsecond=0)
            handling = unit
            if status != "received" and children.get(unit) and rng.random() < 0.5:
                handling = rng.choice(children[unit])
            assigned = received + timedelta(hours=rng.uniform(2, 60)) if status != "received" else None
            replied = received + timedelta(days=rng.uniform(1, 10)) if status == "answered" else None
            late = None if replied is None else (1 if (replied - received).days > 7 else 0)
            private = 1 if rng.random() < 0.1 else 0
            public = 1 if status == "answered" and not private and rng.random() < 0.7 else 0
            subject = f"关于{rng.choice(title_tails)}的咨询（{mid}）"
            text = rng.choice(paragraphs)
            yield (mid, col_id, handling, "consult", code, None, f"市民{mid}", f"138{mid:08d}",
                   f"10.{mid % 250}.{mid % 200}.{mid % 199}", subject, text, private, status, ts(received),
                   ts(assigned), None if assigned is None else (1 if (assigned - received).days > 3 else 0),
                   None, "", None, ts(replied), ds(replied.date()) if replied else None, late,
                   "不属于受理范围" if status == "invalid" else "", public,
                   ts(replied) if public else None, "市*" if public else "", subject if public else "",
                   text if public else "", rng.choice(paragraphs) if public else "")
    L.load("mailbox_message", ["id", "column_id", "unit_id", "kind", "query_code", "captcha_nonce",
                               "sender_name", "sender_contact", "sender_address", "subject", "text",
                               "wants_privacy", "status", "received_at", "assigned_at", "transfer_late",
                               "escalated_at", "escalation_note", "escalation_late", "replied_at",
                               "reply_due_date", "reply_late", "invalid_reason", "is_public", "public_at",
                               "public_name", "public_subject", "public_text", "public_reply"], message_rows())
    log(f"messages {size['messages']:,} in {len(mailboxes):,} mailboxes ({time.perf_counter() - t0:.1f} s)")
    meta["counts"] = {"units": n_units, "users": uid, "sites": n_sites, "columns": cid, "items": n_items,
                      "messages": size["messages"], "in_review": len(runs)}
    return meta


def _drop_everything(url):
    from sqlalchemy import create_engine, inspect, text
    engine = create_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    elif engine.dialect.name == "sqlite" and engine.url.database and engine.url.database != ":memory:":
        engine.dispose()
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(engine.url.database + suffix):
                os.remove(engine.url.database + suffix)
    else:
        from sqlalchemy import MetaData
        md = MetaData()
        md.reflect(engine)
        md.drop_all(engine)
    engine.dispose()
    return inspect


def has_tables(url):
    from sqlalchemy import create_engine, inspect
    engine = create_engine(url)
    try:
        return bool(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("url", help="database URL, e.g. sqlite:////tmp/bench.db or postgresql+psycopg://postgres@127.0.0.1/lanmu_perf")
    ap.add_argument("--small", action="store_true", help="a small dataset for smoke runs")
    ap.add_argument("--force", action="store_true", help="drop every table of the database first")
    ap.add_argument("--seed", type=int, default=20261128)
    for name in ("units", "users", "columns", "items", "messages", "big-items", "officer-columns"):
        ap.add_argument(f"--{name}", type=int, help=f"override the number of {name.replace('-', ' ')}")
    args = ap.parse_args(argv)
    size = dict(SIZES["small" if args.small else "default"])
    for name in size:
        value = getattr(args, name, None)
        if value is not None:
            size[name] = value
    if size["users"] < size["units"] * 4:
        ap.error("at least four people per unit (--users >= 4 x --units)")
    if has_tables(args.url):
        if not args.force:
            print("the database has tables already: use --force to drop them", file=sys.stderr)
            return 2
        _drop_everything(args.url)
    meta = build(args.url, size, seed=args.seed)
    c = meta["counts"]
    print(f"dataset: {c['units']:,} units, {c['users']:,} people, {c['sites']:,} sites, {c['columns']:,} columns, "
          f"{c['items']:,} items, {c['messages']:,} messages, {c['in_review']:,} items in review")
    print(f"officer {meta['officer']} / {meta['password']}: {size['officer_columns']} columns; "
          f"/s/{meta['portal']}/c/{meta['big_column']}/ has {size['big_items']:,} items")
    print(f"generate_seconds={meta['seconds']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

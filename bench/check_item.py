"""The editor's content check in the app (issue 6, R-50): how long the check of
a typical 5,000-character item takes with a 50,000-entry lexicon in the
database, cold (the matcher compiled from the database rows) and warm (cached).

    /work/main/.venv/bin/python bench/check_item.py [--words 50000] [--db URL]

Builds a throw-away SQLite database (or uses --db, whose tables it DROPS: give
it a scratch database), the demo, a lexicon of --words entries imported
through ``service.import_words`` (the same words as bench/checks.py), and one
item of about 5,000 characters (20 paragraphs of the same generated text,
with lexicon words, dates, amounts). Then prints, best of --repeat runs:

* import      -- importing the lexicon (once);
* save        -- saving the item over HTTP (the save path: no checks run);
* cold check  -- check_item right after the lexicon changed: rows loaded and
                 the automaton compiled, then the check;
* warm check  -- check_item with the cached matcher (what every page view pays);
* edit page   -- GET of the item's edit page, panel included;
* preview     -- POST of the unsaved text to the panel's 重新检查 endpoint.
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, HERE)

from checks import best_of, build_lexicon, build_text, common_chars  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--words", type=int, default=50_000, help="lexicon entries (default 50000)")
    ap.add_argument("--chars", type=int, default=5_000, help="characters in the item (default 5000)")
    ap.add_argument("--repeat", type=int, default=10, help="runs per measurement, best kept")
    ap.add_argument("--db", help="database URL (its tables are dropped!); default a temporary SQLite file")
    ap.add_argument("--seed", type=int, default=20240601)
    args = ap.parse_args(argv)

    from intranet import create_app
    from intranet.checks import service
    from intranet.demo import load_demo
    from intranet.extensions import db
    from intranet.items.models import Item
    from intranet.sites.models import Column

    tmp = tempfile.mkdtemp(prefix="lanmu-bench-")
    url = args.db or f"sqlite:///{tmp}/bench.db"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False,
                      "LANMU_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "LANMU_UPLOAD_DIR": f"{tmp}/uploads"})
    rng = random.Random(args.seed)
    chars = common_chars()
    entries = build_lexicon(rng, chars, args.words)
    text = build_text(rng, chars, [e.word for e in entries], 0.05)
    paragraphs, size = [], 0
    for line in text.splitlines():
        if size >= args.chars:
            break
        line = line[: args.chars - size]
        paragraphs.append(f"<p>{line}</p>")
        size += len(line)
    body = "".join(paragraphs)

    with app.app_context():
        db.drop_all()
        db.create_all()
        load_demo()
        db.session.commit()
        from intranet.org.models import User
        admin = db.session.execute(db.select(User).filter_by(username="admin")).scalar_one()
        t0 = time.perf_counter()
        service.import_words(entries, site_id=None, user=admin)
        db.session.commit()
        import_s = time.perf_counter() - t0
        words = len(service.get_lexicon(None))

        prefix = app.config["LANMU_ADMIN_PREFIX"]
        client = app.test_client()
        client.post(prefix + "/login", data={"username": "officer", "password": "Lanmu@2026"})
        column = db.session.execute(db.select(Column).filter_by(slug="progress")).scalar_one()
        t0 = time.perf_counter()
        resp = client.post(prefix + f"/items/new?column={column.id}", data={
            "title": "基准测试信息", "body": body, "source": "市推进办", "importance": "normal", "classification": ""})
        save_s = time.perf_counter() - t0
        assert resp.status_code == 302, resp.status_code
        item = db.session.execute(db.select(Item).filter_by(title="基准测试信息")).scalar_one()
        plain = len(service.check_item(item).plain_body)

        def cold():
            service.bump_lexicon_version()   # as after an admin's change
            db.session.commit()
            return service.check_item(item)

        cold_s, report = best_of(3, cold)
        warm_s, report = best_of(args.repeat, lambda: service.check_item(item))
        page_s, _ = best_of(args.repeat, lambda: client.get(prefix + f"/items/{item.id}/edit"))
        preview_s, _ = best_of(args.repeat, lambda: client.post(
            prefix + f"/checks/items/{item.id}/preview", data={"title": item.title, "body": body}))

    print(f"database               {url.split(':', 1)[0]}")
    print(f"lexicon words          {words:>10,}")
    print(f"item                   {plain:>10,} plain characters, {len(report.findings):,} findings")
    print(f"{'import':22} {import_s * 1000:>10.0f} ms  (once, {len(entries):,} entries)")
    print(f"{'save (HTTP)':22} {save_s * 1000:>10.1f} ms")
    print(f"{'cold check':22} {cold_s * 1000:>10.1f} ms  (rows loaded, automaton compiled)")
    print(f"{'warm check':22} {warm_s * 1000:>10.1f} ms  (check_item, cached matcher)")
    print(f"{'edit page (HTTP)':22} {page_s * 1000:>10.1f} ms  (GET, panel included)")
    print(f"{'preview (HTTP)':22} {preview_s * 1000:>10.1f} ms  (POST of the unsaved text)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

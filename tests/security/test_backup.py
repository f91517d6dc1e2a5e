"""R-96 backups: one archive of database and files with checksums; restore
into an empty instance; data and files identical after the round trip, on
SQLite and on PostgreSQL."""
import io
import json
import os
import tarfile
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from intranet import audit, backup, create_app
from intranet.clock import set_now
from intranet.extensions import db
from intranet.items.models import Attachment, Item
from intranet.review.archive import archive_item, archived_path
from intranet.review.models import Publication

from ..conftest import TEST_NOW
from .helpers import PNG, new_item, upload

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 40


def _pg_base_url():
    url = os.environ.get("TEST_DATABASE_URL", "")
    return url if url.startswith("postgresql") else None


def _fresh_pg_database(name):
    """An empty database beside the test database: created once, emptied by
    recreating its schema (DROP DATABASE forces a checkpoint, slow after many tests)."""
    base = make_url(_pg_base_url())
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = base.set(database=name)
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url.render_as_string(hide_password=False)


def _make(url, root, name):
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "SQLALCHEMY_DATABASE_URI": url,
                      "WTF_CSRF_ENABLED": False, "LANMU_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                      "LANMU_UPLOAD_DIR": str(root / name / "uploads"), "LANMU_ARCHIVE_DIR": str(root / name / "archive"),
                      "LANMU_BACKUP_DIR": str(root / name / "backups"), "LANMU_LOGIN_RATE_LIMIT": False})
    set_now(app, TEST_NOW)
    return app


def _urls(engine, tmp_path):
    if engine == "sqlite":
        return f"sqlite:///{tmp_path / 'source.db'}", f"sqlite:///{tmp_path / 'target.db'}"
    if not _pg_base_url():
        pytest.skip("PostgreSQL round trip runs when TEST_DATABASE_URL points at PostgreSQL")
    base = make_url(_pg_base_url()).database
    return _fresh_pg_database(f"{base}_backup_src"), _fresh_pg_database(f"{base}_backup_dst")


def _rows(app, skip_action):
    """Every row of every table, ordered, minus the audit entry the backup or
    restore itself added and the version tokens (a restore writes new ones)."""
    out = {}
    with app.app_context():
        for table in db.metadata.sorted_tables:
            rows = db.session.execute(table.select().order_by(*table.primary_key.columns)).all()
            if table.name == "audit_entry":
                rows = [r for r in rows if r.action != skip_action]
            if table.name == "kv_store":
                rows = [r for r in rows if not r.key.endswith(":version")]
            out[table.name] = [tuple(r) for r in rows]
    return out


def _files(root):
    root = Path(root)
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_r96_backup_round_trip_keeps_data_and_files_identical(engine, tmp_path):
    src_url, dst_url = _urls(engine, tmp_path)
    source = _make(src_url, tmp_path, "source")
    with source.app_context():
        db.create_all()
        from intranet.demo import load_demo
        load_demo()
        client = source.test_client()
        client.post(source.config["LANMU_ADMIN_PREFIX"] + "/login", data={"username": "officer",
                                                                          "password": "Lanmu@2026"})
        item_id = new_item(client, title="备份里的信息", body="<p>备份恢复后应当一字不差。</p>")
        assert upload(client, item_id, PNG, "图片.png", "说明").status_code == 302
        assert upload(client, item_id, PDF, "文件.pdf", "").status_code == 302
        archive_item(db.session.get(Item, item_id), None, None, TEST_NOW)  # its files copied to the archive
        db.session.commit()
    result = source.test_cli_runner().invoke(args=["backup", "create", str(tmp_path / "backups")])
    assert result.exit_code == 0, result.output
    archive = backup.archives(tmp_path / "backups")[0]
    assert (archive.parent / (archive.name + ".sha256")).read_text().split()[0] == backup._sha256_file(archive)
    manifest = backup.read_manifest(archive)
    with source.app_context():  # the test's two files and the demo's own (forms, images)
        stored = set(db.session.execute(db.select(Attachment.stored_name)).scalars())
    assert manifest["engine"] == engine and len(manifest["files"]) == len(stored) >= 2
    assert manifest["tables"]["item"] >= 5 and all(len(f["sha256"]) == 64 for f in manifest["files"])

    target = _make(dst_url, tmp_path, "target")
    result = target.test_cli_runner().invoke(args=["backup", "restore", str(archive)])
    assert result.exit_code == 0, result.output
    assert "校验和全部一致" in result.output

    assert _rows(target, "backup_restored") == _rows(source, "backup_created")
    assert _files(tmp_path / "target" / "uploads") == _files(tmp_path / "source" / "uploads")
    assert len(manifest["archive"]) == 2
    assert _files(tmp_path / "target" / "archive") == _files(tmp_path / "source" / "archive")
    # Every worker learns of the restore: both version tokens differ from the backup's.
    tokens = "SELECT key, value FROM kv_store WHERE key IN ('intranet:version', 'public:version')"
    with source.app_context():
        before = dict(db.session.execute(db.text(tokens)).all())
    with target.app_context():
        after = dict(db.session.execute(db.text(tokens)).all())
    assert set(after) == {"intranet:version", "public:version"}
    assert all(after[key] != before.get(key) for key in after)
    with target.app_context():
        assert audit.verify() is None  # the chain carries on through the restore
        last = db.session.execute(db.text("SELECT action FROM audit_entry ORDER BY id DESC LIMIT 1")).scalar()
        assert last == "backup_restored"
    # The restored instance works: sign in and open the item with its image.
    client = target.test_client()
    prefix = target.config["LANMU_ADMIN_PREFIX"]
    assert client.post(prefix + "/login", data={"username": "officer", "password": "Lanmu@2026"}).status_code == 302
    with target.app_context():
        att_id = db.session.execute(db.text("SELECT id FROM attachment WHERE filename = '图片.png'")).scalar()
    assert client.get(f"{prefix}/items/{item_id}/attachments/{att_id}").data == PNG
    for app in (source, target):
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _small_instance(tmp_path, name):
    app = _make(f"sqlite:///{tmp_path / (name + '.db')}", tmp_path, name)
    with app.app_context():
        db.create_all()
    return app


def _archive_with(tmp_path, source):
    with source.app_context():
        up = Path(source.config["LANMU_UPLOAD_DIR"]) / "ab"
        up.mkdir(parents=True)
        (up / "abc.pdf").write_bytes(PDF)
        audit.record("login")
        db.session.commit()
        return backup.create(tmp_path / "b.tar")


def test_r96_restore_refuses_a_tampered_archive_and_leaves_the_target_untouched(tmp_path):
    source = _small_instance(tmp_path, "src")
    archive = _archive_with(tmp_path, source)
    tampered = tmp_path / "tampered.tar"
    with tarfile.open(archive) as old, tarfile.open(tampered, "w") as new:
        for m in old.getmembers():
            data = old.extractfile(m).read()
            if m.name.startswith("uploads/"):
                data = data[:-1] + b"X"
            new.addfile(m, io.BytesIO(data))
    target = _make(f"sqlite:///{tmp_path / 'dst.db'}", tmp_path, "dst")
    result = target.test_cli_runner().invoke(args=["backup", "restore", str(tampered)])
    assert result.exit_code != 0 and "校验失败" in result.output
    assert not any(Path(target.config["LANMU_UPLOAD_DIR"]).rglob("*.pdf"))
    with target.app_context(), db.engine.connect() as conn:
        assert "audit_entry" not in db.inspect(conn).get_table_names()
    result = target.test_cli_runner().invoke(args=["backup", "verify", str(tampered)])
    assert result.exit_code != 0 and "校验失败" in result.output
    result = target.test_cli_runner().invoke(args=["backup", "verify", str(archive)])
    assert result.exit_code == 0 and "备份完好" in result.output


def test_r96_restore_refuses_a_non_empty_instance(tmp_path):
    source = _small_instance(tmp_path, "src")
    archive = _archive_with(tmp_path, source)
    result = source.test_cli_runner().invoke(args=["backup", "restore", str(archive)])
    assert result.exit_code != 0 and "不是空的" in result.output


def test_r96_restore_refuses_path_traversal_in_an_archive(tmp_path):
    evil = tmp_path / "evil.tar"
    manifest = {"format": 1, "app": "lanmu", "engine": "sqlite", "created_at": "x", "tables": {},
                "database": {"name": "db/lanmu.sqlite3", "size": 1, "sha256": "0" * 64},
                "files": [{"name": "uploads/../../../evil.txt", "path": "../../../evil.txt", "size": 1,
                           "sha256": "0" * 64}]}
    with tarfile.open(evil, "w") as tar:
        for name, data in [("uploads/../../../evil.txt", b"x"), ("manifest.json", json.dumps(manifest).encode())]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    target = _make(f"sqlite:///{tmp_path / 'dst.db'}", tmp_path, "dst")
    result = target.test_cli_runner().invoke(args=["backup", "restore", str(evil)])
    assert result.exit_code != 0 and "不安全" in result.output
    assert not (tmp_path.parent / "evil.txt").exists()
    garbage = tmp_path / "garbage.tar.gz"
    garbage.write_bytes(b"not an archive")
    result = target.test_cli_runner().invoke(args=["backup", "restore", str(garbage)])
    assert result.exit_code != 0 and "无法读取备份文件" in result.output


def test_r96_prune_keeps_the_newest_n(tmp_path, app):
    names = [f"lanmu-backup-2026112{d}-020000.tar.gz" for d in range(1, 6)]
    for n in names:
        (tmp_path / n).write_bytes(b"x")
        (tmp_path / (n + ".sha256")).write_text("x")
    (tmp_path / "other.tar.gz").write_bytes(b"x")
    removed = backup.prune(tmp_path, keep=2)
    assert [p.name for p in removed] == names[:3]
    assert sorted(p.name for p in backup.archives(tmp_path)) == names[3:]
    assert (tmp_path / "other.tar.gz").exists() and not (tmp_path / (names[0] + ".sha256")).exists()
    with pytest.raises(ValueError):
        backup.prune(tmp_path, keep=0)


def test_r96_create_into_a_directory_names_the_archive_by_time(tmp_path):
    source = _small_instance(tmp_path, "src")
    with source.app_context():
        path = backup.create(tmp_path / "daily")
    assert path.name == f"lanmu-backup-{TEST_NOW:%Y%m%d-%H%M%S}.tar.gz"
    result = source.test_cli_runner().invoke(args=["backup", "prune", str(tmp_path / "daily"), "--keep", "1"])
    assert result.exit_code == 0 and "现有备份1份" in result.output


def test_r96_backup_wipe_restore_keeps_the_publication_archive(tmp_path):
    """R-96 with R-38: the archived copies of published files (LANMU_ARCHIVE_DIR) are in the backup; after
    the instance is wiped (database, uploads and archive) a restore brings them back, read-only as the
    archive writes them, and the archive page serves them again."""
    import shutil
    import stat

    from intranet.demo import load_demo
    app = _make(f"sqlite:///{tmp_path / 'lanmu.db'}", tmp_path, "inst")
    with app.app_context():
        db.create_all()
        load_demo()
        item = next(i for i in db.session.execute(db.select(Item).order_by(Item.id)).scalars() if i.attachments)
        pub = archive_item(item, None, None, TEST_NOW)
        db.session.commit()
        pub_id, archived = pub.id, {f.id: (archived_path(f), archived_path(f).read_bytes()) for f in pub.files}
        assert archived and all(path.is_relative_to(tmp_path / "inst" / "archive") for path, _ in archived.values())
        path = backup.create(tmp_path / "backups")
        manifest = backup.read_manifest(path)
        assert len(manifest["archive"]) == len(archived)
        assert {e["name"] for e in manifest["archive"]} == {
            "archive/" + p.relative_to(tmp_path / "inst" / "archive").as_posix() for p, _ in archived.values()}
        # Wipe the instance: every table, the uploads and the archive.
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    shutil.rmtree(tmp_path / "inst" / "uploads")
    shutil.rmtree(tmp_path / "inst" / "archive")
    result = app.test_cli_runner().invoke(args=["backup", "restore", str(path)])
    assert result.exit_code == 0, result.output
    assert f"{len(archived)}个归档文件" in result.output
    for file_path, data in archived.values():
        assert file_path.read_bytes() == data
        assert not file_path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    client = app.test_client()
    prefix = app.config["LANMU_ADMIN_PREFIX"]
    assert client.post(prefix + "/login", data={"username": "admin", "password": "Lanmu@2026"}).status_code == 302
    with app.app_context():
        assert db.session.get(Publication, pub_id) is not None
    for file_id, (_path, data) in archived.items():
        assert client.get(f"{prefix}/review/archive/{pub_id}/files/{file_id}").data == data
    # A second restore into the restored instance is refused (the archive folder is not empty either).
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    shutil.rmtree(tmp_path / "inst" / "uploads")
    result = app.test_cli_runner().invoke(args=["backup", "restore", str(path)])
    assert result.exit_code != 0 and "归档目录" in result.output and "不是空的" in result.output
    with app.app_context():
        db.engine.dispose()

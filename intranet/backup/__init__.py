"""Backups (R-96): one archive holding a consistent copy of the database,
every uploaded file and every file of the publication archive (R-38,
LANMU_ARCHIVE_DIR), with a manifest of SHA-256 checksums; restore into an
empty instance after checking every checksum.

- SQLite: the online backup API copies the live database page by page into a
  consistent snapshot (no need to stop the app).
- PostgreSQL: `pg_dump --format=custom` on a snapshot exported from a
  REPEATABLE READ transaction; the row counts in the manifest come from the
  same snapshot. Restore uses `pg_restore`.
- Uploads and archived files are content-addressed and written before the
  row that refers to them commits, so copying them after the database
  snapshot always covers every file the snapshot refers to.

`create(path)` and `prune(dir, keep)` are what the scheduler's daily backup calls."""
import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

from flask import current_app
from sqlalchemy import inspect, make_url, text

from .. import audit, clock
from ..extensions import db

FORMAT = 1
PREFIX = "lanmu-backup-"
SUFFIXES = (".tar.gz", ".tar")
MANIFEST = "manifest.json"
SKIP_TABLES = {"alembic_version"}
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is Chinese."""


def backup_dir():
    return Path(current_app.config.get("LANMU_BACKUP_DIR") or Path(current_app.instance_path) / "backups")


def upload_dir():
    return Path(current_app.config["LANMU_UPLOAD_DIR"])


def archive_dir():
    """The publication archive (R-38): the copies of published files."""
    from ..review.archive import archive_dir as configured
    return configured()


# The folders of files a backup holds: (member prefix, manifest key, folder).
def _file_roots():
    return [("uploads", "files", upload_dir()), ("archive", "archive", archive_dir())]


def _sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


class _HashingReader:
    """Wraps a file so tarfile.addfile/extractfile streams compute a checksum on the way."""

    def __init__(self, f):
        self.f, self.h = f, hashlib.sha256()

    def read(self, n=-1):
        data = self.f.read(n)
        self.h.update(data)
        return data


def _archive_path(path, now):
    """A path ending in .tar or .tar.gz is the archive itself; anything else is a
    directory (created when missing) that gets a timestamped archive."""
    path = Path(path)
    if path.is_dir() or not path.name.endswith(SUFFIXES):
        return path / f"{PREFIX}{now:%Y%m%d-%H%M%S}.tar.gz"
    return path


def _conninfo(url):
    """SQLAlchemy URL -> (libpq URI without password, environment with PGPASSWORD)."""
    url = make_url(url)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    uri = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return uri, env


def _user_tables(conn):
    return sorted(t for t in inspect(conn).get_table_names() if t not in SKIP_TABLES)


def _counts(conn, tables):
    return {t: conn.execute(text(f'SELECT COUNT(*) FROM "{t}"')).scalar() for t in tables}


def _alembic_revision(conn):
    if "alembic_version" not in inspect(conn).get_table_names():
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _dump_sqlite(out):
    import sqlite3  # here, not at the top: web workers on PostgreSQL never load it (about 1 MB)
    raw = db.engine.raw_connection()
    try:
        dst = sqlite3.connect(out)
        try:
            raw.driver_connection.backup(dst)
        finally:
            dst.close()
    finally:
        raw.close()
    conn = sqlite3.connect(out)
    try:
        tables = sorted(r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")
            if r[0] not in SKIP_TABLES)
        counts = {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}
        rev = None
        if conn.execute("SELECT 1 FROM sqlite_master WHERE name='alembic_version'").fetchone():
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            rev = row[0] if row else None
    finally:
        conn.close()
    return counts, rev


def _dump_postgresql(out):
    uri, env = _conninfo(db.engine.url)
    with db.engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
        with conn.begin():
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar()
            counts = _counts(conn, _user_tables(conn))
            rev = _alembic_revision(conn)
            cmd = [current_app.config["LANMU_PG_DUMP"], "--format=custom", "--no-owner", "--no-privileges",
                   f"--snapshot={snapshot}", "--file", str(out), "--dbname", uri]
            result = subprocess.run(cmd, env=env, capture_output=True, text=True)
            if result.returncode != 0:
                raise BackupError(f"pg_dump 失败：{result.stderr.strip()[:500]}")
    return counts, rev


def _files_under(root, others=()):
    """The finished files under `root` (not `.part`), leaving out any of the
    `others` folders nested inside it (each folder is backed up once)."""
    root = root.resolve()
    if not root.is_dir():
        return []
    nested = [o.resolve() for o in others if o.resolve() != root and o.resolve().is_relative_to(root)]
    return [p for p in sorted(root.rglob("*"))
            if p.is_file() and not p.name.endswith(".part") and not any(p.is_relative_to(n) for n in nested)]


def create(path=None, now=None):
    """Write one archive (PATH ending in .tar.gz or .tar, or a timestamped
    .tar.gz inside the directory PATH; default LANMU_BACKUP_DIR). Returns the
    archive's Path."""
    now = now or clock.now()
    target = _archive_path(path or backup_dir(), now)
    target.parent.mkdir(parents=True, exist_ok=True)
    dialect = db.engine.dialect.name
    db.session.commit()  # nothing of ours pending in the snapshot's way
    with tempfile.TemporaryDirectory(prefix="lanmu-backup-", dir=target.parent) as tmp:
        if dialect == "sqlite":
            db_name = "db/lanmu.sqlite3"
            dump = Path(tmp) / "lanmu.sqlite3"
            counts, rev = _dump_sqlite(dump)
        elif dialect == "postgresql":
            db_name = "db/lanmu.pgdump"
            dump = Path(tmp) / "lanmu.pgdump"
            counts, rev = _dump_postgresql(dump)
        else:
            raise BackupError(f"不支持的数据库类型：{dialect}")
        manifest = {"format": FORMAT, "app": "lanmu", "created_at": now.isoformat(), "engine": dialect,
                    "alembic_revision": rev, "tables": counts, "database": None, "files": [], "archive": []}
        part = target.with_name(target.name + ".part")
        mode = "w:gz" if target.name.endswith(".gz") else "w"
        roots = _file_roots()
        with tarfile.open(part, mode) as tar:
            manifest["database"] = _add(tar, dump, db_name)
            for prefix, key, root in roots:
                for f in _files_under(root, [r for _p, _k, r in roots]):
                    rel = f.relative_to(root.resolve()).as_posix()
                    entry = _add(tar, f, f"{prefix}/{rel}")
                    entry["path"] = rel
                    manifest[key].append(entry)
            data = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(data), int(now.timestamp()), 0o644
            tar.addfile(info, io.BytesIO(data))
        os.replace(part, target)
    digest = _sha256_file(target)
    target.with_name(target.name + ".sha256").write_text(f"{digest}  {target.name}\n", encoding="utf-8")
    audit.record("backup_created", detail={"file": target.name, "sha256": digest, "engine": dialect,
                                           "files": len(manifest["files"]), "archive_files": len(manifest["archive"]),
                                           "rows": sum(counts.values())})
    db.session.commit()
    return target


def _add(tar, src, name):
    info = tar.gettarinfo(str(src), arcname=name)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    with open(src, "rb") as f:
        reader = _HashingReader(f)
        tar.addfile(info, reader)
    return {"name": name, "size": info.size, "sha256": reader.h.hexdigest()}


def _safe_member_name(name):
    p = PurePosixPath(name)
    return not p.is_absolute() and ".." not in p.parts and name == p.as_posix() and \
        (name == MANIFEST or p.parts[0] in ("db", "uploads", "archive"))


def read_manifest(path):
    try:
        with tarfile.open(path) as tar:
            f = tar.extractfile(MANIFEST)
            if f is None:
                raise KeyError(MANIFEST)
            manifest = json.load(f)
    except (tarfile.TarError, KeyError, ValueError, OSError) as exc:
        raise BackupError(f"无法读取备份文件（不是有效的备份或已损坏）：{exc}") from None
    if manifest.get("app") != "lanmu" or manifest.get("format") != FORMAT:
        raise BackupError("备份文件格式不受支持")
    return manifest


def verify_archive(path, extract_to=None):
    """Check every member against the manifest (and extract when asked).
    Returns the manifest; raises BackupError on the first problem."""
    manifest = read_manifest(path)
    # "archive" (the publication archive's files) is absent from archives made before it was backed up
    expected = {e["name"]: e for e in [manifest["database"], *manifest["files"], *manifest.get("archive", [])]}
    for name in expected:
        if not _safe_member_name(name):
            raise BackupError(f"备份清单含有不安全的路径：{name}")
    seen = set()
    with tarfile.open(path) as tar:
        for member in tar:
            if member.name == MANIFEST:
                continue
            if not _safe_member_name(member.name) or not member.isfile():
                raise BackupError(f"备份文件含有不安全或非常规的条目：{member.name}")
            entry = expected.get(member.name)
            if entry is None:
                raise BackupError(f"备份文件含有清单以外的条目：{member.name}")
            src = tar.extractfile(member)
            reader = _HashingReader(src)
            if extract_to is not None:
                dest = Path(extract_to) / member.name
                dest.parent.mkdir(parents=True, exist_ok=True)
                with open(dest, "wb") as out:
                    shutil.copyfileobj(reader, out, CHUNK)
            else:
                for _ in iter(lambda: reader.read(CHUNK), b""):
                    pass
            if reader.h.hexdigest() != entry["sha256"] or member.size != entry["size"]:
                raise BackupError(f"校验失败：{member.name} 的校验和与清单不符，备份文件已损坏或被改动")
            seen.add(member.name)
    missing = set(expected) - seen
    if missing:
        raise BackupError(f"备份文件缺少条目：{sorted(missing)[0]}等{len(missing)}个")
    return manifest


def _nonempty_tables(conn):
    return [t for t in _user_tables(conn) if conn.execute(text(f'SELECT 1 FROM "{t}" LIMIT 1')).first()]


def restore(path):
    """Restore an archive into this instance, which must be empty (no rows in
    any table, no uploaded files). Verifies every checksum before writing
    anything and the row counts afterwards. Returns the manifest."""
    path = Path(path)
    dialect = db.engine.dialect.name
    manifest = read_manifest(path)
    if manifest["engine"] != dialect:
        raise BackupError(f"备份来自{manifest['engine']}数据库，不能恢复到{dialect}数据库")
    db.session.remove()
    with db.engine.connect() as conn:
        busy = _nonempty_tables(conn)
    if busy:
        raise BackupError(f"目标数据库不是空的（{', '.join(busy[:5])}等表已有数据），只能恢复到空的实例")
    roots = _file_roots()
    for _prefix, key, folder in roots:
        if folder.is_dir() and any(p.is_file() for p in folder.rglob("*")):
            label = "上传目录" if key == "files" else "归档目录"
            raise BackupError(f"{label} {folder} 不是空的，只能恢复到空的实例")
    root = upload_dir()
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lanmu-restore-", dir=root.parent) as tmp:
        verify_archive(path, extract_to=tmp)
        dump = Path(tmp) / manifest["database"]["name"]
        if dialect == "sqlite":
            _restore_sqlite(dump)
        else:
            _restore_postgresql(dump)
        for _prefix, key, folder in roots:
            for entry in manifest.get(key, []):
                dest = folder / entry["path"]
                if not dest.resolve().is_relative_to(folder.resolve()):
                    raise BackupError(f"备份清单含有不安全的路径：{entry['path']}")
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(str(Path(tmp) / entry["name"]), dest)
                if key == "archive":
                    dest.chmod(0o444)  # archived copies are read-only, as review.archive writes them
    with db.engine.connect() as conn:
        counts = _counts(conn, _user_tables(conn))
    wrong = {t: (n, counts.get(t)) for t, n in manifest["tables"].items() if counts.get(t) != n}
    if wrong:
        raise BackupError(f"恢复后行数与备份清单不符：{wrong}")
    # The rows came in through the driver, not through a session: tell every worker.
    from .. import versions
    from ..public import cache as public_cache
    versions.bump(db.session, versions.INTRANET)
    public_cache.bump(db.session)
    audit.record("backup_restored", detail={"file": path.name, "created_at": manifest["created_at"],
                                            "files": len(manifest["files"]),
                                            "archive_files": len(manifest.get("archive", []))})
    db.session.commit()
    return manifest


def _restore_sqlite(dump):
    import sqlite3  # (see _dump_sqlite)
    db.engine.dispose()
    src = sqlite3.connect(dump)
    raw = db.engine.raw_connection()
    try:
        src.backup(raw.driver_connection)
    finally:
        raw.close()
        src.close()
    db.engine.dispose()


def _restore_postgresql(dump):
    with db.engine.begin() as conn:
        present = inspect(conn).get_table_names()
        if present:
            conn.execute(text("DROP TABLE IF EXISTS " + ", ".join(f'"{t}"' for t in present) + " CASCADE"))
    uri, env = _conninfo(db.engine.url)
    cmd = [current_app.config["LANMU_PG_RESTORE"], "--no-owner", "--no-privileges", "--exit-on-error",
           "--single-transaction", "--dbname", uri, str(dump)]
    result = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"pg_restore 失败：{result.stderr.strip()[:500]}")
    db.engine.dispose()


def archives(directory):
    d = Path(directory)
    if not d.is_dir():
        return []
    return sorted(p for p in d.iterdir() if p.is_file() and p.name.startswith(PREFIX) and p.name.endswith(SUFFIXES))


def prune(directory=None, keep=None):
    """Keep the newest `keep` archives (LANMU_BACKUP_KEEP) in `directory`,
    delete the older ones with their checksum files. Returns the deleted paths."""
    keep = current_app.config["LANMU_BACKUP_KEEP"] if keep is None else int(keep)
    if keep < 1:
        raise ValueError("keep must be at least 1")
    found = archives(directory or backup_dir())
    removed = found[:-keep] if len(found) > keep else []
    for p in removed:
        p.unlink(missing_ok=True)
        p.with_name(p.name + ".sha256").unlink(missing_ok=True)
    return removed

"""The archive (R-38): every publication is kept as an immutable copy, with
its files copied into LANMU_ARCHIVE_DIR (default instance/archive), so what
was published can be produced for inspection even after withdrawal, after the
draft's attachments changed, or after the upload store was cleaned."""
import json
import shutil
from pathlib import Path

from flask import current_app
from sqlalchemy import func

from ..extensions import db
from ..items import storage
from .models import Publication, PublicationFile


def archive_dir():
    configured = current_app.config.get("LANMU_ARCHIVE_DIR")
    return Path(configured or Path(current_app.instance_path) / "archive")


def archived_path(pfile):
    return archive_dir() / pfile.archived_name


def archive_item(item, run, publisher, now):
    number = (db.session.execute(db.select(func.max(Publication.number)).filter_by(item_id=item.id)).scalar()
              or 0) + 1
    snap = item.snapshot()
    snap.update({"site": item.column.site.name, "column": item.column.name, "unit": item.unit.name,
                 "author": item.author.name, "revision_no": item.revision_no,
                 "first_published_at": item.first_published_at.isoformat() if item.first_published_at else None})
    pub = Publication(item_id=item.id, number=number, revision_no=item.revision_no, run_id=run.id if run else None,
                      site_id=item.column.site_id, column_id=item.column_id, unit_id=item.unit_id,
                      author_id=item.author_id, title=item.title,
                      snapshot_json=json.dumps(snap, ensure_ascii=False, sort_keys=True),
                      published_at=now, published_by_id=publisher.id if publisher else None)
    db.session.add(pub)
    db.session.flush()
    for att in item.attachments:
        ext = att.filename.rpartition(".")[2].lower() if "." in att.filename else "bin"
        name = f"{att.sha256[:2]}/{att.sha256}.{ext}"
        target = archive_dir() / name
        if not target.exists():
            source = storage.path_of(att)
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(".part")
            shutil.copyfile(source, tmp)
            tmp.replace(target)
            target.chmod(0o444)
        db.session.add(PublicationFile(publication_id=pub.id, filename=att.filename, archived_name=name,
                                       mime=att.mime, size=att.size, sha256=att.sha256, is_image=att.is_image,
                                       caption=att.caption or ""))
    db.session.flush()
    return pub

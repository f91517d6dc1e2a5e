"""Uploaded files: checked (R-53) by the content checks' ``check_upload``
(type by content, allow-list, size, executables, scripts and macros refused,
file names sanitised), stored content-addressed under the upload directory,
never served from a path the user chose."""
import hashlib
from pathlib import Path

from flask import current_app

from ..checks.uploads import DEFAULT_ALLOWED, check_upload
from ..checks.uploads import sanitize_filename as sanitize_filename  # noqa: F401  (re-exported)

MIME_TYPES = {
    "jpg": "image/jpeg", "png": "image/png", "gif": "image/gif", "webp": "image/webp",
    "pdf": "application/pdf", "doc": "application/msword", "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "ofd": "application/ofd", "zip": "application/zip", "txt": "text/plain", "mp4": "video/mp4",
}
IMAGE_TYPES = {"jpg", "png", "gif", "webp"}


class UploadRefused(ValueError):
    pass


def _limit_text(limit):
    return f"{limit / 1024 / 1024:g}MB" if limit >= 1024 * 1024 else f"{limit / 1024:g}KB"


def check(data, filename):
    """Return the library's UploadResult for an accepted file or raise
    UploadRefused with its Chinese message."""
    allowed = current_app.config.get("LANMU_UPLOAD_ALLOWED_TYPES") or DEFAULT_ALLOWED
    result = check_upload(data, filename or "", max_bytes=current_app.config["LANMU_UPLOAD_MAX_BYTES"],
                          allowed_types=allowed)
    if not result.ok:
        raise UploadRefused(result.message)
    return result


def store(file_storage):
    """Check and store an uploaded file. Returns a dict of Attachment fields."""
    limit = current_app.config["LANMU_UPLOAD_MAX_BYTES"]
    data = file_storage.read(limit + 1)
    if len(data) > limit:
        raise UploadRefused(f"文件超过大小限制（{_limit_text(limit)}）")
    if not data:
        raise UploadRefused("文件为空")
    result = check(data, file_storage.filename)
    digest = hashlib.sha256(data).hexdigest()
    ext = result.extension or "bin"
    stored_name = f"{digest[:2]}/{digest}.{ext}"
    path = Path(current_app.config["LANMU_UPLOAD_DIR"]) / stored_name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        tmp.write_bytes(data)
        tmp.replace(path)
    return {"filename": result.filename, "stored_name": stored_name,
            "mime": MIME_TYPES.get(result.detected_type, "application/octet-stream"), "size": len(data),
            "sha256": digest, "is_image": result.detected_type in IMAGE_TYPES}


def path_of(attachment):
    """The file of an attachment. A stored name that would lead outside the
    upload directory (a tampered row) gives a path that does not exist."""
    root = Path(current_app.config["LANMU_UPLOAD_DIR"]).resolve()
    path = (root / attachment.stored_name).resolve()
    if not path.is_relative_to(root) or path == root:
        return root / ".refused"
    return path

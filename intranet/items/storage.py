"""Uploaded files: checked (R-53), stored content-addressed under the upload
directory, never served from a path the user chose."""
import hashlib
import os
import re
import unicodedata
from pathlib import Path

from flask import current_app

# Magic bytes of the types we accept. The content decides the type (R-53); the
# extension must agree with it.
_SIGNATURES = [
    (b"\x89PNG\r\n\x1a\n", "image/png", {"png"}),
    (b"\xff\xd8\xff", "image/jpeg", {"jpg", "jpeg"}),
    (b"GIF87a", "image/gif", {"gif"}),
    (b"GIF89a", "image/gif", {"gif"}),
    (b"%PDF-", "application/pdf", {"pdf"}),
    (b"PK\x03\x04", "application/zip", {"docx", "xlsx", "pptx", "zip", "ofd", "wps", "et"}),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage", {"doc", "xls", "ppt", "wps", "et"}),
]
_EXECUTABLE = [b"MZ", b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xfe\xed\xfa\xce", b"#!"]
_REFUSED_EXT = {"exe", "dll", "bat", "cmd", "com", "scr", "msi", "sh", "ps1", "vbs", "js", "jar", "docm", "xlsm",
                "pptm", "dotm", "xltm", "php", "jsp", "asp", "aspx", "html", "htm", "svg"}


class UploadRefused(ValueError):
    pass


def sanitize_filename(name):
    name = unicodedata.normalize("NFC", os.path.basename((name or "").replace("\\", "/")))
    name = re.sub(r"[\x00-\x1f\x7f<>:\"/\\|?*]", "", name).strip(" .")
    if not name:
        name = "file"
    stem, dot, ext = name.rpartition(".")
    if len(name) > 120:
        name = (stem[:100] + dot + ext[:15]) if dot else name[:120]
    return name


def detect(data, filename):
    """Return (mime, is_image) or raise UploadRefused with a Chinese message."""
    ext = filename.rpartition(".")[2].lower() if "." in filename else ""
    if ext in _REFUSED_EXT:
        raise UploadRefused(f"不允许上传此类文件（.{ext}）：可执行文件、脚本和含宏的文档一律禁止上传")
    if any(data.startswith(sig) for sig in _EXECUTABLE):
        raise UploadRefused("文件内容是可执行程序或脚本，禁止上传")
    if ext == "txt":
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            try:
                data.decode("gb18030")
            except UnicodeDecodeError:
                raise UploadRefused("文本文件编码无法识别") from None
        return "text/plain", False
    for sig, mime, exts in _SIGNATURES:
        if data.startswith(sig):
            if ext not in exts:
                raise UploadRefused(f"文件扩展名（.{ext}）与实际内容不符，请检查文件")
            if mime == "application/zip" and b"vbaProject.bin" in data:
                raise UploadRefused("文档中含有宏，禁止上传；请另存为不含宏的格式")
            return mime, mime.startswith("image/")
    raise UploadRefused("不支持的文件类型；允许：图片(jpg/png/gif)、PDF、Word、Excel、PPT、WPS、OFD、ZIP、TXT")


def store(file_storage):
    """Check and store an uploaded file. Returns a dict of Attachment fields."""
    filename = sanitize_filename(file_storage.filename)
    limit = current_app.config["LANMU_UPLOAD_MAX_BYTES"]
    data = file_storage.read(limit + 1)
    if len(data) > limit:
        raise UploadRefused(f"文件超过大小限制（{limit // (1024 * 1024)}MB）")
    if not data:
        raise UploadRefused("文件为空")
    mime, is_image = detect(data, filename)
    digest = hashlib.sha256(data).hexdigest()
    ext = filename.rpartition(".")[2].lower() if "." in filename else "bin"
    stored_name = f"{digest[:2]}/{digest}.{ext}"
    path = Path(current_app.config["LANMU_UPLOAD_DIR"]) / stored_name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        tmp.write_bytes(data)
        tmp.replace(path)
    return {"filename": filename, "stored_name": stored_name, "mime": mime, "size": len(data),
            "sha256": digest, "is_image": is_image}


def path_of(attachment):
    """The file of an attachment. A stored name that would lead outside the
    upload directory (a tampered row) gives a path that does not exist."""
    root = Path(current_app.config["LANMU_UPLOAD_DIR"]).resolve()
    path = (root / attachment.stored_name).resolve()
    if not path.is_relative_to(root) or path == root:
        return root / ".refused"
    return path

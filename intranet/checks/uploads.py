"""Upload checks (R-53): type by content, allow-list, size, executables, macros.

The type is decided from the bytes, never from the name alone:

* a small table of magic numbers for images, PDF, MP4, executables;
* ZIP files are opened (stdlib ``zipfile``) to tell docx/xlsx/pptx/ofd from a
  plain zip, and to find macros (``vbaProject.bin``, macro-enabled content
  types) and executables packed inside;
* OLE2 compound files (doc/xls/ppt and Kingsoft wps/et/dps) are opened with
  ``olefile`` to tell them apart by their streams and to find VBA storages;
* text is text if it decodes as UTF-8 or GB18030 and has no NUL bytes; a
  ``#!`` first line makes it a script.

A file is refused when it is empty or too large, executable or a script (by
content or by extension), contains macros, is of a type not in the
allow-list, or when its extension does not fit its content (a renamed .exe).
"""
from __future__ import annotations

import io
import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import BinaryIO, Iterable, Optional, Union

import olefile

from .findings import BLOCK, Finding

DEFAULT_MAX_BYTES = 50 * 1024 * 1024

# detected type -> extensions that may carry it
TYPE_EXTENSIONS = {
    "jpg": {"jpg", "jpeg", "jpe"},
    "png": {"png"},
    "gif": {"gif"},
    "webp": {"webp"},
    "pdf": {"pdf"},
    "doc": {"doc", "wps", "dot"},
    "docx": {"docx"},
    "xls": {"xls", "et"},
    "xlsx": {"xlsx"},
    "ppt": {"ppt", "dps"},
    "pptx": {"pptx"},
    "ofd": {"ofd"},
    "zip": {"zip"},
    "txt": {"txt", "csv"},
    "mp4": {"mp4", "m4v"},
}
DEFAULT_ALLOWED = frozenset(TYPE_EXTENSIONS)

TYPE_LABELS = {
    "jpg": "JPEG图片", "png": "PNG图片", "gif": "GIF图片", "webp": "WebP图片",
    "pdf": "PDF文档", "doc": "Word/WPS文档", "docx": "Word文档", "xls": "Excel/WPS表格",
    "xlsx": "Excel表格", "ppt": "PowerPoint/WPS演示", "pptx": "PowerPoint演示",
    "ofd": "OFD版式文档", "zip": "ZIP压缩包", "txt": "文本文件", "mp4": "MP4视频",
}

# Refused whatever the content: executables, scripts, shortcuts, installers,
# macro-enabled office files, web pages that run code.
DANGEROUS_EXTENSIONS = frozenset("""
exe dll com scr pif cpl msi msp msc sys drv ocx bat cmd ps1 psm1 vbs vbe js jse wsf wsh
hta lnk reg inf sh bash zsh csh ksh py pyc pyw pl rb php php3 php5 phtml jsp jspx asp aspx
ashx cer jar apk app dmg deb rpm run bin elf so dylib docm dotm xlsm xltm xlam pptm potm
ppam ppsm sldm html htm xhtml svg shtml mht mhtml chm
""".split())
MACRO_EXTENSIONS = frozenset("docm dotm xlsm xltm xlam pptm potm ppam ppsm sldm".split())

_MP4_BRANDS = {b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42",
               b"avc1", b"dash", b"M4V ", b"M4VH", b"M4VP", b"MSNV", b"f4v "}


@dataclass(frozen=True, slots=True)
class UploadResult:
    ok: bool
    detected_type: Optional[str]   # 'pdf', 'docx', 'exe', 'zip', ... or None
    extension: str                 # lower-case extension of the sanitised name
    filename: str                  # the sanitised name to store and show
    size: int
    reason: Optional[str]          # machine code when refused: too_large, empty,
                                   # executable, script, macro, mismatch,
                                   # not_allowed, unknown, encrypted, bad_archive
    message: str                   # Chinese, for the uploader

    def to_finding(self) -> Optional[Finding]:
        """A refused upload as a blocking finding (category = reason, text =
        file name, offsets 0), for lists that mix it with other findings."""
        if self.ok:
            return None
        return Finding("upload", self.reason or "refused", BLOCK, 0, 0, self.filename, None,
                       self.message)


# --- file names --------------------------------------------------------------

_FORBIDDEN_CHARS = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$", re.I)


def sanitize_filename(name: str, max_length: int = 100) -> str:
    """A safe display/storage name: no directories, no control or invisible
    format characters (a right-to-left override can disguise exe as pdf),
    none of <>:"/\\|?*, no leading dots, Chinese kept, at most ``max_length``
    characters and 240 UTF-8 bytes with the extension kept."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(c for c in name if unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Co"))
    name = _FORBIDDEN_CHARS.sub("_", name)
    name = " ".join(name.split())          # collapse runs of white space
    name = name.strip(" .")
    if _WINDOWS_RESERVED.match(name):
        name = "_" + name
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    ext = ext[:16]
    if not stem:
        stem = "未命名"
    suffix = f".{ext}" if ext else ""
    budget = max(1, max_length - len(suffix))
    stem = stem[:budget]
    while len((stem + suffix).encode("utf-8")) > 240:
        stem = stem[:-1]
    return stem.rstrip(" .") + suffix if stem.rstrip(" .") else "未命名" + suffix


def _extension(name: str) -> str:
    _stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot else ""


# --- content -------------------------------------------------------------------

def _sniff_zip(stream: BinaryIO) -> tuple[Optional[str], Optional[str]]:
    """(type, problem) of a ZIP container; problem is None, 'macro',
    'executable' or 'bad_archive'."""
    try:
        with zipfile.ZipFile(stream) as zf:
            names = zf.namelist()
            lower = [n.lower() for n in names]
            content_types = ""
            if "[content_types].xml" in lower:
                info = names[lower.index("[content_types].xml")]
                content_types = zf.read(info)[:200_000].decode("utf-8", "replace").lower()
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError):
        return None, "bad_archive"
    macro = (any(n.rsplit("/", 1)[-1] == "vbaproject.bin" for n in lower)
             or "macroenabled" in content_types or "vbaproject" in content_types)
    if content_types:
        if any(n.startswith("word/") for n in lower):
            kind = "docx"
        elif any(n.startswith("xl/") for n in lower):
            kind = "xlsx"
        elif any(n.startswith("ppt/") for n in lower):
            kind = "pptx"
        else:
            kind = "zip"
        return kind, "macro" if macro else None
    if "ofd.xml" in lower:
        return "ofd", None
    if "meta-inf/manifest.mf" in lower or "classes.dex" in lower or "androidmanifest.xml" in lower:
        return "jar", "executable"
    if macro:
        return "zip", "macro"
    for n in lower:
        if not n.endswith("/") and _extension(n.rsplit("/", 1)[-1]) in DANGEROUS_EXTENSIONS:
            return "zip", "executable"
    return "zip", None


_VBA_STORAGES = {"vba", "_vba_project_cur", "macros", "_vba_project"}


def _sniff_ole(stream: BinaryIO) -> tuple[Optional[str], Optional[str]]:
    try:
        with olefile.OleFileIO(stream) as ole:
            entries = [[part.lower() for part in path] for path in ole.listdir(streams=True, storages=True)]
    except (OSError, ValueError, IndexError, TypeError):
        return None, "bad_archive"
    top = {path[0] for path in entries}
    macro = any(part in _VBA_STORAGES for path in entries for part in path)
    if "encryptedpackage" in top:     # password-protected docx/xlsx/pptx
        return "encrypted", "encrypted"
    if "worddocument" in top:
        kind = "doc"
    elif "workbook" in top or "book" in top:
        kind = "xls"
    elif "powerpoint document" in top:
        kind = "ppt"
    else:
        kind = "ole"
    return kind, "macro" if macro else None


def _is_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
            return True
        except UnicodeDecodeError as exc:
            # the head may cut a multi-byte character at its end
            if encoding == "utf-8" and exc.start >= len(head) - 3:
                return True
    return False


def detect_type(stream: BinaryIO) -> tuple[Optional[str], Optional[str]]:
    """(detected type, problem) from the content of a seekable binary stream.

    Types: jpg png gif webp pdf mp4 docx xlsx pptx ofd zip doc xls ppt txt,
    and for refused content exe elf macho script jar ole encrypted; None if
    unknown. Problem: None, 'executable', 'script', 'macro', 'encrypted',
    'bad_archive'."""
    stream.seek(0)
    head = stream.read(8192)
    stream.seek(0)
    if head[:2] == b"MZ":
        return "exe", "executable"
    if head[:4] == b"\x7fELF":
        return "elf", "executable"
    if head[:4] in (b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe",
                    b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe"):
        return "macho", "executable"
    if head[:2] == b"#!":
        return "script", "script"
    if head[:8] == b"\x89PNG\r\n\x1a\n":
        return "png", None
    if head[:3] == b"\xff\xd8\xff":
        return "jpg", None
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif", None
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp", None
    if b"%PDF-" in head[:1024]:
        return "pdf", None
    if head[4:8] == b"ftyp" and head[8:12] in _MP4_BRANDS:
        return "mp4", None
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return _sniff_zip(stream)
    if head[:8] == olefile.MAGIC:
        return _sniff_ole(stream)
    if _is_text(head):
        return "txt", None
    return None, None


def _open(data) -> tuple[BinaryIO, bool]:
    if isinstance(data, (bytes, bytearray, memoryview)):
        return io.BytesIO(bytes(data)), True
    if isinstance(data, (str, os.PathLike)):
        return open(data, "rb"), True
    return data, False


def _size(stream: BinaryIO) -> int:
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:g}MB" if n >= 1024 * 1024 else f"{n / 1024:g}KB"


def check_upload(data: Union[bytes, BinaryIO, str, os.PathLike], filename: str, *,
                 max_bytes: int = DEFAULT_MAX_BYTES,
                 allowed_types: Iterable[str] = DEFAULT_ALLOWED) -> UploadResult:
    """Decide whether an uploaded file may be stored.

    ``data`` is the content (bytes), a seekable binary file object (left open,
    position reset) or a path. ``filename`` is the name the user gave."""
    allowed = set(allowed_types)
    safe = sanitize_filename(filename)
    ext = _extension(safe)
    stream, owned = _open(data)
    try:
        size = _size(stream)

        def result(ok, detected, reason, message):
            return UploadResult(ok, detected, ext, safe, size, reason, message)

        if size == 0:
            return result(False, None, "empty", "文件为空，请重新选择。")
        if size > max_bytes:
            return result(False, None, "too_large",
                          f"文件大小{_mb(size)}，超过上限{_mb(max_bytes)}。")
        detected, problem = detect_type(stream)
        stream.seek(0)
    finally:
        if owned:
            stream.close()
    if problem in ("executable", "script"):
        return result(False, detected, problem,
                      f"“{safe}”是可执行程序或脚本，不允许上传。")
    if ext in MACRO_EXTENSIONS or problem == "macro":
        return result(False, detected, "macro",
                      f"“{safe}”含有宏（或为启用宏的文档），不允许上传，请另存为不含宏的格式。")
    if ext in DANGEROUS_EXTENSIONS:
        return result(False, detected, "executable",
                      f"“{safe}”的扩展名.{ext}属于可执行或脚本类型，不允许上传。")
    if problem == "encrypted":
        return result(False, detected, "encrypted",
                      f"“{safe}”是加密的Office文档，无法检查内容，请取消密码后再上传。")
    if problem == "bad_archive":
        return result(False, detected, "bad_archive", f"“{safe}”文件已损坏或格式异常，无法检查。")
    if detected is None or detected not in TYPE_EXTENSIONS:
        return result(False, detected, "unknown", f"无法识别“{safe}”的文件类型，不允许上传。")
    if ext not in TYPE_EXTENSIONS[detected]:
        return result(False, detected, "mismatch",
                      f"“{safe}”的扩展名与实际内容（{TYPE_LABELS[detected]}）不符，不允许上传。")
    if detected not in allowed:
        return result(False, detected, "not_allowed",
                      f"不允许上传{TYPE_LABELS[detected]}（.{ext}）。")
    return result(True, detected, None, f"文件检查通过（{TYPE_LABELS[detected]}，{_mb(size)}）。")

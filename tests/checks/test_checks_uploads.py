"""R-53: uploads are judged by content: type allow-list, size, executables,
scripts and macros refused, extension must fit the content, names sanitised."""
import io
import struct
import zipfile
import zlib

import pytest
from openpyxl import Workbook

from intranet.checks.uploads import check_upload, detect_type, sanitize_filename


# --- sample files built here --------------------------------------------------------

def png_bytes():
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00" + b"\x00" * 200
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 100


def ooxml(main_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
          vba=False):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml",
                    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                    'package/2006/content-types"><Override PartName="/word/document.xml" '
                    f'ContentType="{main_type}"/></Types>')
        zf.writestr("_rels/.rels", "<Relationships/>")
        zf.writestr("word/document.xml", "<w:document/>")
        if vba:
            zf.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0fake vba project")
    return buf.getvalue()


def xlsx_bytes():
    wb = Workbook()
    wb.active.append(["名称", "数量"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def zip_with(name, data=b"x"):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(name, data)
    return buf.getvalue()


def ole_bytes(top_stream="WordDocument", with_macros=False):
    """A minimal OLE2 compound file (CFB v3): one 4 KB stream at the root and,
    optionally, a Macros/VBA storage as Word keeps its macros."""
    free, end, fat_sect, nostream = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    data_sectors = 8  # 4096 bytes: at the mini-stream cutoff, so in normal sectors
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<I", header, 44, 1)          # one FAT sector
    struct.pack_into("<I", header, 48, 1)          # directory at sector 1
    struct.pack_into("<I", header, 56, 4096)       # mini stream cutoff
    struct.pack_into("<II", header, 60, end, 0)    # no mini FAT
    struct.pack_into("<II", header, 68, end, 0)    # no DIFAT sectors
    difat = [0] + [free] * 108
    struct.pack_into("<109I", header, 76, *difat)

    fat = [fat_sect, end] + [i + 1 for i in range(2, 2 + data_sectors - 1)] + [end]
    fat += [free] * (128 - len(fat))
    fat_sector = struct.pack("<128I", *fat)

    def entry(name, kind, left=nostream, right=nostream, child=nostream, start=end, size=0):
        raw = bytearray(128)
        encoded = name.encode("utf-16-le")
        raw[0:len(encoded)] = encoded
        struct.pack_into("<HBB", raw, 64, len(encoded) + 2, kind, 1)
        struct.pack_into("<III", raw, 68, left, right, child)
        struct.pack_into("<II", raw, 116, start, size)
        return bytes(raw)

    empty = bytes(128)
    # ids: 0 root, 1 stream, 2 Macros, 3 VBA; Macros sorts before (is left of)
    # the longer stream name in the red-black tree of the root's children.
    entries = [
        entry("Root Entry", 5, child=1),
        entry(top_stream, 2, left=2 if with_macros else nostream, start=2, size=4096),
        entry("Macros", 1, child=3) if with_macros else empty,
        entry("VBA", 1) if with_macros else empty,
    ]
    return bytes(header) + fat_sector + b"".join(entries) + b"\x00" * (512 * data_sectors)


# --- refused ------------------------------------------------------------------------------

def test_r53_renamed_executable_with_pdf_extension_is_refused():
    result = check_upload(EXE, "会议通知.pdf")
    assert not result.ok
    assert (result.detected_type, result.reason) == ("exe", "executable")
    assert "可执行" in result.message and "会议通知.pdf" in result.message


def test_r53_refused_upload_converts_to_a_blocking_finding():
    finding = check_upload(EXE, "会议通知.pdf").to_finding()
    assert (finding.kind, finding.category, finding.severity, finding.text) == (
        "upload", "executable", "block", "会议通知.pdf")
    assert check_upload(PDF, "a.pdf").to_finding() is None


def test_r53_elf_and_shebang_scripts_are_refused_whatever_their_name():
    assert check_upload(ELF, "照片.jpg").reason == "executable"
    result = check_upload(b"#!/bin/sh\nrm -rf /\n", "说明.txt")
    assert (result.ok, result.reason) == (False, "script")


@pytest.mark.parametrize("name", ["setup.exe", "run.bat", "a.ps1", "x.vbs", "页面.html", "图.svg",
                                  "a.pdf.exe", "install.sh"])
def test_r53_dangerous_extensions_are_refused_even_with_harmless_content(name):
    result = check_upload(b"hello", name)
    assert not result.ok and result.reason == "executable"


def test_r53_docm_is_refused_as_macro_file():
    data = ooxml("application/vnd.ms-word.document.macroEnabled.main+xml", vba=True)
    result = check_upload(data, "工作方案.docm")
    assert (result.ok, result.reason) == (False, "macro")
    assert "宏" in result.message


def test_r53_docx_containing_vbaproject_bin_is_refused():
    result = check_upload(ooxml(vba=True), "工作方案.docx")
    assert (result.ok, result.detected_type, result.reason) == (False, "docx", "macro")


def test_r53_ole_word_document_with_vba_storage_is_refused():
    result = check_upload(ole_bytes(with_macros=True), "旧版文档.doc")
    assert (result.ok, result.detected_type, result.reason) == (False, "doc", "macro")


def test_r53_ole_word_document_without_macros_is_accepted_also_as_wps():
    assert check_upload(ole_bytes(), "旧版文档.doc").ok
    assert check_upload(ole_bytes(), "金山文档.wps").ok
    assert check_upload(ole_bytes("Workbook"), "表格.xls").detected_type == "xls"
    assert check_upload(ole_bytes("Workbook"), "表格.et").ok


def test_r53_zip_with_an_executable_inside_is_refused():
    result = check_upload(zip_with("资料/安装程序.exe", EXE), "资料.zip")
    assert (result.ok, result.reason) == (False, "executable")


def test_r53_extension_that_disagrees_with_content_is_refused():
    result = check_upload(png_bytes(), "报告.pdf")
    assert (result.ok, result.detected_type, result.reason) == (False, "png", "mismatch")
    assert "不符" in result.message
    assert check_upload(PDF, "报告.docx").reason == "mismatch"


def test_r53_size_limit_and_empty_file():
    result = check_upload(PDF, "a.pdf", max_bytes=100)
    assert (result.ok, result.reason) == (False, "too_large")
    assert "超过上限" in result.message
    assert check_upload(PDF, "a.pdf", max_bytes=len(PDF)).ok
    assert check_upload(b"", "a.pdf").reason == "empty"


def test_r53_type_outside_the_allow_list_is_refused():
    result = check_upload(b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2", "宣传片.mp4",
                          allowed_types={"pdf", "png"})
    assert (result.ok, result.detected_type, result.reason) == (False, "mp4", "not_allowed")
    assert check_upload(b"\x00\x01\x02\x03\xfe\xff" * 10, "x.dat").reason == "unknown"


# --- accepted ---------------------------------------------------------------------------------

@pytest.mark.parametrize("data, name, kind", [
    (png_bytes(), "现场照片.PNG", "png"),
    (PDF, "关于印发方案的通知.pdf", "pdf"),
    (ooxml(), "工作总结.docx", "docx"),
    (xlsx_bytes(), "统计表.xlsx", "xlsx"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "图片.jpeg", "jpg"),
    (b"GIF89a\x01\x00\x01\x00", "动图.gif", "gif"),
    (b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2", "宣传片.mp4", "mp4"),
    (zip_with("说明.txt", "内容".encode()), "资料.zip", "zip"),
    ("各单位：\n请于6月底前报送材料。\n".encode("utf-8"), "通知.txt", "txt"),
    ("各单位：请报送材料。".encode("gb18030"), "通知.txt", "txt"),
])
def test_r53_valid_files_are_accepted_by_content(data, name, kind):
    result = check_upload(data, name)
    assert result.ok, result.message
    assert result.detected_type == kind
    assert result.size == len(data)
    assert "通过" in result.message


def test_r53_upload_from_a_path_and_a_stream(tmp_path):
    path = tmp_path / "a.png"
    path.write_bytes(png_bytes())
    assert check_upload(path, "a.png").ok
    stream = io.BytesIO(png_bytes())
    stream.seek(5)
    assert check_upload(stream, "a.png").ok
    assert detect_type(io.BytesIO(EXE)) == ("exe", "executable")


# --- file names ------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, clean", [
    ("../../etc/passwd", "passwd"),
    ("C:\\Users\\张三\\桌面\\报告.pdf", "报告.pdf"),
    ("年度\u202efdp.exe", "年度fdp.exe"),            # right-to-left override removed
    ("a\x00b\x1fc.txt", "abc.txt"),
    ("关于<做好>工作的\"通知\"?.docx", "关于_做好_工作的_通知__.docx"),
    ("  ..隐藏文件.pdf  ", "隐藏文件.pdf"),
    ("con.txt", "_con.txt"),
    ("", "未命名"),
    (".pdf", "pdf"),
])
def test_r53_filenames_are_sanitised(raw, clean):
    assert sanitize_filename(raw) == clean


def test_r53_long_filename_is_shortened_keeping_extension_and_chinese():
    name = "关于" + "加强网站信息内容建设" * 30 + "的通知.docx"
    clean = sanitize_filename(name, max_length=50)
    assert len(clean) <= 50 and clean.endswith(".docx") and clean.startswith("关于加强")
    assert len(clean.encode("utf-8")) <= 240
    result = check_upload(PDF, "../" + "长" * 300 + ".pdf")
    assert result.ok and result.filename.endswith(".pdf") and "/" not in result.filename

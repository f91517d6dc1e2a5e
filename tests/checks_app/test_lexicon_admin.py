"""R-50: lexicons in the database, managed by admins on pages: list, filter,
add, edit, disable, import (text and Excel, bad lines reported by line number,
good lines imported), export, per-site words; the compiled matcher is cached
per process and every process sees a change."""
import io

from openpyxl import Workbook, load_workbook

from intranet.checks import service
from intranet.checks.lexicon import parse_lexicon_text
from intranet.checks.models import LexiconWord
from intranet.extensions import db
from intranet.outbox.models import KeyValue
from intranet.sites.models import Site

from ..conftest import prefix, text_of
from .conftest import new_item

IMPORT_TEXT = """# 本单位补充词库
词语,类别,级别,建议写法
抓紧落实到位的通知,禁用语,阻止
截止目前为止,不规范用语,提示,截至目前
某某违禁词,敏感词
做秀,错别字,提示
做为,错别字,提示,作为
无效词,某类别,提示
太多,禁用语,阻止,建议,多余
截止目前为止,不规范用语,提示,截至目前
"""


def _word(word, scope=0):
    return db.session.execute(db.select(LexiconWord).filter_by(word=word, scope=scope)).scalar()


def _upload(client, app, data, filename, site_id=0, **extra):
    return client.post(prefix(app) + "/checks/lexicon/import",
                       data={"file": (io.BytesIO(data), filename), "site_id": str(site_id), **extra},
                       content_type="multipart/form-data")


def test_r50_import_text_over_http_reports_bad_lines_and_keeps_the_good_ones(demo, login_as):
    client = login_as("admin")
    resp = _upload(client, demo, IMPORT_TEXT.encode("utf-8"), "补充词库.txt")
    assert resp.status_code == 200
    page = text_of(resp)
    # the bad lines, by their line numbers in the file, in Chinese
    assert "第6行：错别字“做秀”须给出正确写法" in page
    assert "第8行：类别“某类别”无法识别" in page
    assert "第9行：列数过多" in page
    assert "第10行：词语“截止目前为止”与第4行重复" in page
    # the good lines are in, with their category, severity and suggestion
    banned = _word("抓紧落实到位的通知")
    assert (banned.category, banned.severity, banned.enabled) == ("banned", "block", True)
    assert (_word("截止目前为止").category, _word("截止目前为止").suggestion) == ("nonstandard", "截至目前")
    assert _word("某某违禁词").severity == "block"          # sensitive words block by default
    assert _word("做秀") is None and _word("无效词") is None
    # 做为 was already in the starter lexicon with the same data: unchanged, not duplicated
    assert db.session.execute(db.select(db.func.count()).select_from(LexiconWord)
                              .filter_by(word="做为")).scalar() == 1
    assert "新增3条" in page and "未变1条" in page and "有4行未导入" in page


def test_r50_imported_word_is_checked_at_once(demo, login_as):
    client = login_as("officer")
    item = new_item(client, demo, "工作动态", "<p>请各单位抓紧落实到位的通知要求。</p>")
    assert service.check_item(item).ok
    client = login_as("admin")
    _upload(client, demo, "抓紧落实到位的通知,禁用语,阻止\n".encode(), "词库.txt")
    report = service.check_item(item)
    assert report.blocking == ["正文：含有禁用语“抓紧落实到位的通知”，须修改后才能提交。"]


def test_r50_import_xlsx_over_http_with_a_bad_row(demo, login_as):
    wb = Workbook()
    ws = wb.active
    ws.append(["词语", "类别", "级别", "建议写法"])
    ws.append(["按装", "错别字", "提示", "安装"])
    ws.append(["不明类别词", "其他", "提示", None])
    ws.append(["一定程度上的", "不规范用语", "提示", "一定程度上"])
    ws.append(["涉赌词语", "敏感词", "阻止", None])
    out = io.BytesIO()
    wb.save(out)
    client = login_as("admin")
    site = db.session.execute(db.select(Site).filter_by(code="youth")).scalar_one()
    resp = _upload(client, demo, out.getvalue(), "词库.xlsx", site_id=site.id)
    page = text_of(resp)
    assert "第3行：类别“其他”无法识别" in page          # the Excel row number
    assert _word("涉赌词语", scope=site.id).severity == "block"
    assert _word("一定程度上的", scope=site.id).suggestion == "一定程度上"
    assert _word("涉赌词语") is None                     # site words are not global


def test_r50_import_refuses_non_utf8_text_and_non_excel_files(demo, login_as):
    client = login_as("admin")
    client.get(prefix(demo) + "/checks/lexicon")  # loads the starter lexicon
    before = db.session.execute(db.select(db.func.count()).select_from(LexiconWord)).scalar()
    page = text_of(_upload(client, demo, "敏感词甲\n".encode("gb18030"), "gbk.txt"))
    assert "文件不是UTF-8编码" in page
    page = text_of(_upload(client, demo, b"%PDF-1.4", "words.pdf"))
    assert "只能导入文本文件" in page
    page = text_of(_upload(client, demo, b"not a zip", "broken.xlsx"))
    assert "文件无法作为Excel" in page
    assert db.session.execute(db.select(db.func.count()).select_from(LexiconWord)).scalar() == before


def test_r50_export_text_and_excel_read_back_unchanged(demo, login_as):
    client = login_as("admin")
    _upload(client, demo, IMPORT_TEXT.encode("utf-8"), "补充词库.txt")
    expected = {(e.word, e.category, e.severity, e.suggestion) for e in service.words_in_scope(None)}
    assert ("截止目前为止", "nonstandard", "warn", "截至目前") in expected
    resp = client.get(prefix(demo) + "/checks/lexicon/export?scope=0&format=txt")
    assert resp.status_code == 200 and "attachment" in resp.headers["Content-Disposition"]
    parsed = parse_lexicon_text(resp.get_data(as_text=True))
    assert parsed.ok and {(e.word, e.category, e.severity, e.suggestion) for e in parsed.entries} == expected
    resp = client.get(prefix(demo) + "/checks/lexicon/export?scope=0&format=xlsx")
    ws = load_workbook(io.BytesIO(resp.data)).active
    rows = {(r[0], r[3] or None) for r in ws.iter_rows(min_row=2, values_only=True)}
    assert ("截止目前为止", "截至目前") in rows and len(rows) == len(expected)


def test_r50_add_filter_edit_and_disable_words_on_pages(demo, login_as):
    client = login_as("admin")
    base = prefix(demo) + "/checks/lexicon"
    resp = client.post(base + "/new", data={"word": "高大上", "category": "nonstandard", "severity": "",
                                            "suggestion": "", "site_id": "0", "enabled": "y"})
    assert "不规范用语须填写正确写法" in text_of(resp)
    resp = client.post(base + "/new", data={"word": "高大上", "category": "nonstandard", "severity": "",
                                            "suggestion": "高端", "site_id": "0", "enabled": "y"})
    assert resp.status_code == 302
    word = _word("高大上")
    assert (word.severity, word.suggestion) == ("warn", "高端")   # the category's default severity
    resp = client.post(base + "/new", data={"word": "高大上", "category": "banned", "site_id": "0",
                                            "enabled": "y"})
    assert "已存在" in text_of(resp)
    page = client.get(base + "?q=高大&category=nonstandard").get_data(as_text=True)
    assert "高大上" in page and "再接再励" not in page
    page = client.get(base + "?category=typo").get_data(as_text=True)
    assert "再接再励" in page and "高大上" not in page

    officer = login_as("officer")
    item = new_item(officer, demo, "活动很高大上", "<p>本次活动办得很高大上。</p>")
    assert [f.text for f in service.check_item(item).findings if f.category == "nonstandard"] == ["高大上", "高大上"]

    client = login_as("admin")
    client.post(base + f"/{word.id}/edit", data={"word": "高大上", "category": "banned", "severity": "block",
                                                 "suggestion": "", "site_id": "0", "enabled": "y"})
    assert service.check_item(item).blocking[0].startswith("标题：含有禁用语“高大上”")
    resp = client.post(base + f"/{word.id}/toggle", data={"next": "//evil.example/x"})
    assert resp.headers["Location"].endswith("/checks/lexicon")        # no redirect off the site
    db.session.refresh(word)
    assert word.enabled is False
    assert service.check_item(item).findings == []
    assert "停用" in text_of(client.get(base + "?enabled=0"))


def test_r50_site_words_apply_to_their_site_and_override_global_words(demo, login_as):
    client = login_as("admin")
    youth = db.session.execute(db.select(Site).filter_by(code="youth")).scalar_one()
    base = prefix(demo) + "/checks/lexicon"
    # a word only for the youth site
    client.post(base + "/new", data={"word": "青少年宫", "category": "nonstandard", "suggestion": "青少年活动中心",
                                     "site_id": str(youth.id), "enabled": "y"})
    # switch the global typo 做为 off on the youth site
    client.post(base + "/new", data={"word": "做为", "category": "typo", "suggestion": "作为",
                                     "site_id": str(youth.id), "enabled": ""})
    officer = login_as("officer")
    item = new_item(officer, demo, "通知", "<p>做为试点，青少年宫将开放。再接再励。</p>")
    found = {f.text for f in service.check_item(item).findings}
    assert found == {"青少年宫", "再接再励"}
    # another site sees only the global words
    other = service.get_lexicon(None)
    assert {f.text for f in other.find("做为试点，青少年宫将开放。")} == {"做为"}


def test_r50_a_change_is_seen_by_a_second_app_instance(make_app):
    """Two apps on one database stand for two worker processes: a word added
    through one is found by the other without a restart, and an unchanged
    lexicon is not recompiled."""
    first, second = make_app(), make_app()
    with first.app_context():
        from intranet.demo import load_demo
        load_demo()
        db.session.commit()
        assert service.get_lexicon(None).find("这是一条新违禁词。") == []
        builds = service._cache().builds
        service.get_lexicon(None)
        assert service._cache().builds == builds          # cached while nothing changed
    with second.app_context():
        client = second.test_client()
        client.post(prefix(second) + "/login", data={"username": "admin", "password": "Lanmu@2026"})
        resp = _upload(client, second, "新违禁词,禁用语,阻止\n".encode(), "x.txt")
        assert "新增1条" in text_of(resp)
    with first.app_context():
        hits = service.get_lexicon(None).find("这是一条新违禁词。")
        assert [(f.text, f.severity) for f in hits] == [("新违禁词", "block")]
        assert service._cache().builds == builds + 1


def test_r50_starter_lexicon_checks_on_day_one_and_is_loaded_on_first_use(demo, login_as):
    assert db.session.get(KeyValue, service.VERSION_KEY) is None
    assert db.session.execute(db.select(db.func.count()).select_from(LexiconWord)).scalar() == 0
    officer = login_as("officer")
    item = new_item(officer, demo, "总结", "<p>我们要再接再励，迫不急待地投入工作。</p>")
    assert [(f.text, f.suggestion) for f in service.check_item(item).findings] == [
        ("再接再励", "再接再厉"), ("迫不急待", "迫不及待")]
    client = login_as("admin")
    page = text_of(client.get(prefix(demo) + "/checks/lexicon"))
    assert "已载入系统自带的基础词库" in page
    words = db.session.execute(db.select(db.func.count()).select_from(LexiconWord)).scalar()
    assert words > 50 and service.lexicon_version() is not None
    assert "已载入" not in text_of(client.get(prefix(demo) + "/checks/lexicon"))   # once
    assert db.session.execute(db.select(db.func.count()).select_from(LexiconWord)).scalar() == words
    assert len(service.check_item(item).findings) == 2


def test_r50_demo_command_loads_the_starter_lexicon(app):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "已载入基础词库" in result.output
    assert db.session.execute(db.select(db.func.count()).select_from(LexiconWord)).scalar() > 50


def test_r50_only_admins_manage_lexicons(demo, login_as):
    client = login_as("officer")
    assert client.get(prefix(demo) + "/checks/lexicon").status_code == 403
    assert _upload(client, demo, "某词,敏感词\n".encode(), "x.txt").status_code == 403
    assert client.get(prefix(demo) + "/checks/lexicon/export?scope=0").status_code == 403


def test_r50_lexicon_pages_render_with_pagination(demo, login_as):
    client = login_as("admin")
    base = prefix(demo) + "/checks/lexicon"
    lines = "".join(f"测试词{i:04d},敏感词,提示\n" for i in range(250))
    _upload(client, demo, lines.encode(), "many.txt")
    page = client.get(base + "?q=测试词").get_data(as_text=True)
    assert 'id="lexicon-total">250<' in page and "第1/3页" in page and "下一页" in page
    page3 = client.get(base + "?q=测试词&page=3").get_data(as_text=True)
    assert "测试词0249" in page3 and "测试词0000" not in page3 and "上一页" in page3
    word = _word("测试词0001")
    form = client.get(base + f"/{word.id}/edit").get_data(as_text=True)
    assert 'value="测试词0001"' in form and "适用范围" in form
    assert "全局（所有网站）" in client.get(base + "/new").get_data(as_text=True)
    assert "文件格式" in client.get(base + "/import").get_data(as_text=True)
    assert "链接检查报告" in client.get(prefix(demo) + "/checks/links?problem=all").get_data(as_text=True)
    assert "词库管理" in client.get(prefix(demo) + "/").get_data(as_text=True)   # in the admin menu

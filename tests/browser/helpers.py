"""Helpers of the browser tests: reading the live server's database, a test
picture, the pasted Word document."""
import re
import struct
import time
import zlib

from intranet.extensions import db


def column_id(live, slug):
    from intranet.sites.models import Column
    with live.app.app_context():
        return db.session.execute(db.select(Column.id).filter_by(slug=slug)).scalar_one()


def item_row(live, item_id):
    from intranet.items.models import Item
    with live.app.app_context():
        it = db.session.get(Item, item_id)
        return {"status": it.status, "title": it.title, "body": it.body, "revision_no": it.revision_no,
                "attachments": [(a.filename, a.caption, a.is_image) for a in it.attachments]}


def wait_for_mail(live, username, subject_part, count=1, timeout=10.0):
    deadline = time.monotonic() + timeout
    while True:
        mails = live.mails_to(username, subject_part)
        if len(mails) >= count or time.monotonic() > deadline:
            assert len(mails) >= count, f"no mail '{subject_part}' to {username}: {[m.subject for m in live.smtp.messages]}"
            return mails
        time.sleep(0.1)


def decision_links(mail):
    """{"approve": url, "return": url, "reject": url} from a review mail's text."""
    found = {}
    for label, action in (("同意", "approve"), ("退回修改", "return"), ("不予发布", "reject")):
        m = re.search(rf"^{label}：(\S+)", mail.text, re.M)
        if m:
            found[action] = m.group(1)
    return found


def png(width=480, height=300):
    """A small picture (a sky, a sun, a green field) as PNG bytes."""
    rows = []
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            if (x - width * 0.75) ** 2 + (y - height * 0.3) ** 2 < (height * 0.12) ** 2:
                px = (255, 200, 40)
            elif y > height * 0.62:
                px = (60 + (x * 40) // width, 150, 70)
            else:
                px = (110 + (y * 100) // height, 170 + (y * 60) // height, 235)
            row.extend(px)
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows), 9)

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", raw) + chunk(b"IEND", b""))


# What Word puts on the clipboard (abridged): conditional comments, an XML
# island, Mso classes, mso- styles, <o:p>, and a lang attribute.
WORD_HTML = """<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:w="urn:schemas-microsoft-com:office:word">
<head><meta name=ProgId content=Word.Document><!--[if gte mso 9]><xml><w:WordDocument><w:View>Normal</w:View>
</w:WordDocument></xml><![endif]--><style>p.MsoNormal{mso-style-parent:"";margin:0cm;font-size:10.5pt}</style></head>
<body lang=ZH-CN style='tab-interval:21.0pt'><!--StartFragment-->
<p class=MsoNormal style='text-indent:2em;mso-char-indent-count:2.0'><span lang=EN-US style='font-family:仿宋_GB2312;mso-bidi-font-family:"Times New Roman"'>今年暑期，全市各社区青少年俱乐部将开展科普、体育和阅读三大类活动，希望各俱乐部再接再励，办出特色。</span><o:p></o:p></p>
<p class=MsoNormal><o:p>&nbsp;</o:p></p>
<p class=MsoNormal style='text-indent:2em'><span style='mso-fareast-font-family:宋体'>报名咨询：李老师，电话13812345678。</span><o:p></o:p></p>
<!--EndFragment--></body></html>"""


def focus_editor(page, selector):
    """Click into the editor and wait until it knows where the cursor is."""
    page.locator(selector).click()
    page.wait_for_function("() => window.LanmuEditor && window.LanmuEditor.editor && window.LanmuEditor.editor.selection")


def paste_html(page, selector, html):
    """Paste HTML into an element as the browser would from the clipboard."""
    focus_editor(page, selector)
    page.evaluate("""([selector, html]) => {
        const target = document.querySelector(selector);
        const data = new DataTransfer();
        data.setData('text/html', html);
        data.setData('text/plain', html.replace(/<[^>]+>/g, ''));
        target.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
    }""", [selector, html])


def highlighted(page, name):
    """The texts the editor highlights under CSS.highlights[name]."""
    return page.evaluate("""(name) => {
        const h = CSS.highlights.get(name);
        return h ? Array.from(h).map(r => r.toString()) : [];
    }""", name)


_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Client:
    """The live app's test client signed in as someone, sending the CSRF token
    like a browser does: for setting the scene quickly."""

    def __init__(self, live, username):
        from intranet.demo.data import DEMO_PASSWORD
        self.live, self.client = live, live.app.test_client()
        token = self.token(live.prefix + "/login")
        resp = self.client.post(live.prefix + "/login", data={"username": username, "password": DEMO_PASSWORD,
                                                               "csrf_token": token})
        assert resp.status_code == 302 and "/login" not in resp.headers["Location"], username

    def token(self, path):
        return _CSRF.search(self.client.get(path).get_data(as_text=True)).group(1)

    def post(self, path, data, token_from=None):
        data = {"csrf_token": self.token(token_from or path), **data}
        return self.client.post(path, data=data)

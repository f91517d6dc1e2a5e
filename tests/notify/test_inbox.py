"""The in-app inbox (站内消息, R-82): opening a message follows its link only
when the link is a path on this site; a stored link to another site is never
followed (no open redirect)."""
import pytest

from intranet.extensions import db
from intranet.notify.inbox import InboxMessage
from intranet.org.models import User
from intranet.ui import local_path

from ..conftest import prefix, text_of

FOREIGN = [
    "//evil.example/x",
    "https://evil.example",
    "http://evil.example/intranet/",
    "/\\evil.example",
    "/\\/evil.example",
    "/intranet/\\\\evil.example",
    "/\t/evil.example",         # browsers drop tabs and newlines: "//evil.example"
    "/\n/evil.example",
    "/\r\n/evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "evil.example",
]


@pytest.mark.parametrize("url", FOREIGN)
def test_r82_local_path_refuses_other_sites(url):
    assert local_path(url) is None


@pytest.mark.parametrize("url", ["/", "/intranet/items/3", "/intranet/review/?tab=mine#top", "/s/youth/c/新闻/"])
def test_r82_local_path_keeps_paths_on_this_site(url):
    assert local_path(url) == url


def _message(username, url):
    user = db.session.execute(db.select(User).filter_by(username=username)).scalar_one()
    row = InboxMessage(user_id=user.id, subject="测试消息", text="消息正文", url=url)
    db.session.add(row)
    db.session.commit()
    return row.id


def test_r82_opening_a_message_never_redirects_to_another_site(demo, login_as):
    client = login_as("officer")
    inbox = prefix(demo) + "/inbox/"
    for url in FOREIGN:
        message_id = _message("officer", url)
        resp = client.post(f"{inbox}{message_id}/open")
        assert resp.status_code == 302, repr(url)
        assert resp.headers["Location"] == f"{inbox}#message-{message_id}", repr(url)
        page = client.get(inbox)
        assert "所附链接不是本系统内的地址，未打开" in text_of(page), repr(url)
        assert f'id="message-{message_id}"' in page.get_data(as_text=True)
        assert db.session.get(InboxMessage, message_id).read_at is not None
    # A path on this site is followed; a message without a link just goes back to the inbox.
    message_id = _message("officer", prefix(demo) + "/items/")
    assert client.post(f"{inbox}{message_id}/open").headers["Location"] == prefix(demo) + "/items/"
    message_id = _message("officer", "")
    assert client.post(f"{inbox}{message_id}/open").headers["Location"] == f"{inbox}#message-{message_id}"


def test_sign_in_follows_only_a_next_path_on_this_site(demo, client):
    login = prefix(demo) + "/login"
    data = {"username": "officer", "password": "Lanmu@2026"}
    for url in ("/\\evil.example", "//evil.example", "https://evil.example"):
        resp = client.post(login + "?next=" + url, data=data)
        assert resp.status_code == 302 and resp.headers["Location"] == prefix(demo) + "/", url
        client.post(prefix(demo) + "/logout")
    resp = client.post(login + "?next=" + prefix(demo) + "/items/", data=data)
    assert resp.headers["Location"] == prefix(demo) + "/items/"

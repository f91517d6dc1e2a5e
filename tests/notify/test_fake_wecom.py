"""The fake WeCom server itself, spoken to with plain HTTP (no wechatpy).

These pin the WeCom behaviour the fake claims, so the channel tests that
rely on it mean something.
"""

from __future__ import annotations

import requests

from tests.fakes.wecom_server import wecom_server  # noqa: F401 - fixture


def token(server) -> str:
    answer = requests.get(server.api_base_url + "gettoken",
                          params={"corpid": server.corp_id, "corpsecret": server.secret}, timeout=2).json()
    assert answer["errcode"] == 0
    return answer["access_token"]


def send(server, access_token, touser, msg=None):
    body = {"touser": touser, "agentid": server.agent_id}
    body.update(msg or {"msgtype": "text", "text": {"content": "你好"}})
    return requests.post(server.api_base_url + "message/send",
                         params={"access_token": access_token}, json=body, timeout=2).json()


def test_r84_fake_wecom_gettoken_returns_same_token_until_it_expires(wecom_server):  # noqa: F811
    first = token(wecom_server)
    wecom_server.clock.advance(7199)
    assert token(wecom_server) == first
    wecom_server.clock.advance(1)
    assert token(wecom_server) != first
    assert send(wecom_server, first, "x")["errcode"] == 42001
    assert wecom_server.tokens_issued == 2


def test_r84_fake_wecom_token_errors(wecom_server):  # noqa: F811
    assert send(wecom_server, "", "x")["errcode"] == 41001
    assert send(wecom_server, "never-issued", "x")["errcode"] == 40014
    bad = requests.get(wecom_server.api_base_url + "gettoken",
                       params={"corpid": wecom_server.corp_id, "corpsecret": "nope"}, timeout=2).json()
    assert bad["errcode"] == 40001 and "access_token" not in bad


def test_r84_fake_wecom_refuses_more_than_1000_recipients(wecom_server):  # noqa: F811
    userids = [f"u{i}" for i in range(1001)]
    wecom_server.add_users(userids)
    answer = send(wecom_server, token(wecom_server), "|".join(userids))
    assert answer["errcode"] == 40032
    assert wecom_server.messages == []
    assert send(wecom_server, token(wecom_server), "|".join(userids[:1000]))["errcode"] == 0


def test_r84_fake_wecom_invaliduser_lowercased_and_81013(wecom_server):  # noqa: F811
    wecom_server.add_user("ZhangSan")
    access = token(wecom_server)
    answer = send(wecom_server, access, "zhangsan|Ghost")
    assert answer["errcode"] == 0 and answer["invaliduser"] == "ghost" and answer["msgid"]
    assert [m.userid for m in wecom_server.messages] == ["ZhangSan"]
    all_bad = send(wecom_server, access, "Ghost|ghost2")
    assert all_bad["errcode"] == 81013 and all_bad["invaliduser"] == "ghost|ghost2"


def test_r82_fake_wecom_accepts_text_textcard_markdown_only(wecom_server):  # noqa: F811
    wecom_server.add_user("zhangsan")
    access = token(wecom_server)
    for msg in (
        {"msgtype": "text", "text": {"content": "文本"}},
        {"msgtype": "markdown", "markdown": {"content": "**加粗**"}},
        {"msgtype": "textcard", "textcard": {"title": "t", "description": "d", "url": "https://x/"}},
    ):
        assert send(wecom_server, access, "zhangsan", msg)["errcode"] == 0
    assert [m.msgtype for m in wecom_server.delivered_to("zhangsan")] == ["text", "markdown", "textcard"]
    assert send(wecom_server, access, "zhangsan", {"msgtype": "voice", "voice": {"media_id": "m"}})["errcode"] == 40008
    assert send(wecom_server, access, "zhangsan", {"msgtype": "textcard", "textcard": {"title": "t"}})["errcode"] == 40063


def test_r84_fake_wecom_rate_window_slides_on_the_clock(wecom_server):  # noqa: F811
    wecom_server.add_user("zhangsan")
    access = token(wecom_server)
    for _ in range(30):
        send(wecom_server, access, "zhangsan")
        wecom_server.clock.advance(1)  # 30 messages over 30 s
    assert send(wecom_server, access, "zhangsan")["errcode"] == 0  # the 31st: dropped, not reported
    assert len(wecom_server.dropped_for("zhangsan")) == 1
    wecom_server.clock.advance(29)  # the first one is now 59 s old: still full
    send(wecom_server, access, "zhangsan")
    assert len(wecom_server.dropped_for("zhangsan")) == 2
    wecom_server.clock.advance(1)  # now 60 s old: out of the window
    send(wecom_server, access, "zhangsan")
    assert len(wecom_server.delivered_to("zhangsan")) == 31


def test_r06_fake_wecom_getuserinfo_needs_a_valid_token_and_code(wecom_server):  # noqa: F811
    code = wecom_server.issue_code("zhangsan")
    url = wecom_server.api_base_url + "auth/getuserinfo"
    assert requests.get(url, params={"access_token": "x", "code": code}, timeout=2).json()["errcode"] == 40014
    access = token(wecom_server)
    assert requests.get(url, params={"access_token": access, "code": code}, timeout=2).json() == {
        "errcode": 0, "errmsg": "ok", "userid": "zhangsan"}
    assert requests.get(url, params={"access_token": access, "code": code}, timeout=2).json()["errcode"] == 40029


def test_r84_fake_wecom_counts_calls_and_survives_restart_on_same_port(wecom_server):  # noqa: F811
    port = wecom_server.port
    token(wecom_server)
    wecom_server.down("refused")
    try:
        requests.get(wecom_server.api_base_url + "gettoken", timeout=1)
        raise AssertionError("the port should be closed")
    except requests.ConnectionError:
        pass
    wecom_server.up()
    assert wecom_server.port == port
    token(wecom_server)
    assert wecom_server.call_count("/cgi-bin/gettoken") == 2

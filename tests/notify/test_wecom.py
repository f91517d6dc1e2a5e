"""The WeCom channel against the fake WeCom server, over real HTTP."""

from __future__ import annotations

import time

import pytest
import requests

from intranet.notify.outcomes import Status
from intranet.notify.wecom import (
    CallbackSessionStorage,
    InvalidCode,
    PerUserRateLimiter,
    WeComClient,
    WeComUnavailable,
    exchange_code,
    oauth_authorize_url,
    qr_login_url,
    send_text_card,
)
from tests.fakes.wecom_server import FakeWeCom, wecom_server  # noqa: F401 - fixture

SEND = "/cgi-bin/message/send"
GETTOKEN = "/cgi-bin/gettoken"
LINK = "https://intranet.example.gov.cn/duties/42"


@pytest.fixture
def client(wecom_server):  # noqa: F811
    wecom_server.add_users(["zhangsan", "lisi", "wangwu"])
    return WeComClient.from_mapping(wecom_server.config(WECOM_TIMEOUT=2), clock=wecom_server.clock)


def card(client, userids, **kw):
    return send_text_card(client, userids, "栏目更新提醒", "“工作动态”已 12 天未更新", LINK, **kw)


# ---------------------------------------------------------------- tokens


def test_r84_wecom_token_fetched_once_and_reused(wecom_server, client):  # noqa: F811
    for _ in range(3):
        assert card(client, ["zhangsan"])["zhangsan"].status is Status.DELIVERED
    assert wecom_server.call_count(GETTOKEN) == 1
    assert wecom_server.call_count(SEND) == 3
    assert len(wecom_server.delivered_to("zhangsan")) == 3


@pytest.mark.parametrize("how, errcode", [("expire", 42001), ("revoke", 40014)])
def test_r84_wecom_stale_token_refreshed_once_then_sent(wecom_server, client, how, errcode):  # noqa: F811
    card(client, ["zhangsan"])
    (wecom_server.expire_tokens if how == "expire" else wecom_server.revoke_tokens)()

    outcome = card(client, ["lisi"])["lisi"]

    assert outcome.status is Status.DELIVERED
    assert wecom_server.call_count(GETTOKEN) == 2
    sends = wecom_server.send_calls()
    assert len(sends) == 3  # first card, the refused one, the retry
    assert sends[1].query["access_token"] != sends[2].query["access_token"]
    assert len(wecom_server.delivered_to("lisi")) == 1


def test_r84_wecom_token_refresh_is_bounded():
    # Every token is born expired: wechatpy's own retry would loop for ever.
    with FakeWeCom(token_ttl=0) as server:
        server.add_user("zhangsan")
        client = WeComClient.from_mapping(server.config(WECOM_TIMEOUT=2), clock=server.clock)

        outcome = card(client, ["zhangsan"])["zhangsan"]

        assert outcome.status is Status.TEMPORARY_FAILURE
        assert outcome.reason == "token" and outcome.code == 42001
        assert server.call_count(GETTOKEN) == 2
        assert server.call_count(SEND) == 2
        assert server.messages == []


def test_r84_wecom_token_renewed_before_expiry_by_the_clock(wecom_server, client):  # noqa: F811
    card(client, ["zhangsan"])
    wecom_server.clock.advance(7200 - 299)  # inside the 300 s safety margin

    assert card(client, ["zhangsan"])["zhangsan"].delivered
    assert wecom_server.call_count(GETTOKEN) == 2
    assert wecom_server.call_count(SEND) == 2  # no call was refused for the token


def test_r84_wecom_token_shared_between_processes_through_storage(wecom_server):  # noqa: F811
    wecom_server.add_user("zhangsan")
    table: dict[str, tuple[str, float | None]] = {}  # stands for a database table

    def getter(key):
        return table.get(key)

    def setter(key, value, expires_at):
        if value is None:
            table.pop(key, None)
        else:
            table[key] = (value, expires_at)

    clock = wecom_server.clock
    first = WeComClient.from_mapping(wecom_server.config(), CallbackSessionStorage(getter, setter, clock=clock), clock=clock)
    second = WeComClient.from_mapping(wecom_server.config(), CallbackSessionStorage(getter, setter, clock=clock), clock=clock)

    assert card(first, ["zhangsan"])["zhangsan"].delivered
    assert card(second, ["zhangsan"])["zhangsan"].delivered
    assert wecom_server.call_count(GETTOKEN) == 1
    ((_value, expires_at),) = table.values()
    assert expires_at == pytest.approx(clock() + 7200 - 300)


def test_r84_wecom_bad_secret_is_a_temporary_token_failure_without_looping(wecom_server):  # noqa: F811
    wecom_server.add_user("zhangsan")
    client = WeComClient.from_mapping(wecom_server.config(WECOM_SECRET="wrong"), clock=wecom_server.clock)

    outcome = card(client, ["zhangsan"])["zhangsan"]

    assert outcome.status is Status.TEMPORARY_FAILURE
    assert (outcome.reason, outcome.code) == ("token", 40001)
    assert wecom_server.call_count(GETTOKEN) == 1
    assert wecom_server.call_count(SEND) == 0


# ------------------------------------------------------------ recipients


def test_r84_wecom_1001_recipients_take_two_calls(wecom_server, client):  # noqa: F811
    userids = [f"user{i:04d}" for i in range(1001)]
    wecom_server.add_users(userids)

    outcomes = card(client, userids)

    assert all(outcomes[u].status is Status.DELIVERED for u in userids)
    sends = wecom_server.send_calls()
    assert [len(c.body["touser"].split("|")) for c in sends] == [1000, 1]
    assert all(len(wecom_server.delivered_to(u)) == 1 for u in userids)


def test_r84_wecom_invaliduser_reported_per_user(wecom_server, client):  # noqa: F811
    outcomes = card(client, ["ZhangSan", "ghost", "lisi", "Nobody"])

    assert outcomes["ZhangSan"].status is Status.DELIVERED  # userids are case-insensitive
    assert outcomes["lisi"].status is Status.DELIVERED
    for userid in ("ghost", "Nobody"):
        assert outcomes[userid].status is Status.PERMANENT_FAILURE
        assert outcomes[userid].reason == "invalid_user"
    assert wecom_server.call_count(SEND) == 1
    assert [m.userid for m in wecom_server.messages] == ["zhangsan", "lisi"]


def test_r84_wecom_unlicensed_user_is_permanent(wecom_server, client):  # noqa: F811
    wecom_server.add_user("zhaoliu", licensed=False)
    outcomes = card(client, ["zhangsan", "zhaoliu"])
    assert outcomes["zhangsan"].delivered
    assert outcomes["zhaoliu"].status is Status.PERMANENT_FAILURE
    assert outcomes["zhaoliu"].reason == "unlicensed_user"


def test_r84_wecom_all_recipients_invalid_81013_is_permanent(wecom_server, client):  # noqa: F811
    outcomes = card(client, ["ghost1", "ghost2"])

    assert {o.status for o in outcomes.values()} == {Status.PERMANENT_FAILURE}
    assert {o.code for o in outcomes.values()} == {81013}
    assert {o.reason for o in outcomes.values()} == {"invalid_user"}
    assert wecom_server.messages == []


def test_r84_wecom_no_recipients_makes_no_call(wecom_server, client):  # noqa: F811
    assert card(client, []) == {}
    assert wecom_server.call_count() == 0


# ----------------------------------------------------------- rate limits


def test_r84_wecom_45009_is_rate_limited_then_sent_a_minute_later():
    with FakeWeCom(rate_limit_mode="error") as server:
        server.add_users(["zhangsan", "lisi"])
        client = WeComClient.from_mapping(server.config(WECOM_TIMEOUT=2), clock=server.clock)
        for _ in range(30):
            assert card(client, ["zhangsan"])["zhangsan"].delivered

        outcomes = card(client, ["zhangsan", "lisi"])

        for userid in ("zhangsan", "lisi"):  # the call failed whole
            assert outcomes[userid].status is Status.RATE_LIMITED
            assert outcomes[userid].code == 45009
            assert outcomes[userid].retry_after == 60
        assert len(server.delivered_to("zhangsan")) == 30
        assert server.delivered_to("lisi") == []

        server.clock.advance(61)
        assert all(o.delivered for o in card(client, ["zhangsan", "lisi"]).values())
        assert len(server.delivered_to("zhangsan")) == 31


def test_r84_wecom_limiter_keeps_messages_from_being_dropped_silently(wecom_server, client):  # noqa: F811
    # What WeCom documents: past 30 a minute the excess is dropped, errcode 0.
    for _ in range(31):
        unguarded = card(client, ["zhangsan"])["zhangsan"]
    assert unguarded.delivered  # WeCom said ok...
    assert len(wecom_server.dropped_for("zhangsan")) == 1  # ...and dropped it

    # With our own count, the 31st waits instead.
    limiter = PerUserRateLimiter(clock=wecom_server.clock)
    for _ in range(30):
        assert card(client, ["lisi"], limiter=limiter)["lisi"].delivered
    held = card(client, ["lisi", "wangwu"], limiter=limiter)

    assert held["lisi"].status is Status.RATE_LIMITED
    assert 0 < held["lisi"].retry_after <= 60
    assert held["wangwu"].delivered
    assert wecom_server.dropped_for("lisi") == []
    wecom_server.clock.advance(60)
    assert card(client, ["lisi"], limiter=limiter)["lisi"].delivered
    assert len(wecom_server.delivered_to("lisi")) == 31


# ---------------------------------------------------------------- outages


@pytest.mark.parametrize(
    "mode, reason",
    [("refused", "network"), ("error", "http_error"), ("timeout", "timeout")],
)
def test_r84_wecom_down_is_temporary_failure(wecom_server, mode, reason):  # noqa: F811
    wecom_server.add_users(["zhangsan", "lisi"])
    client = WeComClient.from_mapping(wecom_server.config(WECOM_TIMEOUT=0.5), clock=wecom_server.clock)
    assert card(client, ["zhangsan"])["zhangsan"].delivered  # token cached
    wecom_server.down(mode)

    started = time.monotonic()
    outcomes = card(client, ["zhangsan", "lisi"])  # must not raise

    assert time.monotonic() - started < 5
    assert {o.status for o in outcomes.values()} == {Status.TEMPORARY_FAILURE}
    assert {o.reason for o in outcomes.values()} == {reason}
    if mode == "error":
        assert {o.code for o in outcomes.values()} == {503}

    wecom_server.up()
    assert all(o.delivered for o in card(client, ["zhangsan", "lisi"]).values())
    assert len(wecom_server.delivered_to("zhangsan")) == 2
    assert len(wecom_server.delivered_to("lisi")) == 1


def test_r84_wecom_down_before_any_token_is_temporary_failure(wecom_server):  # noqa: F811
    wecom_server.add_user("zhangsan")
    client = WeComClient.from_mapping(wecom_server.config(WECOM_TIMEOUT=0.5), clock=wecom_server.clock)
    wecom_server.down("refused")

    outcome = card(client, ["zhangsan"])["zhangsan"]

    assert (outcome.status, outcome.reason) == (Status.TEMPORARY_FAILURE, "network")
    wecom_server.up()
    assert card(client, ["zhangsan"])["zhangsan"].delivered


def test_r84_wecom_lost_answer_resent_is_not_delivered_twice(wecom_server):  # noqa: F811
    wecom_server.add_user("zhangsan")
    client = WeComClient.from_mapping(wecom_server.config(WECOM_TIMEOUT=0.5), clock=wecom_server.clock)
    card(client, ["zhangsan"], duplicate_check_interval=1800)
    wecom_server.reset_records()
    # WeCom does the work but the answer never arrives.
    wecom_server.down("timeout", process=True)
    first = send_text_card(client, ["zhangsan"], "待审核", "1 篇稿件待您审核", LINK, duplicate_check_interval=1800)
    wecom_server.up()
    again = send_text_card(client, ["zhangsan"], "待审核", "1 篇稿件待您审核", LINK, duplicate_check_interval=1800)

    assert first["zhangsan"].reason == "timeout"
    assert again["zhangsan"].delivered
    assert len(wecom_server.delivered_to("zhangsan")) == 1


# ------------------------------------------------------------ text cards


def test_r82_wecom_text_card_carries_title_description_deep_link(wecom_server, client):  # noqa: F811
    long_description = "请尽快更新栏目内容。" * 60  # 1800 bytes of UTF-8
    send_text_card(client, ["zhangsan"], "栏目更新提醒", long_description, LINK, btntxt="立即处理")

    (message,) = wecom_server.delivered_to("zhangsan")
    assert message.msgtype == "textcard"
    assert message.agentid == wecom_server.agent_id
    assert message.title == "栏目更新提醒"
    assert message.content["url"] == LINK
    assert message.content["btntxt"] == "立即处理"
    description = message.content["description"]
    assert len(description.encode("utf-8")) <= 512
    assert description.startswith("请尽快更新栏目内容。") and description.endswith("…")


def test_r82_wecom_text_card_needs_an_http_link(client):
    with pytest.raises(ValueError):
        send_text_card(client, ["zhangsan"], "t", "d", "javascript:alert(1)")


# ------------------------------------------------------------------


def test_r06_oauth_code_to_userid(wecom_server, client):  # noqa: F811
    code = wecom_server.issue_code("lisi")
    identity = exchange_code(client, code)
    assert identity.is_member and identity.userid == "lisi"
    with pytest.raises(InvalidCode):  # a code works once
        exchange_code(client, code)


def test_r06_oauth_code_expires_after_five_minutes(wecom_server, client):  # noqa: F811
    code = wecom_server.issue_code("lisi")
    wecom_server.clock.advance(301)
    with pytest.raises(InvalidCode) as info:
        exchange_code(client, code)
    assert info.value.errcode == 40029


def test_r06_oauth_non_member_has_no_userid(wecom_server, client):  # noqa: F811
    identity = exchange_code(client, wecom_server.issue_code(openid="oAbC123"))
    assert not identity.is_member and identity.openid == "oAbC123"


def test_r06_oauth_wecom_down_is_unavailable_not_invalid(wecom_server, client):  # noqa: F811
    code = wecom_server.issue_code("lisi")
    wecom_server.down("error", status=502)
    with pytest.raises(WeComUnavailable):
        exchange_code(client, code)


@pytest.mark.parametrize("build", [qr_login_url, oauth_authorize_url])
def test_r06_signin_page_redirects_back_with_code_and_state(wecom_server, client, build):  # noqa: F811
    callback = "http://intranet.example.gov.cn/auth/wecom/callback?next=%2Fduties"
    url = build(client.config, callback, "s7Kq29")
    assert url.startswith(wecom_server.base_url)

    wecom_server.set_browser_user(None)
    page = requests.get(url, allow_redirects=False, timeout=2)
    assert page.status_code == 200 and "企业微信" in page.text

    wecom_server.set_browser_user("wangwu")
    answer = requests.get(url, allow_redirects=False, timeout=2)
    assert answer.status_code == 302
    location = requests.utils.urlparse(answer.headers["Location"])
    params = dict(p.split("=", 1) for p in location.query.split("&"))
    assert location.path == "/auth/wecom/callback" and params["next"] == "%2Fduties"
    assert params["state"] == "s7Kq29"
    assert exchange_code(client, params["code"]).userid == "wangwu"


def test_r06_signin_state_must_be_plain(client):
    with pytest.raises(ValueError):
        qr_login_url(client.config, "http://x/cb", "a/b")
    with pytest.raises(ValueError):
        oauth_authorize_url(client.config, "http://x/cb", "x" * 129)


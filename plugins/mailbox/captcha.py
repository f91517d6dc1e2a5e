"""A captcha that works offline (R-70): a small arithmetic question, its numbers
signed with itsdangerous (purpose salt, time-limited by the app clock) in a
hidden field. The server recomputes the answer from the signed numbers, so
nothing is kept between showing the form and receiving it. Each solved
question carries a nonce that is stored with the message it let through
(`mailbox_message.captcha_nonce`, unique), so one solution sends one message.

It keeps out careless bots, not determined ones; the per-address rate limit
does the rest."""
import secrets
import unicodedata

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from intranet import clock

SALT = "lanmu-mailbox-captcha"
MAX_AGE_SECONDS = 30 * 60
_WORDS = {"+": "加", "-": "减", "*": "乘以"}


class _ClockSigner(TimestampSigner):
    """Timestamps from the app clock (tests move it), not the wall clock."""
    def get_timestamp(self):
        return int(clock.now().timestamp())


def _serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT, signer=_ClockSigner)


def _answer(a, op, b):
    return a + b if op == "+" else a - b if op == "-" else a * b


def new_challenge():
    """(question text, signed token) for the form."""
    op = secrets.choice("+-*")
    if op == "*":
        a, b = secrets.randbelow(8) + 2, secrets.randbelow(8) + 2
    else:
        a, b = secrets.randbelow(20) + 1, secrets.randbelow(20) + 1
        if op == "-" and b > a:
            a, b = b, a
    token = _serializer().dumps({"a": a, "b": b, "op": op, "n": secrets.token_hex(8)})
    return question_of(a, op, b), token


def question_of(a, op, b):
    return f"{a} {_WORDS[op]} {b} 等于几？"


def question_for(token):
    """The question of a token (to show it again), or None if unreadable."""
    try:
        data = _serializer().loads(token, max_age=MAX_AGE_SECONDS)
    except (BadSignature, SignatureExpired, TypeError):
        return None
    return question_of(data["a"], data["op"], data["b"])


def verify(token, answer):
    """(nonce, None) when the answer is right, else (None, Chinese reason)."""
    try:
        data = _serializer().loads(token or "", max_age=MAX_AGE_SECONDS)
    except SignatureExpired:
        return None, "验证码已过期，请回答新的验证问题"
    except (BadSignature, TypeError):
        return None, "验证码无效，请回答新的验证问题"
    text = unicodedata.normalize("NFKC", answer or "").strip()
    try:
        given = int(text)
    except ValueError:
        return None, "请用数字回答验证问题"
    if given != _answer(data["a"], data["op"], data["b"]):
        return None, "验证问题回答错误，请重新计算"
    return data["n"], None

"""The HTTP front: signatures, malformed bodies, health, speed of the ack."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import time
from urllib.parse import urlencode, urlsplit

import pytest

from bot.devtools.simulate import sign
from tests.conftest import BO, CHANNEL, SIGNING_SECRET, Harness
from tests.e2e.journey import setup_pack


def _command_body(user: str = BO) -> bytes:
    return urlencode(
        {
            "team_id": "T0001",
            "channel_id": CHANNEL,
            "user_id": user,
            "command": "/checkin",
            "text": "",
            "trigger_id": "1.2.trigger",
            "api_app_id": "A0001",
        }
    ).encode()


def _rows(h: Harness) -> int:
    from sqlalchemy import func, select

    from bot.store.models import AnswerRow, PackRow, RoundRow

    with h.wolfpack.db.session() as s:
        return sum(
            s.scalar(select(func.count()).select_from(t)) or 0
            for t in (PackRow, RoundRow, AnswerRow)
        )


@pytest.mark.parametrize(
    "case", ["missing", "stale", "future", "tampered", "wrong_secret", "v1_prefix", "non_hex"]
)
def test_bad_signatures_get_401_and_change_nothing(bot: Harness, case: str) -> None:
    setup_pack(bot)
    rows, calls = _rows(bot), len(bot.fake.calls)
    body = _command_body()
    now = int(time.time())
    ts, sig = now, sign(SIGNING_SECRET, body, now)
    if case == "missing":
        sig = ""
    elif case == "stale":
        ts = now - 301
        sig = sign(SIGNING_SECRET, body, ts)
    elif case == "future":
        ts = now + 301
        sig = sign(SIGNING_SECRET, body, ts)
    elif case == "tampered":
        body = body.replace(b"user_id=UBO", b"user_id=UCY")
    elif case == "wrong_secret":
        sig = sign("another-secret", body, ts)
    elif case == "v1_prefix":
        sig = "v1=" + sig[3:]
    elif case == "non_hex":
        sig = sig[:-2] + "zz"
    reply = bot.side.post(body, "application/x-www-form-urlencoded", timestamp=ts, signature=sig)
    assert reply.status == 401
    assert _rows(bot) == rows
    assert len(bot.fake.calls) == calls


def _raw_post(h: Harness, body: bytes, headers: list[tuple[str, str]]) -> int:
    """Posts with exactly these header lines (a name may come twice), as no HTTP library
    that merges or checks headers would send them."""
    url = urlsplit(h.side.url)
    conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=30)
    try:
        conn.putrequest("POST", url.path, skip_accept_encoding=True)
        conn.putheader("Content-Type", "application/x-www-form-urlencoded")
        conn.putheader("Content-Length", str(len(body)))
        for name, value in headers:
            conn.putheader(name, value)
        conn.endheaders(body)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


@pytest.mark.parametrize(
    "case",
    [
        "duplicated_signature",
        "bad_then_good_signature",
        "good_then_bad_signature",
        "duplicated_timestamp",
        "stale_then_good_timestamp",
        "upper_case_hex",
        "empty_body_signed_for_another",
        "plus_signed_timestamp",
        "minus_zero_timestamp",
        "space_inside_timestamp",
        "space_before_timestamp",
    ],
)
def test_spoofed_headers_and_bodies_get_401_and_change_nothing(bot: Harness, case: str) -> None:
    setup_pack(bot)
    rows, calls = _rows(bot), len(bot.fake.calls)
    body = _command_body()
    now = int(time.time())
    ts, sig = str(now), sign(SIGNING_SECRET, body, now)
    signature, timestamp = [sig], [ts]
    if case == "duplicated_signature":
        signature = [sig, sig]
    elif case == "bad_then_good_signature":
        signature = ["v0=" + "0" * 64, sig]
    elif case == "good_then_bad_signature":
        signature = [sig, "v0=" + "0" * 64]
    elif case == "duplicated_timestamp":
        timestamp = [ts, ts]
    elif case == "stale_then_good_timestamp":
        timestamp = [str(now - 3600), ts]
    elif case == "upper_case_hex":
        signature = ["v0=" + sig[3:].upper()]
    elif case == "empty_body_signed_for_another":
        body = b""
    else:
        # A timestamp Slack never sends, signed over exactly as sent: still refused.
        timestamp = [
            {
                "plus_signed_timestamp": f"+{now}",
                "minus_zero_timestamp": f"-0{now}",
                "space_inside_timestamp": f"{ts[:5]} {ts[5:]}",
                "space_before_timestamp": f"  {now}",
            }[case]
        ]
        base = b"v0:" + timestamp[0].encode() + b":" + body
        signature = ["v0=" + hmac.new(SIGNING_SECRET.encode(), base, hashlib.sha256).hexdigest()]
    headers = [("X-Slack-Request-Timestamp", t) for t in timestamp]
    headers += [("X-Slack-Signature", s) for s in signature]
    assert _raw_post(bot, body, headers) == 401
    assert _rows(bot) == rows
    assert len(bot.fake.calls) == calls


def test_the_raw_sender_is_heard_when_its_headers_are_right(bot: Harness) -> None:
    """The requests above fail on their headers, not on how they are sent."""
    setup_pack(bot)
    body = _command_body()
    now = int(time.time())
    headers = [("X-Slack-Request-Timestamp", str(now))]
    headers += [("X-Slack-Signature", sign(SIGNING_SECRET, body, now))]
    opened = len(bot.fake.calls_to("views.open"))
    assert _raw_post(bot, body, headers) == 200
    assert len(bot.fake.calls_to("views.open")) == opened + 1


def test_checkin_is_answered_within_three_seconds_with_a_modal(bot: Harness) -> None:
    setup_pack(bot)
    reply, trigger = bot.side.command("/checkin", "", user=BO, channel=CHANNEL)
    assert reply.status == 200
    assert reply.elapsed < 3.0
    opened = bot.fake.calls_to("views.open")[-1]
    assert opened.args["trigger_id"] == trigger
    assert opened.args["view"]["callback_id"] == "checkin"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"payload=%7Bnot-json", "application/x-www-form-urlencoded"),
        (b'{"type": ', "application/json"),
        (b"[1, 2, 3]", "application/json"),
        (b"payload=%5B%5D", "application/x-www-form-urlencoded"),
        (b"hello=world", "application/x-www-form-urlencoded"),
        (b"\xff\xfe\x00bad", "application/x-www-form-urlencoded"),
        (
            b"payload=" + json.dumps({"type": "view_submission"}).encode(),
            "application/x-www-form-urlencoded",
        ),
    ],
)
def test_signed_malformed_bodies_get_400(bot: Harness, body: bytes, content_type: str) -> None:
    reply = bot.side.post(body, content_type)
    assert reply.status in (400,), reply.body


def test_unhandled_events_are_acknowledged(bot: Harness) -> None:
    reply = bot.side.event({"type": "reaction_added", "user": BO, "reaction": "wolf"})
    assert reply.status == 200


def test_url_verification(bot: Harness) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "abc123", "token": "x"}).encode()
    reply = bot.side.post(body, "application/json")
    assert reply.status == 200 and "abc123" in reply.body


def test_health(bot: Harness) -> None:
    import urllib.request

    url = bot.side.url.replace("/slack/events", "/healthz")
    with urllib.request.urlopen(url) as response:
        assert response.status == 200
        assert json.loads(response.read()) == {"status": "ok", "database": True}


def test_health_is_503_when_the_database_does_not_answer(bot: Harness) -> None:
    import io

    from bot.slack.http import SlackHttpApp
    from bot.store.db import SqlDatabase, make_engine

    unreachable = SqlDatabase(make_engine("postgresql://postgres@127.0.0.1:1/none"))
    front = SlackHttpApp(bot.wolfpack.bolt, SIGNING_SECRET, unreachable.ping)
    seen: list[str] = []
    environ = {"PATH_INFO": "/healthz", "REQUEST_METHOD": "GET", "wsgi.input": io.BytesIO()}
    body = b"".join(front(environ, lambda status, headers: seen.append(status)))
    assert seen == ["503 Service Unavailable"]
    assert json.loads(body) == {
        "status": "unavailable",
        "database": False,
        "reason": "the database does not answer",
    }
    unreachable.engine.dispose()

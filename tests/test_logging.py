"""configure_logging: one JSON object per line with the request id, and no Slack token or
secret in any line, whichever logger writes it and in either format."""

from __future__ import annotations

import io
import json
import logging
import threading
import time
import urllib.request
from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from bot.config import Settings, configure_logging
from bot.devtools.simulate import sign
from bot.logs import ContextThreadPoolExecutor, request_id
from tests.conftest import BO, SIGNING_SECRET, Harness

TOKEN = "xoxb-123-456-abc"
APP_TOKEN = "xapp-1-A111-222-abcdef"
FERNET_KEY = "q4KZp8nY0v3Gm3e5z7xJb2c9TtQ1uW6hR8sLkA0dEfI="
DB_PASSWORD = "s3cret-db-pass"


def settings(log_format: str, level: str = "DEBUG") -> Settings:
    # Built directly: every secret at once, which load_settings' cross-checks would refuse.
    return Settings(
        slack_bot_token=SecretStr("xoxb-9-9-configured"),
        slack_signing_secret=SecretStr(SIGNING_SECRET),
        slack_app_token=SecretStr(APP_TOKEN),
        slack_client_id="1.2",
        slack_client_secret=SecretStr("client-secret-0123"),
        wolfpack_encryption_key=SecretStr(FERNET_KEY),
        database_url=f"postgresql://wolf:{DB_PASSWORD}@db.example/wolfpack",
        log_format=log_format,
        log_level=level,
    )


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """configure_logging replaces the root handlers (pytest's own among them): put them back."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


def _leaky_lines() -> None:
    """What a careless library might log: tokens in URLs and dicts, secrets in exceptions."""
    logging.getLogger("slack_sdk.web.base_client").debug(
        "Sending a request - url: https://slack.com/api/auth.test?token=%s, body: %s",
        TOKEN,
        {"token": "xoxp-77-88-userToken", "client_secret": "client-secret-0123"},
    )
    logging.getLogger("slack_bolt.App").info("app token %s, refresh xoxe-1-abc", APP_TOKEN)
    logging.getLogger("bot.http").warning("bad signature with secret %s", SIGNING_SECRET)
    logging.getLogger("bot.store").info(
        "connecting to postgresql://wolf:%s@db.example with key %s", DB_PASSWORD, FERNET_KEY
    )
    try:
        raise RuntimeError(f"Slack said invalid_auth for {TOKEN}")
    except RuntimeError:
        logging.getLogger("bot.wiring").exception("call failed")
    logging.getLogger("bot.notifier").warning("rotated token xoxe.xoxb-1-rotating123")


SECRETS = (
    TOKEN,
    "xoxp-77-88-userToken",
    APP_TOKEN,
    "xoxe-1-abc",
    "xoxe.xoxb-1-rotating123",
    SIGNING_SECRET,
    "client-secret-0123",
    FERNET_KEY,
    DB_PASSWORD,
    "xoxb-9-9-configured",
)


@pytest.mark.usefixtures("restore_logging")
@pytest.mark.parametrize("log_format", ["text", "json"])
def test_tokens_and_secrets_never_reach_the_log(log_format: str) -> None:
    out = io.StringIO()
    configure_logging(settings(log_format), out)
    _leaky_lines()
    text = out.getvalue()
    assert text.count("[redacted]") >= 10
    for secret in SECRETS:
        assert secret not in text, secret
    lines = text.splitlines()
    assert any("Traceback" in line or "RuntimeError" in line for line in lines)


@pytest.mark.usefixtures("restore_logging")
def test_json_lines_have_the_fields() -> None:
    out = io.StringIO()
    configure_logging(settings("json", level="INFO"), out)
    log = logging.getLogger("bot.test")
    log.debug("below the level")
    log.info("plain line with %s", "args")
    token = request_id.set("abc123")
    try:
        log.warning("inside a request\nover two lines")
    finally:
        request_id.reset(token)
    try:
        1 / 0  # noqa: B018
    except ZeroDivisionError:
        log.exception("it broke")
    lines = out.getvalue().splitlines()
    entries = [json.loads(line) for line in lines]
    assert [e["message"] for e in entries] == [
        "plain line with args",
        "inside a request\nover two lines",
        "it broke",
    ]
    for entry in entries:
        assert entry["logger"] == "bot.test"
        assert entry["time"].endswith("+00:00") and "T" in entry["time"]
    assert [e["level"] for e in entries] == ["INFO", "WARNING", "ERROR"]
    assert [e.get("request_id") for e in entries] == [None, "abc123", None]
    assert "ZeroDivisionError" in entries[2]["exc_info"]
    assert "exc_info" not in entries[0]


@pytest.mark.usefixtures("restore_logging")
def test_text_lines_carry_the_request_id() -> None:
    out = io.StringIO()
    configure_logging(settings("text", level="INFO"), out)
    token = request_id.set("feedbeef")
    try:
        logging.getLogger("bot.test").info("in a request")
    finally:
        request_id.reset(token)
    logging.getLogger("bot.test").info("outside")
    inside, outside = out.getvalue().splitlines()
    assert inside.endswith("INFO bot.test [feedbeef]: in a request")
    assert outside.endswith("INFO bot.test: outside")


def test_the_context_pool_runs_tasks_with_the_request_id() -> None:
    seen: list[str | None] = []
    with ContextThreadPoolExecutor(max_workers=1) as pool:
        token = request_id.set("r1")
        try:
            pool.submit(lambda: seen.append(request_id.get())).result()
        finally:
            request_id.reset(token)
        pool.submit(lambda: seen.append(request_id.get())).result()
    assert seen == ["r1", None]


@pytest.mark.usefixtures("restore_logging")
def test_lines_logged_while_serving_a_request_carry_its_id(bot: Harness) -> None:
    out = io.StringIO()
    configure_logging(settings("json", level="INFO"), out)
    body = json.dumps(
        {
            "token": "unused",
            "team_id": "T0001",
            "api_app_id": "A0001",
            "type": "event_callback",
            "event_id": "EvLOG0001",
            "event_time": 1,
            "event": {"type": "reaction_added", "user": BO, "reaction": "wolf"},
        }
    ).encode()
    ids = []
    for _ in range(2):
        now = int(time.time())
        request = urllib.request.Request(
            bot.side.url,
            data=body,
            headers={
                "Content-Type": "application/json",
                "X-Slack-Request-Timestamp": str(now),
                "X-Slack-Signature": sign(SIGNING_SECRET, body, now),
            },
        )
        with urllib.request.urlopen(request) as response:
            assert response.status == 200
            ids.append(response.headers["X-Request-Id"])
    assert ids[0] != ids[1]
    entries = [json.loads(line) for line in out.getvalue().splitlines()]
    unhandled = [e for e in entries if "acknowledged" in e["message"]]
    assert len(unhandled) >= 2, entries
    assert {e.get("request_id") for e in unhandled} >= set(ids)
    # A line logged on another thread outside any request has none.
    thread = threading.Thread(target=lambda: logging.getLogger("bot.x").info("idle"))
    thread.start()
    thread.join()
    (idle,) = [json.loads(line) for line in out.getvalue().splitlines() if '"idle"' in line]
    assert "request_id" not in idle


def test_a_short_secret_does_not_shred_ordinary_words() -> None:
    from bot.logs import RedactingFilter

    redacting = RedactingFilter(["y", "pg", "s3cret-db-pass"])
    assert redacting.redact("types typed by pg at s3cret-db-pass") == (
        "types typed by pg at [redacted]"
    )

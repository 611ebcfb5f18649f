"""The shared Web API client: one opener for every call, over HTTP and HTTPS, with slack_sdk's
error handling and retries as they are."""

from __future__ import annotations

import copy
import ssl
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator

from bot.devtools.fake_slack import FakeSlack
from bot.slack.client import SharedWebClient, shared_ssl_context

TOKEN = "xoxb-test"
CHANNEL = "CTEAM"


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack(team_id="T0001") as server:
        server.add_user("UANA", name="Ana")
        server.add_channel(CHANNEL, members=["UANA"])
        yield server


def test_every_call_goes_through_one_opener(
    fake: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = SharedWebClient(token=TOKEN, base_url=fake.url, ssl=shared_ssl_context())
    built: list[Any] = []
    real = urllib.request.build_opener

    def counting(*handlers: Any) -> urllib.request.OpenerDirector:
        built.append(handlers)
        return real(*handlers)

    monkeypatch.setattr(urllib.request, "build_opener", counting)
    posted = client.chat_postMessage(channel=CHANNEL, text="one")
    client.chat_update(channel=CHANNEL, ts=posted["ts"], text="two")
    assert built == []
    assert [m["text"] for m in fake.messages(CHANNEL)] == ["two"]
    assert copy.deepcopy(client) is client


def test_errors_and_retries_are_slack_sdks(fake: FakeSlack) -> None:
    client = SharedWebClient(
        token=TOKEN,
        base_url=fake.url,
        ssl=shared_ssl_context(),
        retry_handlers=[
            RateLimitErrorRetryHandler(
                max_retry_count=1, interval_calculator=FixedValueRetryIntervalCalculator(0.01)
            )
        ],
    )
    fake.fail_next("chat.postMessage", status=429, retry_after=0)
    assert client.chat_postMessage(channel=CHANNEL, text="after a 429")["ok"]
    assert len(fake.calls_to("chat.postMessage")) == 2
    with pytest.raises(SlackApiError) as refused:
        client.chat_postMessage(channel="CNONE", text="nowhere")
    assert refused.value.response["error"] == "channel_not_found"


def test_https_with_the_given_context(tmp_path: Path) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            "-days", "1", "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(cert, key)
    with FakeSlack(ssl_context=server_context) as fake:
        trusted = ssl.create_default_context(cafile=str(cert))
        client = SharedWebClient(token=TOKEN, base_url=fake.url, ssl=trusted)
        assert client.auth_test()["ok"]
        assert client.auth_test()["ok"]
        untrusted = SharedWebClient(
            token=TOKEN, base_url=fake.url, ssl=shared_ssl_context(), retry_handlers=[]
        )
        with pytest.raises(urllib.error.URLError) as raised:
            untrusted.auth_test()
        assert isinstance(raised.value.reason, ssl.SSLCertVerificationError)

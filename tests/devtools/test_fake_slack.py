"""The fake Slack Web API, driven through the real slack_sdk WebClient."""

from __future__ import annotations

import datetime as dt
import http.client
import json
import re
import ssl
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator

from bot.devtools.fake_slack import Call, FakeSlack, load_known_methods

TOKEN = "xoxb-test"
CHANNEL = "CTEAM"
ANA, BO, CY = "UANA", "UBO", "UCY"
# What time it is for the fake's users: a winter Tuesday, standard time in Europe and the US.
WINTER = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack(team_id="T0001", bot_user_id="UBOT", clock=lambda: WINTER) as server:
        server.add_user(ANA, name="Ana", tz="Europe/Berlin", is_admin=True)
        server.add_user(BO, name="Bo", tz="America/Los_Angeles")
        server.add_user(CY, name="Cy", tz="Asia/Kolkata")
        server.add_channel(CHANNEL, name="team", members=[ANA, BO, CY])
        server.add_channel("COUT", name="outside", members=[ANA], bot_is_member=False)
        yield server


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(token=TOKEN, base_url=fake.url)


def error_of(call: pytest.ExceptionInfo[SlackApiError]) -> str:
    return str(call.value.response["error"])


def test_url_points_at_the_api_root(fake: FakeSlack) -> None:
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/api/", fake.url)


def test_auth_test(client: WebClient, fake: FakeSlack) -> None:
    answer = client.auth_test()
    assert answer["ok"] is True
    assert answer["user_id"] == "UBOT"
    assert answer["team_id"] == "T0001"
    assert answer["team"] == "Acme"
    assert answer["user"] == "wolfpack"
    assert answer["bot_id"] == "B0001"
    assert answer["is_enterprise_install"] is False
    [call] = fake.calls_to("auth.test")
    assert call.token == TOKEN
    assert isinstance(call, Call)


def test_users_info_reports_the_time_zone(client: WebClient) -> None:
    user = client.users_info(user=ANA)["user"]
    assert user["id"] == ANA
    assert user["tz"] == "Europe/Berlin"
    assert (user["tz_offset"], user["tz_label"]) == (3600, "CET")
    assert user["is_admin"] is True
    assert user["is_bot"] is False
    assert user["deleted"] is False
    assert user["profile"]["real_name"] == "Ana"
    assert user["team_id"] == "T0001"


@pytest.mark.parametrize(
    ("now", "berlin", "los_angeles"),
    [
        (WINTER, (3600, "CET"), (-28800, "PST")),
        # Between the US's spring change (2027-03-14) and Europe's: Los Angeles is on summer
        # time, Berlin not yet.
        (dt.datetime(2027, 3, 20, 12, 0, tzinfo=dt.UTC), (3600, "CET"), (-25200, "PDT")),
        # Either side of Europe's spring change, 01:00 UTC on 2027-03-28.
        (dt.datetime(2027, 3, 28, 0, 59, tzinfo=dt.UTC), (3600, "CET"), (-25200, "PDT")),
        (dt.datetime(2027, 3, 28, 1, 0, tzinfo=dt.UTC), (7200, "CEST"), (-25200, "PDT")),
    ],
)
def test_users_info_reports_the_utc_offset_of_the_moment(
    now: dt.datetime, berlin: tuple[int, str], los_angeles: tuple[int, str]
) -> None:
    with FakeSlack(clock=lambda: now) as fake:
        fake.add_user(ANA, name="Ana", tz="Europe/Berlin")
        fake.add_user(BO, name="Bo", tz="America/Los_Angeles")
        client = WebClient(token=TOKEN, base_url=fake.url)
        for user_id, (offset, label) in ((ANA, berlin), (BO, los_angeles)):
            user = client.users_info(user=user_id)["user"]
            assert (user["tz_offset"], user["tz_label"]) == (offset, label)


def test_users_info_for_an_unknown_user_raises(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as raised:
        client.users_info(user="UNOBODY")
    assert error_of(raised) == "user_not_found"


def test_users_list_includes_everyone(client: WebClient) -> None:
    answer = client.users_list()
    ids = {u["id"] for u in answer["members"]}
    assert {ANA, BO, CY, "UBOT"} <= ids
    assert answer["response_metadata"]["next_cursor"] == ""


def test_conversations_members_paginates(client: WebClient, fake: FakeSlack) -> None:
    # slack_sdk reuses one response object across pages, so read each page as it comes.
    pages = [
        list(page["members"]) for page in client.conversations_members(channel=CHANNEL, limit=2)
    ]
    assert pages == [[ANA, BO], [CY, "UBOT"]]
    first, second = fake.calls_to("conversations.members")
    assert "cursor" not in first.args
    assert second.args["cursor"] and not second.args["cursor"].isdigit()
    with pytest.raises(SlackApiError) as raised:
        client.conversations_members(channel=CHANNEL, cursor="bogus!")
    assert error_of(raised) == "invalid_cursor"


def test_conversations_info_and_join(client: WebClient) -> None:
    assert client.conversations_info(channel=CHANNEL)["channel"]["is_member"] is True
    outside = client.conversations_info(channel="COUT")["channel"]
    assert outside["name"] == "outside"
    assert outside["is_member"] is False
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="COUT", text="hi")
    assert error_of(raised) == "not_in_channel"
    client.conversations_join(channel="COUT")
    assert client.conversations_info(channel="COUT")["channel"]["is_member"] is True
    with pytest.raises(SlackApiError) as raised:
        client.conversations_info(channel="CNOPE")
    assert error_of(raised) == "channel_not_found"


def test_conversations_open_gives_a_stable_dm(client: WebClient, fake: FakeSlack) -> None:
    first = client.conversations_open(users=BO)["channel"]["id"]
    assert first == client.conversations_open(users=BO)["channel"]["id"] == "DUBO"
    client.chat_postMessage(channel=first, text="hello")
    client.chat_postMessage(channel=BO, text="again")
    assert [m["text"] for m in fake.messages(first)] == ["hello", "again"]
    with pytest.raises(SlackApiError) as raised:
        client.conversations_open(users="UNOBODY")
    assert error_of(raised) == "user_not_found"


def test_post_message_to_a_user_id_posts_in_the_apps_dm(client: WebClient, fake: FakeSlack) -> None:
    # As Slack: a user ID (U… or, on Enterprise Grid, W…) as the channel posts in the app's DM
    # with that user and answers with the DM's own channel ID.
    fake.add_user("W0GRID", name="Di", tz="UTC")
    sent = client.chat_postMessage(channel=BO, text="first")
    assert sent["channel"] == "DUBO" == client.conversations_open(users=BO)["channel"]["id"]
    client.chat_postMessage(channel=sent["channel"], text="second")
    assert [m["text"] for m in fake.messages("DUBO")] == ["first", "second"]
    assert client.chat_postMessage(channel="W0GRID", text="hi")["channel"] == "DW0GRID"
    for nobody in ("UNOBODY", "WNOBODY"):
        with pytest.raises(SlackApiError) as raised:
            client.chat_postMessage(channel=nobody, text="hi")
        assert error_of(raised) == "channel_not_found"


def test_post_then_update_is_reflected_in_messages(client: WebClient, fake: FakeSlack) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*one*"}}]
    sent = client.chat_postMessage(channel=CHANNEL, text="one", blocks=blocks)
    assert sent["channel"] == CHANNEL
    assert re.fullmatch(r"\d{10}\.\d{6}", sent["ts"])
    assert sent["message"]["blocks"] == blocks
    assert fake.calls_to("chat.postMessage")[0].args["blocks"] == blocks

    reply = client.chat_postMessage(channel=CHANNEL, text="reply", thread_ts=sent["ts"])
    assert float(reply["ts"]) > float(sent["ts"])

    new_blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*two*"}}]
    client.chat_update(channel=CHANNEL, ts=sent["ts"], text="two", blocks=new_blocks)
    parent, child = fake.messages(CHANNEL)
    assert (parent["ts"], parent["text"], parent["blocks"]) == (sent["ts"], "two", new_blocks)
    assert parent["thread_ts"] is None
    assert parent["user"] == "UBOT"
    assert child["thread_ts"] == sent["ts"]

    with pytest.raises(SlackApiError) as raised:
        client.chat_update(channel=CHANNEL, ts="1.000000", text="x")
    assert error_of(raised) == "message_not_found"

    client.chat_delete(channel=CHANNEL, ts=reply["ts"])
    assert [m["ts"] for m in fake.messages(CHANNEL)] == [sent["ts"]]


def test_post_message_checks_channel_and_content(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="CNOPE", text="hi")
    assert error_of(raised) == "channel_not_found"
    with pytest.raises(SlackApiError) as raised:
        client.api_call("chat.postMessage", params={"channel": CHANNEL})
    assert error_of(raised) == "no_text"
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel=CHANNEL, text="x", blocks=[{"type": "divider"}] * 51)
    assert error_of(raised) == "invalid_blocks"


def test_json_bodies_and_query_strings_are_read(client: WebClient, fake: FakeSlack) -> None:
    client.api_call(
        "chat.postMessage", json={"channel": CHANNEL, "text": "j", "blocks": [{"type": "divider"}]}
    )
    assert fake.messages(CHANNEL)[0]["blocks"] == [{"type": "divider"}]
    with urllib.request.urlopen(f"{fake.url}auth.test?token=xoxb-query") as answer:
        assert json.load(answer)["ok"] is True
        assert answer.headers["Content-Type"] == "application/json; charset=utf-8"
    assert fake.calls_to("auth.test")[-1].token == "xoxb-query"
    assert "token" not in fake.calls_to("auth.test")[-1].args


def test_ephemeral_messages_are_recorded(client: WebClient, fake: FakeSlack) -> None:
    answer = client.chat_postEphemeral(channel=CHANNEL, user=ANA, text="psst")
    assert fake.ephemerals[0]["ts"] == answer["message_ts"]
    with pytest.raises(SlackApiError) as raised:
        client.chat_postEphemeral(channel="COUT", user=BO, text="psst")
    assert error_of(raised) == "not_in_channel"


def test_views_open_then_update_by_external_id(client: WebClient, fake: FakeSlack) -> None:
    loading = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Setup"},
        "blocks": [{"type": "section", "text": {"type": "plain_text", "text": "Loading"}}],
        "external_id": "wp-1",
    }
    opened = client.views_open(trigger_id="1.2.trigger", view=loading)["view"]
    assert opened["id"].startswith("V")
    assert opened["external_id"] == "wp-1"
    assert opened["hash"]
    assert fake.calls_to("views.open")[0].args["view"] == loading

    ready = {**loading, "callback_id": "setup", "blocks": [{"type": "divider"}]}
    updated = client.views_update(external_id="wp-1", view=ready)["view"]
    assert updated["id"] == opened["id"]
    assert updated["callback_id"] == "setup"
    assert fake.views[opened["id"]]["blocks"] == [{"type": "divider"}]

    with pytest.raises(SlackApiError) as raised:
        client.views_update(view_id=opened["id"], hash="stale", view=ready)
    assert error_of(raised) == "hash_conflict"
    with pytest.raises(SlackApiError) as raised:
        client.views_update(external_id="wp-unknown", view=ready)
    assert error_of(raised) == "not_found"
    with pytest.raises(SlackApiError) as raised:
        client.views_open(trigger_id="1.2.trigger", view=loading)
    assert error_of(raised) == "exchanged_trigger_id"
    with pytest.raises(SlackApiError) as raised:
        client.views_open(trigger_id="", view=loading)
    assert error_of(raised) == "invalid_arguments"


def test_views_publish_stores_the_home_tab(client: WebClient, fake: FakeSlack) -> None:
    home = {"type": "home", "blocks": [{"type": "divider"}]}
    published = client.views_publish(user_id=ANA, view=home)["view"]
    assert fake.home_views[ANA]["id"] == published["id"]
    again = client.views_publish(user_id=ANA, view=home)["view"]
    assert again["id"] == published["id"]


def test_unknown_method_is_refused_and_recorded(client: WebClient, fake: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as raised:
        client.api_call("nonexistent.method")
    assert error_of(raised) == "unknown_method"
    assert [c.method for c in fake.unknown_method_calls] == ["nonexistent.method"]
    fake.reset_calls()
    assert fake.unknown_method_calls == [] and fake.calls == []


def test_known_methods_come_from_the_package_data() -> None:
    known = load_known_methods()
    assert {"chat.postMessage", "views.open", "files.completeUploadExternal"} <= known
    assert "nonexistent.method" not in known


def test_known_methods_can_be_narrowed() -> None:
    with FakeSlack(known_methods=["auth.test"]) as fake:
        client = WebClient(token=TOKEN, base_url=fake.url)
        assert client.auth_test()["ok"]
        with pytest.raises(SlackApiError):
            client.users_list()
        assert [c.method for c in fake.unknown_method_calls] == ["users.list"]


def test_tokens_are_checked() -> None:
    with FakeSlack(tokens=["xoxb-good"]) as fake:
        assert WebClient(token="xoxb-good", base_url=fake.url).auth_test()["ok"]
        with pytest.raises(SlackApiError) as raised:
            WebClient(token="xoxb-bad", base_url=fake.url).auth_test()
        assert error_of(raised) == "invalid_auth"
        with pytest.raises(SlackApiError) as raised:
            WebClient(base_url=fake.url).auth_test()
        assert error_of(raised) == "not_authed"


def test_rate_limit_is_honoured_by_the_retry_handler(client: WebClient, fake: FakeSlack) -> None:
    fake.fail_next("chat.postMessage", status=429, retry_after=1)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=1))
    started = time.monotonic()
    sent = client.chat_postMessage(channel=CHANNEL, text="eventually")
    assert sent["ok"]
    first, second = fake.calls_to("chat.postMessage")
    assert second.at - first.at >= 1
    assert time.monotonic() - started >= 1
    assert len(fake.messages(CHANNEL)) == 1


def test_rate_limit_without_retries_surfaces_retry_after(
    client: WebClient, fake: FakeSlack
) -> None:
    fake.fail_next("users.info", status=429, retry_after=7)
    with pytest.raises(SlackApiError) as raised:
        client.users_info(user=ANA)
    assert raised.value.response.status_code == 429
    assert raised.value.response.headers["Retry-After"] == "7"
    assert error_of(raised) == "ratelimited"
    assert client.users_info(user=ANA)["ok"]


def test_server_error_then_success_with_the_retry_handler(
    client: WebClient, fake: FakeSlack
) -> None:
    fake.fail_next("chat.postMessage", status=500)
    client.retry_handlers.append(
        ServerErrorRetryHandler(
            max_retry_count=1, interval_calculator=FixedValueRetryIntervalCalculator(0.01)
        )
    )
    assert client.chat_postMessage(channel=CHANNEL, text="after a 500")["ok"]
    assert len(fake.calls_to("chat.postMessage")) == 2
    assert len(fake.messages(CHANNEL)) == 1


def test_server_error_without_retries(client: WebClient, fake: FakeSlack) -> None:
    fake.fail_next("auth.test", status=503, times=2)
    for _ in range(2):
        with pytest.raises(SlackApiError) as raised:
            client.auth_test()
        assert raised.value.response.status_code == 503
    assert client.auth_test()["ok"]


def test_error_next_answers_ok_false(client: WebClient, fake: FakeSlack) -> None:
    fake.error_next("views.open", "expired_trigger_id", times=2)
    view = {"type": "modal", "title": {"type": "plain_text", "text": "x"}, "blocks": []}
    for trigger in ("t1", "t2"):
        with pytest.raises(SlackApiError) as raised:
            client.views_open(trigger_id=trigger, view=view)
        assert raised.value.response.status_code == 200
        assert error_of(raised) == "expired_trigger_id"
    assert client.views_open(trigger_id="t3", view=view)["ok"]


def test_fail_all_and_heal(client: WebClient, fake: FakeSlack) -> None:
    fake.fail_all()
    with pytest.raises(SlackApiError) as raised:
        client.auth_test()
    assert raised.value.response.status_code == 503
    fake.heal()
    assert client.auth_test()["ok"]


def test_files_upload_v2_round_trip(client: WebClient, fake: FakeSlack) -> None:
    content = b"\x89PNG fake chart bytes"
    answer = client.files_upload_v2(
        channel=CHANNEL,
        content=content,
        filename="chart.png",
        title="Round chart",
        initial_comment="This week",
    )
    file_id = answer["file"]["id"]
    stored = fake.uploaded_files[file_id]
    assert stored["content"] == content
    assert stored["length"] == len(content)
    assert stored["filename"] == "chart.png"
    assert stored["title"] == "Round chart"
    assert stored["channel"] == CHANNEL
    assert stored["initial_comment"] == "This week"
    [shared] = fake.messages(CHANNEL)
    assert shared["files"][0]["id"] == file_id
    assert shared["text"] == "This week"


def test_wait_for_sees_calls_from_other_threads(client: WebClient, fake: FakeSlack) -> None:
    # The poster cannot send until this thread is already waiting, so wait_for has to be woken
    # by the other thread's call rather than find it done on its first look.
    waiting = threading.Event()

    def post_once_waiting() -> None:
        waiting.wait(timeout=5)
        client.chat_postMessage(channel=ANA, text="from the other thread")

    poster = threading.Thread(target=post_once_waiting)
    poster.start()

    def posted(f: FakeSlack) -> bool:
        waiting.set()
        return len(f.messages(ANA)) == 1

    started = time.monotonic()
    fake.wait_for(posted, timeout=30)
    waited = time.monotonic() - started
    calls = fake.calls_to("chat.postMessage")
    messages = fake.messages(ANA)
    poster.join()
    # Woken by the call itself: a wait_for that only looked again at its deadline takes 30 s.
    assert waited < 10
    assert [c.args["text"] for c in calls] == ["from the other thread"]
    assert [m["text"] for m in messages] == ["from the other thread"]


def test_wait_for_times_out_with_a_summary(client: WebClient, fake: FakeSlack) -> None:
    client.auth_test()
    with pytest.raises(AssertionError, match=r"(?s)within 0\.05s.*auth\.test"):
        fake.wait_for(lambda f: bool(f.calls_to("chat.postMessage")), timeout=0.05)


def test_concurrent_posts_get_unique_increasing_ts(client: WebClient, fake: FakeSlack) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        sent = list(
            pool.map(lambda i: client.chat_postMessage(channel=CHANNEL, text=str(i)), range(40))
        )
    stamps = [s["ts"] for s in sent]
    assert len(set(stamps)) == 40
    stored = [m["ts"] for m in fake.messages(CHANNEL)]
    assert stored == sorted(stored, key=float)


def test_stop_is_quick_with_a_kept_alive_connection() -> None:
    fake = FakeSlack().start()
    conn = http.client.HTTPConnection("127.0.0.1", int(fake.url.split(":")[2].split("/")[0]))
    try:
        conn.request("POST", "/api/auth.test", headers={"Authorization": "Bearer xoxb-x"})
        assert json.loads(conn.getresponse().read())["ok"]
        started = time.monotonic()
        fake.stop()
        fake.stop()
        assert time.monotonic() - started < 1
    finally:
        conn.close()


def test_https(tmp_path: Path) -> None:
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
        assert fake.url.startswith("https://127.0.0.1:")
        client = WebClient(
            token=TOKEN, base_url=fake.url, ssl=ssl.create_default_context(cafile=str(cert))
        )
        assert client.auth_test()["ok"]
        fake.add_channel(CHANNEL)
        answer = client.files_upload_v2(channel=CHANNEL, content=b"tls", filename="a.txt")
        assert fake.uploaded_files[answer["file"]["id"]]["content"] == b"tls"
        with pytest.raises(urllib.error.URLError) as raised:
            WebClient(token=TOKEN, base_url=fake.url, retry_handlers=[]).auth_test()
        assert isinstance(raised.value.reason, ssl.SSLCertVerificationError)
        assert client.auth_test()["ok"]

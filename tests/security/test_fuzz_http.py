"""Random and malformed requests to `POST /slack/events`, unsigned and signed with the right
secret (a signed one gets past the signature check, into Bolt and the listeners, where a 500
would hide): never a 500, never a trace in an answer, the server healthy afterwards, and no
failure of Bolt's own (or waitress's) in the log. A listener's failure that `handled` catches
and answers with a reference is allowed. Most requests go to the WSGI app in-process, for
speed; a handful go over real HTTP, where waitress reads them first."""

from __future__ import annotations

import copy
import io
import itertools
import json
import logging
import os
import re
import socket
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bot.devtools.simulate import sign, state_of
from bot.slack.http import MAX_BODY, SlackHttpApp
from bot.slack.ids import Action, View
from tests.conftest import ANA, BO, CHANNEL, CY, SIGNING_SECRET, TEAM, Harness
from tests.e2e.journey import last_view, setup_pack

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
# What a Python failure looks like when it leaks into an answer.
TRACE = re.compile(r"Traceback|File \"|\w*(?:Error|Exception)\b|<object at|\bline \d+, in\b")
SUBSCRIBED = (
    "app_home_opened",
    "member_joined_channel",
    "member_left_channel",
    "user_change",
    "app_uninstalled",
    "tokens_revoked",
    "message",
    "app_mention",
)
KINDS = (
    "block_actions",
    "view_submission",
    "view_closed",
    "shortcut",
    "message_action",
    "block_suggestion",
    "interactive_message",
    "dialog_submission",
    "dialog_cancellation",
    "workflow_step_edit",
    "event_callback",
    "url_verification",
    "app_rate_limited",
    "no_such_kind",
)
COMMANDS = ("/checkin", "/direction", "/propose", "/consensus", "/wolfpack")
SUB_COMMANDS = (
    "",
    "help",
    "skip",
    "away 2026-12-20 2027-01-03",
    "away 2027-02-30 x",
    "back",
    "history",
    "history 3",
    "history 99999999999999999999999",
    "add Ship on Fridays",
    "list",
    "hide 1",
    "unhide 99999999999999999999999",
    "setup",
    "members",
    "settings",
    "decisions",
    "forget-me",
    "export",
    "Ship it --closes 3d",
    "Ship it --closes 99999d",
    "--closes",
    "payload",
)
CONTENT_TYPES = (
    FORM,
    JSON,
    "application/json; charset=utf-8",
    "application/JSON",
    "application/jsonx",
    "text/plain",
    "multipart/form-data; boundary=x",
    "",
)
# The same 200 examples on every run; WOLFPACK_FUZZ_EXAMPLES=3000 (say) for a longer, random one.
LONG_RUN = int(os.environ.get("WOLFPACK_FUZZ_EXAMPLES", "0"))
HYPOTHESIS = settings(
    max_examples=LONG_RUN or 200,
    deadline=None,
    derandomize=not LONG_RUN,
    database=None,
    phases=(Phase.explicit, Phase.generate, Phase.shrink),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# Each property test sends at least this many requests (a strategy that never draws fails).
AT_LEAST = 100
MISSING: Any = object()


def no_trace(text: str) -> bool:
    """Generated text never looks like a trace itself: the bot echoes some of what it is sent."""
    return not TRACE.search(text)


# --- strategies ------------------------------------------------------------------------------

# Form fields are UTF-8 (urlencode cannot carry a lone surrogate); a JSON string can (`\ud800`).
form_text = st.text(st.characters(codec="utf-8"), max_size=30).filter(no_trace)
json_text = st.text(st.characters() | st.characters(categories=["Cs"]), max_size=30).filter(
    no_trace
)
known_ids = st.sampled_from([TEAM, CHANNEL, ANA, BO, CY, "T0002", "CNOPE", "UNOPE", "", "0"])
ids = known_ids | json_text
numbers = st.integers(-(2**70), 2**70) | st.floats()
scalars = st.none() | st.booleans() | numbers | json_text | known_ids
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(json_text, inner, max_size=4),
    max_leaves=12,
)
action_ids = st.sampled_from([a.value for a in Action]) | json_text
callback_ids = st.sampled_from([v.value for v in View]) | json_text
values = (
    st.sampled_from(
        [
            "1",
            "1:agree",
            "1:block",
            "1:",
            ":agree",
            "x:y",
            "-1",
            "",
            "99999999999999999999999:agree",
        ]
    )
    | st.integers().map(str)
    | json_text
)


def maybe(right: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly the right kind of value; sometimes any JSON value, sometimes no key at all."""
    return st.one_of(right, right, right, json_values, st.just(MISSING))


def shaped(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(fields).map(
        lambda d: {k: v for k, v in d.items() if v is not MISSING}
    )


users = maybe(shaped(id=maybe(ids), team_id=maybe(ids), name=maybe(json_text)) | ids)
teams = maybe(shaped(id=maybe(ids), domain=maybe(json_text)) | ids)
authorizations = maybe(
    st.lists(
        shaped(team_id=maybe(ids), user_id=maybe(ids), is_bot=maybe(st.booleans())) | json_values,
        max_size=2,
    )
)
actions = shaped(
    type=maybe(st.sampled_from(["button", "static_select", "overflow"])),
    action_id=maybe(action_ids),
    block_id=maybe(json_text),
    value=maybe(values),
    selected_option=maybe(shaped(value=maybe(values))),
    action_ts=maybe(json_text),
)
state_values = st.dictionaries(
    json_text | st.sampled_from(["q:progress", "q:alignment", "members", "position", "reason"]),
    st.dictionaries(json_text, json_values, max_size=2) | json_values,
    max_size=4,
)
views = shaped(
    id=maybe(json_text),
    type=maybe(st.sampled_from(["modal", "home"])),
    callback_id=maybe(callback_ids),
    private_metadata=maybe(json_values.map(json.dumps) | json_text),
    state=maybe(shaped(values=maybe(state_values))),
    blocks=maybe(st.lists(json_values, max_size=3)),
    team_id=maybe(ids),
    hash=maybe(json_text),
)
interactive = shaped(
    type=maybe(st.sampled_from(KINDS) | json_text),
    team=teams,
    user=users,
    api_app_id=maybe(json_text),
    trigger_id=maybe(json_text),
    actions=maybe(st.lists(actions | json_values, max_size=3)),
    view=maybe(views),
    channel=maybe(shaped(id=maybe(ids)) | ids),
    container=maybe(
        shaped(type=maybe(json_text), channel_id=maybe(ids), message_ts=maybe(json_text))
    ),
    response_url=maybe(json_text),
    callback_id=maybe(callback_ids),
    action_id=maybe(action_ids),
    authorizations=authorizations,
    enterprise=maybe(json_values),
    is_enterprise_install=maybe(st.booleans()),
)
events = shaped(
    type=maybe(st.sampled_from(SUBSCRIBED) | json_text),
    user=users,
    channel=maybe(ids | shaped(id=maybe(ids))),
    team=maybe(ids),
    tab=maybe(st.sampled_from(["home", "messages"])),
    tokens=maybe(shaped(bot=maybe(st.lists(ids, max_size=2)), oauth=maybe(json_values))),
    ts=maybe(json_text),
    thread_ts=maybe(json_text),
    subtype=maybe(st.sampled_from(["thread_broadcast", "bot_message", "message_changed"])),
    bot_id=maybe(json_text),
    text=maybe(json_text),
    channel_type=maybe(st.sampled_from(["channel", "im", "C"])),
    view=maybe(views),
)
envelopes = shaped(
    token=maybe(json_text),
    team_id=maybe(ids),
    api_app_id=maybe(json_text),
    event=maybe(events),
    type=maybe(st.just("event_callback") | st.sampled_from(KINDS)),
    event_id=maybe(json_text),
    event_time=maybe(numbers),
    authorizations=authorizations,
    is_ext_shared_channel=maybe(st.booleans()),
    enterprise_id=maybe(ids),
    challenge=maybe(json_text),
)
_event_ids = itertools.count(1)


def fresh_event_id(envelope: dict[str, Any]) -> dict[str, Any]:
    """A string event_id made unique, as Slack's are (a repeated id is a redelivery: see
    tests/faults/test_event_retries.py)."""
    if isinstance(envelope.get("event_id"), str):
        envelope["event_id"] = f"{envelope['event_id']}.{next(_event_ids)}"
    return envelope


envelopes = envelopes.map(fresh_event_id)
command_fields = {
    "token": form_text,
    "team_id": known_ids | form_text,
    "team_domain": form_text,
    "channel_id": known_ids | form_text,
    "channel_name": form_text,
    "user_id": known_ids | form_text,
    "user_name": form_text,
    "command": st.sampled_from(COMMANDS) | form_text,
    "text": st.sampled_from(SUB_COMMANDS) | form_text,
    "api_app_id": form_text,
    "is_enterprise_install": st.sampled_from(["false", "true", ""]),
    "response_url": form_text,
    "trigger_id": form_text,
}


@st.composite
def command_forms(draw: st.DrawFn) -> list[tuple[str, str]]:
    """A slash command's form: each field present, missing or given twice, plus strangers."""
    pairs: list[tuple[str, str]] = []
    for key, right in command_fields.items():
        times = draw(st.sampled_from([1, 1, 1, 1, 0, 2]))
        pairs += [(key, draw(right)) for _ in range(times)]
    pairs += draw(st.lists(st.tuples(form_text, form_text), max_size=2))
    return draw(st.permutations(pairs)) if draw(st.booleans()) else pairs


json_commands = st.fixed_dictionaries(
    {key: maybe(right) for key, right in command_fields.items()}
).map(lambda d: {k: v for k, v in d.items() if v is not MISSING})


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place in a JSON value, but not inside a view's blocks (the listeners read a view's
    state and metadata; its blocks are what the bot itself sent)."""
    if prefix:
        yield prefix
    if prefix[-2:] == ("view", "blocks"):
        return
    if isinstance(node, dict):
        for key, child in node.items():
            yield from paths(child, (*prefix, key))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from paths(child, (*prefix, index))


def mutated(template: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """A real request with up to three places replaced by any JSON value, or removed."""
    places = sorted(paths(template), key=repr)

    def apply(changes: list[tuple[tuple[Any, ...], Any]]) -> dict[str, Any]:
        out = copy.deepcopy(template)
        for path, value in changes:
            node: Any = out
            for key in path[:-1]:
                if not isinstance(node, dict | list):
                    break
                try:
                    node = node[key]
                except (KeyError, IndexError, TypeError):
                    break
            else:
                if isinstance(node, dict):
                    if value is MISSING:
                        node.pop(path[-1], None)
                    else:
                        node[path[-1]] = value
                elif isinstance(node, list) and isinstance(path[-1], int) and path[-1] < len(node):
                    if value is MISSING:
                        del node[path[-1]]
                    else:
                        node[path[-1]] = value
        return out

    return st.lists(
        st.tuples(st.sampled_from(places), json_values | values | st.just(MISSING)),
        min_size=1,
        max_size=3,
    ).map(apply)


# --- the app under test ----------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    body: bytes


@dataclass
class Fuzz:
    """The bot with a pack, statements and an open proposal, and the real requests that reach
    them (clicks on the proposal's buttons, submissions of the modals the bot opened)."""

    h: Harness
    app: SlackHttpApp
    templates: dict[str, dict[str, Any]] = field(default_factory=dict)
    sent: int = 0

    def post(
        self,
        body: bytes,
        content_type: str = FORM,
        *,
        timestamp: str | None = None,
        signature: str | None = None,
        length: str | None = None,
        path: str = "/slack/events",
        method: str = "POST",
    ) -> Answer:
        """Calls the front as waitress would, signed unless `signature` says otherwise; an
        exception out of the front would be waitress's 500."""
        now = int(time.time())
        environ: dict[str, Any] = {
            "PATH_INFO": path,
            "REQUEST_METHOD": method,
            "QUERY_STRING": "",
            "CONTENT_TYPE": content_type,
            "CONTENT_LENGTH": str(len(body)) if length is None else length,
            "wsgi.input": io.BytesIO(body),
            "HTTP_X_SLACK_REQUEST_TIMESTAMP": str(now) if timestamp is None else timestamp,
            "HTTP_X_SLACK_SIGNATURE": sign(SIGNING_SECRET, body, now)
            if signature is None
            else signature,
        }
        statuses: list[str] = []

        def start_response(status: str, headers: list[tuple[str, str]], *exc: Any) -> None:
            statuses.append(status)

        self.sent += 1
        data = b"".join(self.app(environ, start_response))
        assert len(statuses) == 1, statuses
        return Answer(int(statuses[0].split(" ", 1)[0]), data)

    def form(self, payload: Any) -> Answer:
        return self.post(urlencode({"payload": json.dumps(payload)}).encode())

    def json(self, payload: Any) -> Answer:
        return self.post(json.dumps(payload).encode(), JSON)


def expect(answer: Answer, allowed: tuple[int, ...]) -> None:
    text = answer.body.decode("utf-8", "replace")
    assert answer.status in allowed, (answer.status, text[:300])
    assert not TRACE.search(text), text[:300]


def _command(command: str, text: str, user: str = BO) -> dict[str, str]:
    return {
        "team_id": TEAM,
        "channel_id": CHANNEL,
        "user_id": user,
        "command": command,
        "text": text,
        "trigger_id": "9.9.trigger",
        "api_app_id": "A0001",
    }


def fuzz_setup(h: Harness) -> Fuzz:
    setup_pack(h)
    fuzz = Fuzz(h, h.wolfpack.http_app())
    for text in ("Ship on Fridays", "Write the docs first"):
        reply, _ = h.side.command("/direction", f"add {text}", user=BO, channel=CHANNEL)
        assert "Added" in reply.body, reply.body
    reply, _ = h.side.command(
        "/propose", "Keep the CLI small --closes 3d", user=ANA, channel=CHANNEL
    )
    assert "posted" in reply.body, reply.body
    h.fake.wait_for(lambda f: any(m.get("blocks") for m in f.messages(CHANNEL)))
    posted = next(m for m in h.fake.messages(CHANNEL) if m.get("blocks"))
    buttons = [e for b in posted["blocks"] if b["type"] == "actions" for e in b["elements"]]
    agree = next(e for e in buttons if str(e.get("value", "")).endswith(":agree"))
    fuzz.templates["click"] = {
        "type": "block_actions",
        "team": {"id": TEAM, "domain": "acme"},
        "user": {"id": CY, "team_id": TEAM},
        "api_app_id": "A0001",
        "trigger_id": "1.1.trigger",
        "actions": [
            {
                "type": "button",
                "action_id": agree["action_id"],
                "block_id": "b",
                "value": agree["value"],
                "action_ts": "1.0",
            }
        ],
        "channel": {"id": CHANNEL},
        "container": {"type": "message", "channel_id": CHANNEL, "message_ts": posted["ts"]},
    }
    h.side.command("/checkin", "", user=BO, channel=CHANNEL)
    h.side.command("/direction", "", user=CY, channel=CHANNEL)
    modals = {
        "checkin": last_view(h, "views.open", View.CHECKIN),
        "direction": last_view(h, "views.open", View.DIRECTION),
        "setup": last_view(h, "views.update", View.SETUP),
    }
    for name, view in modals.items():
        fuzz.templates[name] = {
            "type": "view_submission",
            "team": {"id": TEAM, "domain": "acme"},
            "user": {"id": ANA if name == "setup" else BO, "team_id": TEAM},
            "api_app_id": "A0001",
            "trigger_id": "2.2.trigger",
            "view": {**view, "id": "V1", "team_id": TEAM, "state": {"values": state_of(view)}},
        }
    return fuzz


@pytest.fixture
def fuzz(bot: Harness, caplog: pytest.LogCaptureFixture) -> Fuzz:
    caplog.set_level(logging.WARNING)
    return fuzz_setup(bot)


def healthy_and_quiet(fuzz: Fuzz, caplog: pytest.LogCaptureFixture) -> None:
    """The server still answers, in-process and over HTTP; once the work queued after answers
    has run, nothing but `handled` (a listener's failure, answered with a reference) logged an
    error: not Bolt, not waitress, not the front."""
    assert fuzz.post(b"", path="/healthz", method="GET").status == 200
    url = fuzz.h.side.url.replace("/slack/events", "/healthz")
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.status == 200
    fuzz.h.wolfpack.executor.shutdown(wait=True)
    failures = [
        f"{r.name}: {r.getMessage()}"
        for r in caplog.records
        if r.levelno >= logging.ERROR and r.name != "bot.slack"
    ]
    assert failures == [], failures[:5]


# --- in-process ------------------------------------------------------------------------------


def test_unsigned_noise_is_refused_without_reading_it(
    fuzz: Fuzz, caplog: pytest.LogCaptureFixture
) -> None:
    calls = len(fuzz.h.fake.calls)
    latin1 = st.text(st.characters(max_codepoint=255), max_size=80)
    near = st.text(st.characters(max_codepoint=255), min_size=64, max_size=64).map(
        lambda s: "v0=" + s
    )
    digits = st.text(st.characters(categories=("Nd", "No")), min_size=1, max_size=8)

    @HYPOTHESIS
    @given(
        body=st.binary(max_size=300) | command_forms().map(lambda p: urlencode(p).encode()),
        content_type=st.sampled_from(CONTENT_TYPES) | latin1,
        timestamp=st.none() | latin1 | digits | st.sampled_from(["²", "9" * 5000, "-1", "0"]),
        signature=latin1 | near | st.just("v0=" + "é" * 64),
        length=st.none() | st.sampled_from(["", "-1", "abc", "1e3", str(MAX_BODY + 1)]) | latin1,
    )
    def example(
        body: bytes, content_type: str, timestamp: str | None, signature: str, length: str | None
    ) -> None:
        answer = fuzz.post(
            body, content_type, timestamp=timestamp, signature=signature, length=length
        )
        expect(answer, (400, 401, 413))

    example()
    assert fuzz.sent >= AT_LEAST
    assert len(fuzz.h.fake.calls) == calls
    healthy_and_quiet(fuzz, caplog)


def test_signed_interactive_payloads_of_any_shape(
    fuzz: Fuzz, caplog: pytest.LogCaptureFixture
) -> None:
    @HYPOTHESIS
    @given(payload=interactive | json_values)
    def example(payload: Any) -> None:
        expect(fuzz.form(payload), (200, 400))

    example()
    assert fuzz.sent >= AT_LEAST
    healthy_and_quiet(fuzz, caplog)


def test_signed_real_clicks_and_submissions_with_parts_changed(
    fuzz: Fuzz, caplog: pytest.LogCaptureFixture
) -> None:
    strategies = [mutated(t) for t in fuzz.templates.values()]

    @HYPOTHESIS
    @given(payload=st.one_of(strategies), as_json=st.booleans())
    def example(payload: dict[str, Any], as_json: bool) -> None:
        expect(fuzz.json(payload) if as_json else fuzz.form(payload), (200, 400))

    example()
    assert fuzz.sent >= AT_LEAST
    # The unchanged requests still work after all that.
    assert fuzz.form(fuzz.templates["click"]).status == 200
    healthy_and_quiet(fuzz, caplog)


def test_signed_slash_commands_with_missing_duplicated_and_wrong_fields(
    fuzz: Fuzz, caplog: pytest.LogCaptureFixture
) -> None:
    @HYPOTHESIS
    @given(form=command_forms(), as_json=json_commands, pick=st.booleans())
    def example(form: list[tuple[str, str]], as_json: dict[str, Any], pick: bool) -> None:
        answer = fuzz.json(as_json) if pick else fuzz.post(urlencode(form).encode())
        expect(answer, (200, 400))

    example()
    assert fuzz.sent >= AT_LEAST
    healthy_and_quiet(fuzz, caplog)


def test_signed_events_of_every_subscribed_type_with_wrong_fields(
    fuzz: Fuzz, caplog: pytest.LogCaptureFixture
) -> None:
    @HYPOTHESIS
    @given(envelope=envelopes, content_type=st.sampled_from([JSON, JSON, FORM, "text/plain"]))
    def example(envelope: dict[str, Any], content_type: str) -> None:
        expect(fuzz.post(json.dumps(envelope).encode(), content_type), (200, 400))

    example()
    assert fuzz.sent >= AT_LEAST
    healthy_and_quiet(fuzz, caplog)


def test_signed_bytes_forms_and_content_types(fuzz: Fuzz, caplog: pytest.LogCaptureFixture) -> None:
    """Whatever the bytes, the content type or the Content-Length says: a signed body that is
    cut short by a lying length fails the signature (401)."""
    pieces = st.sampled_from(
        ["payload=", "%7B", "{", "}", "[", "&", "=", "%", "%ff", "\xff", "type", "command=/checkin"]
    )
    stitched = st.lists(pieces | form_text, max_size=8).map(lambda p: "".join(p).encode())

    @HYPOTHESIS
    @given(
        body=st.binary(max_size=300) | stitched,
        content_type=st.sampled_from(CONTENT_TYPES),
        lie=st.none() | st.integers(-5, 400),
    )
    def example(body: bytes, content_type: str, lie: int | None) -> None:
        length = None if lie is None else str(lie)
        expect(fuzz.post(body, content_type, length=length), (200, 400, 401))

    example()
    assert fuzz.sent >= AT_LEAST
    healthy_and_quiet(fuzz, caplog)


def test_bodies_at_and_over_the_size_limit(fuzz: Fuzz, caplog: pytest.LogCaptureFixture) -> None:
    def event_of(size: int) -> bytes:
        head = {"type": "event_callback", "team_id": TEAM, "event_id": "EvBIG", "token": "x"}
        head["event"] = {"type": "app_mention", "user": BO, "channel": CHANNEL, "text": ""}
        base = len(json.dumps(head).encode())
        head["event"]["text"] = "w" * (size - base)
        body = json.dumps(head).encode()
        assert len(body) == size
        return body

    for size in (MAX_BODY - 1, MAX_BODY):
        expect(fuzz.post(event_of(size), JSON), (200,))
    expect(fuzz.post(event_of(MAX_BODY + 1), JSON), (413,))
    # The length is read before the body: a huge claim is refused without reading anything.
    expect(fuzz.post(b"{}", JSON, length=str(10 * MAX_BODY)), (413,))
    huge = urlencode({**_command("/direction", "add " + "big " * 200_000)}).encode()
    assert len(huge) < MAX_BODY
    expect(fuzz.post(huge), (200,))
    healthy_and_quiet(fuzz, caplog)


def test_deep_nesting_bad_utf8_and_lone_surrogates(
    fuzz: Fuzz, caplog: pytest.LogCaptureFixture
) -> None:
    deep_list = b'{"type": "event_callback", "event_id": "E", "event": ' + b"[" * 100_000
    deep_objects = b'{"a": ' * 50_000 + b"1" + b"}" * 50_000
    # Deep enough to parse, and to make Bolt's own id lookups (a recursion) run out of stack.
    chain = {"type": "app_mention"}
    for _ in range(900):
        chain = {"type": "app_mention", "event": chain}
    events = json.dumps({"type": "event_callback", "event_id": "E", "event": chain})
    chained = events.encode()
    for body, content_type in (
        (deep_list, JSON),
        (deep_objects, JSON),
        (b"payload=" + b"%5B" * 100_000, FORM),
        (chained, JSON),
        (b"\xff\xfe\x00bad", FORM),
        (b'{"type": "url_verification", "challenge": "\xc3"}', JSON),
        (
            '{"type": "url_verification", "challenge": "\ud800"}'.encode("utf-8", "surrogatepass"),
            JSON,
        ),
        (b"a=1&&b", FORM),
    ):
        answer = fuzz.post(body, content_type)
        expect(answer, (200, 400))
        # Only the chain is a body Slack could send; Bolt reads it or the front refuses it.
        assert answer.status == 400 or body == chained, answer
    # A lone surrogate, which JSON can carry and UTF-8 cannot, echoed in the answer.
    command = {**_command("/checkin", "x\ud800y"), "user_id": ANA}
    answer = fuzz.json(command)
    expect(answer, (200,))
    assert "x?y" in answer.body.decode()
    healthy_and_quiet(fuzz, caplog)


def test_a_command_that_says_payload_is_answered(fuzz: Fuzz) -> None:
    """Bolt reads any form mentioning "payload" as an interactive payload and, finding none,
    hands no listener the command: it went unanswered."""
    answer = fuzz.post(urlencode(_command("/direction", "add Change the payload format")).encode())
    assert answer.status == 200
    assert "Added" in answer.body.decode() and "payload format" in answer.body.decode()
    answer = fuzz.post(urlencode(_command("/checkin", "help", user="Upayload")).encode())
    assert answer.status == 200 and "/checkin" in answer.body.decode()


# --- over real HTTP --------------------------------------------------------------------------


def _raw(url: str, request: bytes, *, close_write: bool = False) -> bytes:
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(request)
        if close_write:
            sock.shutdown(socket.SHUT_WR)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                break
            if not chunk:
                break
            chunks.append(chunk)
            if close_write is False and b"\r\n\r\n" in b"".join(chunks):
                head, _, rest = b"".join(chunks).partition(b"\r\n\r\n")
                found = re.search(rb"Content-Length: (\d+)", head)
                if found and len(rest) >= int(found.group(1)):
                    break
        return b"".join(chunks)


def _request(body: bytes, headers: dict[str, bytes]) -> bytes:
    lines = [b"POST /slack/events HTTP/1.1", b"Host: 127.0.0.1"]
    lines += [k.encode() + b": " + v for k, v in headers.items()]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def _statuses(raw: bytes) -> list[int]:
    return [int(s) for s in re.findall(rb"HTTP/1\.[01] (\d{3}) ", raw)]


def test_over_http_lying_lengths_chunks_and_latin1_headers(
    fuzz: Fuzz, caplog: pytest.LogCaptureFixture
) -> None:
    url = fuzz.h.side.url
    body = urlencode(_command("/checkin", "help")).encode()
    ts = str(int(time.time()))
    good = {
        "Content-Type": FORM.encode(),
        "X-Slack-Request-Timestamp": ts.encode(),
        "X-Slack-Signature": sign(SIGNING_SECRET, body, int(ts)).encode(),
    }
    # The honest request, for comparison.
    raw = _raw(url, _request(body, {**good, "Content-Length": str(len(body)).encode()}))
    assert _statuses(raw) == [200] and b"/checkin" in raw
    # A length shorter than the body: the rest is read as a next request, which is garbage.
    raw = _raw(url, _request(body, {**good, "Content-Length": b"10"}))
    assert _statuses(raw)[:1] == [401] and 500 not in _statuses(raw), raw[:300]
    # A length longer than the body, then the connection half-closed: nothing is served.
    raw = _raw(
        url, _request(body, {**good, "Content-Length": b"%d" % (len(body) + 50)}), close_write=True
    )
    assert 500 not in _statuses(raw) and 200 not in _statuses(raw), raw[:300]
    # A length that is not a number; two lengths that disagree.
    for lengths in ([b"ten"], [b"%d" % len(body), b"5"]):
        headers = b"".join(b"Content-Length: " + v + b"\r\n" for v in lengths)
        request = _request(body, good).replace(b"\r\n\r\n", b"\r\n" + headers + b"\r\n", 1)
        statuses = _statuses(_raw(url, request, close_write=True))
        assert statuses and all(s in (400, 401) for s in statuses), statuses
    # Chunked: waitress puts the chunks together; the signature holds over the whole body.
    chunked = b"%x\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n" % (20, body[:20], len(body) - 20, body[20:])
    raw = _raw(url, _request(chunked, {**good, "Transfer-Encoding": b"chunked"}))
    assert _statuses(raw) == [200] and b"/checkin" in raw, raw[:300]
    # Header values are Latin-1: ones that broke the signature check before any reading.
    for timestamp, signature in (
        ("²".encode("latin-1"), good["X-Slack-Signature"]),
        (b"9" * 5000, good["X-Slack-Signature"]),
        (ts.encode(), b"v0=" + "é".encode("latin-1") * 64),
        (ts.encode(), b"v0=" + b"\xff" * 64),
    ):
        headers = {
            **good,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": signature,
            "Content-Length": str(len(body)).encode(),
        }
        raw = _raw(url, _request(body, headers))
        assert _statuses(raw) == [401], raw[:300]
    healthy_and_quiet(fuzz, caplog)


def test_over_http_signed_noise_and_size_limits(
    fuzz: Fuzz, caplog: pytest.LogCaptureFixture
) -> None:
    side = fuzz.h.side

    @settings(HYPOTHESIS, max_examples=max(15, LONG_RUN // 10))
    @given(
        body=st.binary(max_size=200)
        | interactive.map(lambda p: urlencode({"payload": json.dumps(p)}).encode())
        | envelopes.map(lambda e: json.dumps(e).encode()),
        content_type=st.sampled_from(CONTENT_TYPES[:3]),
    )
    def example(body: bytes, content_type: str) -> None:
        reply = side.post(body, content_type)
        assert reply.status in (200, 400), (reply.status, reply.body[:300])
        assert not TRACE.search(reply.body), reply.body[:300]

    example()
    big = b"x=" + b"y" * (MAX_BODY - 2)
    assert side.post(big, FORM).status == 400
    assert side.post(big + b"y", FORM).status == 413
    healthy_and_quiet(fuzz, caplog)

"""Hostile text in every field a person can fill (and in display names, which Slack reports)
reaches Slack only as text: never a broadcast, a mention, a channel link or a link, never escaped
twice, never shown with escape entities in plain text, never cut inside an escape.

Each test drives the real app through signed requests on one harness, one hypothesis example
after another, and scans every Web API call and every direct answer of the example with
tests/security/scan.py."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bot.core.packs import PRIORITY_MAX, QUESTION_MAX, TEXT_ANSWER_MAX
from bot.core.proposals import PROPOSAL_MAX
from bot.core.proposals import REASON_MAX as PROPOSAL_REASON_MAX
from bot.core.statements import REASON_MAX, STATEMENT_MAX, normalize
from bot.devtools.fake_slack import Call
from bot.devtools.simulate import Reply, Value, mention, rich_text
from tests.conftest import ANA, BO, CHANNEL, CY, Harness
from tests.e2e.journey import full_enough
from tests.security.scan import Scanner, call_texts, reply_texts

TOKENS = (
    "<!channel>",
    "<!here|x>",
    "<!everyone>",
    "<!subteam^S1>",
    "<!subteam^S1|@team>",
    "<@U123>",
    "<@W123|x>",
    "<#C1>",
    "<#C1|general>",
    "<https://evil.example|ok>",
    "<mailto:a@b.c|x>",
    "&lt;!channel&gt;",
    "&amp;",
    "*bold*",
    "`code`",
    "> quoted",
    # Invisible and right-to-left characters inside the tokens: escaping must not depend on
    # what a token looks like.
    "<!chan\u200bnel>",
    "<\u202e!channel>",
    "<!every\u2060one>",
    "<@U1\u200d23>",
    "<\ufeff#C1|general>",
    "\u2066<!here>\u2069",
    "<https://evil.example\u2067|ok\u2069>",
    "<!subteam^S1\u2068|@team>",
    "&\u200blt;!channel&gt;",
)
WORDS = ("ship", "the", "CLI", "first", "docs", "team", "&", "<", ">", "|", "\n")
# Whatever a keyboard or a paste produces, but no lone surrogates (JSON cannot carry them) and
# no control characters other than the line break.
CHARACTERS = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")) | st.just("\n")


def hostile() -> st.SearchStrategy[str]:
    """Tokens Slack would parse, ordinary words and any characters, mixed; one time in three
    about 10,000 characters."""
    piece = (
        st.sampled_from(TOKENS)
        | st.sampled_from(WORDS)
        | st.text(CHARACTERS, min_size=1, max_size=12)
        | st.text("<>&|!@#^ ab", min_size=1, max_size=6)
    )
    short = st.lists(piece, min_size=1, max_size=14).map(" ".join)
    long = st.lists(st.sampled_from(TOKENS + WORDS), min_size=2, max_size=6).map(
        lambda parts: (" ".join(parts) + " ") * (10_000 // (len(" ".join(parts)) + 1) + 1)
    )
    return st.one_of(short, short, long)


def fit(text: str, limit: int, *, one_line: bool = False) -> str:
    """What an input with `max_length` `limit` lets through, with at least one word in it (an
    empty answer is another path, tested elsewhere)."""
    if one_line:
        text = " ".join(text.split())
    text = text[:limit]
    return text if normalize(text) else f"plain words {text}"[:limit]


def unique(text: str, n: int, limit: int) -> str:
    """A statement no earlier example added (statements that say the same thing are folded)."""
    return f"{text[: limit - 8]} s{n}"


def examples(n: int) -> settings:
    """`n` examples, the same on every run (derandomized), without shrinking: the harness keeps
    its state from one example to the next, so a failure is reported as it happened."""
    return settings(
        max_examples=n,
        deadline=None,
        derandomize=True,
        database=None,
        phases=(Phase.explicit, Phase.generate),
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


class Session:
    """One harness whose traffic is scanned example by example: every call made since
    `begin`, and every answer the bot gave a request directly."""

    def __init__(self, h: Harness) -> None:
        self.h = h
        self.scanner = Scanner(member_ids={ANA, BO, CY}, channel_ids={CHANNEL})
        self.replies: list[tuple[str, str]] = []
        self.start = 0

    def begin(self) -> None:
        self.scanner.begin()
        self.replies = []
        self.start = len(self.h.fake.calls)

    def typed(self, *texts: str) -> None:
        self.scanner.typed(*texts)

    def command(self, user: str, command: str, text: str) -> dict[str, Any]:
        self.typed(text)
        reply, _ = self.h.side.command(command, text, user=user, channel=CHANNEL)
        assert reply.status == 200, reply.body
        self.replies.append((f"{command} {text[:30]!r}", reply.body))
        return reply.message()

    def submit(self, view: dict[str, Any], user: str, values: dict[str, Value]) -> Reply:
        self.typed(*[v for v in values.values() if isinstance(v, str)])
        reply = self.h.side.submit(view, user=user, values=values)
        assert reply.status == 200, reply.body
        self.replies.append((f"submit {view.get('callback_id')}", reply.body))
        return reply

    def opened(self, before: int, method: str = "views.open") -> dict[str, Any]:
        """The view of the first `method` call after the first `before` of them."""
        self.h.fake.wait_for(lambda f: len(f.calls_to(method)) > before)
        view: dict[str, Any] = self.h.fake.calls_to(method)[before].args["view"]
        return view

    def wait(self, what: Callable[[], bool]) -> None:
        self.h.fake.wait_for(lambda _: what())

    def check(self) -> None:
        texts = [t for c in self.h.fake.calls[self.start :] for t in call_texts(c.method, c.args)]
        for where, body in self.replies:
            texts += reply_texts(body, where)
        problems = self.scanner.problems(texts)
        assert problems == [], "\n".join(dict.fromkeys(problems))
        # The hostile text went out, escaped: the scan had something to look at.
        assert any(t.kind == "mrkdwn" and "&lt;" in t.text for t in texts)


def posts_to(h: Harness, channel: str, since: int) -> list[dict[str, Any]]:
    return [
        c.args
        for c in h.fake.calls[since:]
        if c.method == "chat.postMessage" and c.args.get("channel") == channel
    ]


def top_level(h: Harness, starts: str) -> list[dict[str, Any]]:
    return [
        m
        for m in h.fake.messages(CHANNEL)
        if m.get("text", "").startswith(starts) and not m.get("thread_ts")
    ]


def buttons(message: dict[str, Any]) -> dict[str, str]:
    """`action_id:label` -> value, for a message's buttons."""
    return {
        f"{e['action_id']}:{e['text']['text']}": e.get("value", "")
        for b in message.get("blocks", [])
        if b["type"] == "actions"
        for e in b["elements"]
    }


def rename(h: Harness, user: str, name: str, tz: str) -> None:
    """The member changes their display name: Slack says so with `user_change`, and
    `users.info` answers with the new name from then on."""
    h.fake.add_user(user, name=name, tz=tz)
    person = {"id": user, "name": user.lower(), "tz": tz, "profile": {"display_name": name}}
    assert h.side.event({"type": "user_change", "user": person}).status == 200


def setup(s: Session, values: dict[str, Value]) -> None:
    before = len(s.h.fake.calls_to("views.update"))
    s.command(ANA, "/wolfpack", "setup")
    view = s.opened(before, "views.update")
    assert view["callback_id"] == "wolfpack_setup"
    reply = s.submit(full_enough(s.h, view, values=values), ANA, values)
    assert reply.json()["response_action"] == "update", reply.body


def newest_statement(s: Session, user: str) -> int:
    listing = json.dumps(s.command(user, "/direction", "list"))
    return max(int(n) for n in re.findall(r"\*#(\d+)\*", listing))


def vote(s: Session, user: str, sid: int, value: str, reason: str) -> None:
    """Votes on statement `sid` through `/direction`. Statements discussed since the member
    voted on them come first in the ballot (asked once): the member answers those as before."""
    for _ in range(5):
        before = len(s.h.fake.calls_to("views.open"))
        s.command(user, "/direction", "")
        view = s.opened(before)
        assert view["callback_id"] == "direction", view
        asked = [
            int(b["block_id"].split(":")[1])
            for b in view["blocks"]
            if b.get("block_id", "").startswith("vote:")
        ]
        values: dict[str, Value] = {f"vote:{n}": value for n in asked}
        if sid in asked:
            values[f"reason:{sid}"] = reason
        assert s.submit(view, user, values).body == ""
        if sid in asked:
            return
    raise AssertionError(f"statement #{sid} was never on the ballot")


def check_in(s: Session, user: str, values: dict[str, Value]) -> None:
    before = len(s.h.fake.calls_to("views.open"))
    s.command(user, "/checkin", "")
    view = s.opened(before)
    assert view["callback_id"] == "checkin", view
    assert s.submit(view, user, values).body == ""


# --- the scanner itself ----------------------------------------------------------------------

TYPED = ("Ship <!channel> & <@U123> now", "Literally &lt;!here&gt; and &amp;", "a>b")


def message(text: str, block: str | None = None, kind: str = "mrkdwn") -> Call:
    blocks = [{"type": "section", "text": {"type": kind, "text": block}}] if block else []
    return Call("chat.postMessage", {"channel": CHANNEL, "text": text, "blocks": blocks}, None, 0)


@pytest.mark.parametrize(
    ("call", "found"),
    [
        (message("Ship &lt;!channel&gt; &amp; &lt;@U123&gt; now"), None),
        (message("Literally &amp;lt;!here&amp;gt; and &amp;amp;"), None),
        (message("a&gt;b", "> quoted &lt;@U123&gt;\n>and <@UANA> in <#CTEAM>"), None),
        (message("x", "closes <!date^1796184000^{date_short_pretty} at {time}|Wed 2 Dec>"), None),
        (message("x", "<https://acme.slack.com/archives/CTEAM/p1|open the thread>"), None),
        (message("x", "Ship <!channel> & <@U123> now", "plain_text"), None),
        (message("x", "Literally &lt;!here&gt; and &amp;", "plain_text"), None),
        (message("Ship <!channel> now"), "control sequence from input <!channel>"),
        (message("x", "ping <@U123>"), "control sequence from input <@U123>"),
        (message("x", "see <#C1|general>"), "control sequence from input <#C1|general>"),
        (message("x", "<https://evil.example|ok>"), "control sequence from input <https://evil"),
        (message("x", "<mailto:a@b.c|x>"), "control sequence from input <mailto"),
        (message("x", "<!subteam^S1|@team>"), "control sequence from input <!subteam"),
        (message("a<b"), "raw '<'"),
        (message("a > b"), "raw '>'"),
        (message("x", "cut &am…"), "'&' that starts no entity"),
        (message("Ship &lt;!channel&gt; & more"), "'&' that starts no entity"),
        (message("Ship &amp;lt;!channel&amp;gt; &amp;amp;"), "escaped twice"),
        (message("x", "Ship &lt;!channel&gt; &amp; &lt;@U123&gt;", "plain_text"), "plain_text"),
        (message("x", "Literally &amp;lt;!here&amp;gt;", "plain_text"), "plain_text"),
    ],
)
def test_the_scanner_tells_markup_from_text(call: Call, found: str | None) -> None:
    scanner = Scanner(member_ids={ANA}, channel_ids={CHANNEL})
    scanner.begin()
    scanner.typed(*TYPED)
    problems = scanner.calls([call])
    if found is None:
        assert problems == []
    else:
        assert problems and found in problems[0], problems


def test_the_scanner_reads_views_answers_and_field_errors() -> None:
    scanner = Scanner(member_ids={ANA}, channel_ids={CHANNEL})
    scanner.begin()
    scanner.typed(*TYPED)
    view = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Check-in"},
        "blocks": [
            {
                "type": "input",
                "label": {"type": "plain_text", "text": "Ship <!channel> & <@U123> now"},
                "element": {
                    "type": "plain_text_input",
                    "initial_value": "Ship &lt;!channel&gt; &amp; &lt;@U123&gt; now",
                },
            },
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "hi <@U123>"}]},
        ],
    }
    texts = list(call_texts("views.open", {"view": json.dumps(view)}))
    assert [t.kind for t in texts] == ["plain", "plain", "plain", "mrkdwn"]
    problems = scanner.problems(texts)
    assert len(problems) == 2
    assert "initial_value" in problems[0] and "blocks[1].elements[0]" in problems[1]
    answer = json.dumps({"text": "“<!here>” is not a date", "blocks": []})
    assert "<!here>" in scanner.reply(answer, "/checkin")[0]
    assert scanner.reply("Plain &lt;@U123&gt; answer", "/checkin") == []
    quoted = {"response_action": "errors", "errors": {"q": "“Ship <!channel> & <@U123 now” no"}}
    assert scanner.reply(json.dumps(quoted), "submit") == []
    escaped = {"response_action": "errors", "errors": {"q": "“Ship &lt;!channel&gt; &amp; &lt;"}}
    (problem,) = scanner.reply(json.dumps(escaped), "submit")
    assert problem.startswith("submit.errors.q: typed text shown escaped in plain_text")


# --- check-ins, setup, names and slash commands ---------------------------------------------


@st.composite
def checkin_texts(draw: st.DrawFn) -> dict[str, str]:
    def label() -> str:
        return fit(draw(hostile()), QUESTION_MAX, one_line=True)

    return {
        "name": draw(hostile()),
        "renamed": draw(hostile()),
        "progress_label": label(),
        "focus_label": label(),
        "blockers_label": label(),
        "extra_label": label(),
        # Room for the " with <@UANA>" the check-in adds.
        "progress": fit(draw(hostile()), TEXT_ANSWER_MAX - 20),
        "focus": fit(draw(hostile()), TEXT_ANSWER_MAX),
        "blockers": fit(draw(hostile()), TEXT_ANSWER_MAX),
        "extra": fit(draw(hostile()), TEXT_ANSWER_MAX),
        "priority": fit(draw(hostile()), PRIORITY_MAX, one_line=True),
        "edited": fit(draw(hostile()), TEXT_ANSWER_MAX),
        "away": draw(hostile()),
        "junk": draw(hostile()),
    }


def test_checkins_question_labels_names_and_command_replies(bot: Harness) -> None:
    s = Session(bot)
    members = [ANA, BO, CY]
    counter = iter(range(1000))

    @examples(8)
    @given(texts=checkin_texts())
    def example(texts: dict[str, str]) -> None:
        s.begin()
        newcomer = f"UNEW{next(counter):03d}"
        s.scanner.member_ids.add(newcomer)
        members.append(newcomer)
        bot.fake.add_user(newcomer, name=texts["name"], tz="Europe/Berlin")
        s.typed(texts["name"], texts["renamed"])
        # The admin words the questions; the newcomer's profile comes from users.info.
        setup(
            s,
            {
                "members": list(members),
                "reminder": "0",
                "q_progress": texts["progress_label"],
                "q_focus": texts["focus_label"],
                "q_blockers": texts["blockers_label"],
                "q_extra": texts["extra_label"],
            },
        )

        # A statement waits, so the confirmation offers the direction step.
        added = s.command(ANA, "/direction", f"add Statement number {next(counter)}")
        assert "Added" in added["text"], added
        before = len(bot.fake.calls_to("views.open"))
        s.command(newcomer, "/checkin", "")
        view = s.opened(before)
        assert view["callback_id"] == "checkin"
        labels = {b["block_id"]: b["label"]["text"] for b in view["blocks"] if "label" in b}
        assert labels["q:progress"] == texts["progress_label"].strip()
        since = len(bot.fake.calls)
        s.typed(texts["progress"])
        answer: dict[str, Value] = {
            "q:progress": rich_text(texts["progress"], " with ", mention(ANA)),
            "q:focus": texts["focus"],
            "q:blockers": texts["blockers"],
            "q:extra_1": texts["extra"],
            "q:alignment": "3",
        }
        assert s.submit(view, newcomer, answer).body == ""
        s.wait(lambda: len(posts_to(bot, f"D{newcomer}", since)) == 1)
        (reply,) = [p for p in posts_to(bot, CHANNEL, since) if p.get("thread_ts")]
        assert " with @Ana" in json.dumps(reply["blocks"])
        # The direction step: the top priority, shared as a statement.
        (dm,) = posts_to(bot, f"D{newcomer}", since)
        before = len(bot.fake.calls_to("views.open"))
        step = next(v for k, v in buttons(dm).items() if k.startswith("direction_step:"))
        bot.side.click("direction_step", step, user=newcomer, channel=f"D{newcomer}")
        ballot = s.opened(before)
        shared = {"priority": texts["priority"], "share_priority": ["share"]}
        assert s.submit(ballot, newcomer, shared).body == ""
        s.command(newcomer, "/direction", "list")
        s.command(newcomer, "/checkin", "history")

        # A new display name; the edited reply carries it, and the form shows the answer as typed.
        rename(bot, newcomer, texts["renamed"], "Europe/Berlin")
        (dm,) = posts_to(bot, f"D{newcomer}", since)
        before = len(bot.fake.calls_to("views.open"))
        bot.side.click(
            "checkin_edit", buttons(dm)["checkin_edit:Edit"], user=newcomer, channel=f"D{newcomer}"
        )
        editing = s.opened(before)
        initial = {
            b["block_id"]: b["element"].get("initial_value")
            for b in editing["blocks"]
            if b["type"] == "input"
        }
        restored = rich_text((texts["progress"] + " with ").lstrip(), mention(ANA))
        assert initial["q:progress"] == restored
        since = len(bot.fake.calls)
        assert s.submit(editing, newcomer, {"q:progress": texts["edited"]}).body == ""
        s.wait(
            lambda: any(
                c.method == "chat.update" and "checked in" in c.args.get("text", "")
                for c in bot.fake.calls[since:]
            )
        )

        # Away takes dates only: anything else is refused, quoting it safely.
        words = [*texts["away"].split(), "x", "y"]
        away = s.command(newcomer, "/checkin", f"away {words[0]} {words[1]}")
        assert "is not a date" in away["text"], away
        # So do working hours, whose refusal quotes the first word typed.
        hours = s.command(newcomer, "/checkin", f"hours x{words[0]}")
        assert "is not hours" in hours["text"], hours
        for command in ("/checkin", "/wolfpack", "/direction", "/consensus"):
            unknown = s.command(newcomer, command, "z" + texts["junk"])
            assert "I don't know" in unknown["text"], unknown
        s.check()

    example()


# --- statements, votes, splits, proposals, revisions ----------------------------------------


@st.composite
def direction_texts(draw: st.DrawFn) -> dict[str, str]:
    line = {"one_line": True}
    return {
        "statement": fit(draw(hostile()), STATEMENT_MAX, **line),
        "for": fit(draw(hostile()), REASON_MAX, **line),
        "against": fit(draw(hostile()), REASON_MAX, **line),
        "for_too": fit(draw(hostile()), REASON_MAX, **line),
        "proposal": fit(draw(hostile()), PROPOSAL_MAX),
        "block": fit(draw(hostile()), PROPOSAL_REASON_MAX, **line),
        "disagree": fit(draw(hostile()), PROPOSAL_REASON_MAX, **line),
        "revision": fit(draw(hostile()), PROPOSAL_MAX),
        "from_home": fit(draw(hostile()), PROPOSAL_REASON_MAX, **line),
        "propose": fit(draw(hostile()), PROPOSAL_MAX),
        "closes": draw(hostile()),
    }


def test_statements_reasons_splits_proposals_and_revisions(bot: Harness) -> None:
    s = Session(bot)
    s.begin()
    setup(s, {"members": [ANA, BO, CY], "reminder": "0"})
    counter = iter(range(1000))

    @examples(5)
    @given(texts=direction_texts())
    def example(texts: dict[str, str]) -> None:
        s.begin()
        statement = unique(texts["statement"], next(counter), STATEMENT_MAX)
        added = s.command(ANA, "/direction", f"add {statement}")
        assert "Added" in added["text"], added
        sid = newest_statement(s, BO)
        vote(s, ANA, sid, "1", texts["for"])
        vote(s, BO, sid, "-1", texts["against"])
        vote(s, CY, sid, "1", texts["for_too"])

        def alert() -> list[dict[str, Any]]:
            return [
                m
                for m in bot.fake.messages(CHANNEL)
                if buttons(m).get("split_propose:Propose a decision") == str(sid)
            ]

        s.wait(lambda: len(alert()) == 1)
        s.command(BO, "/direction", "list")

        # The split's "Propose a decision" form starts from the statement as typed.
        proposals = len(top_level(bot, "Proposal:"))
        before = len(bot.fake.calls_to("views.open"))
        bot.side.click(
            "split_propose", str(sid), user=BO, channel=CHANNEL, message_ts=alert()[0]["ts"]
        )
        form = s.opened(before)
        assert form["callback_id"] == "split_proposal"
        ack = s.submit(form, BO, {"text": texts["proposal"], "closes": "1d"}).json()
        assert ack["response_action"] == "update", ack
        s.wait(lambda: len(top_level(bot, "Proposal:")) > proposals)
        posted = top_level(bot, "Proposal:")[-1]
        proposal = buttons(posted)["proposal_respond:Agree"].split(":")[0]

        bot.side.click(
            "proposal_respond",
            f"{proposal}:agree",
            user=ANA,
            channel=CHANNEL,
            message_ts=posted["ts"],
        )
        for user, position, reason in ((BO, "block", "block"), (CY, "disagree", "disagree")):
            before = len(bot.fake.calls_to("views.open"))
            bot.side.click(
                "proposal_respond",
                f"{proposal}:{position}",
                user=user,
                channel=CHANNEL,
                message_ts=posted["ts"],
            )
            why = s.opened(before)
            assert why["callback_id"] == "proposal_reason"
            assert s.submit(why, user, {"reason": texts[reason]}).body == ""
        s.wait(
            lambda: (
                "1 agree · 0 abstain · 1 disagree · 1 block"
                in json.dumps(top_level(bot, "Proposal:")[proposals]["blocks"], ensure_ascii=False)
            )
        )

        words = [*texts["closes"].split(), "soon"]
        refused = s.command(CY, "/propose", f"Ship it --closes z{words[0]}")
        assert "is not a duration" in refused["text"], refused
        s.command(CY, "/propose", texts["propose"])
        s.wait(lambda: len(top_level(bot, "Proposal:")) > proposals + 1)
        s.command(ANA, "/consensus", "")
        s.command(ANA, "/consensus", "decisions")

        # The split's proposal closes, blocked, with its reasons; its proposer revises it.
        bot.clock.advance(days=1, minutes=1)
        bot.wolfpack.tick(bot.clock.now())
        (outcome,) = [
            m
            for m in bot.fake.messages(CHANNEL)
            if buttons(m).get("proposal_revise:Revise") == proposal
        ]
        assert outcome["text"].startswith("Decision:")
        before = len(bot.fake.calls_to("views.open"))
        bot.side.click(
            "proposal_revise", proposal, user=BO, channel=CHANNEL, message_ts=outcome["ts"]
        )
        revise = s.opened(before)
        assert revise["callback_id"] == "proposal_revision", revise
        count = len(top_level(bot, "Proposal:"))
        ack = s.submit(revise, BO, {"text": texts["revision"], "closes": "2d"}).json()
        assert ack["response_action"] == "update", ack
        s.wait(lambda: len(top_level(bot, "Proposal:")) > count)
        revised = buttons(top_level(bot, "Proposal:")[-1])["proposal_respond:Agree"].split(":")[0]

        # App Home lists the open proposals; answering from there takes a reason too.
        before = len(bot.fake.calls_to("views.publish"))
        bot.side.event({"type": "app_home_opened", "user": CY, "channel": f"D{CY}", "tab": "home"})
        s.wait(lambda: len(bot.fake.calls_to("views.publish")) > before)
        before = len(bot.fake.calls_to("views.open"))
        bot.side.click("home_answer", revised, user=CY)
        answer = s.opened(before)
        assert answer["callback_id"] == "proposal_answer", answer
        reply = s.submit(answer, CY, {"position": "block", "reason": texts["from_home"]})
        assert reply.body == "", reply.body
        s.check()

    example()


# --- one week: check-ins, names, away, splits and decisions in the summary, DMs and Home -------

# Monday 7 December 2026; example n is n weeks later.
FIRST_WEEK = dt.datetime(2026, 12, 7, tzinfo=dt.UTC)


@st.composite
def week_texts(draw: st.DrawFn) -> dict[str, Any]:
    line = {"one_line": True}
    return {
        "newcomer": draw(hostile()),
        "bo": draw(hostile()),
        "cy": draw(hostile()),
        "blockers": [fit(draw(hostile()), TEXT_ANSWER_MAX) for _ in range(3)],
        "focus": [fit(draw(hostile()), TEXT_ANSWER_MAX) for _ in range(3)],
        "statement": fit(draw(hostile()), STATEMENT_MAX, **line),
        "reasons": [fit(draw(hostile()), REASON_MAX, **line) for _ in range(3)],
        "decided": fit(draw(hostile()), PROPOSAL_MAX),
        "open": fit(draw(hostile()), PROPOSAL_MAX),
    }


def test_a_week_in_the_summary_the_lone_wolf_dms_and_app_home(bot: Harness) -> None:
    s = Session(bot)
    s.begin()
    setup(s, {"members": [ANA, BO, CY], "reminder": "0"})
    counter = iter(range(1000))

    @examples(4)
    @given(texts=week_texts())
    def example(texts: dict[str, Any]) -> None:
        s.begin()
        n = next(counter)
        monday = FIRST_WEEK + dt.timedelta(weeks=n)
        bot.clock.at = monday + dt.timedelta(days=1, hours=18)

        # A newcomer away all week, and two members who took new names: all in the summary.
        newcomer = f"UWEEK{n:03d}"
        s.scanner.member_ids.add(newcomer)
        s.typed(texts["newcomer"], texts["bo"], texts["cy"])
        bot.fake.add_user(newcomer, name=texts["newcomer"], tz="Europe/Berlin")
        joined = {"type": "member_joined_channel", "user": newcomer, "channel": CHANNEL}
        assert bot.side.event(joined).status == 200
        rename(bot, BO, texts["bo"], "America/Los_Angeles")
        rename(bot, CY, texts["cy"], "Asia/Kolkata")
        sunday = (monday + dt.timedelta(days=6)).date()
        away = s.command(newcomer, "/checkin", f"away {monday.date()} {sunday}")
        assert "Got it" in away["text"], away

        statement = unique(texts["statement"], n, STATEMENT_MAX)
        assert "Added" in s.command(ANA, "/direction", f"add {statement}")["text"]
        sid = newest_statement(s, ANA)
        for user, value, reason in zip(
            (ANA, BO, CY), ("1", "-1", "1"), texts["reasons"], strict=True
        ):
            vote(s, user, sid, value, reason)
        proposals = len(top_level(bot, "Proposal:"))
        s.command(BO, "/propose", f"{texts['decided']} --closes 1d")
        s.wait(lambda: len(top_level(bot, "Proposal:")) > proposals)
        decided = top_level(bot, "Proposal:")[-1]
        proposal = buttons(decided)["proposal_respond:Agree"].split(":")[0]
        for user in (ANA, CY):
            bot.side.click(
                "proposal_respond",
                f"{proposal}:agree",
                user=user,
                channel=CHANNEL,
                message_ts=decided["ts"],
            )

        # Tuesday to Thursday: Ana works alone, Bo is blocked and works with Cy.
        since = len(bot.fake.calls)
        for day in range(3):
            bot.clock.at = monday + dt.timedelta(days=1 + day, hours=18)
            bot.wolfpack.tick(bot.clock.now())
            base: dict[str, Value] = {"q:progress": "Moved on", "q:alignment": str(2 + day)}
            check_in(s, ANA, {**base, "q:focus": texts["focus"][day], "q:collaborators": []})
            blocked = {"q:focus": "Docs", "q:blockers": texts["blockers"][day]}
            check_in(s, BO, {**base, **blocked, "q:collaborators": [CY]})
        s.wait(lambda: len([p for p in posts_to(bot, CHANNEL, since) if p.get("thread_ts")]) >= 6)
        s.command(CY, "/propose", texts["open"])
        s.wait(lambda: len(top_level(bot, "Proposal:")) > proposals + 1)

        since = len(bot.fake.calls)
        bot.clock.at = monday + dt.timedelta(days=4, hours=15)  # Friday 16:00 in Berlin
        report = bot.wolfpack.tick(bot.clock.now())
        assert report.failed == 0, report
        (summary,) = [p for p in posts_to(bot, CHANNEL, since) if "Weekly consensus" in p["text"]]
        shown = json.dumps(summary["blocks"], ensure_ascii=False)
        assert "Away: " in shown and "Open blockers" in shown and "*1.*" in shown
        assert posts_to(bot, f"D{ANA}", since), "the lone wolf was not told privately"
        s.command(ANA, "/consensus", "")
        s.command(BO, "/consensus", "")
        for user in (newcomer, ANA):
            homes = len(bot.fake.calls_to("views.publish"))
            opened = {"type": "app_home_opened", "user": user, "channel": f"D{user}", "tab": "home"}
            assert bot.side.event(opened).status == 200
            s.opened(homes, "views.publish")
        s.check()

    example()

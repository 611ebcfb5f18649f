"""Who may do what, through real signed requests. A member who is not a pack's admin cannot set
it up, change it, hide its statements or export it; a member of one pack (channel CTEAM) gets
nothing of another pack of the same workspace (channel CBRAVO): every command, click and form
that names the other pack, by its channel or by an id in a button's value or a modal's
metadata, is refused, writes nothing, and shows none of its text."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from slack_bolt import BoltResponse
from slack_bolt.adapter.socket_mode.internals import run_bolt_app
from slack_sdk.socket_mode.request import SocketModeRequest
from sqlalchemy import select

from bot.core.checkins import AnswerInput
from bot.core.proposals import Outcome
from bot.core.statements import VoteValue
from bot.core.usecases import checkins, proposals, statements
from bot.devtools.simulate import Reply, Value, state_of
from bot.slack.blocks.proposals import revise_modal, split_proposal_modal
from bot.slack.blocks.statements import direction_step_modal
from bot.store.models import Base, PackRow, ProposalRow, StatementRow
from bot.wiring import LISTENER_THREADS
from tests.conftest import ANA, BO, CHANNEL, CY, DEE, TEAM, Harness
from tests.e2e.journey import (
    GOOD_ANSWER,
    full_enough,
    last_view,
    more_settings,
    setup_pack,
    stored_view,
)

BRAVO = "CBRAVO"
# In every text of the second pack: none of it may reach the first pack's member.
SECRET = "BRAVO-SECRET"
TABLES = [t for t in Base.metadata.sorted_tables if not t.name.startswith("slack_")]


@dataclass(frozen=True)
class Packs:
    """Pack A (CTEAM: Ana admin, Bo, Cy) and pack B (CBRAVO: Dee admin, Cy), by id."""

    a: int
    b: int
    a_statement: int
    a_hidden: int
    b_statement: int
    b_hidden: int
    a_proposal: int
    b_proposal: int
    a_failed: int
    b_failed: int
    b_answer: int
    b_day: dt.date
    a_message: str


def settle(h: Harness) -> None:
    """Waits until the listener pool has run everything queued so far (work after the answer:
    posting, updating), by filling every thread of it with a barrier."""
    barrier = threading.Barrier(LISTENER_THREADS + 1)
    waiting = [h.wolfpack.executor.submit(barrier.wait, 10) for _ in range(LISTENER_THREADS)]
    barrier.wait(10)
    for future in waiting:
        future.result()


def rows(h: Harness) -> dict[str, list[tuple[Any, ...]]]:
    with h.wolfpack.db.session() as s:
        return {t.name: [tuple(r) for r in s.execute(select(t).order_by(t.c.id))] for t in TABLES}


def setup_view(h: Harness, channel: str) -> dict[str, Any]:
    """The setup form the bot last opened for a channel."""
    for call in reversed(h.fake.calls_to("views.update")):
        view: dict[str, Any] = call.args["view"]
        meta = json.loads(view.get("private_metadata") or "{}")
        if view.get("callback_id") == "wolfpack_setup" and meta.get("c") == channel:
            return view
    raise AssertionError(f"no setup form for {channel}")


# What the bot shows people: a reply, or these calls' arguments other than where they go.
SHOWING = {
    "chat.postMessage",
    "chat.postEphemeral",
    "chat.update",
    "views.open",
    "views.update",
    "views.push",
    "views.publish",
    "files.getUploadURLExternal",
    "files.completeUploadExternal",
}


def say(h: Harness, user: str, command: str, text: str, channel: str = CHANNEL) -> Reply:
    reply, _ = h.side.command(command, text, user=user, channel=channel)
    assert reply.status == 200, reply.body
    return reply


def setup_bravo(h: Harness) -> None:
    h.fake.add_channel(BRAVO, name="bravo", members=[CY, DEE])
    before = len(h.fake.calls_to("views.update"))
    say(h, DEE, "/wolfpack", "setup", BRAVO)
    h.fake.wait_for(lambda f: len(f.calls_to("views.update")) > before)
    values: dict[str, Value] = {"members": [CY, DEE], "reminder": "0"}
    view = full_enough(h, setup_view(h, BRAVO), admin=DEE, values=values)
    reply = h.side.submit(view, user=DEE, values=values)
    assert reply.status == 200 and "Pack saved" in reply.body, reply.body


@pytest.fixture
def packs(bot: Harness) -> Packs:
    setup_pack(bot, values={"members": [ANA, BO, CY]})
    setup_bravo(bot)
    for channel, author, words in ((CHANNEL, ANA, "Alpha"), (BRAVO, DEE, SECRET)):
        assert "Added" in say(bot, author, "/direction", f"add {words} ship the CLI", channel).body
        assert "Added" in say(bot, author, "/direction", f"add {words} hide me", channel).body
        assert (
            "posted"
            in say(bot, author, "/propose", f"{words} adopt trunk --closes 2d", channel).body
        )
    with bot.wolfpack.db.transaction(TEAM) as tx:
        a, b = (tx.packs.by_channel(c) for c in (CHANNEL, BRAVO))
        assert a is not None and b is not None
        (a_statement, a_hidden), (b_statement, b_hidden) = (
            [s.id for s in tx.statements.of_pack(p.id)] for p in (a, b)
        )
        (a_proposal,), (b_proposal,) = ([p.id for p in tx.proposals.of_pack(p.id)] for p in (a, b))
        now = bot.clock.now()
        a_failed = tx.proposals.add(a.id, "Alpha rewrite", BO, now, now).id
        b_failed = tx.proposals.add(b.id, f"{SECRET} rewrite", DEE, now, now).id
        for failed in (a_failed, b_failed):
            tx.proposals.close(failed, Outcome.NOT_PASSED, now)
    ws = bot.wolfpack.workspace(TEAM)
    for channel, admin, hidden in ((CHANNEL, ANA, a_hidden), (BRAVO, DEE, b_hidden)):
        statements.set_hidden(ws, channel, admin, hidden, hidden=True)
    b_day = checkins.checkin_form(ws, b.id, DEE).round_date
    texts = {"progress": f"{SECRET} progress", "focus": f"{SECRET} focus"}
    b_answer = checkins.submit(ws, b.id, DEE, b_day, AnswerInput(texts, (CY,), 2)).value.id
    for voter in (DEE, CY):
        statements.vote(ws, b.id, voter, [(b_statement, VoteValue.AGREE, f"{SECRET} reason")])
    # Two agreeing votes split nothing: the alert is posted by hand, as if one had.
    post_alert = statements.split_alerts(ws, b.id, [b_statement])
    assert post_alert is not None
    post_alert()
    settle(bot)
    assert statements.alert_message(ws, b_statement) is not None
    a_message = next(m["ts"] for m in bot.fake.messages(CHANNEL) if "Alpha" in json.dumps(m))
    return Packs(
        a=a.id,
        b=b.id,
        a_statement=a_statement,
        a_hidden=a_hidden,
        b_statement=b_statement,
        b_hidden=b_hidden,
        a_proposal=a_proposal,
        b_proposal=b_proposal,
        a_failed=a_failed,
        b_failed=b_failed,
        b_answer=b_answer,
        b_day=b_day,
        a_message=a_message,
    )


Attempt = Callable[[], Reply | None]


def refusals(h: Harness, attempts: dict[str, tuple[Attempt, str]]) -> list[str]:
    """Runs each attempt and returns what went wrong: a refusal that does not say `says`
    (in the answer or in what the bot sent to Slack), a row written, the other pack's text
    or channel shown."""
    problems = []
    for name, (attempt, says) in attempts.items():
        before, seen = rows(h), len(h.fake.calls)
        reply = attempt()
        settle(h)
        sent = [
            (c.method, {k: v for k, v in c.args.items() if k not in ("channel", "user")})
            for c in h.fake.calls[seen:]
            if c.method in SHOWING
        ]
        shown = json.dumps([reply.body if reply is not None else "", sent], ensure_ascii=False)
        if reply is not None and reply.status != 200:
            problems.append(f"{name}: HTTP {reply.status}")
        if says not in shown:
            problems.append(f"{name}: no refusal saying {says!r} in {shown[:400]}")
        if SECRET in shown or BRAVO in shown:
            problems.append(f"{name}: showed the other pack: {shown[:400]}")
        after = rows(h)
        changed = [t for t in before if before[t] != after[t]]
        if changed:
            problems.append(f"{name}: wrote to {changed}")
    return problems


NOT_IN_DIRECTION = "Only the pack's members take part in its direction"
NOT_IN_DECISIONS = "Only the pack's members take part in its decisions"
NOT_IN_CHECKINS = "not a member of this"
NOT_SETUP_ADMIN = "Only this pack's admins can change its setup"
NOT_EXPORT_ADMIN = "Only this pack's admins can export its data"


def test_a_member_who_is_not_an_admin_cannot_set_up_change_hide_or_export(
    bot: Harness, packs: Packs
) -> None:
    def setup_modal() -> Reply | None:
        return say(bot, BO, "/wolfpack", "setup")

    # The admin's own full form (after More settings), submitted by Bo with fields changed.
    full = more_settings(bot, setup_view(bot, CHANNEL))

    def forged_setup() -> Reply:
        values = {"members": [BO], "admins": [BO], "checkin_time": "06:00", "timezone": "UTC"}
        return bot.side.submit(full, user=BO, values=values)

    problems = refusals(
        bot,
        {
            "/wolfpack setup": (setup_modal, NOT_SETUP_ADMIN),
            "setup form": (forged_setup, NOT_SETUP_ADMIN),
            "More settings": (
                lambda: bot.side.view_action(
                    stored_view(bot, full), "setup_more", "more", user=BO, values={"members": [BO]}
                ),
                NOT_SETUP_ADMIN,
            ),
            "/direction hide": (
                lambda: say(bot, BO, "/direction", f"hide {packs.a_statement}"),
                "Only the pack's admins can hide or show statements",
            ),
            "/direction unhide": (
                lambda: say(bot, BO, "/direction", f"unhide {packs.a_hidden}"),
                "Only the pack's admins can hide or show statements",
            ),
            "/wolfpack export": (lambda: say(bot, BO, "/wolfpack", "export"), NOT_EXPORT_ADMIN),
        },
    )
    assert problems == []
    assert not bot.fake.calls_to("files.getUploadURLExternal")
    # The same requests from the pack's admin do what the member's could not.
    assert "is hidden" in say(bot, ANA, "/direction", f"hide {packs.a_statement}").body
    reply = bot.side.submit(setup_view(bot, CHANNEL), user=ANA, values={"members": [ANA, BO]})
    assert "Pack saved" in reply.body


def test_commands_in_another_packs_channel_show_nothing_of_it(bot: Harness, packs: Packs) -> None:
    def in_bravo(command: str, text: str) -> Attempt:
        return lambda: say(bot, BO, command, text, BRAVO)

    problems = refusals(
        bot,
        {
            "/direction list": (in_bravo("/direction", "list"), NOT_IN_DIRECTION),
            "/direction": (in_bravo("/direction", ""), NOT_IN_DIRECTION),
            "/direction add": (in_bravo("/direction", "add Bo was here"), NOT_IN_DIRECTION),
            "/direction hide": (
                in_bravo("/direction", f"hide {packs.b_statement}"),
                NOT_IN_DIRECTION,
            ),
            "/consensus": (in_bravo("/consensus", ""), "for the pack's members"),
            "/consensus decisions": (in_bravo("/consensus", "decisions"), NOT_IN_DECISIONS),
            "/checkin": (in_bravo("/checkin", ""), NOT_IN_CHECKINS),
            "/checkin history": (in_bravo("/checkin", "history 20"), NOT_IN_CHECKINS),
            "/checkin skip": (in_bravo("/checkin", "skip"), NOT_IN_CHECKINS),
            "/propose": (in_bravo("/propose", "Bo decides"), NOT_IN_DECISIONS),
            "/wolfpack setup": (in_bravo("/wolfpack", "setup"), NOT_SETUP_ADMIN),
            "/wolfpack export": (in_bravo("/wolfpack", "export"), NOT_EXPORT_ADMIN),
            "/wolfpack settings": (in_bravo("/wolfpack", "settings"), "for its members"),
            "/wolfpack map": (in_bravo("/wolfpack", "map"), "A pack's map is for its members"),
            # An admin of one pack is not one of the other's, from her own channel either.
            "/direction hide, another pack's statement": (
                lambda: say(bot, ANA, "/direction", f"hide {packs.b_statement}"),
                f"This pack has no statement #{packs.b_statement}",
            ),
            "/direction unhide, another pack's statement": (
                lambda: say(bot, ANA, "/direction", f"unhide {packs.b_hidden}"),
                f"This pack has no statement #{packs.b_hidden}",
            ),
        },
    )
    assert problems == []
    # The pack's own member gets what Bo did not.
    assert SECRET in say(bot, CY, "/direction", "list", BRAVO).body


def test_buttons_carrying_another_packs_ids_are_refused(bot: Harness, packs: Packs) -> None:
    dm = bot.wolfpack.client.chat_postMessage(channel=BO, text="Time to check in")

    def click(action: str, value: str, channel: str = CHANNEL, ts: str = "") -> Attempt:
        def attempt() -> Reply:
            reply, _ = bot.side.click(
                action, value, user=BO, channel=channel, message_ts=ts or packs.a_message
            )
            return reply

        return attempt

    def block_then_give_a_reason() -> Reply:
        # The reason modal carries only the ids; its submission is where the refusal comes.
        click("proposal_respond", f"{packs.b_proposal}:block")()
        view = last_view(bot, "views.open", "proposal_reason")
        return bot.side.submit(view, user=BO, values={"reason": "Bo says no"})

    problems = refusals(
        bot,
        {
            "agree": (click("proposal_respond", f"{packs.b_proposal}:agree"), NOT_IN_DECISIONS),
            "block with a reason": (block_then_give_a_reason, NOT_IN_DECISIONS),
            "revise": (click("proposal_revise", str(packs.b_failed)), NOT_IN_DECISIONS),
            "home: vote": (click("home_vote", str(packs.b)), NOT_IN_DIRECTION),
            "home: answer a proposal": (
                click("home_answer", str(packs.b_proposal)),
                NOT_IN_DECISIONS,
            ),
            "check in": (click("checkin_open", str(packs.b)), NOT_IN_CHECKINS),
            "edit a check-in": (
                click("checkin_edit", str(packs.b_answer)),
                "That check-in is gone",
            ),
            "the direction step of a check-in": (
                click("direction_step", str(packs.b_answer)),
                "That check-in is gone",
            ),
            "skip today": (
                click("prompt_skip", f"{packs.b}:{packs.b_day}", dm["channel"], dm["ts"]),
                NOT_IN_CHECKINS,
            ),
            "discuss a split": (click("split_discuss", str(packs.b_statement)), NOT_IN_DIRECTION),
            "propose from a split": (
                click("split_propose", str(packs.b_statement)),
                NOT_IN_DECISIONS,
            ),
            "draft a proposal on a split": (
                click("split_draft", str(packs.b_statement)),
                NOT_IN_DECISIONS,
            ),
        },
    )
    assert problems == []


def forged(view: dict[str, Any], meta: dict[str, Any], *renames: tuple[str, str]) -> dict[str, Any]:
    """A view the bot opened, with its metadata (and any block ids) changed."""
    text = json.dumps({**view, "private_metadata": json.dumps(meta)})
    for old, new in renames:
        text = text.replace(old, new)
    found: dict[str, Any] = json.loads(text)
    return found


def test_forms_carrying_another_packs_ids_are_refused(bot: Harness, packs: Packs) -> None:
    say(bot, BO, "/checkin", "")
    checkin = last_view(bot, "views.open", "checkin")
    checkin_meta = json.loads(checkin["private_metadata"])
    say(bot, BO, "/direction", "")
    ballot = last_view(bot, "views.open", "direction")
    (a_vote,) = json.loads(ballot["private_metadata"])["s"]
    bot.side.click("home_answer", str(packs.a_proposal), user=BO)
    answer = last_view(bot, "views.open", "proposal_answer")
    bot.side.click("proposal_respond", f"{packs.a_proposal}:block", user=BO)
    reason = last_view(bot, "views.open", "proposal_reason")
    a_view = proposals.view(bot.wolfpack.workspace(TEAM), packs.a_failed)
    revision = revise_modal(a_view)
    with bot.wolfpack.db.transaction(TEAM) as tx:
        a_statement = tx.statements.get(packs.a_statement)
    assert a_statement is not None
    split = split_proposal_modal(a_view.pack, a_statement)
    ws = bot.wolfpack.workspace(TEAM)
    a_day = checkins.checkin_form(ws, packs.a, BO).round_date
    given = AnswerInput({"progress": "Parser", "focus": "Docs"}, (), 3)
    bo_answer = checkins.submit(ws, packs.a, BO, a_day, given).value.id
    step = direction_step_modal(checkins.direction_step(ws, bo_answer, BO))
    renamed = [(f"vote:{a_vote}", f"vote:{packs.b_statement}")]
    renamed += [(f"reason:{a_vote}", f"reason:{packs.b_statement}")]
    vote = {f"vote:{packs.b_statement}": "1"}

    def submit(view: dict[str, Any], values: dict[str, Any] | None = None) -> Attempt:
        return lambda: bot.side.submit(view, user=BO, values={**GOOD_ANSWER, **(values or {})})

    problems = refusals(
        bot,
        {
            "check-in for the other pack": (
                submit(forged(checkin, {**checkin_meta, "p": packs.b, "s": []})),
                NOT_IN_CHECKINS,
            ),
            "direction step of the other pack's check-in": (
                submit(forged(step, {"a": packs.b_answer, "s": []}), {"priority": "Mine now"}),
                "That check-in is gone",
            ),
            "direction step voting on the other pack's statement": (
                submit(forged(step, {"a": bo_answer, "s": [packs.b_statement]}, *renamed), vote),
                "That statement is gone",
            ),
            "votes for the other pack": (
                submit(forged(ballot, {"p": packs.b, "s": [packs.b_statement]}, *renamed), vote),
                NOT_IN_DIRECTION,
            ),
            "votes on the other pack's statement": (
                submit(forged(ballot, {"p": packs.a, "s": [packs.b_statement]}, *renamed), vote),
                "That statement is gone",
            ),
            "reason for the other pack's proposal": (
                submit(
                    forged(reason, {"p": packs.b_proposal, "position": "block"}),
                    {"reason": "no"},
                ),
                NOT_IN_DECISIONS,
            ),
            "answer to the other pack's proposal": (
                submit(forged(answer, {"p": packs.b_proposal}), {"position": "agree"}),
                NOT_IN_DECISIONS,
            ),
            "revision of the other pack's proposal": (
                submit(forged(revision, {"p": packs.b_failed})),
                NOT_IN_DECISIONS,
            ),
            "proposal from the other pack's split": (
                submit(forged(split, {"s": packs.b_statement})),
                NOT_IN_DECISIONS,
            ),
            "setup of the other pack": (
                submit(
                    forged(setup_view(bot, CHANNEL), {"c": BRAVO, "n": "bravo"}),
                    {"members": [BO], "admins": [BO]},
                ),
                NOT_SETUP_ADMIN,
            ),
        },
    )
    assert problems == []
    # The same forms with Bo's own ids do write: the refusals above were about the ids.
    assert bot.side.submit(checkin, user=BO, values=GOOD_ANSWER).body == ""
    with bot.wolfpack.db.session() as s:
        assert s.scalar(select(PackRow.admin_ids).where(PackRow.channel_id == BRAVO)) == [DEE]
        assert s.scalar(select(ProposalRow.id).where(ProposalRow.revises_id.is_not(None))) is None
        assert s.scalar(select(StatementRow.hidden).where(StatementRow.id == packs.b_hidden))


# --- Socket Mode: the same listeners, so the same refusals -----------------------------------


def over_socket(h: Harness, kind: str, payload: dict[str, Any]) -> BoltResponse:
    """What slack_bolt's Socket Mode adapter does with a request from Slack's socket: the
    payload, already parsed, straight to the app (no HTTP front, no signature)."""
    request = SocketModeRequest(type=kind, envelope_id=f"env-{len(h.fake.calls)}", payload=payload)
    response: BoltResponse = run_bolt_app(h.wolfpack.bolt, request)
    return response


def command_payload(user: str, command: str, text: str, channel: str) -> dict[str, Any]:
    return {
        "team_id": TEAM,
        "team_domain": "acme",
        "channel_id": channel,
        "user_id": user,
        "command": command,
        "text": text,
        "api_app_id": "A0001",
        "trigger_id": f"{time.time()}.socket.trigger",
        "response_url": "https://hooks.slack.invalid/commands",
    }


def click_payload(user: str, action: str, value: str) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "team": {"id": TEAM, "domain": "acme"},
        "user": {"id": user, "team_id": TEAM},
        "api_app_id": "A0001",
        "trigger_id": f"{time.time()}.socket.trigger",
        "actions": [{"type": "button", "action_id": action, "block_id": "b", "value": value}],
    }


def submit_payload(user: str, view: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "view_submission",
        "team": {"id": TEAM, "domain": "acme"},
        "user": {"id": user, "team_id": TEAM},
        "api_app_id": "A0001",
        "view": {**view, "id": "VSOCKET", "state": {"values": state_of(view, values)}},
    }


def outcome(h: Harness, send: Callable[[], Any]) -> tuple[Any, list[Any]]:
    """The answer to a request and the views and messages it made, checked to write nothing."""
    before, seen = rows(h), len(h.fake.calls)
    body = send()
    settle(h)
    assert rows(h) == before
    made = [
        (c.method, c.args.get("view", {}).get("blocks") or c.args.get("text"))
        for c in h.fake.calls[seen:]
        if c.method in SHOWING
    ]
    return body, made


def test_socket_mode_refuses_what_http_refuses(bot: Harness, packs: Packs) -> None:
    forged_values = {"members": [BO], "admins": [BO]}
    cases: dict[str, tuple[Callable[[], Any], Callable[[], Any], str]] = {
        "/wolfpack setup by a member": (
            lambda: say(bot, BO, "/wolfpack", "setup").body,
            lambda: (
                over_socket(
                    bot, "slash_commands", command_payload(BO, "/wolfpack", "setup", CHANNEL)
                ).body
            ),
            NOT_SETUP_ADMIN,
        ),
        "setup form from a member": (
            lambda: bot.side.submit(setup_view(bot, CHANNEL), user=BO, values=forged_values).body,
            lambda: (
                over_socket(
                    bot,
                    "interactive",
                    submit_payload(BO, setup_view(bot, CHANNEL), forged_values),
                ).body
            ),
            NOT_SETUP_ADMIN,
        ),
        "agree to the other pack's proposal": (
            lambda: (
                bot.side.click("proposal_respond", f"{packs.b_proposal}:agree", user=BO)[0].body
            ),
            lambda: (
                over_socket(
                    bot,
                    "interactive",
                    click_payload(BO, "proposal_respond", f"{packs.b_proposal}:agree"),
                ).body
            ),
            NOT_IN_DECISIONS,
        ),
        "/consensus in the other pack's channel": (
            lambda: say(bot, BO, "/consensus", "", BRAVO).body,
            lambda: (
                over_socket(
                    bot, "slash_commands", command_payload(BO, "/consensus", "", BRAVO)
                ).body
            ),
            "for the pack's members",
        ),
    }
    for name, (over_http, socket, says) in cases.items():
        http_answer = outcome(bot, over_http)
        socket_answer = outcome(bot, socket)
        assert socket_answer == http_answer, name
        assert says in json.dumps(socket_answer), name
        assert SECRET not in json.dumps(socket_answer), name


def test_a_setup_form_sent_for_a_channel_without_a_pack_is_refused_unless_both_are_in_it(
    bot: Harness,
) -> None:
    # Bo opens the setup form in the team channel, then sends it back naming other channels.
    bot.fake.add_channel("CQUIET", name="quiet", members=[CY, DEE])
    bot.fake.add_channel("CNOBOT", name="nobot", members=[BO], bot_is_member=False)
    say(bot, BO, "/wolfpack", "setup")
    bot.fake.wait_for(lambda f: bool(f.calls_to("views.update")))
    view = setup_view(bot, CHANNEL)
    before = rows(bot)
    for channel, name in (("CQUIET", "quiet"), ("CNOBOT", "nobot")):
        reply = bot.side.submit(
            forged(view, {"c": channel, "n": name}), user=BO, values={"members": [BO]}
        )
        assert reply.status == 200
        assert "run `/wolfpack setup` there" in reply.body, reply.body
    settle(bot)
    assert rows(bot) == before
    # Sent back for its own channel, the same form makes the pack.
    reply = bot.side.submit(view, user=BO, values={"members": [BO, CY]})
    assert "Pack saved" in reply.body, reply.body

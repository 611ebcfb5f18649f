"""Revising a failed proposal through signed HTTP and the fake Slack: only its proposer, only
once, never a passed one; the revision is posted linked to the original and the decision log
shows the link both ways."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from tests.conftest import ANA, BO, CHANNEL, CY, Harness
from tests.e2e.journey import setup_pack
from tests.slack.limits import check_message, check_view


def command(h: Harness, user: str, name: str, text: str) -> str:
    reply, _ = h.side.command(name, text, user=user, channel=CHANNEL)
    assert reply.status == 200, reply.body
    return json.dumps(reply.message(), ensure_ascii=False)


def top_level(h: Harness, starts: str) -> list[dict[str, Any]]:
    return [
        m
        for m in h.fake.messages(CHANNEL)
        if m.get("text", "").startswith(starts) and not m.get("thread_ts")
    ]


def outcomes(h: Harness) -> list[dict[str, Any]]:
    return [m for m in h.fake.messages(CHANNEL) if m.get("text", "").startswith("Decision:")]


def propose(h: Harness, user: str, text: str) -> dict[str, Any]:
    before = len(top_level(h, "Proposal:"))
    assert "posted" in command(h, user, "/propose", text)
    h.fake.wait_for(lambda f: len(top_level(h, "Proposal:")) > before)
    return top_level(h, "Proposal:")[-1]


def last_opened(h: Harness) -> dict[str, Any]:
    view: dict[str, Any] = h.fake.calls_to("views.open")[-1].args["view"]
    check_view(view)
    return view


def shown(blocks: Any) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def revise_buttons(message: dict[str, Any]) -> list[str]:
    return [
        e["value"]
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "proposal_revise"
    ]


def close_all(h: Harness, at: dt.datetime) -> None:
    h.clock.at = at
    h.wolfpack.ticker.tick(at)


def test_the_proposer_revises_a_blocked_proposal_once(bot: Harness) -> None:
    setup_pack(bot, values={"members": [ANA, BO, CY]})
    start = bot.clock.at
    first = propose(bot, ANA, "Ship the CLI first --closes 2d")
    bot.side.click("proposal_respond", "1:block", user=BO, channel=CHANNEL, message_ts=first["ts"])
    reason = last_opened(bot)
    assert bot.side.submit(reason, user=BO, values={"reason": "Docs first"}).body == ""
    close_all(bot, start + dt.timedelta(days=2))
    (outcome,) = outcomes(bot)
    check_message(outcome["blocks"], outcome["text"])
    assert "Blocked" in shown(outcome["blocks"]) and revise_buttons(outcome) == ["1"]

    # Someone else is told kindly that only the proposer can revise it.
    bot.side.click("proposal_revise", "1", user=BO, channel=CHANNEL, message_ts=outcome["ts"])
    refused = last_opened(bot)
    assert refused.get("callback_id") is None
    assert "Only the member who proposed this" in shown(refused)

    bot.side.click("proposal_revise", "1", user=ANA, channel=CHANNEL, message_ts=outcome["ts"])
    form = last_opened(bot)
    assert form["callback_id"] == "proposal_revision"
    initial = {
        b["block_id"]: b["element"].get("initial_value")
        for b in form["blocks"]
        if b["type"] == "input"
    }
    assert initial == {"text": "Ship the CLI first", "closes": "48h"}

    empty = bot.side.submit(form, user=ANA, values={"text": "   "}).json()
    assert empty["response_action"] == "errors" and list(empty["errors"]) == ["text"]
    bad = bot.side.submit(form, user=ANA, values={"closes": "soon"}).json()
    assert bad["response_action"] == "errors" and "not a duration" in bad["errors"]["closes"]
    too_long = bot.side.submit(form, user=ANA, values={"closes": "31d"}).json()
    assert "within 30 days" in too_long["errors"]["closes"]
    assert len(top_level(bot, "Proposal:")) == 1

    revised_text = "Ship the CLI first, with <!channel> docs & examples"
    done = bot.side.submit(form, user=ANA, values={"text": revised_text, "closes": "3d"}).json()
    assert done["response_action"] == "update" and "#2" in shown(done["view"])
    bot.fake.wait_for(lambda f: len(top_level(bot, "Proposal:")) == 2)
    second = top_level(bot, "Proposal:")[-1]
    check_message(second["blocks"], second["text"])
    text = shown(second["blocks"])
    assert "revising #1 (blocked: Ship the CLI first)" in text
    assert "with &lt;!channel&gt; docs &amp; examples" in text and "<!channel>" not in text
    closes = int((bot.clock.at + dt.timedelta(days=3)).timestamp())
    assert f"<!date^{closes}^" in text

    # The revision is a proposal like any other; its message keeps the link when counts move.
    bot.side.click("proposal_respond", "2:agree", user=CY, channel=CHANNEL, message_ts=second["ts"])
    # The message is updated after the click is answered.
    bot.fake.wait_for(
        lambda _: "1 agree · 0 abstain" in shown(top_level(bot, "Proposal:")[-1]["blocks"])
    )
    updated = top_level(bot, "Proposal:")[-1]
    assert "revising #1" in shown(updated["blocks"])

    log = command(bot, CY, "/consensus", "decisions")
    assert "revised as #2" in log and "revises #1 (blocked)" in log

    # A second revision of the same proposal is refused, naming the one that revised it.
    bot.side.click("proposal_revise", "1", user=ANA, channel=CHANNEL, message_ts=outcome["ts"])
    again = shown(last_opened(bot))
    assert "already revised this proposal as #2" in again
    # So is submitting the same form twice.
    twice = bot.side.submit(form, user=ANA, values={"text": "Once more"}).json()
    assert twice["response_action"] == "update"
    assert "already revised this proposal as #2" in shown(twice["view"])
    assert len(top_level(bot, "Proposal:")) == 2

    # An open proposal cannot be revised yet.
    bot.side.click("proposal_revise", "2", user=ANA, channel=CHANNEL, message_ts=second["ts"])
    assert "still open" in shown(last_opened(bot))


def test_a_passed_proposal_cannot_be_revised(bot: Harness) -> None:
    setup_pack(bot, values={"members": [ANA, BO, CY]})
    start = bot.clock.at
    message = propose(bot, ANA, "Adopt trunk-based development --closes 1d")
    bot.side.click(
        "proposal_respond", "1:agree", user=BO, channel=CHANNEL, message_ts=message["ts"]
    )
    close_all(bot, start + dt.timedelta(days=1))
    (outcome,) = outcomes(bot)
    assert "Passed" in shown(outcome["blocks"]) and revise_buttons(outcome) == []
    bot.side.click("proposal_revise", "1", user=ANA, channel=CHANNEL, message_ts=outcome["ts"])
    assert "passed, so there is nothing to revise" in shown(last_opened(bot))


def test_a_proposal_that_did_not_pass_can_be_revised(bot: Harness) -> None:
    setup_pack(bot, values={"members": [ANA, BO, CY]})
    start = bot.clock.at
    propose(bot, BO, "Move standups to 11:00 --closes 1d")
    close_all(bot, start + dt.timedelta(days=1))
    (outcome,) = outcomes(bot)
    assert "Not passed" in shown(outcome["blocks"]) and revise_buttons(outcome) == ["1"]
    bot.side.click("proposal_revise", "1", user=BO, channel=CHANNEL, message_ts=outcome["ts"])
    form = last_opened(bot)
    reply = bot.side.submit(form, user=BO, values={"text": "Move standups to 10:30", "closes": ""})
    assert reply.json()["response_action"] == "update"
    bot.fake.wait_for(lambda f: len(top_level(bot, "Proposal:")) == 2)
    second = top_level(bot, "Proposal:")[-1]
    assert "revising #1 (not passed" in shown(second["blocks"])
    closes = int((bot.clock.at + dt.timedelta(hours=48)).timestamp())
    assert f"<!date^{closes}^" in shown(second["blocks"])

"""The weekly summary as the channel gets it, through signed Slack requests and the tick: short
(at most 8 blocks, no empty sections, no jargon, dates instead of ISO weeks), a split a passed
proposal settled shown as decided without its buttons, an open split with them, and a Details
button that opens the full report in a modal."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from tests.conftest import ANA, BO, CHANNEL, CY, DEE, TEAM, Harness
from tests.e2e.journey import setup_pack
from tests.e2e.test_direction import say, vote
from tests.scheduler.test_summary import at, channel_posts, strings
from tests.slack.limits import check_message, check_view

CLI = "Ship the CLI before the web UI"
RUST = "Rewrite the sync engine in Rust"
DECISION = "Ship the CLI in December, the web UI in January"
CLOSES = "2026-12-03T10:00:00+00:00"  # two days after the proposal (Tue 1 Dec, 10:00 UTC)
SUMMARY_AT = "2026-12-04T16:00:00+01:00"  # Friday, the default summary time of Ana's pack


def alert_for(h: Harness, text: str) -> dict[str, Any]:
    (found,) = [m for m in h.fake.messages(CHANNEL) if f"split on: {text}" in m.get("text", "")]
    return found


def button_value(message: dict[str, Any], action_id: str) -> str:
    return next(
        str(e["value"])
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == action_id
    )


def click_for_modal(h: Harness, action_id: str, value: str, user: str, ts: str) -> dict[str, Any]:
    opened = len(h.fake.calls_to("views.open"))
    h.side.click(action_id, value, user=user, channel=CHANNEL, message_ts=ts)
    h.fake.wait_for(lambda f: len(f.calls_to("views.open")) > opened)
    view: dict[str, Any] = h.fake.calls_to("views.open")[-1].args["view"]
    return view


def settle_the_cli_split(h: Harness) -> str:
    """Ana proposes a decision from the CLI split's alert, all three agree, and the tick
    closes it as passed; returns the CLI statement's id."""
    alert = alert_for(h, CLI)
    statement_id = button_value(alert, "split_propose")
    form = click_for_modal(h, "split_propose", statement_id, ANA, alert["ts"])
    assert h.side.submit(form, user=ANA, values={"text": DECISION, "closes": "2d"}).status == 200
    h.fake.wait_for(lambda f: any(DECISION in m.get("text", "") for m in f.messages(CHANNEL)))
    (proposal,) = [m for m in h.fake.messages(CHANNEL) if DECISION in m.get("text", "")]
    respond = button_value(proposal, "proposal_respond").split(":")[0]
    for user in (ANA, BO, CY):
        h.side.click(
            "proposal_respond",
            f"{respond}:agree",
            user=user,
            channel=CHANNEL,
            message_ts=proposal["ts"],
        )
    h.clock.at = at(CLOSES)
    assert h.wolfpack.ticker.tick(h.clock.at).failed == 0
    with h.wolfpack.db.transaction(TEAM) as tx:
        pack = tx.packs.by_channel(CHANNEL)
        assert pack is not None
        (passed,) = tx.proposals.of_pack(pack.id)
    assert passed.outcome is not None and passed.outcome.value == "passed"
    return statement_id


def test_the_summary_is_short_shows_a_settled_split_as_decided_and_opens_details(
    bot: Harness,
) -> None:
    # Set up weeks before: a summary with figures, not a new pack's note.
    setup_pack(
        bot, values={"members": [ANA, BO, CY], "reminder": "0"}, before=dt.timedelta(weeks=2)
    )
    say(bot, ANA, f"add {CLI}")
    say(bot, BO, f"add {RUST}")
    vote(bot, ANA, {CLI: ("1", "Terminals first"), RUST: ("-1", "Not now")})
    vote(bot, BO, {CLI: ("-1", "The web UI sells"), RUST: ("1", "Go will not scale")})
    vote(bot, CY, {CLI: ("1", ""), RUST: ("-1", "")})
    bot.fake.wait_for(lambda f: len(f.messages(CHANNEL)) >= 2)
    cli = settle_the_cli_split(bot)
    rust = button_value(alert_for(bot, RUST), "split_propose")

    bot.clock.at = at(SUMMARY_AT)
    assert bot.wolfpack.ticker.tick(bot.clock.at).failed == 0
    (post,) = [c for c in channel_posts(bot) if "Weekly consensus" in str(c.args.get("text"))]
    blocks: list[dict[str, Any]] = post.args["blocks"]
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    check_message(blocks, post.args["text"])
    body = "\n".join(strings(blocks))
    assert len(blocks) <= 8, [b["type"] for b in blocks]
    assert blocks[0]["text"]["text"] == "Weekly consensus · week of 30 Nov"
    for said in ("No open proposals", "spread", "No decisions", "No open blockers", "scores"):
        assert said not in body, said
    assert not re.search(r"\d{4}-W\d{2}", body + post.args["text"])
    # The settled split: decided, with its decision, and no button to discuss or propose.
    assert f"“{CLI}”\nDecided: “{DECISION}” (passed Thu 3 Dec)" in body
    buttons = [
        (e["action_id"], e["value"])
        for b in blocks
        if b["type"] == "actions"
        for e in b["elements"]
    ]
    assert ("split_propose", cli) not in buttons and ("split_discuss", cli) not in buttons
    # The open split keeps its buttons.
    assert ("split_propose", rust) in buttons and ("split_discuss", rust) in buttons
    assert f"“{RUST}” — 1 agree · 2 disagree" in body
    # Its decision is said once, with the split, not again under the week's decisions.
    assert body.count(DECISION) == 1

    # Details opens the full report of the week in a modal.
    (message,) = [m for m in bot.fake.messages(CHANNEL) if "Weekly consensus" in m["text"]]
    (details,) = [value for action, value in buttons if action == "summary_details"]
    view = click_for_modal(bot, "summary_details", details, BO, message["ts"])
    check_view(view)
    assert view["type"] == "modal" and view["title"]["text"] == "Week of 30 Nov"
    shown = "\n".join(strings(view["blocks"]))
    assert view["blocks"][0]["text"]["text"] == "Weekly consensus · week of 30 Nov"
    for part in ("*Participation*", "*Where we are split*", "*Opinion groups*"):
        assert part in shown, part
    assert f"Decided: “{DECISION}” (passed Thu 3 Dec)" in shown
    assert "For: “Go will not scale”" in shown
    assert not [b for b in view["blocks"] if b["type"] == "actions"]
    # Someone outside the pack is told why not.
    refused = click_for_modal(bot, "summary_details", details, DEE, message["ts"])
    assert "for the pack's members" in json.dumps(refused)

"""A split's `Draft a proposal` through signed HTTP: the proposal form prefilled with a draft
made of the pack's own statements and reasons, each sentence shown with its source, and put
to the pack through the usual proposal flow."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import ANA, BO, CHANNEL, CY, DEE, TEAM, Harness
from tests.e2e.journey import setup_pack
from tests.e2e.test_direction import say, vote
from tests.slack.limits import check_message, check_view

CLI = "Ship the CLI before the web UI"
REVIEW = "Every pull request gets a review within a day"
TERMINALS = "Our users live in terminals"
WEB = "Customers judge us by the <!here> web UI. Sales demos need it too."


def alert_on(h: Harness, text: str) -> dict[str, Any]:
    h.fake.wait_for(lambda f: any(text in m.get("text", "") for m in f.messages(CHANNEL)))
    found: dict[str, Any] = next(m for m in h.fake.messages(CHANNEL) if text in m["text"])
    return found


def open_draft(h: Harness, alert: dict[str, Any], user: str) -> dict[str, Any]:
    value = next(
        e["value"]
        for b in alert["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "split_draft"
    )
    opened = len(h.fake.calls_to("views.open"))
    h.side.click("split_draft", value, user=user, channel=CHANNEL, message_ts=alert["ts"])
    h.fake.wait_for(lambda f: len(f.calls_to("views.open")) > opened)
    view: dict[str, Any] = h.fake.calls_to("views.open")[-1].args["view"]
    check_view(view)
    return view


def text_field(view: dict[str, Any]) -> str:
    fields = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    return str(fields["text"]["element"]["initial_value"])


def test_draft_a_proposal_on_a_split_and_put_it_to_the_pack(bot: Harness) -> None:
    setup_pack(bot, values={"members": [ANA, BO, CY, DEE]})
    say(bot, ANA, f"add {CLI}")
    say(bot, ANA, f"add {REVIEW}")
    vote(bot, ANA, {CLI: ("1", TERMINALS), REVIEW: ("1", "")})
    vote(bot, BO, {CLI: ("-1", WEB), REVIEW: ("1", "")})
    vote(bot, CY, {CLI: ("1", ""), REVIEW: ("1", "")})
    alert = alert_on(bot, f"The pack is split on: {CLI}")
    vote(bot, DEE, {CLI: ("-1", "Sales demos need the web UI"), REVIEW: ("1", "")})
    labels = [
        e["text"]["text"] for b in alert["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert labels == ["Discuss in thread", "Propose a decision", "Draft a proposal"]
    check_message(alert["blocks"], alert.get("text"))

    view = open_draft(bot, alert, BO)
    assert view["callback_id"] == "split_proposal"
    # Two sides of two: the review everyone wants, and one reason from each side. The split
    # statement itself (2 agree, 2 disagree) is no side's to state as fact.
    draft = text_field(view)
    assert draft == f"{REVIEW}. {TERMINALS}. Customers judge us by the <!here> web UI."
    assert CLI not in draft
    shown = json.dumps(view["blocks"], ensure_ascii=False)
    assert f"“{REVIEW}”: statement #2" in shown
    assert f"“{TERMINALS}”: a reason given for agreeing with #1" in shown
    assert (
        "“Customers judge us by the &lt;!here&gt; web UI.”: a reason given for disagreeing "
        "with #1" in shown
    )
    # Each side endorses (0.75 + 0.75 + 0.25) / 3 of it; the review alone reaches 0.75.
    assert "those who agreed 58%, those who disagreed 58%" in shown
    assert "the best single statement: 75% on its weaker side" in shown
    for who in (ANA, BO, CY, DEE, "Ana", "Bo", "Cy", "Dee"):
        assert who not in shown, who

    edited = draft + " We ship both by March."
    ok = bot.side.submit(view, user=BO, values={"text": edited})
    assert ok.status == 200 and "going to" in ok.body
    bot.fake.wait_for(
        lambda f: any("We ship both by March." in m.get("text", "") for m in f.messages(CHANNEL))
    )
    with bot.wolfpack.db.transaction(TEAM) as tx:
        pack = tx.packs.by_channel(CHANNEL)
        assert pack is not None
        (proposal,) = tx.proposals.of_pack(pack.id)
    assert proposal.text == edited and proposal.statement_id == 1 and proposal.author_id == BO


def test_with_no_draft_for_every_side_the_form_says_so_and_starts_from_the_statement(
    bot: Harness,
) -> None:
    setup_pack(bot, values={"members": [ANA, BO, CY, DEE]})
    say(bot, ANA, f"add {CLI}")
    vote(bot, ANA, {CLI: ("1", TERMINALS)})
    vote(bot, BO, {CLI: ("-1", WEB)})
    vote(bot, CY, {CLI: ("1", "")})
    alert = alert_on(bot, f"The pack is split on: {CLI}")
    vote(bot, DEE, {CLI: ("-1", "")})
    view = open_draft(bot, alert, CY)
    assert view["callback_id"] == "split_proposal"
    assert text_field(view) == CLI
    assert "No draft from the pack's own words reaches every side" in json.dumps(view)
    # Someone outside the pack gets a refusal, not a draft.
    refused = open_draft(bot, alert, "UOUTSIDER")
    assert "members" in json.dumps(refused) and "callback_id" not in refused

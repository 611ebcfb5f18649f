"""App Home through signed HTTP and the fake Slack: my streak, the statements and proposals
waiting for me, my own alignment (never anyone else's), my away dates, and the Home's buttons."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from bot.core.analysis.members import Alignment
from bot.core.home import Home, HomePack
from bot.core.packs import Away, Pack, PackSettings, Person
from bot.core.proposals import Proposal
from bot.slack.blocks.home import home_view
from tests.conftest import ANA, BO, CHANNEL, CY, Harness
from tests.e2e.journey import GOOD_ANSWER, open_checkin, setup_pack
from tests.slack.limits import check_message, check_view

HOSTILE = "Ship <!here> docs & <https://evil.example|now> first"


def command(h: Harness, user: str, name: str, text: str) -> str:
    reply, _ = h.side.command(name, text, user=user, channel=CHANNEL)
    assert reply.status == 200, reply.body
    return json.dumps(reply.message(), ensure_ascii=False)


def vote(h: Harness, user: str, choices: dict[str, str]) -> None:
    """Opens /direction and answers: statement text -> value (1, -1, 0)."""
    command(h, user, "/direction", "")
    view = h.fake.calls_to("views.open")[-1].args["view"]
    assert view["callback_id"] == "direction"
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        if block.get("block_id", "").startswith("vote:") and block["label"]["text"] in choices:
            values[block["block_id"]] = choices[block["label"]["text"]]
    reply = h.side.submit(view, user=user, values=values)
    assert reply.status == 200 and reply.body == "", reply.body


def home_of(h: Harness, user: str) -> dict[str, Any]:
    before = len(h.fake.calls_to("views.publish"))
    reply = h.side.event({"type": "app_home_opened", "user": user, "channel": f"D{user}"})
    assert reply.status == 200, reply.body
    calls = h.fake.calls_to("views.publish")
    assert len(calls) == before + 1
    assert calls[-1].args["user_id"] == user
    view: dict[str, Any] = calls[-1].args["view"]
    check_view(view)
    return view


def buttons(view: dict[str, Any], action_id: str) -> list[dict[str, Any]]:
    found = []
    for block in view["blocks"]:
        elements = [block.get("accessory")] if block.get("accessory") else []
        elements += block.get("elements", []) if block["type"] == "actions" else []
        found += [e for e in elements if e.get("action_id") == action_id]
    return found


def proposals_in_channel(h: Harness) -> list[dict[str, Any]]:
    return [m for m in h.fake.messages(CHANNEL) if m.get("text", "").startswith("Proposal:")]


def check_in_on(h: Harness, user: str, at: dt.datetime) -> None:
    h.clock.at = at
    reply = h.side.submit(open_checkin(h, user), user=user, values=GOOD_ANSWER)
    assert reply.status == 200, reply.body


def build_pack_with_history(h: Harness) -> None:
    setup_pack(h, values={"members": [ANA, BO, CY]})
    tuesday = h.clock.at
    # Ana answers Monday's and Tuesday's rounds: a streak of 2. Cy answers only Monday's.
    check_in_on(h, ANA, tuesday - dt.timedelta(days=1))
    check_in_on(h, CY, tuesday - dt.timedelta(days=1))
    check_in_on(h, ANA, tuesday)
    for text in ("Ship the CLI first", "Write docs as we go", "Hire a designer", "Drop Windows"):
        assert "Added" in command(h, BO, "/direction", f"add {text}")
    # Two majority statements: Ana sides with the majority on both, Cy on one of two.
    vote(h, ANA, {"Ship the CLI first": "1", "Write docs as we go": "1"})
    vote(h, BO, {"Ship the CLI first": "1", "Write docs as we go": "1", "Hire a designer": "1"})
    vote(h, CY, {"Ship the CLI first": "-1", "Write docs as we go": "1"})
    assert "posted" in command(h, BO, "/propose", f"{HOSTILE} --closes 2d")
    assert "posted" in command(h, BO, "/propose", "Weekly demo on Fridays")
    h.fake.wait_for(lambda f: len(proposals_in_channel(h)) == 2)
    answered = next(m for m in proposals_in_channel(h) if "Weekly demo" in m["text"])
    h.side.click(
        "proposal_respond",
        f"{proposal_id(answered)}:agree",
        user=ANA,
        channel=CHANNEL,
        message_ts=answered["ts"],
    )
    assert "/checkin back" in command(h, ANA, "/checkin", "away 2026-12-20 2027-01-03")


def proposal_id(message: dict[str, Any]) -> int:
    (value,) = {
        e["value"].split(":")[0]
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    }
    return int(value)


def test_home_shows_my_streak_waiting_votes_proposals_alignment_and_away(bot: Harness) -> None:
    build_pack_with_history(bot)
    view = home_of(bot, ANA)
    shown = json.dumps(view, ensure_ascii=False)
    assert f"<#{CHANNEL}>" in shown and "Europe/Berlin" in shown
    assert "Streak: 2 rounds answered in a row" in shown
    assert "checked in for this round" in shown
    # "Hire a designer" and "Drop Windows" wait for Ana's vote.
    (vote_button,) = buttons(view, "home_vote")
    assert vote_button["text"]["text"] == "Vote on 2 statements"
    # Only the proposal Ana has not answered, escaped, with its closing time as a date token.
    answer_buttons = buttons(view, "home_answer")
    assert len(answer_buttons) == 1
    assert "1 open proposal waiting for you" in shown
    assert "Ship &lt;!here&gt; docs &amp; &lt;https://evil.example|now&gt; first" in shown
    assert "<!here>" not in shown and "<https://evil" not in shown
    closes = int((bot.clock.at + dt.timedelta(days=2)).timestamp())
    assert f"<!date^{closes}^" in shown
    assert "Weekly demo" not in shown
    assert "sided with the majority on 100% of 2 statements" in shown
    assert "50%" not in shown
    assert "Away 2026-12-20 to 2027-01-03" in shown

    cy = json.dumps(home_of(bot, CY), ensure_ascii=False)
    assert "sided with the majority on 50% of 2 statements" in cy
    assert "100%" not in cy
    # Monday answered; Tuesday's round is open and unanswered, which breaks nothing yet.
    assert "Streak: 1 round answered in a row" in cy
    assert "Away" not in cy
    for other in (ANA, BO):
        assert other not in cy
    assert "Streak: none yet" in json.dumps(home_of(bot, BO))


def test_home_buttons_open_the_vote_and_proposal_modals(bot: Harness) -> None:
    build_pack_with_history(bot)
    view = home_of(bot, ANA)

    (vote_button,) = buttons(view, "home_vote")
    bot.side.click("home_vote", vote_button["value"], user=ANA)
    ballot = bot.fake.calls_to("views.open")[-1].args["view"]
    assert ballot["callback_id"] == "direction"
    check_view(ballot)
    labels = [
        b["label"]["text"] for b in ballot["blocks"] if b.get("block_id", "").startswith("vote:")
    ]
    assert sorted(labels) == ["Drop Windows", "Hire a designer"]
    vote(bot, ANA, {"Hire a designer": "1"})
    (vote_button,) = buttons(home_of(bot, ANA), "home_vote")
    assert vote_button["text"]["text"] == "Vote on 1 statement"

    (answer,) = buttons(view, "home_answer")
    bot.side.click("home_answer", answer["value"], user=ANA)
    modal = bot.fake.calls_to("views.open")[-1].args["view"]
    assert modal["callback_id"] == "proposal_answer"
    check_view(modal)
    options = [
        o["text"]["text"]
        for b in modal["blocks"]
        if b["type"] == "input"
        for o in b["element"].get("options", [])
    ]
    assert options == ["Agree", "Abstain", "Disagree", "Block"]
    assert "&lt;!here&gt;" in json.dumps(modal) and "<!here>" not in json.dumps(modal)

    nothing = bot.side.submit(modal, user=ANA, values={"reason": ""}).json()
    assert nothing["response_action"] == "errors" and "position" in nothing["errors"]
    for position in ("disagree", "block"):
        missing = bot.side.submit(
            modal, user=ANA, values={"position": position, "reason": "  "}
        ).json()
        assert missing["response_action"] == "errors"
        assert f"why you {position}" in missing["errors"]["reason"]
    published = len(bot.fake.calls_to("views.publish"))
    done = bot.side.submit(modal, user=ANA, values={"position": "disagree", "reason": "Docs later"})
    assert done.status == 200 and done.body == ""
    # The channel message's counts follow, after the answer.
    counted = "0 agree · 0 abstain · 1 disagree · 0 block"
    bot.fake.wait_for(
        lambda f: any(
            counted in json.dumps(m["blocks"], ensure_ascii=False)
            for m in proposals_in_channel(bot)
            if "evil" in m["text"]
        )
    )
    # The Home is published again without the answered proposal.
    bot.fake.wait_for(lambda f: len(f.calls_to("views.publish")) > published)
    refreshed = bot.fake.calls_to("views.publish")[-1].args
    assert refreshed["user_id"] == ANA
    assert buttons(refreshed["view"], "home_answer") == []

    # Once the proposal has closed, the modal says so instead of taking a position.
    bot.clock.advance(days=3)
    late = bot.side.submit(modal, user=ANA, values={"position": "agree"}).json()
    assert late["response_action"] == "update" and "has closed" in json.dumps(late["view"])
    bot.side.click("home_answer", answer["value"], user=CY)
    assert "has closed" in json.dumps(bot.fake.calls_to("views.open")[-1].args["view"])


def test_home_buttons_refuse_people_outside_the_pack(bot: Harness) -> None:
    build_pack_with_history(bot)
    (answer,) = buttons(home_of(bot, ANA), "home_answer")
    bot.side.click("home_answer", answer["value"], user="UDEE")
    assert "Only the pack's members" in json.dumps(bot.fake.calls_to("views.open")[-1].args["view"])
    bot.side.click("home_vote", "1", user="UDEE")
    assert "Only the pack's members" in json.dumps(bot.fake.calls_to("views.open")[-1].args["view"])


HUGE = ("<!channel> & " * 400)[:2000]


def _pack(i: int) -> Pack:
    return Pack(
        id=i,
        workspace_id=1,
        channel_id=f"C{i:08d}",
        name=HUGE[:80],
        settings=PackSettings(timezone="Pacific/Auckland"),
        created_by="U1",
        admin_ids=("U1",),
    )


def test_home_fits_slack_limits_for_any_number_of_packs_and_proposals() -> None:
    at = dt.datetime(2026, 12, 2, 9, 30, tzinfo=dt.UTC)
    proposals = tuple(
        Proposal(id=n, pack_id=1, text=HUGE, author_id="U2", closes_at=at) for n in range(40)
    )
    home = Home(
        Person("U1", HUGE, "UTC", away=Away(dt.date(2026, 12, 20), dt.date(2027, 1, 3))),
        tuple(
            HomePack(
                _pack(i),
                at,
                "Pacific/Auckland",
                False,
                streak=400,
                waiting_statements=1000,
                waiting_proposals=proposals,
                alignment=Alignment(0.8, 5),
            )
            for i in range(60)
        ),
        today=dt.date(2026, 12, 1),
    )
    view = home_view(home)
    check_view(view)
    shown = json.dumps(view)
    assert "<!channel>" not in shown
    assert "and 37 more" in shown and "more packs" in shown
    assert "80% of 5 statements" in shown
    assert "Away 2026-12-20" in view["blocks"][-2]["elements"][0]["text"]
    # A past away period is not shown.
    past = Home(home.person, home.packs[:1], today=dt.date(2027, 2, 1))
    assert "Away" not in json.dumps(home_view(past))


def test_proposal_surfaces_fit_slack_limits() -> None:
    from bot.core.proposals import Counts, Outcome, ProposalView
    from bot.slack.blocks.proposals import (
        answer_modal,
        decision_log,
        outcome_message,
        proposal_message,
        revise_modal,
    )

    at = dt.datetime(2026, 12, 2, 9, 30, tzinfo=dt.UTC)
    old = Proposal(1, 1, HUGE[:1000], "U1", at, Outcome.BLOCKED, at)
    new = Proposal(2, 1, HUGE[:1000], "U1", at, revises_id=1)
    check_view(answer_modal(ProposalView(_pack(1), new, Counts(), revises=old)))
    check_view(revise_modal(ProposalView(_pack(1), old, Counts(1, 2, 3, 4))))
    for view in (
        ProposalView(_pack(1), new, Counts(), revises=old),
        ProposalView(_pack(1), old, Counts(), (HUGE,) * 20, revised_as=2),
    ):
        text, blocks = proposal_message(view)
        check_message(blocks, text)
        assert "<!channel>" not in json.dumps(blocks)
    text, blocks = outcome_message(ProposalView(_pack(1), old, Counts(), (HUGE,) * 20))
    check_message(blocks, text)
    assert "<!channel>" not in json.dumps(blocks)
    log = decision_log([ProposalView(_pack(1), old, Counts(), revised_as=2)] * 60)
    check_message(log)

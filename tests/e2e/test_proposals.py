"""A proposal end to end through signed HTTP and the fake Slack, closed by `wolfpack tick`."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ANA, BO, CHANNEL, CY, SIGNING_SECRET, Harness, process_env
from tests.e2e.journey import setup_pack


def say(h: Harness, user: str, command: str, text: str) -> str:
    reply, _ = h.side.command(command, text, user=user, channel=CHANNEL)
    assert reply.status == 200, reply.body
    return json.dumps(reply.message(), ensure_ascii=False)


def proposal(h: Harness) -> dict:
    (found,) = [m for m in h.fake.messages(CHANNEL) if "Proposal" in m.get("text", "")]
    return found


def counts(h: Harness) -> str:
    return json.dumps(proposal(h)["blocks"], ensure_ascii=False)


def shows(h: Harness, text: str) -> None:
    """The channel message is updated after the click is answered: wait until it shows."""
    h.fake.wait_for(lambda _: text in counts(h))


def test_a_proposal_from_posting_to_decision(bot: Harness, database_url: str) -> None:
    setup_pack(bot, values={"members": [ANA, BO, CY]})
    assert "puts a decision to the pack" in say(bot, ANA, "/propose", "")
    assert "within 30 days" in say(bot, ANA, "/propose", "Ship it --closes 31d")
    assert "not a duration" in say(bot, ANA, "/propose", "Ship it --closes -1d")
    assert "has passed" in say(bot, ANA, "/propose", "Ship it --closes 2020-01-01")
    assert "Say what to decide" in say(bot, ANA, "/propose", "--closes 2d")
    assert "posted" in say(bot, ANA, "/propose", "Ship the CLI <!here> first --closes 2d")
    bot.fake.wait_for(lambda f: any("Proposal" in m.get("text", "") for m in f.messages(CHANNEL)))
    message = proposal(bot)
    assert "&lt;!here&gt;" in json.dumps(message["blocks"]) and "<!here>" not in json.dumps(message)
    labels = [
        e["text"]["text"]
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    ]
    assert labels == ["Agree", "Abstain", "Disagree", "Block"]

    bot.side.click(
        "proposal_respond", "1:agree", user=ANA, channel=CHANNEL, message_ts=message["ts"]
    )
    shows(bot, "1 agree · 0 abstain · 0 disagree · 0 block")
    bot.side.click(
        "proposal_respond", "1:block", user=BO, channel=CHANNEL, message_ts=message["ts"]
    )
    view = bot.fake.calls_to("views.open")[-1].args["view"]
    assert view["callback_id"] == "proposal_reason"
    missing = bot.side.submit(view, user=BO, values={"reason": "  "}).json()
    assert missing["response_action"] == "errors" and "why you block" in missing["errors"]["reason"]
    assert bot.side.submit(view, user=BO, values={"reason": "Docs first"}).body == ""
    shows(bot, "1 agree · 0 abstain · 0 disagree · 1 block")
    # Bo changes his mind: the latest position counts.
    bot.side.click(
        "proposal_respond", "1:abstain", user=BO, channel=CHANNEL, message_ts=message["ts"]
    )
    shows(bot, "1 agree · 1 abstain · 0 disagree · 0 block")

    env = process_env(
        SLACK_BOT_TOKEN="xoxb-test-token",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=bot.fake.url,
        DATABASE_URL=database_url,
    )
    closes = "2026-12-03T10:00:00+00:00"
    for _ in range(2):
        subprocess.run(
            [sys.executable, "-m", "bot", "tick", "--now", closes],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
    outcomes = [m for m in bot.fake.messages(CHANNEL) if m.get("text", "").startswith("Decision:")]
    assert len(outcomes) == 1
    assert outcomes[0]["thread_ts"] == message["ts"]
    assert "Passed" in json.dumps(outcomes[0]["blocks"])
    assert "Passed" in counts(bot) and "actions" not in counts(bot)
    log = say(bot, CY, "/consensus", "decisions")
    assert "Passed" in log and "Ship the CLI" in log

    bot.clock.at = bot.clock.at.replace(day=4)
    bot.side.click(
        "proposal_respond", "1:agree", user=CY, channel=CHANNEL, message_ts=message["ts"]
    )
    assert "has closed" in json.dumps(bot.fake.calls_to("views.open")[-1].args["view"])


def test_members_who_have_not_answered_are_reminded_privately_once(bot: Harness) -> None:
    import datetime as dt

    setup_pack(bot, values={"members": [ANA, BO, CY]})
    say(bot, ANA, "/propose", "Adopt trunk-based development --closes 2d")
    bot.fake.wait_for(lambda f: any("Proposal" in m.get("text", "") for m in f.messages(CHANNEL)))
    ts = proposal(bot)["ts"]
    bot.side.click("proposal_respond", "1:agree", user=ANA, channel=CHANNEL, message_ts=ts)
    closes = bot.clock.at + dt.timedelta(days=2)

    def reminders() -> dict[str, int]:
        return {
            u: sum("closes soon" in m.get("text", "") for m in bot.fake.messages(f"D{u}"))
            for u in (ANA, BO, CY)
        }

    # It closes on Thursday at 10:00 UTC. Cy (Kolkata) is reminded 4 hours before, 11:30
    # their time. For Bo (Los Angeles) that is 22:00 on Wednesday: Bo is reminded at 17:30 on
    # Wednesday instead, before their working day ends (01:30 UTC).
    bo_last_call = closes - dt.timedelta(hours=8, minutes=30)
    bot.wolfpack.ticker.tick(bo_last_call - dt.timedelta(minutes=1))
    assert reminders() == {ANA: 0, BO: 0, CY: 0}
    bot.wolfpack.ticker.tick(bo_last_call)
    assert reminders() == {ANA: 0, BO: 1, CY: 0}
    bot.wolfpack.ticker.tick(closes - dt.timedelta(hours=5))
    assert reminders() == {ANA: 0, BO: 1, CY: 0}
    bot.wolfpack.ticker.tick(closes - dt.timedelta(hours=3))
    assert reminders() == {ANA: 0, BO: 1, CY: 1}
    bot.wolfpack.ticker.tick(closes - dt.timedelta(hours=2))
    assert reminders() == {ANA: 0, BO: 1, CY: 1}
    closing = f"<!date^{int(closes.timestamp())}^"
    assert closing in json.dumps(bot.fake.messages(f"D{BO}")[-1]["blocks"])
    # The reminder's buttons answer the proposal from the DM.
    bot.side.click("proposal_respond", "1:abstain", user=CY, channel=f"D{CY}")
    shows(bot, "1 agree · 1 abstain · 0 disagree · 0 block")
    assert all(m.get("thread_ts") is None for m in bot.fake.messages(f"D{BO}"))


def test_a_click_finds_the_message_of_a_proposal_whose_ts_was_not_stored(bot: Harness) -> None:
    """The proposal was posted but its ts not stored (the process stopped in between): the
    first click on its message records the position, stores the ts and updates the message."""
    from sqlalchemy import select, update

    from bot.store.models import ProposalRow

    def stored() -> tuple[str | None, str | None]:
        with bot.wolfpack.db.session() as session:
            row = session.execute(select(ProposalRow.channel_id, ProposalRow.message_ts)).one()
            return row[0], row[1]

    setup_pack(bot, values={"members": [ANA, BO, CY]})
    say(bot, ANA, "/propose", "Write the docs first --closes 2d")
    bot.fake.wait_for(lambda _: stored()[1] is not None)
    ts = proposal(bot)["ts"]
    with bot.wolfpack.db.session() as session:
        session.execute(update(ProposalRow).values(channel_id=None, message_ts=None))
    bot.side.click("proposal_respond", "1:abstain", user=CY, channel=CHANNEL, message_ts=ts)
    shows(bot, "0 agree · 1 abstain · 0 disagree · 0 block")
    assert stored() == (CHANNEL, ts)

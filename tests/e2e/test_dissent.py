"""Dissent is taking part (SPEC §4.5), through signed Slack requests and the tick: a member who
votes against the whole pack and gives no reason gets a private note inviting their view, and
the channel only a count; once they disagree with a reason and block a proposal with one, the
next summary flags nothing and sends no note. A reply in a proposal's thread is remembered."""

from __future__ import annotations

import datetime as dt
import json

from bot.core.statements import VoteValue
from tests.conftest import ANA, BO, CHANNEL, CY, DEE, TEAM, Harness
from tests.e2e.journey import setup_pack
from tests.scheduler.test_summary_reached import (
    blocks_of,
    delivery_states,
    dms_saying,
    summary_posts,
    tick,
)
from tests.security.test_privacy import command, propose, take_position, vote
from tests.slack.limits import check_message

FAY = "UFAY"
MAJORITY = (ANA, BO, CY, FAY)
STATEMENTS = (
    "Review every pull request",
    "Keep the on-call rota fair",
    "Write down every decision",
    "Freeze deploys on Fridays",
    "Pair on every incident",
)
VOTED_AT = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)
# Friday 16:00 in Berlin, the default summary time of Ana's pack, in weeks 49 and 50.
FIRST_SUMMARY = dt.datetime(2026, 12, 4, 15, 0, tzinfo=dt.UTC)
SECOND_SUMMARY = FIRST_SUMMARY + dt.timedelta(days=7)
DEE_MONDAY = dt.datetime(2026, 12, 6, 21, 0, tzinfo=dt.UTC)  # Monday 10:00 in Auckland
INVITATION = (
    "Your votes differ from the pack's majority on 5 of 5 statements where it had one, and "
    "nobody has heard why yet (no reason or thread reply from you in the last 14 days). Your "
    "view may be the one the pack is missing: add a one-line reason next time you vote "
    "(`/direction`), or say it in a split's thread."
)
COUNT_LINE = "1 person's view hasn't been heard yet — their reasons are welcome"
UNHEARD = "nobody has heard why yet"


def plant_majority(h: Harness) -> None:
    """Four members agree with five statements, as the vote flow would write it."""
    with h.wolfpack.db.transaction(TEAM) as tx:
        pack = tx.packs.by_channel(CHANNEL)
        assert pack is not None
        for text in STATEMENTS:
            statement, _ = tx.statements.add(pack.id, text, text.lower(), ANA, VOTED_AT)
            for user in MAJORITY:
                tx.statements.vote(statement.id, pack.id, user, VoteValue.AGREE, "", VOTED_AT)


def summary_of(h: Harness, n: int) -> str:
    post = summary_posts(h)[n]
    blocks = blocks_of(post)
    check_message(blocks, post.args["text"])
    return json.dumps(blocks, ensure_ascii=False)


def test_dissent_without_a_reason_is_invited_and_with_one_is_taking_part(bot: Harness) -> None:
    bot.fake.add_user(FAY, name="Fay", tz="Europe/Berlin")
    setup_pack(
        bot,
        values={"members": [*MAJORITY, DEE], "reminder": "0"},
        before=dt.timedelta(days=14),
    )
    plant_majority(bot)
    # Dee disagrees with every statement and says nothing about why.
    bot.clock.at = VOTED_AT + dt.timedelta(hours=1)
    vote(bot, DEE, {text: ("-1", "") for text in STATEMENTS})

    tick(bot, FIRST_SUMMARY)
    first = summary_of(bot, 0)
    # The channel gets a count: no name, no user id, no evidence.
    assert COUNT_LINE in first
    assert DEE not in first and "Dee" not in first and "differ" not in first
    # Friday evening in Berlin is Saturday in Dee's Auckland: the note waits for Monday 09:30.
    assert dms_saying(bot, DEE, UNHEARD) == []
    tick(bot, DEE_MONDAY)
    (note,) = dms_saying(bot, DEE, UNHEARD)
    shown = json.dumps(note, ensure_ascii=False)
    assert INVITATION in shown
    assert "Your view, not heard yet" in shown
    assert "sided with" not in shown and "Views apart" not in shown
    for member in MAJORITY:
        assert dms_saying(bot, member, UNHEARD) == []

    # Week 50: Dee disagrees with a new statement with a reason, and blocks a proposal with one.
    bot.clock.at = FIRST_SUMMARY + dt.timedelta(days=4)
    cli = "Ship the CLI before the web UI"
    assert "added" in json.dumps(command(bot, ANA, "/direction", f"add {cli}").message()).lower()
    vote(bot, DEE, {cli: ("-1", "Customers pay for the web UI")})
    proposal = propose(bot, ANA, "Ship the CLI in January")
    take_position(bot, DEE, proposal, "block", "The web UI is what customers pay for")
    take_position(bot, CY, proposal, "agree")
    # Bo replies in the proposal's thread: who and when are remembered, not the text.
    reply = {
        "type": "message",
        "channel": CHANNEL,
        "user": BO,
        "text": "Could the CLI wait until February?",
        "ts": "1765200000.000100",
        "thread_ts": proposal["ts"],
    }
    assert bot.side.event(reply).status == 200

    def replies() -> list[tuple[str, int | None]]:
        with bot.wolfpack.db.transaction(TEAM) as tx:
            pack = tx.packs.by_channel(CHANNEL)
            assert pack is not None
            since = FIRST_SUMMARY
            return [(r.user_id, r.proposal_id) for r in tx.statements.replies(pack.id, since)]

    bot.fake.wait_for(lambda _: replies() != [])
    assert replies() == [(BO, 1)]

    tick(bot, SECOND_SUMMARY)
    tick(bot, DEE_MONDAY + dt.timedelta(days=7))
    assert len(summary_posts(bot)) == 2
    second = summary_of(bot, 1)
    assert "heard yet" not in second and "reasons are welcome" not in second
    # No second note: Dee's dissent came with reasons.
    assert len(dms_saying(bot, DEE, UNHEARD)) == 1
    assert f"lone-wolf:1:{DEE}:2026-W50" not in delivery_states(bot)

"""`/consensus`: this week's report, now, just to the member who asks; and a split's
`Propose a decision` button putting a proposal to the pack."""

from __future__ import annotations

import json

from tests.conftest import ANA, BO, CHANNEL, CY, DEE, TEAM, Harness
from tests.e2e.journey import setup_pack
from tests.e2e.test_direction import say, vote
from tests.slack.limits import check_message

CLI = "We should ship the CLI <!here> first & soon"


def consensus(h: Harness, user: str, text: str = "") -> dict:
    reply, _ = h.side.command("/consensus", text, user=user, channel=CHANNEL)
    assert reply.status == 200, reply.body
    message: dict = reply.message()
    return message


def split_on_cli(h: Harness) -> dict:
    say(h, ANA, f"add {CLI}")
    vote(h, ANA, {CLI: ("1", "Terminals first")})
    vote(h, BO, {CLI: ("-1", "The <@U1> web UI sells")})
    vote(h, CY, {CLI: ("1", "")})
    h.fake.wait_for(lambda f: bool(f.messages(CHANNEL)))
    (alert,) = h.fake.messages(CHANNEL)
    return alert


def test_consensus_shows_the_week_so_far_to_the_member_only(bot: Harness) -> None:
    setup_pack(bot, values={"members": [ANA, BO, CY]})
    split_on_cli(bot)
    posted_before = len(bot.fake.calls_to("chat.postMessage"))
    report = consensus(bot, BO)
    check_message(report["blocks"], report.get("text"))
    shown = json.dumps(report["blocks"], ensure_ascii=False)
    assert report["blocks"][0]["text"]["text"] == "Consensus so far this week"
    assert "2 agree · 1 disagree · 0 pass" in shown
    assert "&lt;!here&gt;" in shown and "<!here>" not in shown and "&amp;amp;" not in shown
    assert "The &lt;@U1&gt; web UI sells" in shown
    assert "No distinct camps" in shown
    for who in (ANA, BO, CY, "Ana", "Bo", "Cy"):
        assert who not in shown, who
    # Ephemeral: answered in the ack, nothing posted anywhere.
    assert len(bot.fake.calls_to("chat.postMessage")) == posted_before
    assert "for the pack's members" in json.dumps(consensus(bot, DEE))
    assert "decisions" in json.dumps(consensus(bot, BO, "help"))
    assert "I don't know `/consensus dance`" in json.dumps(consensus(bot, BO, "dance"))


def test_propose_a_decision_from_a_split(bot: Harness) -> None:
    setup_pack(bot, values={"members": [ANA, BO, CY]})
    alert = split_on_cli(bot)
    value = next(
        e["value"]
        for b in alert["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "split_propose"
    )
    opened = len(bot.fake.calls_to("views.open"))
    bot.side.click("split_propose", value, user=BO, channel=CHANNEL, message_ts=alert["ts"])
    bot.fake.wait_for(lambda f: len(f.calls_to("views.open")) > opened)
    view = bot.fake.calls_to("views.open")[-1].args["view"]
    assert view["callback_id"] == "split_proposal"
    fields = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert fields["text"]["element"]["initial_value"] == CLI
    bad = bot.side.submit(view, user=BO, values={"text": " ", "closes": "31d"}).json()
    assert bad["response_action"] == "errors" and set(bad["errors"]) == {"text", "closes"}
    ok = bot.side.submit(view, user=BO, values={"text": "Ship the CLI in December"})
    assert ok.status == 200 and "going to" in ok.body
    bot.fake.wait_for(
        lambda f: any("Ship the CLI in December" in m.get("text", "") for m in f.messages(CHANNEL))
    )
    with bot.wolfpack.db.transaction(TEAM) as tx:
        pack = tx.packs.by_channel(CHANNEL)
        assert pack is not None
        (proposal,) = tx.proposals.of_pack(pack.id)
        statement = tx.statements.get(int(value))
    assert proposal.statement_id == int(value) and proposal.author_id == BO
    # Putting the split to a decision counts as discussing it (SPEC §4.6).
    assert statement is not None and statement.discussed_at is not None
    # Someone outside the pack cannot.
    opened = len(bot.fake.calls_to("views.open"))
    bot.side.click("split_propose", value, user=DEE, channel=CHANNEL, message_ts=alert["ts"])
    bot.fake.wait_for(lambda f: len(f.calls_to("views.open")) > opened)
    assert "members" in json.dumps(bot.fake.calls_to("views.open")[-1].args["view"])

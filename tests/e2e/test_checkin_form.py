"""The one-minute check-in through real signed HTTP: four inputs, collaborators from @mentions,
the direction step from the confirmation, last time's focus carried over, and a reminder that
counts who has checked in without naming who has not."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import select

from bot.devtools.simulate import mention, rich_text
from bot.store.models import AnswerRow, StatementRow, VoteRow
from tests.conftest import ANA, BO, CHANNEL, CY, Harness
from tests.e2e.journey import last_view, open_checkin, setup_pack
from tests.slack.limits import check_message, check_view

BERLIN_CLOCK = {"timezone_mode": "pack", "timezone": "Europe/Berlin"}
STATEMENTS = ("Ship the CLI first", "Freeze features in December", "Docs with every feature")
PRIORITY = "Fix onboarding before anything else"


def tick(h: Harness, when: dt.datetime) -> None:
    h.clock.at = when
    h.wolfpack.ticker.tick(when)


def dms(h: Harness, user: str) -> list[dict[str, Any]]:
    return [c.args for c in h.fake.calls_to("chat.postMessage") if c.args["channel"] == f"D{user}"]


def buttons(message: dict[str, Any]) -> dict[str, dict[str, Any]]:
    blocks = message["blocks"]
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    return {e["action_id"]: e for b in blocks if b["type"] == "actions" for e in b["elements"]}


def answer_of(h: Harness, user: str) -> AnswerRow:
    with h.wolfpack.db.session() as s:
        rows = s.scalars(select(AnswerRow).where(AnswerRow.user_id == user)).all()
        return sorted(rows, key=lambda r: r.id)[-1]


def test_the_one_minute_checkin(bot: Harness) -> None:
    setup_pack(bot, values={**BERLIN_CLOCK, "members": [ANA, BO, CY]})
    tuesday = dt.datetime(2026, 12, 1, 8, 30, tzinfo=dt.UTC)  # 09:30 in Berlin
    tick(bot, tuesday)
    for text in STATEMENTS:
        bot.side.command("/direction", f"add {text}", user=ANA, channel=CHANNEL)

    # The form: four inputs, no statements, nothing to share.
    view = open_checkin(bot, BO)
    check_view(view)
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    assert len(inputs) == 4
    assert [b["block_id"] for b in inputs] == [
        "q:progress",
        "q:focus",
        "q:blockers",
        "q:alignment",
    ]
    assert not any(b["block_id"].startswith(("vote:", "reason:", "share")) for b in inputs)
    progress = inputs[0]
    assert progress["element"]["type"] == "rich_text_input"
    assert "@mention" in progress["hint"]["text"]
    assert inputs[2]["optional"] is True
    assert "Last time" not in json.dumps(view)

    # An @mention names who Bo worked with; typed markup stays text.
    said = rich_text("Paired with ", mention(CY), " on the parser <!channel> & <@UANA>")
    values = {"q:progress": said, "q:focus": "Docs & <tests>", "q:alignment": "4"}
    ack = bot.side.submit(view, user=BO, values=values)
    assert ack.status == 200 and ack.body == ""
    bot.fake.wait_for(lambda f: any(m.get("thread_ts") for m in f.messages(CHANNEL)))
    bot.fake.wait_for(lambda f: bool(dms(bot, BO)))
    reply = json.dumps(next(m for m in bot.fake.messages(CHANNEL) if m.get("thread_ts")))
    assert "Paired with @Cy on the parser &lt;!channel&gt; &amp; &lt;@UANA&gt;" in reply
    assert f"<@{CY}>" not in reply and "<!channel>" not in reply
    stored = answer_of(bot, BO)
    assert stored.collaborators == [CY]
    assert stored.texts["progress"] == (
        f"Paired with <@{CY}> on the parser &lt;!channel&gt; &amp; &lt;@UANA&gt;"
    )

    # The confirmation shows the names too, and offers the direction step.
    confirmation = dms(bot, BO)[-1]
    assert "@Cy" in json.dumps(confirmation) and f"<@{CY}>" not in json.dumps(confirmation)
    step = buttons(confirmation)["direction_step"]
    assert step["text"]["text"] == "Where is the pack heading? · 3 statements"
    bot.side.click("direction_step", step["value"], user=BO, channel=f"D{BO}")
    ballot = last_view(bot, "views.open", "direction_step")
    check_view(ballot)
    ids = [b.get("block_id", "") for b in ballot["blocks"] if b["type"] == "input"]
    assert ids[:2] == ["priority", "share_priority"]
    votes = [i for i in ids if i.startswith("vote:")]
    assert len(votes) == 3
    # Another member cannot use Bo's step.
    bot.side.click("direction_step", step["value"], user=CY, channel=f"D{CY}")
    assert "gone" in json.dumps(bot.fake.calls_to("views.open")[-1].args["view"])

    given = {vote: "1" for vote in votes} | {
        votes[0].replace("vote", "reason"): "Users ask for it",
        "priority": PRIORITY,
        "share_priority": ["share"],
    }
    ack = bot.side.submit(ballot, user=BO, values=given)
    assert ack.status == 200 and ack.body == "", ack.body
    with bot.wolfpack.db.session() as s:
        assert sorted(v.user_id for v in s.scalars(select(VoteRow))) == [BO, BO, BO]
        shared = s.scalars(select(StatementRow).where(StatementRow.text == PRIORITY)).one()
        assert shared.author_id == BO
    assert answer_of(bot, BO).texts["priority"] == PRIORITY

    # Editing restores the mention as a mention, and keeps the priority.
    edit = buttons(dms(bot, BO)[0])["checkin_edit"]
    bot.side.click("checkin_edit", edit["value"], user=BO, channel=f"D{BO}")
    editing = last_view(bot, "views.open", "checkin")
    field = next(b for b in editing["blocks"] if b.get("block_id") == "q:progress")
    assert field["element"]["initial_value"] == said
    assert bot.side.submit(editing, user=BO).body == ""
    assert answer_of(bot, BO).texts["priority"] == PRIORITY
    assert answer_of(bot, BO).collaborators == [CY]

    # The reminder says how many checked in, never who has not.
    tick(bot, tuesday + dt.timedelta(hours=2))
    for user, other in ((ANA, "Cy"), (CY, "Ana")):
        reminder = dms(bot, user)[-1]
        assert "reminder" in reminder["text"]
        assert "1 of 3 have checked in" in reminder["text"]
        check_message(reminder["blocks"], reminder["text"])
        shown = json.dumps(reminder)
        for named in (other, "<@UANA>", "<@UCY>", "Bo"):
            assert named not in shown, (user, named)

    # The next round carries last time's focus, escaped, into the first question.
    tick(bot, tuesday + dt.timedelta(days=1, hours=1))
    view = open_checkin(bot, BO)
    shown = json.dumps(view, ensure_ascii=False)
    assert "Last time you planned: “Docs &amp; &lt;tests&gt;”" in shown
    first = next(b for b in view["blocks"] if b["type"] == "input")
    assert first["label"]["text"] == "Did it move? What moved forward since then?"
    assert first["element"].get("initial_value") is None
    assert len([b for b in view["blocks"] if b["type"] == "input"]) == 4

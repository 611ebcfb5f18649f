"""Direction statements through signed HTTP: add, fold duplicates, vote, list with
k-anonymity, and one anonymous split alert when the pack divides."""

from __future__ import annotations

import datetime as dt
import json

from bot.core.statements import VoteValue
from bot.core.usecases import statements
from bot.devtools.simulate import Value
from tests.conftest import ANA, BO, CHANNEL, CY, DEE, TEAM, Harness
from tests.e2e.journey import GOOD_ANSWER, open_checkin, setup_pack

HOSTILE = "Ship <!channel> first & <https://evil.example|now>"


def say(h: Harness, user: str, text: str) -> str:
    reply, _ = h.side.command("/direction", text, user=user, channel=CHANNEL)
    assert reply.status == 200, reply.body
    return json.dumps(reply.message(), ensure_ascii=False)


def vote(h: Harness, user: str, choices: dict[str, tuple[str, str]]) -> None:
    """Opens /direction and answers: statement text -> (value, reason)."""
    say(h, user, "")
    view = h.fake.calls_to("views.open")[-1].args["view"]
    assert view["callback_id"] == "direction"
    values: dict[str, str | list[str] | None] = {}
    for block in view["blocks"]:
        if block.get("block_id", "").startswith("vote:"):
            text = block["label"]["text"]
            if text in choices:
                sid = block["block_id"].split(":")[1]
                values[f"vote:{sid}"] = choices[text][0]
                values[f"reason:{sid}"] = choices[text][1]
    reply = h.side.submit(view, user=user, values=values)
    assert reply.status == 200 and reply.body == "", reply.body


def test_statements_fold_list_and_split(bot: Harness) -> None:
    setup_pack(bot, values={"members": [ANA, BO, CY, DEE]})
    assert "Added" in say(bot, ANA, "add We should ship the CLI before the web UI")
    assert "already has that one" in say(bot, BO, "add we should SHIP the CLI, before the web UI!")
    assert "Added" in say(bot, CY, f"add {HOSTILE}")
    assert "280" in say(bot, CY, "add " + "x" * 300)
    assert "Write the statement" in say(bot, CY, "add")
    assert "Write the statement" in say(bot, CY, "add   ?!")
    cli = "We should ship the CLI before the web UI"
    vote(bot, ANA, {cli: ("1", "Users live in terminals"), HOSTILE: ("0", "")})
    listing = say(bot, ANA, "list")
    assert "fewer than 3 votes so far" in listing
    assert "&lt;!channel&gt;" in listing and "<!channel>" not in listing
    vote(bot, BO, {cli: ("-1", "Customers see <@U123> the web UI")})
    assert bot.fake.messages(CHANNEL) == []
    # 2 agree, 1 disagree: three decided and the smaller side holds a third, so contested.
    vote(bot, CY, {cli: ("1", "")})
    bot.fake.wait_for(lambda f: bool(f.messages(CHANNEL)))
    (alert,) = bot.fake.messages(CHANNEL)
    shown = json.dumps(alert["blocks"], ensure_ascii=False)
    assert "2 agree · 1 disagree · 0 pass" in shown
    assert "Users live in terminals" in shown and "Customers see &lt;@U123&gt; the web UI" in shown
    for person in ("Ana", "Bo", "Cy", "Dee", ANA, BO, CY, DEE):
        assert person not in shown, person
    vote(bot, DEE, {cli: ("-1", "Sales needs a demo")})
    labels = [
        e["text"]["text"] for b in alert["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert labels == ["Discuss in thread", "Propose a decision", "Draft a proposal"]
    listing = say(bot, ANA, "list")
    assert "2 agree · 2 disagree · 0 pass" in listing and "you: agree" in listing
    bot.side.click("split_discuss", "1", user=BO, channel=CHANNEL, message_ts=alert["ts"])
    bot.fake.wait_for(lambda f: any(m.get("thread_ts") == alert["ts"] for m in f.messages(CHANNEL)))
    bot.side.click("split_discuss", "1", user=CY, channel=CHANNEL, message_ts=alert["ts"])
    assert len([m for m in bot.fake.messages(CHANNEL) if m.get("thread_ts") == alert["ts"]]) == 1
    assert len([m for m in bot.fake.messages(CHANNEL) if not m.get("thread_ts")]) == 1


def test_only_members_take_part(bot: Harness) -> None:
    setup_pack(bot, values={"members": [ANA, BO]})
    assert "Only the pack's members" in say(bot, CY, "add Something")
    assert "I don't know `/direction dance`" in say(bot, ANA, "dance")


def direction_step(h: Harness, user: str, answer: dict[str, Value] | None = None) -> dict:
    """Checks in and opens the direction step from the confirmation's button; its view."""
    confirmed = len(h.fake.messages(f"D{user}"))
    reply = h.side.submit(open_checkin(h, user), user=user, values=answer or GOOD_ANSWER)
    assert reply.status == 200 and reply.body == "", reply.body
    h.fake.wait_for(lambda f: len(f.messages(f"D{user}")) > confirmed)
    return open_step(h, user)


def open_step(h: Harness, user: str) -> dict:
    """Presses the direction step's button in the member's latest confirmation."""
    step = next(
        e
        for m in reversed(h.fake.messages(f"D{user}"))
        for b in m.get("blocks", [])
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "direction_step"
    )
    opened = len(h.fake.calls_to("views.open"))
    h.side.click("direction_step", step["value"], user=user, channel=f"D{user}")
    h.fake.wait_for(lambda f: len(f.calls_to("views.open")) > opened)
    view: dict = h.fake.calls_to("views.open")[-1].args["view"]
    assert view["callback_id"] == "direction_step"
    return view


def asked_first(h: Harness, user: str) -> str:
    """The first statement `/direction` puts to the member."""
    say(h, user, "")
    view = h.fake.calls_to("views.open")[-1].args["view"]
    return str(
        next(b for b in view["blocks"] if b.get("block_id", "").startswith("vote:"))["label"][
            "text"
        ]
    )


def test_a_member_whose_camp_is_plain_is_asked_other_statements_than_a_newcomer(
    bot: Harness,
) -> None:
    # Two camps of six split on eight statements and agree on one; a ninth is still open
    # (two for, two against). Ana has answered seven of the splits the first camp's way, Bo
    # nothing yet.
    camps = {camp: [f"U{camp}{n}" for n in range(6)] for camp in "AB"}
    everyone = [*camps["A"], *camps["B"]]
    for user in everyone:
        bot.fake.add_user(user, name=user, tz="Europe/Berlin")
    setup_pack(bot, values={"members": [ANA, BO, *everyone]})
    now = dt.datetime(2026, 12, 1, 10, tzinfo=dt.UTC)
    splits = [f"Split number {n}" for n in range(8)]
    with bot.wolfpack.db.transaction(TEAM) as tx:
        pack = tx.packs.by_channel(CHANNEL)
        assert pack is not None
        ids = {
            text: tx.statements.add(pack.id, text, text.lower(), ANA, now)[0].id
            for text in [*splits, "Everyone agrees", "Still open"]
        }
        for text in splits:
            for camp, value in (("A", VoteValue.AGREE), ("B", VoteValue.DISAGREE)):
                for user in camps[camp]:
                    tx.statements.vote(ids[text], pack.id, user, value, "", now)
        for user in everyone:
            tx.statements.vote(ids["Everyone agrees"], pack.id, user, VoteValue.AGREE, "", now)
        for n, user in enumerate([*camps["A"][:2], *camps["B"][:2]]):
            value = VoteValue.AGREE if n % 2 == 0 else VoteValue.DISAGREE
            tx.statements.vote(ids["Still open"], pack.id, user, value, "", now)
        for text in splits[:7]:
            tx.statements.vote(ids[text], pack.id, ANA, VoteValue.AGREE, "", now)
    # The newcomer is first asked what tells the camps apart; Ana, whose camp is plain,
    # what the pack does not know yet: whether the open statement is common ground. (Pol.is'
    # order, the same for everyone, puts the open statement, seen least, first to both.)
    assert asked_first(bot, BO) in splits
    assert asked_first(bot, ANA) == "Still open"
    ws = bot.wolfpack.workspace(TEAM)
    _, newcomer = statements.ballot(ws, 1, BO, limit=3)
    assert all(v.statement.text in splits for v in newcomer)
    _, plain = statements.ballot(ws, 1, ANA, limit=3)
    assert plain[0].statement.text == "Still open"


def test_the_direction_step_asks_three_statements_and_shares_the_priority(bot: Harness) -> None:
    setup_pack(bot, values={"members": [ANA, BO, CY, DEE]})
    for n in range(4):
        say(bot, ANA, f"add Statement number {n}")
    checkin = open_checkin(bot, BO)
    assert not any(b.get("block_id", "").startswith("vote:") for b in checkin["blocks"])
    view = direction_step(bot, BO)
    asked = [
        b["label"]["text"] for b in view["blocks"] if b.get("block_id", "").startswith("vote:")
    ]
    assert len(asked) == 3
    sid = next(b["block_id"] for b in view["blocks"] if b.get("block_id", "").startswith("vote:"))
    values: dict[str, Value] = {
        "priority": "Fix onboarding before anything else",
        "share_priority": ["share"],
        sid: "-1",
        sid.replace("vote:", "reason:"): "Too vague",
    }
    reply = bot.side.submit(view, user=BO, values=values)
    assert reply.status == 200 and reply.body == ""
    listing = say(bot, BO, "list")
    assert "Fix onboarding before anything else" in listing
    assert "you: disagree" in listing
    # Voted statements are not asked again; the shared one is Bo's own and counts as new.
    again_view = open_step(bot, BO)
    again = [
        b["label"]["text"]
        for b in again_view["blocks"]
        if b.get("block_id", "").startswith("vote:")
    ]
    assert asked[0] not in again and len(again) == 3
    # The priority is kept on the answer and shown again in the step.
    field = next(b for b in again_view["blocks"] if b.get("block_id") == "priority")
    assert field["element"]["initial_value"] == "Fix onboarding before anything else"


def test_a_shared_priority_that_cannot_be_a_statement_is_a_field_error(bot: Harness) -> None:
    setup_pack(bot, values={"members": [ANA, BO, CY]})
    say(bot, ANA, "add Statement number one")
    view = direction_step(bot, BO)
    sid = next(b["block_id"] for b in view["blocks"] if b.get("block_id", "").startswith("vote:"))
    values: dict[str, Value] = {"priority": "<> & !!", "share_priority": ["share"], sid: "1"}
    body = bot.side.submit(view, user=BO, values=values).json()
    # Refused on the priority's own field, and nothing stored: not even the vote.
    assert body["response_action"] == "errors" and set(body["errors"]) == {"priority"}
    assert "you: agree" not in say(bot, BO, "list")
    # Not shared, the same text is a fine priority.
    ok = bot.side.submit(view, user=BO, values={**values, "share_priority": []})
    assert ok.status == 200 and ok.body == ""
    listing = say(bot, BO, "list")
    assert "you: agree" in listing and "&lt;&gt;" not in listing


def test_the_direction_step_asks_the_top_priority_when_no_statement_waits(bot: Harness) -> None:
    setup_pack(bot, values={"members": [ANA, BO, CY]})
    view = direction_step(bot, BO)
    assert "checkin_edit" in json.dumps(bot.fake.messages(f"D{BO}"))
    step = next(
        e
        for b in bot.fake.messages(f"D{BO}")[-1]["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "direction_step"
    )
    # No statement waits: no count, and the step is the top priority alone.
    assert step["text"]["text"] == "Where is the pack heading?"
    inputs = [b["block_id"] for b in view["blocks"] if b["type"] == "input"]
    assert inputs == ["priority", "share_priority"]
    reply = bot.side.submit(view, user=BO, values={"priority": "Ship the importer"})
    assert reply.status == 200 and reply.body == "", reply.body
    # Kept on the answer, and shown again in the step.
    again = open_step(bot, BO)
    field = next(b for b in again["blocks"] if b.get("block_id") == "priority")
    assert field["element"]["initial_value"] == "Ship the importer"


def test_admins_hide_statements(bot: Harness) -> None:
    setup_pack(bot, values={"members": [ANA, BO, CY], "admins": [BO]})
    say(bot, ANA, "add Rewrite it in Rust")
    # Cy is neither a pack admin nor a workspace admin (Ana is the latter).
    assert "Only the pack's admins" in say(bot, CY, "hide 1")
    assert "is hidden" in say(bot, BO, "hide #1")
    assert "Rewrite it in Rust" not in say(bot, ANA, "list")
    say(bot, ANA, "")
    assert "voted on every statement" in json.dumps(
        bot.fake.calls_to("views.open")[-1].args["view"]
    )
    assert "shown again" in say(bot, BO, "unhide 1")
    assert "#1" in say(bot, ANA, "list")
    assert "no statement #7" in say(bot, BO, "hide 7")


def test_votes_change_and_hidden_or_unknown_statements_are_refused(bot: Harness) -> None:
    setup_pack(bot, values={"members": [ANA, BO, CY], "admins": [BO]})
    say(bot, ANA, "add Pair on every feature")
    vote(bot, CY, {"Pair on every feature": ("1", "")})
    say(bot, CY, "")  # nothing left to ask Cy; change the vote through a fresh ballot below
    view = bot.fake.calls_to("views.open")[-1].args["view"]
    assert "voted on every statement" in json.dumps(view)
    # A changed vote replaces the old one: vote again through the check-in's ballot machinery.
    pack_id = 1
    statements.vote(bot.wolfpack.workspace("T0001"), pack_id, CY, [(1, VoteValue.DISAGREE, "")])
    assert "you: disagree" in say(bot, CY, "list")
    say(bot, ANA, "add Ship weekly")
    say(bot, ANA, "")
    stale = bot.fake.calls_to("views.open")[-1].args["view"]
    say(bot, BO, "hide 2")
    ids = [b["block_id"] for b in stale["blocks"] if b.get("block_id", "").startswith("vote:")]
    assert "vote:2" in ids
    reply = bot.side.submit(stale, user=ANA, values={"vote:2": "1"}).json()
    assert reply["response_action"] == "update"
    assert "That statement is gone" in json.dumps(reply["view"])
    forged = {**stale, "private_metadata": json.dumps({"p": 1, "s": [99]})}
    forged["blocks"] = [
        {**b, "block_id": "vote:99", "element": {**b["element"], "action_id": "vote:99"}}
        for b in stale["blocks"]
        if b.get("block_id", "").startswith("vote:")
    ][:1]
    reply = bot.side.submit(forged, user=ANA, values={"vote:99": "1"}).json()
    assert "That statement is gone" in json.dumps(reply["view"])


def test_channel_posts_never_name_voters(bot: Harness) -> None:
    setup_pack(bot, values={"members": [ANA, BO, CY, DEE]})
    say(bot, ANA, "add Mob programming on Fridays")
    for user, value in ((ANA, "1"), (BO, "-1"), (CY, "1"), (DEE, "-1")):
        vote(bot, user, {"Mob programming on Fridays": (value, f"because {user}")})
    bot.fake.wait_for(lambda f: bool(f.messages(CHANNEL)))
    for call in bot.fake.calls:
        if call.args.get("channel") == CHANNEL:
            shown = json.dumps(call.args)
            for user in (ANA, BO, CY, DEE):
                assert user not in shown.replace(f"because {user}", ""), (call.method, user)


def test_open_voting_packs_show_names_and_say_so(bot: Harness) -> None:
    setup_pack(bot, values={"members": [ANA, BO, CY], "votes": "named"})
    say(bot, ANA, "add Demo every Friday")
    say(bot, ANA, "")
    assert "votes openly" in json.dumps(bot.fake.calls_to("views.open")[-1].args["view"])
    for user, value in ((ANA, "1"), (BO, "-1"), (CY, "1")):
        vote(bot, user, {"Demo every Friday": (value, "")})
    listing = say(bot, BO, "list")
    assert "(open votes)" in listing
    assert f"Agree: <@{ANA}>, <@{CY}>" in listing and f"Disagree: <@{BO}>" in listing


def test_one_split_alert_however_many_votes_follow(bot: Harness) -> None:
    extra = [f"UX{i}" for i in range(6)]
    for user in extra:
        bot.fake.add_user(user, name=user, tz="UTC")
    setup_pack(bot, values={"members": [ANA, BO, CY, *extra]})
    say(bot, ANA, "add Freeze features in December")
    text = "Freeze features in December"
    for user, value in ((ANA, "1"), (BO, "-1"), (CY, "1")):
        vote(bot, user, {text: (value, "")})
    bot.fake.wait_for(lambda f: bool(f.messages(CHANNEL)))
    # Six more votes, half through the check-in's direction step, half through /direction.
    for n, user in enumerate(extra):
        value = "1" if n % 2 else "-1"
        if n < 3:
            view = direction_step(bot, user)
            block = next(b for b in view["blocks"] if b.get("block_id", "").startswith("vote:"))
            bot.side.submit(view, user=user, values={block["block_id"]: value})
        else:
            vote(bot, user, {text: (value, "")})
    bot.fake.wait_for(lambda f: len([m for m in f.messages(CHANNEL) if m.get("thread_ts")]) == 3)
    listing = say(bot, ANA, "list")
    assert "5 agree · 4 disagree · 0 pass" in listing
    alerts = [m for m in bot.fake.messages(CHANNEL) if "split on" in m.get("text", "")]
    assert len(alerts) == 1


def test_split_sensitivity_is_a_pack_setting(bot: Harness) -> None:
    setup_pack(bot, values={"members": [ANA, BO, CY, DEE], "split_sensitivity": "0.8"})
    say(bot, ANA, "add Drop the mobile app")
    text = "Drop the mobile app"
    for user, value in ((ANA, "1"), (BO, "-1"), (CY, "1")):
        vote(bot, user, {text: (value, "")})
    # 2 against 1 is a third on the smaller side: below this pack's 40 %.
    assert bot.fake.messages(CHANNEL) == []
    vote(bot, DEE, {text: ("-1", "")})
    bot.fake.wait_for(lambda f: len(f.messages(CHANNEL)) == 1)
    # Alerted at 2 against 2, not before: the counts in the alert say when it fired.
    alert = json.dumps(bot.fake.messages(CHANNEL)[0]["blocks"], ensure_ascii=False)
    assert "2 agree · 2 disagree · 0 pass" in alert

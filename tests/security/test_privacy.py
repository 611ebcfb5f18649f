"""Privacy (SPEC §6) through signed HTTP, the fake Slack and both databases: `/wolfpack
forget-me` leaves no trace of a member in their workspace and touches no other workspace; an
anonymous pack's votes never leave the bot paired with the voter, not even in the admin's
export; export and forget-me ask who is asking and what they mean."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.fernet import Fernet
from slack_sdk.oauth.installation_store.models.installation import Installation
from sqlalchemy import event, inspect, select, true

from bot.core.checkins import AnswerInput, AnswerStatus
from bot.core.delivery import DeliveryState
from bot.core.packs import Away, PackDraft, PackSettings, Person
from bot.core.proposals import Position
from bot.core.schedule import DeliveryKey, Due, IsoWeek
from bot.core.statements import VoteValue, normalize
from bot.core.usecases.privacy import read_export
from bot.devtools.simulate import Reply, Value, mention, rich_text
from bot.store.installations import EncryptedInstallationStore, TokenCipher
from bot.store.models import Base, WorkspaceRow
from tests.conftest import ANA, BO, CHANNEL, CY, DEE, TEAM, Harness
from tests.e2e.journey import GOOD_ANSWER, open_checkin, setup_pack

OTHER_TEAM = "T0002"
SIDE = "CSIDE"
NAMES = {ANA: "Ana", BO: "Bo", CY: "Cy"}
# The one reference to a forgotten member that stays: slack_sdk's record of who installed the
# app. It is the workspace's installation, not the member's data; slack_sdk requires the column
# (NOT NULL) and finds user-level installs by it, and removing the row would uninstall the app
# for everyone. An admin reinstalling the app replaces it.
KEPT = {("slack_installations", "user_id")}
CLI = "We should ship the CLI before the web UI"
DOCS = "Docs come before new features"


# --- driving the bot -----------------------------------------------------------------------


def command(h: Harness, user: str, name: str, text: str, channel: str = CHANNEL) -> Reply:
    reply, _ = h.side.command(name, text, user=user, channel=channel)
    assert reply.status == 200, reply.body
    return reply


def shown(reply: Reply) -> str:
    return json.dumps(reply.message(), ensure_ascii=False)


def check_in(h: Harness, user: str, **answers: Value) -> None:
    """Submits a check-in and waits until it is published and confirmed by DM."""
    confirmed = len(h.fake.messages(f"D{user}"))
    values: dict[str, Value] = {**GOOD_ANSWER, **{f"q:{k}": v for k, v in answers.items()}}
    reply = h.side.submit(open_checkin(h, user), user=user, values=values)
    assert reply.status == 200 and reply.body == "", reply.body
    h.fake.wait_for(lambda f: len(f.messages(f"D{user}")) > confirmed)


def vote(h: Harness, user: str, choices: dict[str, tuple[str, str]]) -> None:
    """Opens /direction and answers: statement text -> (value, reason)."""
    command(h, user, "/direction", "")
    view = h.fake.calls_to("views.open")[-1].args["view"]
    values: dict[str, Value] = {}
    for block in view["blocks"]:
        if block.get("block_id", "").startswith("vote:") and block["label"]["text"] in choices:
            sid = block["block_id"].split(":")[1]
            values[f"vote:{sid}"], values[f"reason:{sid}"] = choices[block["label"]["text"]]
    reply = h.side.submit(view, user=user, values=values)
    assert reply.status == 200 and reply.body == "", reply.body


def propose(h: Harness, user: str, text: str) -> dict[str, Any]:
    assert "posted" in shown(command(h, user, "/propose", f"{text} --closes 2d"))
    h.fake.wait_for(lambda f: any(text in m.get("text", "") for m in f.messages(CHANNEL)))
    return next(m for m in h.fake.messages(CHANNEL) if text in m.get("text", ""))


def take_position(
    h: Harness, user: str, message: dict[str, Any], position: str, why: str = ""
) -> None:
    """Clicks a proposal button (and gives the reason asked for), then waits until the
    channel message shows it."""

    def updates() -> int:
        return sum(c.args.get("ts") == message["ts"] for c in h.fake.calls_to("chat.update"))

    proposal_id = message["blocks"][-1]["elements"][0]["value"].split(":")[0]
    opened, updated = len(h.fake.calls_to("views.open")), updates()
    h.side.click(
        "proposal_respond",
        f"{proposal_id}:{position}",
        user=user,
        channel=CHANNEL,
        message_ts=message["ts"],
    )
    if Position(position).needs_reason:
        assert len(h.fake.calls_to("views.open")) == opened + 1
        view = h.fake.calls_to("views.open")[-1].args["view"]
        assert h.side.submit(view, user=user, values={"reason": why}).body == ""
    h.fake.wait_for(lambda _: updates() > updated)


def ephemerals_to(h: Harness, user: str) -> list[str]:
    return [
        json.dumps(c.args, ensure_ascii=False)
        for c in h.fake.calls_to("chat.postEphemeral")
        if c.args.get("user") == user
    ]


def wait_for_ephemeral(h: Harness, user: str, text: str) -> str:
    h.fake.wait_for(lambda _: any(text in e for e in ephemerals_to(h, user)))
    return next(e for e in ephemerals_to(h, user) if text in e)


def wait_for_thread_replies(h: Harness, count: int) -> None:
    h.fake.wait_for(lambda f: sum(bool(m.get("thread_ts")) for m in f.messages(CHANNEL)) >= count)


# --- reading the database ------------------------------------------------------------------


def rows_of(h: Harness, team_id: str) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table that belongs to the workspace: by workspace_id, by team_id for
    slack_sdk's tables, and all of them for tables that belong to no workspace."""
    engine = h.wolfpack.engine
    stored = set(inspect(engine).get_table_names()) - {"alembic_version"}
    known = {t.name for t in Base.metadata.sorted_tables}
    assert stored <= known, f"tables the scan would miss: {stored - known}"
    found: dict[str, list[dict[str, Any]]] = {}
    with engine.connect() as conn:
        workspace = conn.scalar(select(WorkspaceRow.id).where(WorkspaceRow.team_id == team_id))
        for table in Base.metadata.sorted_tables:
            if "workspace_id" in table.c:
                where = table.c.workspace_id == workspace
            elif table.name == "workspaces":
                where = table.c.id == workspace
            elif "team_id" in table.c:
                where = table.c.team_id == team_id
            else:
                where = true()
            query = select(table).where(where).order_by(*table.primary_key.columns)
            found[table.name] = [dict(r._mapping) for r in conn.execute(query)]
    return found


def naming(rows: dict[str, list[dict[str, Any]]], user_id: str) -> set[tuple[str, str]]:
    """(table, column) of every value, strings and JSON alike, that contains the user id
    anywhere (in a key, a mention, a DM channel's id), unless it is the start of a longer id
    (UBO of UBOT)."""
    pattern = re.compile(rf"{user_id}(?![A-Z0-9])")
    hits = set()
    for table, items in rows.items():
        for row in items:
            for column, value in row.items():
                text = value if isinstance(value, str) else json.dumps(value, default=str)
                if pattern.search(text):
                    hits.add((table, column))
    return hits


def install(h: Harness, team_id: str, installer: str) -> None:
    """An OAuth installation record, as slack_sdk's store writes it."""
    cipher = TokenCipher([Fernet.generate_key().decode()])
    store = EncryptedInstallationStore("111.222", h.wolfpack.engine, cipher)
    store.save(
        Installation(
            app_id="A0001",
            enterprise_id=None,
            team_id=team_id,
            bot_token=f"xoxb-{team_id}",
            bot_id="B0001",
            bot_user_id="UBOT",
            bot_scopes=["chat:write"],
            user_id=installer,
            installed_at=1_764_000_000.0,
        )
    )


def lone_wolf_dm(h: Harness, user_id: str) -> None:
    """A lone-wolf DM to the member, queued as the week's summary queues it."""
    now = h.clock.now()
    with h.wolfpack.db.transaction(TEAM) as tx:
        pack = tx.packs.by_channel(CHANNEL)
        assert pack is not None
        key = DeliveryKey.lone_wolf(pack.id, user_id, IsoWeek.of(now.date()))
        tx.deliveries.add_many([(Due(key, now.date(), now), DeliveryState.SENT)], now)


def other_workspace(h: Harness, user_id: str) -> None:
    """The same Slack user id in another workspace, with one row of every kind."""
    now = h.clock.now()
    with h.wolfpack.db.transaction(OTHER_TEAM) as tx:
        tx.people.upsert(Person(user_id, "Cy elsewhere", "Asia/Kolkata"), now)
        tx.people.set_away(user_id, Away(dt.date(2026, 12, 20), dt.date(2027, 1, 3)))
        draft = PackDraft("COTHER", "other", PackSettings(), (user_id,), (user_id,), user_id)
        pack, _ = tx.packs.save(draft, now)
        tx.members.replace(pack.id, [user_id], now)
        rnd = tx.rounds.get_or_create(pack.id, now.date(), now)
        given = AnswerInput({"progress": f"Paired with <@{user_id}>"}, (user_id,), 4)
        tx.answers.save(rnd.id, pack.id, user_id, AnswerStatus.ANSWERED, given, now)
        statement, _ = tx.statements.add(pack.id, CLI, normalize(CLI), user_id, now)
        tx.statements.vote(statement.id, pack.id, user_id, VoteValue.AGREE, "Terminals", now)
        closes = now + dt.timedelta(days=2)
        proposal = tx.proposals.add(pack.id, "Adopt trunk", user_id, closes, now)
        tx.proposals.respond(proposal.id, user_id, Position.AGREE, "", now)
        due = Due(DeliveryKey.prompt(pack.id, user_id, now.date()), now.date(), now)
        tx.deliveries.add_many([(due, DeliveryState.SENT)], now)
    install(h, OTHER_TEAM, user_id)


# --- forget-me -----------------------------------------------------------------------------


def test_forget_me_leaves_no_trace_in_the_workspace_and_touches_no_other(bot: Harness) -> None:
    # Cy sets the pack up, is one of its admins, checks in, writes and votes on statements,
    # proposes and answers proposals, goes away, is prompted, and installed the app.
    setup_pack(bot, admin=CY, values={"members": [ANA, BO, CY], "admins": [ANA, CY]})
    check_in(bot, CY, progress=rich_text("Reviewed with ", mention(ANA)), blockers="Waiting")
    check_in(bot, ANA, progress=rich_text("Paired with ", mention(CY), " on the parser"))
    check_in(bot, BO)
    wait_for_thread_replies(bot, 3)
    command(bot, CY, "/direction", f"add {CLI}")
    command(bot, ANA, "/direction", f"add {DOCS}")
    vote(bot, CY, {CLI: ("1", "Users live in terminals"), DOCS: ("-1", "")})
    vote(bot, ANA, {CLI: ("1", ""), DOCS: ("1", "")})
    vote(bot, BO, {CLI: ("-1", f"Unlike {CY}, I want the web UI"), DOCS: ("0", "")})
    mine = propose(bot, CY, "Adopt trunk-based development")
    take_position(bot, CY, mine, "abstain")
    take_position(bot, ANA, mine, "agree")
    theirs = propose(bot, ANA, "Move the standup to 10:00")
    take_position(bot, BO, theirs, "block", f"Clashes with {CY}'s school run")
    # Cy talks the proposal over in its thread: that Cy replied is noted, never the text.
    reply = {"type": "message", "channel": CHANNEL, "user": CY, "ts": "1764600000.000900"}
    assert bot.side.event({**reply, "text": "Why 10?", "thread_ts": theirs["ts"]}).status == 200
    bot.fake.wait_for(lambda _: bool(rows_of(bot, TEAM)["thread_replies"]))
    command(bot, CY, "/checkin", "away 2026-12-20 2027-01-03")
    # Prompts and reminders for everyone; then proposal reminders to those who did not answer.
    bot.wolfpack.tick(dt.datetime(2026, 12, 2, 4, 1, tzinfo=dt.UTC))
    bot.wolfpack.tick(dt.datetime(2026, 12, 3, 7, 0, tzinfo=dt.UTC))
    lone_wolf_dm(bot, CY)
    install(bot, TEAM, CY)
    other_workspace(bot, CY)

    before = rows_of(bot, TEAM)
    assert {t for t, _ in naming(before, CY)} >= {
        "packs", "people", "memberships", "answers", "deliveries",
        "statements", "votes", "proposals", "proposal_responses", "slack_installations",
        "thread_replies",
    }  # fmt: skip
    # Every delivery whose key names Cy (prompts, reminders, a proposal reminder, a lone-wolf
    # DM) names Cy as its recipient too: forget-me deletes them by that column.
    to_cy = [d for d in before["deliveries"] if CY in d["key"]]
    assert {d["kind"] for d in to_cy} >= {"prompt", "proposal-reminder", "lone-wolf"}
    assert all(d["user_id"] == CY for d in to_cy)
    assert [d for d in before["deliveries"] if d["user_id"] == CY] == to_cy
    elsewhere = rows_of(bot, OTHER_TEAM)
    assert naming(elsewhere, CY)
    cy_reply = next(m["ts"] for m in bot.fake.messages(CHANNEL) if m.get("text") == "Cy checked in")

    asked = shown(command(bot, CY, "/wolfpack", "forget-me"))
    for line in (
        "1 check-in answer (and 1 post in round threads)",
        "2 votes on statements",
        "1 position on proposals",
        "1 note that you replied in a discussion thread",
        "1 blocker you raised",
        "1 pack membership",
        "your profile (name, timezone, away dates)",
        "1 statement you wrote",
        "1 proposal you made",
        "1 pack you set up or administer",
        "3 entries by others that name you",
    ):
        assert line in asked, line
    assert "forget_me_confirm" in asked and "forget_me_cancel" in asked
    assert rows_of(bot, TEAM) == before, "asking deletes nothing"

    bot.side.click("forget_me_confirm", "confirm", user=CY, channel=CHANNEL)
    told = wait_for_ephemeral(bot, CY, "is deleted")
    assert "2 votes on statements" in told and "1 pack membership" in told
    assert "1 note that you replied in a discussion thread" in told
    assert "1 blocker you raised" in told

    after = rows_of(bot, TEAM)
    assert naming(after, CY) == KEPT
    assert after["deliveries"] == [d for d in before["deliveries"] if d not in to_cy]
    assert [r["user_id"] for r in after["slack_installations"]] == [CY]
    assert rows_of(bot, OTHER_TEAM) == elsewhere
    # Everyone else's data stays, without Cy in it.
    (pack,) = after["packs"]
    assert pack["admin_ids"] == [ANA] and pack["created_by"] == ""
    assert sorted(m["user_id"] for m in after["memberships"]) == [ANA, BO]
    assert sorted(a["user_id"] for a in after["answers"]) == [ANA, BO]
    (ana,) = [a for a in after["answers"] if a["user_id"] == ANA]
    assert ana["collaborators"] == []
    assert ana["texts"]["progress"] == "Paired with @a former member on the parser"
    assert len(after["votes"]) == 4 and {v["user_id"] for v in after["votes"]} == {ANA, BO}
    assert {s["text"]: s["author_id"] for s in after["statements"]} == {CLI: None, DOCS: ANA}
    assert [p["author_id"] for p in after["proposals"]] == [None, ANA]
    assert [(r["user_id"], r["position"]) for r in after["proposal_responses"]] == [
        (ANA, "agree"),
        (BO, "block"),
    ]
    assert after["proposal_responses"][1]["reason"] == "Clashes with a former member's school run"
    assert len(after["rounds"]) == len(before["rounds"])
    assert after["thread_replies"] == []
    assert CY not in {p["user_id"] for p in after["people"]}
    # Cy's check-in is gone from the round thread too.
    assert [c.args["ts"] for c in bot.fake.calls_to("chat.delete")] == [cy_reply]
    assert all(m.get("text") != "Cy checked in" for m in bot.fake.messages(CHANNEL))
    assert f"<@{CY}>" not in shown(command(bot, ANA, "/wolfpack", "members"))
    # Nothing is left to delete, and this pack prompts Cy no more; the other workspace does.
    assert "nothing to delete" in shown(command(bot, CY, "/wolfpack", "forget-me"))
    sent = len(bot.fake.messages(f"D{CY}"))
    bot.wolfpack.tick(dt.datetime(2026, 12, 4, 4, 1, tzinfo=dt.UTC))
    prompts = [json.dumps(m) for m in bot.fake.messages(f"D{CY}")[sent:]]
    assert prompts and all("COTHER" in m and CHANNEL not in m for m in prompts)


def test_cancel_deletes_nothing_and_a_non_member_is_forgotten_in_every_pack(
    bot: Harness,
) -> None:
    bot.fake.add_channel(SIDE, name="side", members=[ANA, BO, CY])
    setup_pack(bot, values={"members": [ANA, BO, CY]})
    command(bot, ANA, "/direction", f"add {CLI}")
    vote(bot, BO, {CLI: ("1", "")})
    command(bot, ANA, "/wolfpack", "setup", channel=SIDE)
    bot.fake.wait_for(lambda f: len(f.calls_to("views.update")) >= 2)
    view = bot.fake.calls_to("views.update")[-1].args["view"]
    assert bot.side.submit(view, user=ANA, values={"members": [ANA, BO]}).status == 200
    command(bot, ANA, "/direction", f"add {DOCS}", channel=SIDE)
    command(bot, BO, "/direction", "", channel=SIDE)
    ballot = bot.fake.calls_to("views.open")[-1].args["view"]
    sid = next(b["block_id"] for b in ballot["blocks"] if b.get("block_id", "").startswith("vote:"))
    assert bot.side.submit(ballot, user=BO, values={sid: "-1"}).body == ""
    # Bo leaves both packs: no longer a member anywhere, his votes still stored.
    for channel in (CHANNEL, SIDE):
        bot.side.event({"type": "member_left_channel", "user": BO, "channel": channel})
    assert "not a member" in shown(command(bot, BO, "/checkin", ""))

    before = rows_of(bot, TEAM)
    asked = shown(command(bot, BO, "/wolfpack", "forget-me", channel=SIDE))
    assert "2 votes on statements" in asked and "2 pack memberships" in asked
    bot.side.click("forget_me_cancel", "cancel", user=BO, channel=SIDE)
    wait_for_ephemeral(bot, BO, "Nothing was deleted")
    assert rows_of(bot, TEAM) == before

    bot.side.click("forget_me_confirm", "confirm", user=BO, channel=SIDE)
    told = wait_for_ephemeral(bot, BO, "is deleted")
    assert "2 votes on statements" in told and "2 pack memberships" in told
    assert naming(rows_of(bot, TEAM), BO) == set()
    # Someone Wolfpack never met has nothing to delete, and gets no button.
    nothing = shown(command(bot, DEE, "/wolfpack", "forget-me"))
    assert "nothing to delete" in nothing and "forget_me_confirm" not in nothing


# --- anonymity -----------------------------------------------------------------------------

# What a vote is called wherever it is shown: statement votes and proposal positions.
VOTE_WORDS = re.compile(r"\b(agree|disagree|pass|abstain|block)\b", re.IGNORECASE)
ADDRESSING = frozenset(
    {"channel", "channel_id", "channels", "user", "users", "user_id", "ts", "thread_ts"}
    | {"trigger_id", "external_id", "view_id", "hash", "filename", "length", "token"}
)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _units(args: dict[str, Any]) -> Iterator[str]:
    """What one message or view shows, piece by piece: each block, and each other argument."""
    for key, value in args.items():
        if key in ADDRESSING:
            continue
        blocks = value.get("blocks") if key == "view" and isinstance(value, dict) else value
        if key in ("blocks", "view") and isinstance(blocks, list):
            for block in blocks:
                yield " | ".join(_strings(block))
        else:
            yield " | ".join(_strings(value))


def _file_units(content: bytes) -> Iterator[str]:
    """Each row of a CSV file; each object of a JSON file (its own values, not its children's)."""
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return  # the chart: pixels
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        for row in csv.reader(io.StringIO(text)):
            yield " | ".join(row)
        return
    stack = [document]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            yield " | ".join(str(v) for v in item.values() if not isinstance(v, dict | list))
            stack.extend(v for v in item.values() if isinstance(v, dict | list))
        elif isinstance(item, list):
            stack.extend(item)


def pairings(h: Harness, replies: list[Reply]) -> list[str]:
    """Every piece of what the bot sent (Web API calls, uploaded files, answers to commands)
    that names a voter beside a vote."""
    units = [u for c in h.fake.calls for u in _units(c.args)]
    units += [u for f in h.fake.uploaded_files.values() for u in _file_units(f["content"])]
    units += [u for r in replies for u in _units(r.message())]
    found = []
    for unit in units:
        if not VOTE_WORDS.search(unit):
            continue
        for user, name in NAMES.items():
            if re.search(rf"(?<![A-Za-z0-9])({user}|{name})(?![A-Za-z0-9])", unit):
                found.append(unit)
    return found


def export_document(h: Harness) -> dict[str, Any]:
    (doc,) = [
        json.loads(f["content"])
        for f in h.fake.uploaded_files.values()
        if f["filename"].endswith(".json")
    ]
    return doc


@pytest.mark.parametrize("open_votes", [False, True], ids=["anonymous", "open"])
def test_an_anonymous_pack_never_pairs_a_voter_with_a_vote(bot: Harness, open_votes: bool) -> None:
    votes = "named" if open_votes else "anonymous"
    setup_pack(bot, values={"members": [ANA, BO, CY], "votes": votes})
    replies: list[Reply] = []
    for user in (ANA, BO, CY):
        check_in(bot, user, collaborators=[ANA if user != ANA else BO])
    command(bot, ANA, "/direction", f"add {CLI}")
    command(bot, BO, "/direction", f"add {DOCS}")
    vote(bot, ANA, {CLI: ("1", "Users live in terminals"), DOCS: ("0", "")})
    vote(bot, BO, {CLI: ("-1", "Customers see the web UI"), DOCS: ("1", "")})
    vote(bot, CY, {CLI: ("1", ""), DOCS: ("-1", "Features pay the bills")})
    message = propose(bot, BO, "Adopt trunk-based development")
    take_position(bot, ANA, message, "agree")
    take_position(bot, CY, message, "block", "Our CI cannot take it yet")
    take_position(bot, BO, message, "abstain")
    for user in (ANA, BO, CY):
        replies += [command(bot, user, "/direction", "list"), command(bot, user, "/consensus", "")]
        replies.append(command(bot, user, "/consensus", "decisions"))
        bot.side.event(
            {"type": "app_home_opened", "user": user, "channel": f"D{user}", "tab": "home"}
        )
    # The proposal closes, and Friday's summary goes out with its chart.
    bot.wolfpack.tick(dt.datetime(2026, 12, 3, 10, 1, tzinfo=dt.UTC))
    bot.wolfpack.tick(dt.datetime(2026, 12, 4, 15, 1, tzinfo=dt.UTC))
    assert any(c.args.get("channel") == CHANNEL for c in bot.fake.calls_to("chat.postMessage"))
    assert len(bot.fake.uploaded_files) == 1, "the summary's chart"
    replies.append(command(bot, ANA, "/wolfpack", "export"))
    bot.fake.wait_for(lambda f: len(f.calls_to("files.completeUploadExternal")) == 2)

    doc = export_document(bot)
    by_text = {s["text"]: s for s in doc["statements"]}
    (proposal,) = doc["proposals"]
    assert (by_text[CLI]["agree"], by_text[CLI]["disagree"], by_text[CLI]["pass"]) == (2, 1, 0)
    assert (proposal["agree"], proposal["abstain"], proposal["block"]) == (1, 1, 1)
    assert proposal["outcome"] == "blocked"
    found = pairings(bot, replies)
    per_member = [
        f["filename"]
        for f in bot.fake.uploaded_files.values()
        if f["filename"].endswith(("-votes.csv", "-positions.csv"))
    ]
    if not open_votes:
        assert found == []
        assert doc["votes"] == "anonymous" and per_member == []
        assert all("votes" not in s for s in doc["statements"]) and "positions" not in proposal
        # Fewer than 3 decided (1 agree, 1 disagree): not even the counts.
        assert by_text[DOCS]["agree"] is None and by_text[DOCS]["disagree"] is None
    else:
        # The same detector finds them where the pack chose to vote openly: in the listing
        # each member sees, and in the export's files.
        assert any(f"Agree: <@{ANA}>" in u for u in found)
        assert any(f"{ANA} | Ana | agree" in u for u in found)
        assert len(per_member) == 2
        assert sorted((v["user_id"], v["vote"]) for v in by_text[CLI]["votes"]) == [
            (ANA, "agree"),
            (BO, "disagree"),
            (CY, "agree"),
        ]
        assert sorted(
            (r["user_id"], r["position"], r["reason"]) for r in proposal["positions"]
        ) == [
            (ANA, "agree", ""),
            (BO, "abstain", ""),
            (CY, "block", "Our CI cannot take it yet"),
        ]
    # No self-reported alignment score leaves the bot beside its author.
    for rnd in doc["rounds"]:
        assert all("alignment" not in a for a in rnd["answers"])
    # The export reads the pack in the same number of queries however much it holds.
    reads = queries_to_read_export(bot)
    command(bot, CY, "/direction", "add Pair on every change")
    vote(bot, ANA, {"Pair on every change": ("1", "")})
    take_position(bot, CY, propose(bot, CY, "Freeze features in December"), "agree")
    assert queries_to_read_export(bot) == reads


def queries_to_read_export(h: Harness) -> int:
    statements: list[str] = []

    def seen(*args: Any) -> None:
        statements.append(args[2])

    engine = h.wolfpack.engine
    with h.wolfpack.db.transaction(TEAM) as tx:
        (pack,) = tx.packs.all()
        event.listen(engine, "before_cursor_execute", seen)
        try:
            read_export(tx, pack, h.clock.now())
        finally:
            event.remove(engine, "before_cursor_execute", seen)
    return len(statements)


# --- who may export, and what settings show -------------------------------------------------


def test_only_admins_export_and_a_refusal_changes_nothing(bot: Harness) -> None:
    setup_pack(bot, values={"members": [ANA, BO, CY], "admins": [CY]})
    check_in(
        bot,
        BO,
        progress=rich_text('=HYPERLINK("https://evil.example") with ', mention(CY), " & co"),
        blockers="Waiting on <the> keys",
    )
    before, calls = rows_of(bot, TEAM), len(bot.fake.calls)
    for user, channel, refusal in (
        (BO, CHANNEL, "Only this pack's admins can export"),
        (BO, f"D{BO}", "in the channel of the pack"),
        (DEE, CHANNEL, "Only this pack's admins can export"),
    ):
        assert refusal in shown(command(bot, user, "/wolfpack", "export", channel=channel))
    assert rows_of(bot, TEAM) == before
    assert [c.method for c in bot.fake.calls[calls:]] == ["users.info"], (
        "Dee is looked up, not stored"
    )
    assert bot.fake.uploaded_files == {}

    # Ana is a workspace admin; Cy is the pack's admin and asks from a DM.
    for user, channel in ((ANA, CHANNEL), (CY, f"D{CY}")):
        started = shown(command(bot, user, "/wolfpack", "export", channel=channel))
        assert "on its way to your DMs" in started
        bot.fake.wait_for(
            lambda f, u=user: any(
                c.args.get("channel_id") == f"D{u}"
                for c in f.calls_to("files.completeUploadExternal")
            )
        )
    names = sorted(f["filename"] for f in bot.fake.uploaded_files.values())
    assert len(names) == 12 and all(n.startswith("wolfpack-team-2026-12-01") for n in names)

    def exported(suffix: str) -> str:
        return next(
            f["content"].decode()
            for f in bot.fake.uploaded_files.values()
            if f["filename"].endswith(suffix)
        )

    # A spreadsheet shows the text instead of running it as a formula; a mention leaves as
    # the name people read, and nothing in it stays escaped.
    answers = exported("answers.csv")
    assert '''"'=HYPERLINK(""https://evil.example"") with @Cy & co"''' in answers
    assert "&amp;" not in answers and f"<@{CY}>" not in answers
    blockers = exported("blockers.csv")
    assert blockers.splitlines()[0].startswith("id,user_id,name,text,raised_on,status,")
    assert f"{BO},Bo,Waiting on <the> keys,2026-12-01,open," in blockers


def test_settings_show_the_pack_to_its_members_escaped(bot: Harness) -> None:
    hostile = "What blocks you <!channel> & <https://evil.example|here>?"
    setup_pack(
        bot,
        values={"members": [ANA, BO], "admins": [ANA], "q_extra": hostile, "holiday_country": "DE"},
    )
    for user, hint in ((ANA, "`/wolfpack setup` here edits these"), (BO, "Ask an admin")):
        text = shown(command(bot, user, "/wolfpack", "settings"))
        assert hint in text
        assert "public holidays of Germany (DE)" in text
        assert "Mon, Tue, Wed, Thu, Fri at 09:30, each member's own time" in text
        assert "anonymous: the pack sees counts" in text
        assert "What blocks you &lt;!channel&gt; &amp; &lt;https://evil.example|here&gt;?" in text
        assert "<!channel>" not in text and "<https://evil" not in text
    assert "for its members" in shown(command(bot, CY, "/wolfpack", "settings"))
    help_text = shown(command(bot, BO, "/wolfpack", "help"))
    assert all(f"/wolfpack {s}" in help_text for s in ("settings", "export", "forget-me"))

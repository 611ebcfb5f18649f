"""Packs for the map page's tests, made the way the product makes them: the pack through the
setup use case (its members read from the fake Slack), statements, votes and proposals through
the repositories the flows write with. The bot is served over real HTTP with a public address
set, so `/wolfpack map` issues links."""

from __future__ import annotations

import datetime as dt
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from bot.core.packs import Pack, PackDraft, PackSettings
from bot.core.proposals import Outcome, Position
from bot.core.statements import VoteValue
from bot.core.usecases.packs import save_pack
from bot.devtools.fake_slack import FakeSlack
from bot.devtools.simulate import SlackSide
from bot.devtools.votes import camps
from bot.wiring import Wolfpack
from tests.conftest import ANA, CHANNEL, SIGNING_SECRET, TEAM, FixedClock, Harness, start_bot

PUBLIC_URL = "https://wolfpack.example.test"
SIDE = "CSIDE"
OTHER_TEAM = "T0002"
OTHER_CHANNEL = "COTHER"
# Two camps of three opposed on 15 statements (the seed of tests/core/test_summary_camps.py),
# and two statements all six agree on.
SEED = 4
CAMPS = ("a0", "a1", "a2", "b0", "b1", "b2")
SHARED = ("Keep the on-call rota fair", "Write down every decision")
HOSTILE = "<script>alert(1)</script> & ship it"
FOR_REASON = "Users asked for it <b>twice</b>"
AGAINST_REASON = "It doubles the support load"
DECIDED = "Ship the CLI in January"
OPEN_PROPOSAL = "Move the stand-up to 10:00"
SIDE_STATEMENT = "Side pack secret: rewrite everything in Rust"
OTHER_TEAM_STATEMENT = "Other workspace secret: sell the company"
VOTED_AT = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)


def user(member: str) -> str:
    """The analysis' member "a0" as the Slack user "UA0"."""
    return f"U{member.upper()}"


def name(member: str) -> str:
    return f"Person {member.upper()}"


def start(database_url: str, fake: FakeSlack, clock: FixedClock) -> Wolfpack:
    return start_bot(database_url, fake, clock, WOLFPACK_PUBLIC_URL=PUBLIC_URL)


@dataclass
class Served:
    harness: Harness
    base: str  # where the test reaches the bot's HTTP server


def serve(database_url: str, fake: FakeSlack, clock: FixedClock) -> Iterator[Served]:
    wolfpack = start(database_url, fake, clock)
    server = wolfpack.serve_http().start()
    try:
        side = SlackSide(f"{server.url}/slack/events", SIGNING_SECRET, team_id=TEAM)
        yield Served(Harness(wolfpack, fake, side, clock), server.url)
    finally:
        wolfpack.close()


def make_pack(
    h: Harness,
    channel: str,
    pack_name: str,
    members: list[str],
    *,
    anonymous: bool = True,
    team: str = TEAM,
) -> Pack:
    h.fake.add_channel(channel, name=pack_name.lower(), members=members)
    draft = PackDraft(
        channel,
        pack_name,
        PackSettings(timezone="Europe/Berlin", anonymous=anonymous),
        tuple(members),
        (members[0],),
        members[0],
    )
    pack, created = save_pack(h.wolfpack.workspace(team), members[0], draft)
    assert created
    return pack


def camp_pack(h: Harness, *, channel: str = CHANNEL, anonymous: bool = True) -> Pack:
    """Ana and the six members of two camps; statement s0's text is hostile HTML, with a
    reason on each side; one passed proposal and one open."""
    for member in CAMPS:
        h.fake.add_user(user(member), name=name(member), tz="Europe/Berlin")
    members = [ANA, *(user(m) for m in CAMPS)]
    pack = make_pack(h, channel, "Compilers & <Co>", members, anonymous=anonymous)
    votes = camps((3, 3), 15, 0.1, SEED)
    texts = {"s0": HOSTILE, "s15": SHARED[0], "s16": SHARED[1]}
    with h.wolfpack.db.transaction(TEAM) as tx:
        ids: dict[str, int] = {}
        for j in range(17):
            text = texts.get(f"s{j}", f"Statement number {j}")
            ids[f"s{j}"] = tx.statements.add(pack.id, text, text.lower(), ANA, VOTED_AT)[0].id
        for v in votes:
            reason = ""
            if v.statement == "s0":
                reason = FOR_REASON if v.vote == 1 else AGAINST_REASON
            tx.statements.vote(
                ids[v.statement], pack.id, user(v.member), VoteValue(v.vote), reason, VOTED_AT
            )
        for member in CAMPS:
            for j in (15, 16):
                tx.statements.vote(
                    ids[f"s{j}"], pack.id, user(member), VoteValue.AGREE, "", VOTED_AT
                )
        decided = tx.proposals.add(pack.id, DECIDED, ANA, VOTED_AT + dt.timedelta(days=2), VOTED_AT)
        for member in CAMPS[:4]:
            tx.proposals.respond(decided.id, user(member), Position.AGREE, "", VOTED_AT)
        tx.proposals.close(decided.id, Outcome.PASSED, VOTED_AT + dt.timedelta(hours=3))
        tx.proposals.add(pack.id, OPEN_PROPOSAL, ANA, h.clock.at + dt.timedelta(days=2), VOTED_AT)
    return pack


def side_packs(h: Harness) -> None:
    """Another pack in the same workspace, and one in another workspace, each with a
    statement of its own that three members voted on."""
    from tests.conftest import BO, CY

    side = make_pack(h, SIDE, "Side pack", [ANA, BO, CY], anonymous=False)
    _three_votes(h, TEAM, side.id, SIDE_STATEMENT, [ANA, BO, CY])
    h.fake.add_user("UOTHER1", name="Olga", tz="Europe/Berlin")
    other = make_pack(h, OTHER_CHANNEL, "Other workspace", [ANA, "UOTHER1", BO], team=OTHER_TEAM)
    _three_votes(h, OTHER_TEAM, other.id, OTHER_TEAM_STATEMENT, [ANA, "UOTHER1", BO])


def _three_votes(h: Harness, team: str, pack_id: int, text: str, users: list[str]) -> None:
    """`text` and a second statement, each voted on by the three users (who differ on the
    second, so the map has something to place)."""
    second = f"{text} (the plain version)"
    with h.wolfpack.db.transaction(team) as tx:
        (first, *_) = tx.statements.add(pack_id, text, text.lower(), users[0], VOTED_AT)
        (other, *_) = tx.statements.add(pack_id, second, second.lower(), users[0], VOTED_AT)
        for u, value in zip(
            users, (VoteValue.AGREE, VoteValue.DISAGREE, VoteValue.AGREE), strict=True
        ):
            tx.statements.vote(first.id, pack_id, u, VoteValue.AGREE, "", VOTED_AT)
            tx.statements.vote(other.id, pack_id, u, value, "", VOTED_AT)


# --- asking for the link, and opening it ---------------------------------------------------


def ask_for_link(h: Harness, member: str, channel: str = CHANNEL) -> str:
    """Runs `/wolfpack map` and returns the link the bot DMs."""
    before = len(h.fake.messages(f"D{member}"))
    reply, _ = h.side.command("/wolfpack", "map", user=member, channel=channel)
    assert reply.status == 200, reply.body
    assert "sent a link" in reply.body, reply.body
    h.fake.wait_for(lambda f: len(f.messages(f"D{member}")) > before)
    text = h.fake.messages(f"D{member}")[-1]["text"]
    found = re.search(r"https?://\S+", text)
    assert found is not None, text
    return found.group(0)


def local(link: str, base: str) -> str:
    """The link as the test reaches it: the public address replaced by the server's."""
    assert link.startswith(PUBLIC_URL + "/map?t="), link
    return base + link.removeprefix(PUBLIC_URL)


def token_of(link: str) -> str:
    (token,) = parse_qs(urlsplit(link).query)["t"]
    return token


@dataclass
class Page:
    status: int
    headers: dict[str, str]
    body: str


def fetch(url: str, method: str = "GET") -> Page:
    request = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return Page(response.status, dict(response.headers), response.read().decode())
    except urllib.error.HTTPError as error:
        with error:
            return Page(error.code, dict(error.headers), error.read().decode())

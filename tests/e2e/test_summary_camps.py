"""A pack of six in two camps through signed Slack requests and the tick: the channel's summary
shows its common ground, its chart has the map, and the full report (`/consensus`) shows the
opinion groups and the same common ground in full; a pack voting at random gets no groups and
the reason in plain words."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import numpy as np
from PIL import Image

from bot.charts import GROUP_COLORS
from bot.core.analysis import Vote as MatrixVote
from bot.core.statements import VoteValue
from bot.core.summary.groups import RANDOM
from bot.devtools.votes import camps, random_pack
from tests.conftest import ANA, CHANNEL, TEAM, Harness
from tests.e2e.journey import setup_pack
from tests.e2e.test_consensus import consensus
from tests.scheduler.test_summary import at, channel_posts, strings
from tests.slack.limits import check_message

SUMMARY_AT = "2026-12-04T16:00:00+01:00"  # Friday, the default summary time of Ana's pack
VOTED_ON = dt.datetime(2026, 12, 3, 10, tzinfo=dt.UTC)
SHARED = ("Keep the on-call rota fair & light", "Write down every decision")
SEED = 4  # as tests/core/test_summary_camps.py: no statement near common ground by chance
RANDOM_SEED = 23  # 7 members, 23 statements


def user(member: str) -> str:
    """The analysis' member "a0" as the Slack user "UA0"."""
    return f"U{member.upper()}"


def plant(h: Harness, votes: list[MatrixVote], texts: dict[str, str]) -> list[str]:
    """The pack's members (their Slack users), statement s<j> added and everyone's votes
    written through the repositories, as the flows would."""
    members = sorted({user(v.member) for v in votes})
    for n, member in enumerate(members):
        h.fake.add_user(member, name=f"Member{n}", tz="Europe/Berlin")
    # Set up weeks before: its summary has figures and a chart (not a new pack's short note).
    setup_pack(h, values={"members": members, "reminder": "0"}, before=dt.timedelta(days=14))
    with h.wolfpack.db.transaction(TEAM) as tx:
        pack = tx.packs.by_channel(CHANNEL)
        assert pack is not None
        ids: dict[str, int] = {}
        for key in sorted({v.statement for v in votes}, key=lambda s: int(s[1:])):
            text = texts.get(key, f"Statement {key}")
            ids[key] = tx.statements.add(pack.id, text, text.lower(), ANA, VOTED_ON)[0].id
        for v in votes:
            value = VoteValue(v.vote)
            tx.statements.vote(ids[v.statement], pack.id, user(v.member), value, "", VOTED_ON)
    return members


def part(body: str, title: str, end: str) -> str:
    start = body.index(title)
    return body[start : body.index(end, start)]


def section(body: str, title: str) -> str:
    """The section of the posted summary that starts with `title`."""
    (found,) = [line for line in body.split("\n\n") if line.startswith(title)]
    return found


def posted_summary(h: Harness) -> tuple[str, bytes]:
    h.clock.at = at(SUMMARY_AT)
    assert h.wolfpack.ticker.tick(h.clock.at).failed == 0
    (post,) = channel_posts(h)
    blocks: Any = post.args["blocks"]
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    check_message(blocks, post.args["text"])
    (upload,) = [f for f in h.fake.uploaded_files.values() if f["completed"]]
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    return "\n\n".join(sections), upload["content"]


def report(h: Harness, member: str) -> str:
    message = consensus(h, member)
    check_message(message["blocks"], message.get("text"))
    return "\n".join(strings(message["blocks"]))


def test_two_camps_of_three_get_groups_common_ground_and_a_map(bot: Harness) -> None:
    votes = camps((3, 3), 15, 0.1, SEED)
    votes += [
        MatrixVote(m, f"s{j}", 1) for m in ("a0", "a1", "a2", "b0", "b1", "b2") for j in (15, 16)
    ]
    members = plant(bot, votes, {"s15": SHARED[0], "s16": SHARED[1]})
    body, png = posted_summary(bot)
    short = section(body, "*Where we agree*")
    assert "“Keep the on-call rota fair &amp; light” — 6 of 6 agree" in short
    assert "“Write down every decision” — 6 of 6 agree" in short
    assert "Opinion groups" not in body  # in the full report (Details)
    shown = report(bot, members[0])
    agree = part(shown, "*Where we agree*", "*Where we are split*")
    assert (
        "“Keep the on-call rota fair &amp; light” — holds across the pack's views (6 of 6 agree)"
        in agree
    )
    assert "“Write down every decision” — holds across the pack's views (6 of 6 agree)" in agree
    # Numbered alike in the channel's summary and the full report.
    for line in short.splitlines()[1:3]:
        number = line.split(" ", 1)[0]
        assert number in agree
    groups = part(shown, "*Opinion groups*", "*Decisions this week*")
    assert "• Group 1 (3 people)" in groups and "• Group 2 (3 people)" in groups
    assert "No distinct camps" not in groups
    for member in members:
        assert member not in body
    # The chart has the map: wider, with both groups' colours.
    with Image.open(io.BytesIO(png)) as image:
        assert image.size == (1450, 450)
        pixels = np.asarray(image.convert("RGB")).reshape(-1, 3)
    found = {tuple(int(c) for c in p) for p in np.unique(pixels, axis=0)}
    for colour in GROUP_COLORS[:2]:
        assert tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5)) in found


def test_a_pack_voting_at_random_has_no_groups_and_says_why_plainly(bot: Harness) -> None:
    members = plant(bot, random_pack(RANDOM_SEED), {})
    body, png = posted_summary(bot)
    assert "Opinion groups" not in body and "No distinct camps" not in body
    with Image.open(io.BytesIO(png)) as image:
        assert image.size == (1000, 450)  # no map without groups
    shown = report(bot, members[0])
    groups = part(shown, "*Opinion groups*", "*Decisions this week*")
    assert f"No distinct camps: {RANDOM}." in groups
    assert "vote" not in groups.replace("votes are no more split than random votes", "")

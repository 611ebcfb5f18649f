"""A pack's opinion map as a web page shows it (read-only, for one member): one dot per member
on the map, the opinion groups, the common ground, the splits with the reasons given on each
side, and the decisions. Built from the same parts as the weekly summary (bot/core/summary), so
the page and the summary never tell a different story; rendering lives in bot/web.

The page is reached by a signed link that names the workspace, the pack and the member, and
that expires LINK_LIFETIME after it was issued (MapGrant)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.core.packs import Member, Pack
from bot.core.proposals import Proposal, Response, count
from bot.core.statements import Statement, Vote
from bot.core.summary.agree import common_ground
from bot.core.summary.groups import groups, member_points, spread_out
from bot.core.summary.model import (
    CommonGroundLine,
    DecisionLine,
    GroupLine,
    MapPoint,
    Split,
    week_start_of,
)
from bot.core.summary.splits import read_votes, settle, splits

# How long a link to the page works: long enough to open it and look around, short enough
# that a link forwarded or left in a browser's history soon stops showing the pack.
LINK_LIFETIME = dt.timedelta(minutes=30)
# The page asks the browser to load it again this often, so it follows the votes as they come.
REFRESH_SECONDS = 60
# Past decisions the page lists, newest first.
DECISIONS_SHOWN = 20


@dataclass(frozen=True)
class MapGrant:
    """What a link to the page carries: who may see which pack, and since when."""

    team_id: str
    pack_id: int
    user_id: str
    issued_at: dt.datetime

    @property
    def expires_at(self) -> dt.datetime:
        return self.issued_at + LINK_LIFETIME

    def expired(self, now: dt.datetime) -> bool:
        """Past its lifetime, or issued in the future (a clock far off is not trusted)."""
        return not self.issued_at - dt.timedelta(minutes=1) <= now < self.expires_at


@dataclass(frozen=True)
class MapLink:
    """A link issued to a member: the page's address and when it stops working."""

    pack: Pack
    url: str
    expires_at: dt.datetime


@dataclass(frozen=True)
class MapDot:
    """One member on the map. `x` and `y` run from 0 to 1 (y upwards); `group` is the index of
    the member's opinion group (Group 1 is 0), None outside every group. `name` is set only in
    a pack with open voting; `you` marks the reader's own dot."""

    x: float
    y: float
    group: int | None
    name: str | None = None
    you: bool = False


@dataclass(frozen=True)
class MapInputs:
    """Everything the page reads, gathered by the caller in a fixed number of queries."""

    pack: Pack
    reader: str  # the user id of the member the link was issued to
    members: Sequence[Member]  # active members
    statements: Sequence[Statement]  # hidden ones included (they stay out of the map)
    votes: Sequence[Vote]  # every vote, oldest first
    proposals: Sequence[Proposal]
    responses: dict[int, list[Response]]


@dataclass(frozen=True)
class MapView:
    pack: Pack
    now: dt.datetime
    members: int
    statements: int  # visible statements
    voters: int  # members who voted on at least one of them
    dots: tuple[MapDot, ...]
    groups: tuple[GroupLine, ...] | None
    no_groups_reason: str | None
    common_ground: tuple[CommonGroundLine, ...]
    splits: tuple[Split, ...]
    decisions: tuple[DecisionLine, ...]  # closed, newest first
    open_proposals: tuple[DecisionLine, ...]  # closing soonest first

    @property
    def anonymous(self) -> bool:
        return self.pack.settings.anonymous

    @property
    def empty(self) -> bool:
        """Nobody is on the map yet: the page says so instead of drawing an empty map."""
        return not self.dots


def build_map(inputs: MapInputs, now: dt.datetime) -> MapView:
    pack = inputs.pack
    active = {m.user_id: m for m in inputs.members if m.active}
    votes = read_votes(pack, inputs.statements, inputs.votes)
    zone = ZoneInfo(pack.settings.timezone)
    week_start = dt.datetime.combine(week_start_of(pack, now), dt.time(), zone)
    found = settle(splits(votes, week_start), inputs.proposals)
    agreed = common_ground(votes, set(active), {s.statement.id for s in found})
    camps, no_camps = groups(votes)
    decided = sorted(
        (p for p in inputs.proposals if not p.is_open),
        key=lambda p: (p.closed_at or p.closes_at, p.id),
        reverse=True,
    )
    still_open = sorted((p for p in inputs.proposals if p.is_open), key=lambda p: p.closes_at)
    return MapView(
        pack=pack,
        now=now,
        members=len(active),
        statements=len(votes.statements),
        voters=len({v.user_id for current in votes.current.values() for v in current}),
        dots=dots(
            member_points(votes.analysis),
            active,
            inputs.reader,
            named=not pack.settings.anonymous,
        ),
        groups=camps,
        no_groups_reason=no_camps,
        common_ground=agreed.found,
        splits=tuple(found),
        decisions=tuple(_line(p, inputs.responses) for p in decided[:DECISIONS_SHOWN]),
        open_proposals=tuple(_line(p, inputs.responses) for p in still_open),
    )


def _line(proposal: Proposal, responses: dict[int, list[Response]]) -> DecisionLine:
    return DecisionLine(proposal, count(responses.get(proposal.id, [])))


def dots(
    placed: Sequence[tuple[str, MapPoint]],
    members: dict[str, Member],
    reader: str,
    *,
    named: bool,
) -> tuple[MapDot, ...]:
    """The map's dots, scaled into the unit square (the map has no units: only distances
    mean something, so both axes share one scale and the map is centred). Members who voted
    alike are spread apart a little, so each shows. Names only when `named`; a member who left
    the pack is still drawn (their votes still count), never named."""
    points = spread_out(tuple(point for _, point in placed))
    if not points:
        return ()
    xs, ys = [p.x for p in points], [p.y for p in points]
    extent = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    mid_x, mid_y = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    found = []
    for (user_id, _), point in zip(placed, points, strict=True):
        member = members.get(user_id)
        found.append(
            MapDot(
                x=0.5 + (point.x - mid_x) / extent,
                y=0.5 + (point.y - mid_y) / extent,
                group=point.group,
                name=member.person.name if named and member is not None else None,
                you=user_id == reader,
            )
        )
    return tuple(found)


def group_name(index: int) -> str:
    """ "Group 1" for index 0: numbered as the weekly summary's text and chart number them, so
    the page and the summary name a group alike."""
    return f"Group {index + 1}"

"""How the summary is written: mrkdwn for Slack or plain text, the limits, and the small
phrases every part uses."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.core.analysis.members import SignalKind
from bot.core.proposals import Counts
from bot.core.statements import K_ANONYMITY, Tally
from bot.core.summary import (
    Participation,
    Summary,
    WeekPoint,
)
from bot.slack.blocks.common import (
    SECTION_MAX,
)
from bot.slack.mrkdwn import clip, escape

MESSAGE_BLOCKS = 50
# Room kept in a section for the "…and N more" line.
SECTION_ROOM = SECTION_MAX - 60
STATEMENT_SHOWN = 280
REASON_SHOWN = 150
PROPOSAL_SHOWN = 200
BLOCKER_SHOWN = 200
NAME_SHOWN = 60
PACK_NAME_SHOWN = 80
NO_CAMPS_SHOWN = 300
EVIDENCE_SHOWN = 400
SPLITS_SHOWN = 10
NAMES_SHOWN = 10
GROUPS_SHOWN = 5
STANDOUTS_SHOWN = 3
DECISIONS_SHOWN = 8
PROPOSALS_SHOWN = 8
BLOCKERS_SHOWN = 10
SIGNALS_SHOWN = 10
ERRORS_SHOWN = 6
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Slack user ids as Slack writes them; anything else is not turned into a mention.
USER_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")

SIGNAL_TITLES: dict[SignalKind, str] = {
    "solo_streak": "Working solo",
    "outlier_views": "Views apart from the pack's",
    "silent": "Quiet lately",
    "spread_thin": "Spread across many things",
}
ERROR_HINTS = {
    "not_in_channel": "invite the bot to the pack's channel",
    "channel_not_found": "the pack's channel is gone: run `/wolfpack setup`",
    "is_archived": "the pack's channel is archived: run `/wolfpack setup`",
    "user_not_found": "someone left the workspace: check `/wolfpack members`",
    "account_inactive": "someone's account is deactivated: check `/wolfpack members`",
    "invalid_auth": "the app needs to be reinstalled",
    "token_revoked": "the app needs to be reinstalled",
}


@dataclass(frozen=True)
class Fmt:
    """How text is written: mrkdwn for Slack (user text escaped, date tokens) or plain text for a
    terminal (no escaping, no Slack tokens)."""

    slack: bool
    zone: ZoneInfo

    def user(self, text: str, limit: int) -> str:
        """User text on one line, at most `limit` characters as typed (and, escaped, at most
        twice that, so a text full of `&` cannot blow up a section)."""
        cut = clip(" ".join(text.split()), limit)
        if not self.slack:
            return cut
        return clip(escape(cut), 2 * limit)

    def quote(self, text: str, limit: int) -> str:
        return f"“{self.user(text, limit)}”"

    def bold(self, text: str) -> str:
        return f"*{text}*" if self.slack else text

    def italic(self, text: str) -> str:
        return f"_{text}_" if self.slack else text

    def when(self, at: dt.datetime) -> str:
        local = at.astimezone(self.zone)
        fallback = f"{local:%a} {local.day} {local:%b} {local:%H:%M} {self.zone.key}"
        if not self.slack:
            return fallback
        return f"<!date^{int(at.timestamp())}^{{date_short_pretty}} at {{time}}|{fallback}>"


@dataclass
class Part:
    """One numbered part of the summary: a title, its lines, how many more were left out."""

    title: str
    lines: list[str] = field(default_factory=list)
    more: int = 0
    sections: int = 1  # at most this many sections in a message
    empty: str = ""  # said when there are no lines


def fmt(summary: Summary, *, slack: bool) -> Fmt:
    try:
        zone = ZoneInfo(summary.pack.settings.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return Fmt(slack, zone)


def day(d: dt.date) -> str:
    """ "Wed 9 Dec": a date as people say it, in English whatever the locale."""
    return f"{_DAYS[d.weekday()]} {d.day} {_MONTHS[d.month - 1]}"


def week_of(summary: Summary) -> str:
    """ "week of 7 Dec": the summary's week by its Monday, never an ISO week number."""
    start = summary.week_start
    return f"week of {start.day} {_MONTHS[start.month - 1]}"


def week_span(summary: Summary) -> str:
    """ "Mon 7 – Fri 11 Dec": the days the summary covers, Monday to the day it was made (in
    the pack's timezone), the month said once when both days share it."""
    start = summary.week_start
    zone = fmt(summary, slack=False).zone
    end = min(summary.now.astimezone(zone).date(), start + dt.timedelta(days=6))
    if end <= start:
        return day(start)
    first = day(start) if start.month != end.month else f"{_DAYS[start.weekday()]} {start.day}"
    return f"{first} – {day(end)}"


def alignment_words(point: WeekPoint) -> str:
    """ "Alignment 3.8 of 5, half of the scores between 3 and 5": the mean and where the middle
    half of the scores falls, in whole points."""
    if point.mean is None:
        return "No alignment scores this week"
    line = f"Alignment {point.mean:.1f} of 5"
    if point.low is None or point.high is None:
        return line
    low, high = round(point.low), round(point.high)
    if low == high:
        return f"{line}, half of the scores or more at {low}"
    return f"{line}, half of the scores between {low} and {high}"


def people(n: int) -> str:
    return "1 person" if n == 1 else f"{n} people"


def heard(p: Participation) -> str:
    """Who was heard, of the members a check-in reached this week (a prompt delivered, or an
    answer of their own): a member no prompt reached (the bot was down, the send failed, away)
    was not silent."""
    if p.reached == 0:
        return "No check-in reached anyone this week"
    if p.reached == p.members:
        return f"Heard from {p.heard_from} of {p.members}"
    return (
        f"Heard from {p.heard_from} of the {p.reached} members a check-in reached this week "
        f"({p.members} in the pack)"
    )


def name_list(f: Fmt, names: tuple[str, ...] | list[str]) -> str:
    shown = ", ".join(f.user(n, NAME_SHOWN) for n in names[:NAMES_SHOWN])
    if len(names) > NAMES_SHOWN:
        shown += f" and {len(names) - NAMES_SHOWN} more"
    return shown


def tally(t: Tally) -> str:
    if t.decided < K_ANONYMITY:
        return "fewer than 3 votes so far"
    return f"{t.agree} agree · {t.disagree} disagree · {t.passes} pass"


def agreed(t: Tally) -> str:
    """ "6 of 7 agree": of the members who voted on the statement, passes included."""
    return f"{t.agree} of {t.seen} agree"


def counts(c: Counts) -> str:
    """ "5 agree · 1 disagree", or that nobody answered."""
    return c.said() or "nobody answered"


def anonymity_note(summary: Summary) -> str:
    if summary.pack.settings.anonymous:
        return "Votes are anonymous: counts only, never who voted how."
    return (
        "Open voting: this pack shows names with votes in `/direction`; this summary shows counts."
    )

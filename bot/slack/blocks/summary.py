"""The weekly consensus summary (SPEC §5) as Block Kit for the pack channel, the same report for
`/consensus`, as plain text for a terminal, and the private lone-wolf DM.

Counts and anonymised reasons only: never who voted how, never a member's alignment or lone-wolf
evidence in the channel (SPEC §6). Every user text goes through `escape`, and every list is cut
with "and N more", so any input stays within Slack's limits (SPEC §7)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.core.analysis.members import SOLO_STREAK, Signal, SignalKind
from bot.core.proposals import Counts, Outcome
from bot.core.statements import K_ANONYMITY, Tally
from bot.core.summary import (
    TREND_WEEKS,
    DecisionLine,
    LoneWolf,
    Split,
    SplitTrend,
    Summary,
    WeekPoint,
)
from bot.slack.blocks.common import (
    SECTION_MAX,
    Block,
    button,
    context,
    header,
    section,
    sections,
)
from bot.slack.ids import Action
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
GROUP_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# Slack user ids as Slack writes them; anything else is not turned into a mention.
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")

TREND_WORDS = {
    SplitTrend.NEW: "new",
    SplitTrend.CONVERGING: "converging",
    SplitTrend.DIVERGING: "diverging",
    SplitTrend.STEADY: "steady",
}
OUTCOME_WORDS = {
    Outcome.PASSED: "Passed",
    Outcome.NOT_PASSED: "Not passed",
    Outcome.BLOCKED: "Blocked",
}
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
class _Fmt:
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
class _Part:
    """One numbered part of the summary: a title, its lines, how many more were left out."""

    title: str
    lines: list[str] = field(default_factory=list)
    more: int = 0
    sections: int = 1  # at most this many sections in a message
    empty: str = ""  # said when there are no lines


def _fmt(summary: Summary, *, slack: bool) -> _Fmt:
    try:
        zone = ZoneInfo(summary.pack.settings.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return _Fmt(slack, zone)


def _people(n: int) -> str:
    return "1 person" if n == 1 else f"{n} people"


def _names(f: _Fmt, names: tuple[str, ...] | list[str]) -> str:
    shown = ", ".join(f.user(n, NAME_SHOWN) for n in names[:NAMES_SHOWN])
    if len(names) > NAMES_SHOWN:
        shown += f" and {len(names) - NAMES_SHOWN} more"
    return shown


def _tally(t: Tally) -> str:
    if t.decided < K_ANONYMITY:
        return "fewer than 3 votes so far"
    return f"{t.agree} agree · {t.disagree} disagree · {t.passes} pass"


def _counts(c: Counts) -> str:
    return f"{c.agree} agree · {c.abstain} abstain · {c.disagree} disagree · {c.block} block"


def _anonymity(summary: Summary) -> str:
    if summary.pack.settings.anonymous:
        return "Votes are anonymous: counts only, never who voted how."
    return (
        "Open voting: this pack shows names with votes in `/direction`; this summary shows counts."
    )


# --- the parts, in SPEC §5 order -------------------------------------------------------------


def _participation(summary: Summary, f: _Fmt) -> _Part:
    p = summary.participation
    line = f"Heard from {p.heard_from} of {p.members}"
    if p.expected:
        share = round(100 * p.answered / p.expected)
        line += f" · {p.answered} of {p.expected} expected check-ins answered ({share}%)"
    else:
        line += " · no check-ins were expected this week"
    lines = [line]
    if p.away_names:
        lines.append(f"Away: {_names(f, p.away_names)}")
    if p.longest_streaks:
        streaks = ", ".join(
            f"{f.user(s.name, NAME_SHOWN)} ({s.rounds} in a row)" for s in p.longest_streaks[:5]
        )
        lines.append(f"Longest streaks: {streaks}")
    return _Part("Participation", lines)


def _previous(summary: Summary) -> WeekPoint | None:
    earlier = [w for w in summary.trend if w.week_start < summary.week_start]
    return earlier[-1] if earlier else None


def _alignment(summary: Summary, f: _Fmt, *, chart: bool) -> _Part:
    a = summary.alignment
    if a.mean is None:
        lines = ["No alignment scores this week."]
    else:
        line = f"Alignment {a.mean:.1f} of 5"
        if a.spread is not None:
            line += f" · spread {a.spread:.1f}"
        line += f" · {a.scores} {'score' if a.scores == 1 else 'scores'}"
        lines = [line]
        before = _previous(summary)
        if before is None or before.mean is None:
            trend = "No scores last week to compare with"
        else:
            delta = a.mean - before.mean
            if abs(delta) < 0.05:
                trend = f"About the same as last week ({before.mean:.1f})"
            else:
                word = "Up" if delta > 0 else "Down"
                trend = f"{word} {abs(delta):.1f} from last week ({before.mean:.1f})"
        if chart:
            trend += f"; the chart below shows {TREND_WEEKS} weeks"
        lines.append(trend + ".")
    return _Part("Alignment", lines)


def _agree(summary: Summary, f: _Fmt) -> _Part:
    lines = [
        f"• {f.quote(line.statement.text, STATEMENT_SHOWN)} — {_tally(line.tally)}"
        for line in summary.consensus
    ]
    return _Part(
        "Where we agree",
        lines,
        more=summary.consensus_more,
        sections=2,
        empty="No consensus statements yet.",
    )


def _split_text(split: Split, f: _Fmt, number: int) -> str:
    lines = [
        f"{f.bold(f'{number}.')} {f.quote(split.statement.text, STATEMENT_SHOWN)}",
        f"{_tally(split.tally)} · {f.italic(TREND_WORDS.get(split.trend, str(split.trend)))}",
    ]
    for label, reasons in (("For", split.agree_reasons), ("Against", split.disagree_reasons)):
        if reasons:
            said = " · ".join(f.quote(r, REASON_SHOWN) for r in reasons[:2])
            lines.append(f"{label}: {said}")
    if split.revoted > 0:
        lines.append(
            f"{split.revoted} voted again after discussion, {split.changed_side} changed side"
        )
    return "\n".join(lines)


def _groups(summary: Summary, f: _Fmt) -> _Part:
    if summary.groups is None:
        line = "No distinct camps"
        if summary.no_camps_reason:
            line += f": {f.user(summary.no_camps_reason, NO_CAMPS_SHOWN)}"
        return _Part("Opinion groups", [line + "."])
    lines = []
    for index, group in enumerate(summary.groups[:GROUPS_SHOWN]):
        letter = GROUP_LETTERS[index % len(GROUP_LETTERS)]
        line = f"Group {letter} ({_people(group.size)})"
        standouts = []
        for side in ("agree", "disagree"):
            texts = [
                f.quote(s.text, STATEMENT_SHOWN)
                for s, how in group.stands_out[:STANDOUTS_SHOWN]
                if how == side
            ]
            if texts:
                standouts.append(f"{side}s: " + "; ".join(texts))
        line += (" " + " and ".join(standouts)) if standouts else ": nothing stands out yet"
        lines.append(f"• {line}")
    return _Part(
        "Opinion groups",
        lines,
        more=max(0, len(summary.groups) - GROUPS_SHOWN),
        sections=2,
        empty="No distinct camps.",
    )


def _decisions(summary: Summary, f: _Fmt) -> _Part:
    lines = []
    for d in summary.decisions[:DECISIONS_SHOWN]:
        outcome = d.proposal.outcome
        word = OUTCOME_WORDS[outcome] if outcome is not None else "Closed"
        lines.append(
            f"• {f.bold(word)}: {f.quote(d.proposal.text, PROPOSAL_SHOWN)} ({_counts(d.counts)})"
        )
    return _Part(
        "Decisions this week",
        lines,
        more=max(0, len(summary.decisions) - DECISIONS_SHOWN),
        sections=2,
        empty="No decisions this week.",
    )


def _open_line(d: DecisionLine, f: _Fmt) -> str:
    answered = d.counts.total
    return (
        f"• {f.quote(d.proposal.text, PROPOSAL_SHOWN)} — closes {f.when(d.proposal.closes_at)}"
        f" ({answered} answered so far)"
    )


def _open(summary: Summary, f: _Fmt) -> _Part:
    return _Part(
        "Open proposals",
        [_open_line(d, f) for d in summary.open_proposals[:PROPOSALS_SHOWN]],
        more=max(0, len(summary.open_proposals) - PROPOSALS_SHOWN),
        sections=2,
        empty="No open proposals.",
    )


def _blockers(summary: Summary, f: _Fmt) -> _Part:
    lines = [
        f"• {f.user(b.name, NAME_SHOWN)}, {b.local_date:%a} {b.local_date.day} "
        f"{b.local_date:%b}: {f.user(b.text, BLOCKER_SHOWN)}"
        for b in summary.blockers[:BLOCKERS_SHOWN]
    ]
    return _Part(
        "Open blockers",
        lines,
        more=max(0, len(summary.blockers) - BLOCKERS_SHOWN),
        sections=2,
        empty="No open blockers.",
    )


def _signal_line(kind: SignalKind, n: int) -> str:
    if kind == "solo_streak":
        return f"{_people(n)} worked solo {SOLO_STREAK}+ check-ins in a row — anyone free to pair?"
    if kind == "outlier_views":
        return f"{_people(n)}'s views sit apart from the pack's"
    if kind == "silent":
        return f"{_people(n)} {'has' if n == 1 else 'have'} been quiet"
    return f"{_people(n)} {'is' if n == 1 else 'are'} spread across many things"


def _alone(summary: Summary, f: _Fmt) -> _Part:
    lines = [
        f"• {_signal_line(kind, n)}"
        for kind in SIGNAL_TITLES
        if (n := summary.lone_wolf_counts.get(kind, 0)) > 0
    ]
    if not lines:
        return _Part("Working alone", ["Nobody seems to be working alone this week."])
    named = summary.named_lone_wolves
    if named:
        lines.append(f"Flagged (this pack shows names): {_names(f, named)}")
    lines.append(f.italic("Each of them got the details privately, with a suggestion."))
    return _Part("Working alone", lines)


def _delivery(summary: Summary, f: _Fmt) -> _Part | None:
    problems = [p for p in summary.delivery_problems if p.count > 0]
    if not problems:
        return None
    total = sum(p.count for p in problems)
    kinds = ", ".join(f"{p.count} × {f.user(p.error, 40)}" for p in problems[:ERRORS_SHOWN])
    if len(problems) > ERRORS_SHOWN:
        kinds += f" and {len(problems) - ERRORS_SHOWN} more"
    noun = "message" if total == 1 else "messages"
    lines = [f"For admins: {total} {noun} could not be delivered ({kinds})."]
    hints = sorted({ERROR_HINTS[p.error] for p in problems if p.error in ERROR_HINTS})
    if hints:
        hint = "; ".join(hints)
        lines.append(f"To fix: {hint if f.slack else hint.replace('`', '')}.")
    return _Part("Delivery problems", lines)


def _parts_before_splits(summary: Summary, f: _Fmt, *, chart: bool) -> list[_Part]:
    return [
        _participation(summary, f),
        _alignment(summary, f, chart=chart),
        _agree(summary, f),
    ]


def _parts_after_splits(summary: Summary, f: _Fmt, *, admins: bool) -> list[_Part]:
    parts = [
        _groups(summary, f),
        _decisions(summary, f),
        _open(summary, f),
        _blockers(summary, f),
        _alone(summary, f),
    ]
    delivery = _delivery(summary, f) if admins else None
    if delivery is not None:
        parts.append(delivery)
    return parts


# --- Block Kit -------------------------------------------------------------------------------


def _part_blocks(part: _Part) -> list[Block]:
    """The part as at most `part.sections` sections; lines that do not fit are counted in
    "…and N more"."""
    title = f"*{part.title}*"
    if not part.lines:
        return [section(f"{title}\n{part.empty}" if part.empty else title)]
    pieces: list[str] = []
    current = title
    shown = 0
    for raw in part.lines:
        line = clip(raw, SECTION_ROOM - 1)
        if len(current) + 1 + len(line) <= SECTION_ROOM:
            current += "\n" + line
        elif len(pieces) + 1 < part.sections:
            pieces.append(current)
            current = line
        else:
            break
        shown += 1
    rest = len(part.lines) - shown + part.more
    if rest > 0:
        current += f"\n_…and {rest} more_"
    pieces.append(current)
    return [section(p) for p in pieces]


def _split_blocks(split: Split, f: _Fmt, number: int, *, buttons: bool) -> list[Block]:
    blocks: list[Block] = [section(_split_text(split, f, number))]
    if buttons:
        # The same action ids and values as the split alert (blocks/statements.py), so the
        # existing listeners handle them.
        value = str(split.statement.id)
        blocks.append(
            {
                "type": "actions",
                "block_id": f"summary_split:{split.statement.id}"[:255],
                "elements": [
                    button("Discuss in thread", Action.SPLIT_DISCUSS, value, style="primary"),
                    button("Propose a decision", Action.SPLIT_PROPOSE, value),
                ],
            }
        )
    return blocks


def _report(
    summary: Summary, title: str, top: str, *, chart: bool, buttons: bool, admins: bool
) -> list[Block]:
    f = _fmt(summary, slack=True)
    head: list[Block] = [header(title), context(clip(top, SECTION_MAX))]
    before = [
        b for part in _parts_before_splits(summary, f, chart=chart) for b in _part_blocks(part)
    ]
    after = [
        b for part in _parts_after_splits(summary, f, admins=admins) for b in _part_blocks(part)
    ]
    splits = list(summary.splits)
    per_split = 2 if buttons else 1
    # The title section and the "…and N more" line of the splits.
    room = MESSAGE_BLOCKS - len(head) - len(before) - len(after) - 2
    shown = max(0, min(len(splits), SPLITS_SHOWN, room // per_split))
    split_blocks: list[Block] = [
        section("*Where we are split*" if splits else "*Where we are split*\nNo splits this week.")
    ]
    for number, split in enumerate(splits[:shown], start=1):
        split_blocks += _split_blocks(split, f, number, buttons=buttons)
    if len(splits) > shown:
        split_blocks.append(context(f"…and {len(splits) - shown} more split statements"))
    return (head + before + split_blocks + after)[:MESSAGE_BLOCKS]


def _pack_name(summary: Summary) -> str:
    return clip(escape(" ".join(summary.pack.name.split())), PACK_NAME_SHOWN)


def summary_blocks(summary: Summary) -> list[Block]:
    """The weekly summary posted in the pack channel (the chart is uploaded next to it)."""
    week = summary.week_start
    top = (
        f"{_pack_name(summary)} · week of {week:%a} {week.day} {week:%b} {week.year} · "
        f"{_anonymity(summary)}"
    )
    return _report(
        summary,
        f"Weekly consensus · {summary.week}",
        top,
        chart=True,
        buttons=True,
        admins=True,
    )


def consensus_report_blocks(summary: Summary, *, for_admin: bool = False) -> list[Block]:
    """The same report, ephemeral, for `/consensus`. No chart line; no buttons (their listener
    threads under the message, which an ephemeral message cannot have); delivery problems only
    when the caller says the viewer is an admin of the pack."""
    top = f"{_pack_name(summary)} · {summary.week} · {_anonymity(summary)}"
    blocks = _report(
        summary,
        "Consensus so far this week",
        top,
        chart=False,
        buttons=False,
        admins=for_admin,
    )
    if summary.splits and len(blocks) < MESSAGE_BLOCKS:
        blocks.append(
            context("To settle a split: `/propose &lt;text&gt;` puts a decision to the pack.")
        )
    return blocks


def summary_fallback(summary: Summary) -> str:
    """The message's `text` (notifications, screen readers): short and escaped."""
    p = summary.participation
    agreed = len(summary.consensus) + summary.consensus_more
    text = (
        f"Weekly consensus · {_pack_name(summary)} · {summary.week}: "
        f"heard from {p.heard_from} of {p.members} · {agreed} agreed · "
        f"{len(summary.splits)} split · {len(summary.open_proposals)} open proposals · "
        f"{len(summary.blockers)} open blockers"
    )
    return clip(text, SECTION_MAX)


# --- plain text ------------------------------------------------------------------------------


def _part_text(part: _Part) -> str:
    lines = [part.title.upper()]
    lines += part.lines or ([part.empty] if part.empty else [])
    if part.more > 0:
        lines.append(f"…and {part.more} more")
    return "\n".join(lines)


def summary_text(summary: Summary) -> str:
    """The summary for a terminal (`wolfpack demo`): plain text, no Slack tokens."""
    f = _fmt(summary, slack=False)
    name = " ".join(summary.pack.name.split())
    week = summary.week_start
    anonymity = _anonymity(summary).replace("`", "")
    blocks = [
        f"Weekly consensus · {clip(name, PACK_NAME_SHOWN)} · {summary.week}\n"
        f"Week of {week:%a} {week.day} {week:%b} {week.year} · {anonymity}"
    ]
    blocks += [_part_text(p) for p in _parts_before_splits(summary, f, chart=False)]
    splits = [_split_text(s, f, n) for n, s in enumerate(summary.splits[:SPLITS_SHOWN], 1)]
    split_lines = ["WHERE WE ARE SPLIT", "\n\n".join(splits) or "No splits this week."]
    if len(summary.splits) > SPLITS_SHOWN:
        split_lines.append(f"…and {len(summary.splits) - SPLITS_SHOWN} more split statements")
    blocks.append("\n".join(split_lines))
    blocks += [_part_text(p) for p in _parts_after_splits(summary, f, admins=True)]
    return "\n\n".join(blocks) + "\n"


# --- the lone-wolf DM ------------------------------------------------------------------------


def _dm_pieces(summary: Summary, wolf: LoneWolf, f: _Fmt) -> list[str]:
    name = " ".join(summary.pack.name.split())
    pack = clip(escape(name), PACK_NAME_SHOWN) if f.slack else clip(name, PACK_NAME_SHOWN)
    intro = (
        f"{f.bold('Just for you')} · {pack} · {summary.week}\n"
        "This week's summary noticed a few signs that you might be working on your own. "
        "Here is what it saw:"
    )
    seen = "\n".join(_signal_evidence(s, f) for s in wolf.signals[:SIGNALS_SHOWN])
    if len(wolf.signals) > SIGNALS_SHOWN:
        seen += f"\n…and {len(wolf.signals) - SIGNALS_SHOWN} more"
    ideas = []
    if wolf.pair_with and _USER_ID.match(wolf.pair_with):
        partner = f"<@{wolf.pair_with}>" if f.slack else (wolf.pair_name or wolf.pair_with)
        ideas.append(f"• Pair with {partner} on something this week: a short call is plenty.")
    if wolf.weigh_in is not None:
        command = "`/direction`" if f.slack else "/direction"
        ideas.append(
            f"• Weigh in on a split the pack has not settled: "
            f"{f.quote(wolf.weigh_in.text, STATEMENT_SHOWN)} — {command} lets you vote again, "
            "with a one-line reason."
        )
    if not ideas:
        ideas.append(
            "• Say in your next check-in who you are working with, or ask in the pack's channel "
            "if anyone wants a second pair of eyes."
        )
    suggestion = f"{f.bold('A suggestion')}\n" + "\n".join(ideas)
    privacy = "Nobody else sees these details: the channel only sees how many people"
    if summary.pack.settings.name_lone_wolves:
        privacy += " (and, as this pack chose, their names)"
    privacy += ". Working alone is sometimes exactly right; this is a nudge, not a judgement."
    return [intro, seen, suggestion, privacy]


def _signal_evidence(signal: Signal, f: _Fmt) -> str:
    title = SIGNAL_TITLES.get(signal.kind, str(signal.kind))
    return f"• {f.bold(title)}: {f.user(signal.evidence, EVIDENCE_SHOWN)}"


def lone_wolf_dm_blocks(summary: Summary, wolf: LoneWolf) -> list[Block]:
    """The private DM to one flagged member: the evidence, a suggestion, and that it is private."""
    intro, seen, suggestion, privacy = _dm_pieces(summary, wolf, _fmt(summary, slack=True))
    return [section(intro), *sections(seen), *sections(suggestion), context(privacy)]


def lone_wolf_dm_text(summary: Summary, wolf: LoneWolf, *, slack: bool = True) -> str:
    """The DM as one text: escaped mrkdwn for the message's `text` (the default), or plain text
    for a terminal with `slack=False`."""
    pieces = _dm_pieces(summary, wolf, _fmt(summary, slack=slack))
    return "\n\n".join(pieces)

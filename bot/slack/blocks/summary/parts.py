"""The summary's parts, in SPEC §5 order, as titled lines."""

from __future__ import annotations

from bot.core.analysis.members import SOLO_STREAK, SignalKind
from bot.core.blockers import open_for_words
from bot.core.summary import (
    DecisionLine,
    Split,
    Summary,
    WeekPoint,
)
from bot.slack.blocks.summary.format import (
    BLOCKER_SHOWN,
    BLOCKERS_SHOWN,
    DECISIONS_SHOWN,
    ERROR_HINTS,
    ERRORS_SHOWN,
    GROUPS_SHOWN,
    NAME_SHOWN,
    NO_CAMPS_SHOWN,
    PROPOSAL_SHOWN,
    PROPOSALS_SHOWN,
    REASON_SHOWN,
    SIGNAL_TITLES,
    STANDOUTS_SHOWN,
    STATEMENT_SHOWN,
    Fmt,
    Part,
    agreed,
    alignment_words,
    counts,
    day,
    heard,
    name_list,
    people,
    tally,
)


def _participation(summary: Summary, f: Fmt) -> Part:
    p = summary.participation
    line = heard(p)
    if p.expected:
        share = round(100 * p.answered / p.expected)
        line += f" · {p.answered} of {p.expected} expected check-ins answered ({share}%)"
    lines = [line]
    if p.away_names:
        lines.append(f"Away: {name_list(f, p.away_names)}")
    if p.longest_streaks:
        streaks = ", ".join(
            f"{f.user(s.name, NAME_SHOWN)} ({s.rounds} in a row)" for s in p.longest_streaks[:5]
        )
        lines.append(f"Longest streaks: {streaks}")
    return Part("Participation", lines)


def _previous(summary: Summary) -> WeekPoint | None:
    earlier = [w for w in summary.trend if w.week_start < summary.week_start]
    return earlier[-1] if earlier else None


def alignment_change(summary: Summary) -> str | None:
    """ "up 0.4 from last week (3.4)", or None when either week has no scores."""
    a, before = summary.alignment, _previous(summary)
    if a.mean is None or before is None or before.mean is None:
        return None
    delta = a.mean - before.mean
    if abs(delta) < 0.05:
        return f"about the same as last week ({before.mean:.1f})"
    word = "up" if delta > 0 else "down"
    return f"{word} {abs(delta):.1f} from last week ({before.mean:.1f})"


def _alignment(summary: Summary, f: Fmt, *, chart: bool) -> Part:
    a = summary.alignment
    if a.mean is None:
        return Part("Alignment", ["No alignment scores this week."])
    lines = [alignment_words(a) + "."]
    change = alignment_change(summary)
    trend = change[0].upper() + change[1:] if change else "No scores last week to compare with"
    if chart:
        trend += "; the chart below shows the weeks with scores"
    lines.append(trend + ".")
    return Part("Alignment", lines)


def _agree(summary: Summary, f: Fmt) -> Part:
    lines = [
        f"{number_mark(summary, line.statement.id, f)} "
        f"{f.quote(line.statement.text, STATEMENT_SHOWN)} — holds across the pack's views "
        f"({agreed(line.tally)})"
        for line in summary.common_ground
    ]
    other = " other" if lines else ""
    pending = summary.needs_more_votes
    if pending:
        what = f"{pending}{other} {'statement' if pending == 1 else 'statements'}"
        lines.append(f"{what} may be common ground once more of you vote on them.")
    close = summary.close_to_common_ground
    if close:
        what = f"{close}{other} {'statement' if close == 1 else 'statements'}"
        verbs = ("comes", "does") if close == 1 else ("come", "do")
        lines.append(
            f"{what} {verbs[0]} close to common ground but {verbs[1]} not yet clearly hold "
            "across the pack's views."
        )
    if summary.statements_total == 0:
        empty = "No consensus statements yet."
    else:
        empty = "No statement holds across the pack's views yet."
    return Part(
        "Where we agree",
        lines,
        more=summary.common_ground_more,
        sections=2,
        empty=empty,
    )


def number_mark(summary: Summary, statement_id: int, f: Fmt) -> str:
    """ "*2.*": the statement's number as the summary and the chart give it, or a bullet for a
    statement past the numbered ones."""
    number = summary.number_of(statement_id)
    return "•" if number is None else f.bold(f"{number}.")


def decided_text(split: Split, f: Fmt) -> str:
    """ "Decided: “…” (passed Wed 9 Dec)": the decision that settled a split."""
    proposal = split.settled_by
    assert proposal is not None  # only a settled split has a decision
    closed = (proposal.closed_at or proposal.closes_at).astimezone(f.zone).date()
    return f"Decided: {f.quote(proposal.text, PROPOSAL_SHOWN)} (passed {day(closed)})"


def split_text(split: Split, f: Fmt, summary: Summary) -> str:
    head = f"{number_mark(summary, split.statement.id, f)} "
    head += f.quote(split.statement.text, STATEMENT_SHOWN)
    if split.settled_by is not None:
        return f"{head}\n{decided_text(split, f)}\nThe votes were {tally(split.tally)}."
    lines = [
        head,
        f"{tally(split.tally)} · {f.italic(split.trend.value)}",
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


def _groups(summary: Summary, f: Fmt) -> Part:
    if summary.groups is None:
        line = "No distinct camps"
        if summary.no_camps_reason:
            line += f": {f.user(summary.no_camps_reason, NO_CAMPS_SHOWN)}"
        return Part("Opinion groups", [line + "."])
    lines = []
    # Numbered from 1 as in the chart's map, whose legend says "Group 1" for index 0.
    for index, group in enumerate(summary.groups[:GROUPS_SHOWN]):
        line = f"Group {index + 1} ({people(group.size)})"
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
    apart = sum(1 for p in summary.map_points if p.group is None)
    if apart:
        lines.append(f"{people(apart)} {'fits' if apart == 1 else 'fit'} no group.")
    return Part(
        "Opinion groups",
        lines,
        more=max(0, len(summary.groups) - GROUPS_SHOWN),
        sections=2,
        empty="No distinct camps.",
    )


def _decisions(summary: Summary, f: Fmt, skip: frozenset[int] = frozenset()) -> Part:
    """The proposals closed this week, but those in `skip` (ids: shown elsewhere)."""
    shown = [d for d in summary.decisions if d.proposal.id not in skip]
    lines = []
    for d in shown[:DECISIONS_SHOWN]:
        outcome = d.proposal.outcome
        word = outcome.label if outcome is not None else "Closed"
        lines.append(
            f"• {f.bold(word)}: {f.quote(d.proposal.text, PROPOSAL_SHOWN)} ({counts(d.counts)})"
        )
    return Part(
        "Decisions this week",
        lines,
        more=max(0, len(shown) - DECISIONS_SHOWN),
        sections=2,
        empty="No decisions this week.",
    )


def _open_line(d: DecisionLine, f: Fmt) -> str:
    answered = d.counts.total
    return (
        f"• {f.quote(d.proposal.text, PROPOSAL_SHOWN)} — closes {f.when(d.proposal.closes_at)}"
        f" ({answered} answered so far)"
    )


def _open_proposals(summary: Summary, f: Fmt) -> Part:
    return Part(
        "Open proposals",
        [_open_line(d, f) for d in summary.open_proposals[:PROPOSALS_SHOWN]],
        more=max(0, len(summary.open_proposals) - PROPOSALS_SHOWN),
        sections=2,
        empty="No open proposals.",
    )


def _blockers(summary: Summary, f: Fmt) -> Part:
    figures = summary.blocker_figures
    # Only the figures that happened: "1 blocker raised", not "· 0 got help · 0 resolved".
    counted = []
    if figures.raised:
        counted.append(f"{figures.raised} blocker{'' if figures.raised == 1 else 's'} raised")
    if figures.helped:
        counted.append(f"{figures.helped} got help")
    if figures.resolved:
        noun = "" if figures.raised else f" blocker{'' if figures.resolved == 1 else 's'}"
        counted.append(f"{figures.resolved}{noun} resolved")
        if figures.typically_open is not None:
            counted.append(f"typically open {open_for_words(figures.typically_open)}")
    lines = [" · ".join(counted)] if counted else []
    lines += [
        f"• {f.user(b.name, NAME_SHOWN)}, {b.local_date:%a} {b.local_date.day} "
        f"{b.local_date:%b}: {f.user(b.text, BLOCKER_SHOWN)}"
        for b in summary.blockers[:BLOCKERS_SHOWN]
    ]
    if counted and not summary.blockers:
        lines.append("None still open.")
    return Part(
        "Open blockers",
        lines,
        more=max(0, len(summary.blockers) - BLOCKERS_SHOWN),
        sections=2,
        empty="No open blockers.",
    )


def _signal_line(kind: SignalKind, n: int) -> str:
    if kind == "solo_streak":
        return f"{people(n)} worked solo {SOLO_STREAK}+ check-ins in a row — anyone free to pair?"
    if kind == "outlier_views":
        # Views apart are only flagged while unexplained: an invitation, not a fault.
        views = "view hasn't" if n == 1 else "views haven't"
        return f"{people(n)}'s {views} been heard yet — their reasons are welcome"
    if kind == "silent":
        return f"{people(n)} {'has' if n == 1 else 'have'} been quiet"
    return f"{people(n)} {'is' if n == 1 else 'are'} spread across many things"


def _alone(summary: Summary, f: Fmt) -> Part:
    lines = [
        f"• {_signal_line(kind, n)}"
        for kind in SIGNAL_TITLES
        if (n := summary.lone_wolf_counts.get(kind, 0)) > 0
    ]
    if not lines:
        return Part("Working alone", empty="Nobody seems to be working alone this week.")
    named = summary.named_lone_wolves
    if named:
        lines.append(f"Flagged (this pack shows names): {name_list(f, named)}")
    lines.append(f.italic("Each of them got the details privately, with a suggestion."))
    return Part("Working alone", lines)


def _delivery_problems(summary: Summary, f: Fmt) -> Part | None:
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
    return Part("Delivery problems", lines)


def parts_before_splits(summary: Summary, f: Fmt, *, chart: bool) -> list[Part]:
    return [
        _participation(summary, f),
        _alignment(summary, f, chart=chart),
        _agree(summary, f),
    ]


def parts_after_splits(summary: Summary, f: Fmt, *, admins: bool) -> list[Part]:
    return [_groups(summary, f), *week_parts(summary, f, admins=admins)]


def week_parts(
    summary: Summary, f: Fmt, *, admins: bool, skip_decisions: frozenset[int] = frozenset()
) -> list[Part]:
    """What else happened this week: decisions (but those in `skip_decisions`), open
    proposals, blockers, who may be working alone, and delivery problems for admins. Parts
    with nothing to say have no lines (the short summary leaves them out)."""
    parts = [
        _decisions(summary, f, skip_decisions),
        _open_proposals(summary, f),
        _blockers(summary, f),
        _alone(summary, f),
    ]
    delivery = _delivery_problems(summary, f) if admins else None
    if delivery is not None:
        parts.append(delivery)
    return parts

"""The weekly summary as posted in the pack channel: short enough to read in half a minute.

At most SHORT_BLOCKS blocks: a title, then only the sections with something to say, plain words
for every figure, and a Details button that opens the full report (the `/consensus` report) in
a modal."""

from __future__ import annotations

from typing import Any

from bot.core.statements import K_ANONYMITY, Tally
from bot.core.summary import Split, Summary
from bot.slack.blocks.common import (
    SECTION_MAX,
    TITLE_MAX,
    Block,
    button,
    header,
    modal,
    section,
)
from bot.slack.blocks.summary.format import (
    PACK_NAME_SHOWN,
    SECTION_ROOM,
    Fmt,
    agreed,
    alignment_words,
    fmt,
    heard,
    name_list,
    tally,
    week_of,
    week_span,
)
from bot.slack.blocks.summary.parts import (
    alignment_change,
    decided_text,
    number_mark,
    week_parts,
)
from bot.slack.blocks.summary.render import (
    consensus_report_blocks,
    split_buttons,
    starting_note,
)
from bot.slack.ids import Action
from bot.slack.mrkdwn import clip, escape

SHORT_BLOCKS = 8
# Lines of each part of "This week" before "…and N more".
LINES_PER_PART = 3
# Open splits (and settled ones) listed in the short summary; the rest are in Details.
SPLITS_LISTED = 4
SHORT_STATEMENT = 120
MORE = "_…and {n} more in Details_"


def _overview(summary: Summary, f: Fmt) -> str:
    p = summary.participation
    name = clip(escape(" ".join(summary.pack.name.split())), PACK_NAME_SHOWN)
    privacy = "anonymous votes" if summary.pack.settings.anonymous else "open voting"
    lines = [f"*{name}* · {week_span(summary)} · {privacy}"]
    line = heard(p)
    if p.expected:
        line += f" · {p.answered} of {p.expected} check-ins answered"
    lines.append(line)
    a = summary.alignment
    if a.mean is not None:
        change = alignment_change(summary)
        lines.append(alignment_words(a) + (f" · {change}" if change else ""))
    if p.away_names:
        lines.append(f"Away: {name_list(f, p.away_names)}")
    return "\n".join(lines)


def _agree(summary: Summary, f: Fmt) -> str | None:
    lines = [
        f"{number_mark(summary, c.statement.id, f)} {f.quote(c.statement.text, SHORT_STATEMENT)}"
        f" — {agreed(c.tally)}"
        for c in summary.common_ground
    ]
    if summary.common_ground_more:
        lines.append(f"…and {summary.common_ground_more} more in Details")
    close = summary.close_to_common_ground
    if close:
        what = f"{close} {'statement' if close == 1 else 'statements'}"
        lines.append(
            f"{what} {'comes' if close == 1 else 'come'} close to common ground; not clear yet."
        )
    pending = summary.needs_more_votes
    if pending:
        what = f"{pending} {'statement' if pending == 1 else 'statements'}"
        lines.append(f"{what} may be common ground once more of you vote.")
    return _titled("Where we agree", lines) if lines else None


def short_tally(t: Tally) -> str:
    """ "3 agree · 4 disagree": the sides anyone took (passes only when there are some)."""
    if t.decided < K_ANONYMITY:
        return tally(t)
    said = f"{t.agree} agree · {t.disagree} disagree"
    return said + (f" · {t.passes} pass" if t.passes else "")


def _split_line(split: Split, summary: Summary, f: Fmt) -> str:
    head = f"{number_mark(summary, split.statement.id, f)} "
    head += f.quote(split.statement.text, SHORT_STATEMENT)
    if split.settled_by is not None:
        return f"{head}\n{decided_text(split, f)}"
    return f"{head} — {short_tally(split.tally)}"


def _splits(summary: Summary, f: Fmt) -> str | None:
    open_ = summary.open_splits
    settled = summary.settled_splits
    if not open_ and not settled:
        return None
    lines = [_split_line(s, summary, f) for s in open_[:SPLITS_LISTED]]
    if len(open_) > SPLITS_LISTED:
        lines.append(MORE.format(n=len(open_) - SPLITS_LISTED))
    lines += [_split_line(s, summary, f) for s in settled[:SPLITS_LISTED]]
    if len(settled) > SPLITS_LISTED:
        lines.append(MORE.format(n=len(settled) - SPLITS_LISTED))
    return _titled("Where we are split" if open_ else "Splits settled", lines)


def _week(summary: Summary, f: Fmt) -> str | None:
    settled = frozenset(
        s.settled_by.id for s in summary.settled_splits[:SPLITS_LISTED] if s.settled_by
    )
    lines: list[str] = []
    for part in week_parts(summary, f, admins=True, skip_decisions=settled):
        if not part.lines:
            continue
        lines.append(f"*{part.title}*")
        lines += part.lines[:LINES_PER_PART]
        rest = len(part.lines) - LINES_PER_PART + part.more
        if rest > 0:
            lines.append(MORE.format(n=rest))
    return "\n".join(_fit(lines)) if lines else None


def _titled(title: str, lines: list[str]) -> str:
    return "\n".join(_fit([f"*{title}*", *lines]))


def _fit(lines: list[str]) -> list[str]:
    """The lines that fit one section, then "…and N more in Details" for the rest."""
    kept: list[str] = []
    size = 0
    for n, raw in enumerate(lines):
        line = clip(raw, SECTION_ROOM - 1)
        if size + len(line) + 1 > SECTION_ROOM:
            kept.append(MORE.format(n=len(lines) - n))
            break
        kept.append(line)
        size += len(line) + 1
    return kept


def details_value(summary: Summary) -> str:
    """The Details button's value: the pack and the Monday of the week the summary reports."""
    return f"{summary.pack.id}:{summary.week_start.isoformat()}"


def summary_blocks(summary: Summary) -> list[Block]:
    """The weekly summary posted in the pack channel (the chart is uploaded in its thread); for
    a pack no round has reached yet, its short note."""
    if summary.starting is not None:
        return [section(starting_note(summary, slack=True))]
    f = fmt(summary, slack=True)
    top = [
        section(t) for t in (_overview(summary, f), _agree(summary, f), _splits(summary, f)) if t
    ]
    week = _week(summary, f)
    rest = [section(week)] if week else []
    details: Block = {
        "type": "actions",
        "block_id": "summary_details",
        "elements": [
            button("Details", Action.SUMMARY_DETAILS, details_value(summary), style="primary")
        ],
    }
    room = SHORT_BLOCKS - 2 - len(top) - len(rest)
    # Discuss and propose for the open splits, as many as there is room for, right under
    # the splits.
    numbered = summary.numbered
    buttons = []
    for split in summary.open_splits[: max(0, min(room, SPLITS_LISTED))]:
        number = summary.number_of(split.statement.id)
        many = len(summary.open_splits) > 1 and number is not None and len(numbered) > 1
        buttons.append(split_buttons(split, f" {number}" if many else ""))
    head = header(f"Weekly consensus · {week_of(summary)}")
    return [head, *top, *buttons, *rest, details]


def summary_fallback(summary: Summary) -> str:
    """The message's `text` (notifications, screen readers): short and escaped."""
    if summary.starting is not None:
        return clip(starting_note(summary, slack=True, bold=False), SECTION_MAX)
    name = clip(escape(" ".join(summary.pack.name.split())), PACK_NAME_SHOWN)
    said = [heard(summary.participation).lower()]
    if summary.alignment.mean is not None:
        said.append(f"alignment {summary.alignment.mean:.1f} of 5")
    agreed_n = len(summary.common_ground) + summary.common_ground_more
    for n, what in (
        (agreed_n, "agreed"),
        (len(summary.open_splits), "split"),
        (len(summary.settled_splits), "split decided"),
        (len(summary.open_proposals), "open proposal"),
        (len(summary.blockers), "open blocker"),
    ):
        if n:
            said.append(f"{n} {what}{'s' if n != 1 and what.startswith('open') else ''}")
    text = f"Weekly consensus · {name} · {week_of(summary)}: " + " · ".join(said)
    return clip(text, SECTION_MAX)


def details_modal(summary: Summary, *, for_admin: bool) -> dict[str, Any]:
    """The full report of a posted summary's week, in a modal (Details)."""
    title = week_of(summary)
    blocks = consensus_report_blocks(
        summary, for_admin=for_admin, title=f"Weekly consensus · {title}"
    )
    return modal(clip(title[0].upper() + title[1:], TITLE_MAX), blocks)

"""The private lone-wolf DM: the evidence, for the member's eyes only, and a suggestion."""

from __future__ import annotations

from bot.core.analysis.members import HEARD_DAYS, Signal
from bot.core.summary import (
    LoneWolf,
    Summary,
)
from bot.slack.blocks.common import (
    Block,
    context,
    section,
    sections,
)
from bot.slack.blocks.summary.format import (
    EVIDENCE_SHOWN,
    PACK_NAME_SHOWN,
    SIGNAL_TITLES,
    SIGNALS_SHOWN,
    STATEMENT_SHOWN,
    USER_ID,
    Fmt,
    fmt,
    week_of,
)
from bot.slack.mrkdwn import clip, escape


def _dm_pieces(summary: Summary, wolf: LoneWolf, f: Fmt) -> list[str]:
    name = " ".join(summary.pack.name.split())
    pack = clip(escape(name), PACK_NAME_SHOWN) if f.slack else clip(name, PACK_NAME_SHOWN)
    noticed = (
        "the pack may not have heard your view yet"
        if all(s.kind == "outlier_views" for s in wolf.signals)
        else "a few signs that you might be working on your own"
    )
    intro = (
        f"{f.bold('Just for you')} · {pack} · {week_of(summary)}\n"
        f"This week's summary noticed {noticed}. Here is what it saw:"
    )
    seen = "\n".join(_signal_evidence(s, f) for s in wolf.signals[:SIGNALS_SHOWN])
    if len(wolf.signals) > SIGNALS_SHOWN:
        seen += f"\n…and {len(wolf.signals) - SIGNALS_SHOWN} more"
    ideas = []
    if wolf.pair_with and USER_ID.match(wolf.pair_with):
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


def _signal_evidence(signal: Signal, f: Fmt) -> str:
    if signal.kind == "outlier_views":
        return _unheard_view(signal, f)
    title = SIGNAL_TITLES.get(signal.kind, str(signal.kind))
    return f"• {f.bold(title)}: {f.user(signal.evidence, EVIDENCE_SHOWN)}"


def _unheard_view(signal: Signal, f: Fmt) -> str:
    """Votes apart and no reason heard: an invitation to say why, since disagreeing with a
    reason is taking part."""
    command = "`/direction`" if f.slack else "/direction"
    apart = f.user(signal.evidence, EVIDENCE_SHOWN)
    return (
        f"• {f.bold('Your view, not heard yet')}: {apart[:1].upper()}{apart[1:]}, and nobody has "
        f"heard why yet (no reason or thread reply from you in the last {HEARD_DAYS} days). "
        "Your view may be the one the pack is missing: add a one-line reason next time you vote "
        f"({command}), or say it in a split's thread."
    )


def lone_wolf_dm_blocks(summary: Summary, wolf: LoneWolf) -> list[Block]:
    """The private DM to one flagged member: the evidence, a suggestion, and that it is private."""
    intro, seen, suggestion, privacy = _dm_pieces(summary, wolf, fmt(summary, slack=True))
    return [section(intro), *sections(seen), *sections(suggestion), context(privacy)]


def lone_wolf_dm_text(summary: Summary, wolf: LoneWolf, *, slack: bool = True) -> str:
    """The DM as one text: escaped mrkdwn for the message's `text` (the default), or plain text
    for a terminal with `slack=False`."""
    pieces = _dm_pieces(summary, wolf, fmt(summary, slack=slack))
    return "\n\n".join(pieces)

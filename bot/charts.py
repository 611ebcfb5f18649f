"""The weekly summary's chart: the alignment trend beside this week's statement votes and, when
the pack has opinion groups, the map of how views cluster, as a PNG.

Drawn with matplotlib's object API on the Agg canvas, never pyplot (global state, not
thread-safe). Only counts, statement texts, anonymous map points and the pack's name reach the
chart: no member names or ids.
"""

from __future__ import annotations

import io
import math
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from bot.core.summary import MapPoint, StatementLine, Summary, WeekPoint

WIDTH_IN, HEIGHT_IN, DPI = 10.0, 4.5, 100
# With the map: the two panels keep their width and the map takes a third, about square.
MAP_WIDTH_IN = 14.5
MAX_BARS = 10
LABEL_CHARS = 40
TREND_TITLE = "Alignment, last 8 weeks"
BARS_TITLE = "This week's statements"
NO_SCORES = "No alignment scores yet"
NO_VOTES = "No votes this week"
MAP_TITLE = "How views cluster\n(each dot is one member)"
MAP_NOTE = "Members close together vote alike"
SPREAD = 0.03

AGREE_COLOR = "#2e9e44"
DISAGREE_COLOR = "#d0393b"
NEUTRAL_COLOR = "#a0a0a0"  # passes
LINE_COLOR = "#3a6ea5"
# Okabe and Ito's colour-blind-safe palette, each group with its own marker shape as well, so
# groups stay apart in grey and for any colour vision. Group 1 (index 0) is the first.
GROUP_COLORS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9")
GROUP_MARKERS = ("o", "s", "^", "D", "v")
NO_GROUP_COLOR = "#7f7f7f"
NO_GROUP_MARKER = "X"

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# Every text on the chart is shown as it is: no mathtext ("$x$" stays "$x$") and no LaTeX,
# whatever the process-wide rcParams say. Statement texts and pack names are user text.
_LITERAL: dict[str, Any] = {"parse_math": False, "usetex": False}


def statement_label(line: StatementLine) -> str:
    """`#<id> <text>`, the text on one line and cut to about LABEL_CHARS with an ellipsis."""
    text = " ".join(line.statement.text.split())
    if len(text) > LABEL_CHARS:
        text = text[: LABEL_CHARS - 1].rstrip() + "…"
    return f"#{line.statement.id} {text}"


def week_label(point: WeekPoint) -> str:
    """ "16 Nov", in English whatever the locale."""
    day = point.week_start
    return f"{day.day} {_MONTHS[day.month - 1]}"


def group_label(index: int, size: int) -> str:
    """ "Group 1 (3 members)": numbered from 1, as the summary's text numbers them."""
    return f"Group {index + 1} ({size} {'member' if size == 1 else 'members'})"


def chart_figure(summary: Summary) -> Figure:
    mapped = summary.groups is not None and bool(summary.map_points)
    width = MAP_WIDTH_IN if mapped else WIDTH_IN
    fig = Figure(figsize=(width, HEIGHT_IN), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    if mapped:
        trend_ax, bars_ax, map_ax = fig.subplots(
            1, 3, gridspec_kw={"width_ratios": (1.0, 1.25, 1.0)}
        )
        _map_panel(map_ax, summary.map_points)
    else:
        trend_ax, bars_ax = fig.subplots(1, 2, gridspec_kw={"width_ratios": (1.0, 1.25)})
    _trend_panel(trend_ax, summary.trend)
    _bars_panel(bars_ax, summary.week_statements)
    fig.suptitle(f"{summary.pack.name} · week {summary.week}", **_LITERAL)
    return fig


def render_chart(summary: Summary) -> bytes:
    """The chart as PNG bytes; the same summary always gives the same bytes."""
    fig = chart_figure(summary)
    buffer = io.BytesIO()
    with _quiet_missing_glyphs():
        fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


@contextmanager
def _quiet_missing_glyphs() -> Iterator[None]:
    """DejaVu has no CJK or emoji glyphs: such characters are drawn as boxes, not warned about
    (the tests turn warnings into errors)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from", category=UserWarning)
        yield


def _empty(ax: Axes, message: str) -> None:
    ax.text(
        0.5,
        0.5,
        message,
        transform=ax.transAxes,
        ha="center",
        va="center",
        color="#666666",
        **_LITERAL,
    )
    ax.set_xticks([])
    ax.set_yticks([])


def _trend_panel(ax: Axes, trend: tuple[WeekPoint, ...]) -> None:
    ax.set_title(TREND_TITLE, **_LITERAL)
    if not any(p.mean is not None for p in trend):
        _empty(ax, NO_SCORES)
        return
    xs = list(range(len(trend)))
    # NaN breaks the line: a week without scores is a gap, with no point drawn.
    means = [math.nan if p.mean is None else p.mean for p in trend]
    banded = [p.mean is not None and p.spread is not None for p in trend]
    low = [(p.mean or 0.0) - (p.spread or 0.0) for p in trend]
    high = [(p.mean or 0.0) + (p.spread or 0.0) for p in trend]
    if any(banded):
        ax.fill_between(
            xs, low, high, where=banded, color=LINE_COLOR, alpha=0.18, linewidth=0, label="±1 sd"
        )
    ax.plot(
        xs,
        means,
        marker="o",
        color=LINE_COLOR,
        linewidth=2,
        clip_on=False,
        label="Mean",
        gid="alignment-mean",
    )
    ax.set_ylim(1, 5)
    ax.set_yticks([1, 2, 3, 4, 5])
    ax.set_xlim(-0.5, len(trend) - 0.5)
    ax.set_xticks(
        xs,
        [week_label(p) for p in trend],
        rotation=45,
        ha="right",
        rotation_mode="anchor",
        fontsize=8,
        **_LITERAL,
    )
    ax.grid(axis="y", alpha=0.3)


def _bars_panel(ax: Axes, lines: tuple[StatementLine, ...]) -> None:
    shown = lines[:MAX_BARS]
    title = BARS_TITLE
    if len(lines) > MAX_BARS:
        title += f" (top {MAX_BARS} of {len(lines)})"
    ax.set_title(title, **_LITERAL)
    if not shown:
        _empty(ax, NO_VOTES)
        return
    ys = list(range(len(shown)))
    agree = [line.tally.agree for line in shown]
    disagree = [line.tally.disagree for line in shown]
    passes = [line.tally.passes for line in shown]
    ax.barh(ys, agree, color=AGREE_COLOR, label="Agree")
    ax.barh(ys, disagree, left=agree, color=DISAGREE_COLOR, label="Disagree")
    stacked = [a + d for a, d in zip(agree, disagree, strict=True)]
    ax.barh(ys, passes, left=stacked, color=NEUTRAL_COLOR, label="Pass")
    ax.set_yticks(ys, [statement_label(line) for line in shown], **_LITERAL)
    ax.tick_params(axis="y", labelsize=8)
    ax.invert_yaxis()  # the busiest statement on top
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("Votes")
    ax.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.16),
        ncols=3,
        frameon=False,
        fontsize=8,
    )


def spread_out(points: tuple[MapPoint, ...]) -> tuple[MapPoint, ...]:
    """Members who voted alike sit on the same spot: those points are set on a small circle
    around it (SPREAD of the map's extent), so every member still shows as a dot."""
    xs, ys = [p.x for p in points], [p.y for p in points]
    extent = max(max(xs) - min(xs), max(ys) - min(ys), 1.0) if points else 1.0
    at: dict[tuple[float, float], list[int]] = {}
    for i, p in enumerate(points):
        at.setdefault((round(p.x, 9), round(p.y, 9)), []).append(i)
    moved = list(points)
    for same in at.values():
        if len(same) < 2:
            continue
        for n, i in enumerate(same):
            angle = 2 * math.pi * n / len(same)
            p = points[i]
            moved[i] = MapPoint(
                p.x + SPREAD * extent * math.cos(angle),
                p.y + SPREAD * extent * math.sin(angle),
                p.group,
            )
    return tuple(moved)


def _map_panel(ax: Axes, points: tuple[MapPoint, ...]) -> None:
    """One dot per member, coloured and shaped by group; the axes have no units, so no ticks."""
    ax.set_title(MAP_TITLE, **_LITERAL)
    points = spread_out(points)
    groups = sorted({p.group for p in points if p.group is not None})
    for group in groups:
        mine = [p for p in points if p.group == group]
        ax.scatter(
            [p.x for p in mine],
            [p.y for p in mine],
            s=90,
            color=GROUP_COLORS[group % len(GROUP_COLORS)],
            marker=GROUP_MARKERS[group % len(GROUP_MARKERS)],
            edgecolors="white",
            linewidths=0.8,
            label=group_label(group, len(mine)),
            gid=f"group-{group + 1}",
            zorder=3,
        )
    apart = [p for p in points if p.group is None]
    if apart:
        ax.scatter(
            [p.x for p in apart],
            [p.y for p in apart],
            s=60,
            color=NO_GROUP_COLOR,
            marker=NO_GROUP_MARKER,
            label=f"No group ({len(apart)})",
            gid="no-group",
            zorder=3,
        )
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel(MAP_NOTE, fontsize=8, color="#666666", **_LITERAL)
    ax.margins(0.15)
    ax.legend(loc="best", fontsize=8, framealpha=0.9)

"""The weekly summary's chart: the alignment trend beside this week's statement votes and, when
the pack has opinion groups, the map of how views cluster, as a PNG.

Drawn with matplotlib's object API on the Agg canvas, never pyplot (global state, not
thread-safe). Only counts, statement texts, anonymous map points and the pack's name reach the
chart: no member names or ids.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

from bot.core.summary import NUMBERED_SHOWN, MapPoint, StatementLine, Summary, WeekPoint
from bot.core.summary.groups import spread_out

WIDTH_IN, HEIGHT_IN, DPI = 10.0, 4.5, 100
# With the map: the two panels keep their width and the map takes a third, about square.
MAP_WIDTH_IN = 14.5
MAX_BARS = NUMBERED_SHOWN
LABEL_CHARS = 34
TREND_TITLE = "How aligned do we feel?"
TREND_LABEL = "Alignment (1 = not at all, 5 = completely)"
BARS_TITLE = "Where do we stand on each statement?"
NO_SCORES = "No alignment scores yet"
NO_VOTES = "No statement has 3 votes yet"
MAP_TITLE = "How do our views cluster?\n(each dot is one member)"
MAP_NOTE = "Members close together vote alike"
BAND_LABEL = "Middle half of scores"
MEAN_LABEL = "Average score"

# Okabe and Ito's colour-blind-safe palette: agree blue, disagree orange, pass grey; the bars
# are hatched and carry their counts, so colour is never the only cue.
AGREE_COLOR = "#0072B2"
DISAGREE_COLOR = "#E69F00"
NEUTRAL_COLOR = "#999999"  # passes
AGREE_HATCH, DISAGREE_HATCH, NEUTRAL_HATCH = "", "//", ".."
LINE_COLOR = "#0072B2"
BAND_COLOR = "#56B4E9"
# Okabe and Ito's colour-blind-safe palette, each group with its own marker shape as well, so
# groups stay apart in grey and for any colour vision. Group 1 (index 0) is the first. The blue
# and orange of agree and disagree are left out, so a group never reads as a side.
GROUP_COLORS = ("#009E73", "#CC79A7", "#D55E00", "#F0E442", "#56B4E9")
GROUP_MARKERS = ("o", "s", "^", "D", "v")
NO_GROUP_COLOR = "#7f7f7f"
NO_GROUP_MARKER = "X"

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# Every text on the chart is shown as it is: no mathtext ("$x$" stays "$x$") and no LaTeX,
# whatever the process-wide rcParams say. Statement texts and pack names are user text.
_LITERAL: dict[str, Any] = {"parse_math": False, "usetex": False}


def statement_label(number: int, line: StatementLine, *, decided: bool = False) -> str:
    """`1  <text>`: the number the summary's text gives the statement, then its text on one
    line, cut to about LABEL_CHARS with an ellipsis; `(decided)` on a second line for a split a
    decision settled."""
    text = " ".join(line.statement.text.split())
    if len(text) > LABEL_CHARS:
        text = text[: LABEL_CHARS - 1].rstrip() + "…"
    return f"{number}  {text}" + ("\n(decided)" if decided else "")


def week_label(point: WeekPoint) -> str:
    """ "16 Nov", in English whatever the locale."""
    day = point.week_start
    return f"{day.day} {_MONTHS[day.month - 1]}"


def group_label(index: int, size: int) -> str:
    """ "Group 1 (3 members)": numbered from 1, as the summary's text numbers them."""
    return f"Group {index + 1} ({size} {'member' if size == 1 else 'members'})"


def chart_figure(summary: Summary) -> Figure:
    # matplotlib is imported when a chart is drawn, not when the bot starts: it costs every
    # process start about a second, and most processes never draw.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

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
    decided = frozenset(s.statement.id for s in summary.settled_splits)
    _bars_panel(bars_ax, summary.numbered, decided)
    start = summary.week_start
    fig.suptitle(
        f"{summary.pack.name} · week of {start.day} {_MONTHS[start.month - 1]} {start.year}",
        **_LITERAL,
    )
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


def scored_weeks(trend: tuple[WeekPoint, ...]) -> tuple[WeekPoint, ...]:
    """The weeks the alignment panel draws: those with scores, from the first of them. A week
    without scores is left out, and the line broken there."""
    return tuple(p for p in trend if p.mean is not None)


def _trend_panel(ax: Axes, trend: tuple[WeekPoint, ...]) -> None:
    ax.set_title(TREND_TITLE, **_LITERAL)
    weeks = scored_weeks(trend)
    if not weeks:
        _empty(ax, NO_SCORES)
        return
    xs = list(range(len(weeks)))
    means = [p.mean or 0.0 for p in weeks]
    banded = [(x, p.low, p.high) for x, p in zip(xs, weeks, strict=True)]
    bands = [(x, low, max(high, low + 0.08)) for x, low, high in banded if low and high]
    if bands:
        ax.bar(
            [x for x, _, _ in bands],
            [high - low for _, low, high in bands],
            bottom=[low for _, low, _ in bands],
            width=0.5,
            color=BAND_COLOR,
            alpha=0.35,
            linewidth=0,
            label=BAND_LABEL,
            gid="alignment-band",
        )
    # The line joins weeks that follow each other; a week left out breaks it.
    for x in xs[1:]:
        if (weeks[x].week_start - weeks[x - 1].week_start).days == 7:
            ax.plot([x - 1, x], means[x - 1 : x + 1], color=LINE_COLOR, linewidth=2)
    ax.plot(
        xs,
        means,
        linestyle="none",
        marker="o",
        color=LINE_COLOR,
        clip_on=False,
        label=MEAN_LABEL,
        gid="alignment-mean",
        zorder=3,
    )
    for x, mean in zip(xs, means, strict=True):
        ax.annotate(
            f"{mean:.1f}",
            (x, mean),
            textcoords="offset points",
            xytext=(0, 8),
            ha="center",
            fontsize=8,
        )
    ax.set_ylim(1, 5.3)
    ax.set_yticks([1, 2, 3, 4, 5])
    ax.set_xlim(-0.6, len(weeks) - 0.4)
    ax.set_xticks(xs, [week_label(p) for p in weeks], fontsize=8, **_LITERAL)
    ax.set_xlabel("Week of")
    ax.set_ylabel(TREND_LABEL, fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="lower left", fontsize=8, framealpha=0.9)


def _bars_panel(
    ax: Axes, lines: tuple[StatementLine, ...], decided: frozenset[int] = frozenset()
) -> None:
    """One bar per statement the summary numbers, with its number: agree, disagree and pass
    stacked, each hatched its own way and with its count written on it."""
    shown = lines[:MAX_BARS]
    ax.set_title(BARS_TITLE, **_LITERAL)
    if not shown:
        _empty(ax, NO_VOTES)
        return
    ys = list(range(len(shown)))
    left = [0] * len(shown)
    for side, color, hatch, label in (
        ("agree", AGREE_COLOR, AGREE_HATCH, "Agree"),
        ("disagree", DISAGREE_COLOR, DISAGREE_HATCH, "Disagree"),
        ("passes", NEUTRAL_COLOR, NEUTRAL_HATCH, "Pass"),
    ):
        values = [getattr(line.tally, side) for line in shown]
        bars = ax.barh(
            ys,
            values,
            left=left,
            color=color,
            hatch=hatch,
            edgecolor="white",
            linewidth=0.8,
            label=label,
            gid=f"bars-{label.lower()}",
        )
        ax.bar_label(
            bars,
            labels=[str(v) if v else "" for v in values],
            label_type="center",
            fontsize=9,
            fontweight="bold",
            color="white" if side != "passes" else "black",
            bbox={"boxstyle": "round,pad=0.15", "facecolor": color, "linewidth": 0},
        )
        left = [a + v for a, v in zip(left, values, strict=True)]
    labels = [
        statement_label(n, line, decided=line.statement.id in decided)
        for n, line in enumerate(shown, start=1)
    ]
    ax.set_yticks(ys, labels, **_LITERAL)
    ax.tick_params(axis="y", labelsize=8)
    ax.invert_yaxis()  # 1 on top, as in the text
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("Votes")
    ax.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.16),
        ncols=3,
        frameon=False,
        fontsize=8,
    )


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

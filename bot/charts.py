"""The weekly summary's chart: the alignment trend beside this week's statement votes, as a PNG.

Drawn with matplotlib's object API on the Agg canvas, never pyplot (global state, not
thread-safe). Only counts, statement texts and the pack's name reach the chart: no member names.
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

from bot.core.summary import StatementLine, Summary, WeekPoint

WIDTH_IN, HEIGHT_IN, DPI = 10.0, 4.5, 100
MAX_BARS = 10
LABEL_CHARS = 40
TREND_TITLE = "Alignment, last 8 weeks"
BARS_TITLE = "This week's statements"
NO_SCORES = "No alignment scores yet"
NO_VOTES = "No votes this week"

AGREE_COLOR = "#2e9e44"
DISAGREE_COLOR = "#d0393b"
NEUTRAL_COLOR = "#a0a0a0"  # passes
LINE_COLOR = "#3a6ea5"

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


def chart_figure(summary: Summary) -> Figure:
    fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
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

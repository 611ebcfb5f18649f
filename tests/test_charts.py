"""The weekly summary's chart: both panels, hostile text, empty weeks and stable bytes."""

from __future__ import annotations

import datetime as dt
import io
import math

import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.container import BarContainer
from matplotlib.lines import Line2D
from matplotlib.text import Text
from PIL import Image

from bot.charts import chart_figure, render_chart, statement_label
from bot.core.packs import Pack, PackSettings
from bot.core.statements import Statement, Tally
from bot.core.summary import (
    Blocker,
    LoneWolf,
    Participation,
    StatementLine,
    Summary,
    WeekPoint,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
WEEK_START = dt.date(2026, 11, 16)
HOSTILE = "$\\frac{1}{2}$ <!channel> 名前 🐺"
MEMBER_NAMES = ("Ana Alvarez", "Bo Brandt", "Cy Carver")


def week(weeks_back: int, mean: float | None, spread: float | None = None) -> WeekPoint:
    return WeekPoint(
        week_start=WEEK_START - dt.timedelta(weeks=weeks_back),
        mean=mean,
        spread=spread,
        scores=0 if mean is None else 4,
    )


def line(sid: int, text: str, agree: int, disagree: int, passes: int) -> StatementLine:
    return StatementLine(Statement(sid, 1, text, "UANA"), Tally(agree, disagree, passes))


def summary(
    trend: tuple[WeekPoint, ...] = (),
    statements: tuple[StatementLine, ...] = (),
    pack_name: str = "Core team",
) -> Summary:
    """A summary as the builder would hand it over; member names sit where the builder puts
    them, so a test can check that none reaches the chart."""
    pack = Pack(1, 1, "CTEAM", pack_name, PackSettings(), "UANA")
    this_week = trend[-1] if trend else WeekPoint(WEEK_START, None, None, 0)
    return Summary(
        pack=pack,
        week="2026-W47",
        week_start=WEEK_START,
        now=dt.datetime(2026, 11, 20, 16, tzinfo=dt.UTC),
        participation=Participation(10, 12, 3, 3, (MEMBER_NAMES[2],), (), 3),
        alignment=this_week,
        trend=trend,
        common_ground=(),
        common_ground_more=0,
        splits=(),
        groups=None,
        no_camps_reason=None,
        decisions=(),
        open_proposals=(),
        blockers=(Blocker(MEMBER_NAMES[0], WEEK_START, "waiting on review"),),
        lone_wolves=(LoneWolf("UBO", MEMBER_NAMES[1], ()),),
        lone_wolf_counts={"silent": 1},
        delivery_problems=(),
        week_statements=statements,
        statements_total=len(statements),
    )


TREND = (
    week(7, 3.0, 0.5),
    week(6, 3.5, 0.8),
    week(5, None),
    week(4, 4.0, 0.3),
    week(3, 2.5, 1.2),
    week(2, None),
    week(1, 3.2),  # a single score: no spread
    week(0, 4.4, 0.6),
)
STATEMENTS = (
    line(7, "Ship on Fridays", 5, 1, 0),
    line(3, "We should rewrite the billing service in Rust before the next audit", 2, 2, 3),
    line(12, "More pairing", 3, 0, 1),
)


def axes(s: Summary) -> tuple[Axes, Axes]:
    trend_ax, bars_ax = chart_figure(s).axes
    return trend_ax, bars_ax


def bars(ax: Axes) -> list[BarContainer]:
    return [c for c in ax.containers if isinstance(c, BarContainer)]


def mean_line(ax: Axes) -> Line2D:
    (found,) = [ln for ln in ax.get_lines() if ln.get_gid() == "alignment-mean"]
    return found


def all_texts(s: Summary) -> list[str]:
    fig = chart_figure(s)
    return [t.get_text() for t in fig.findobj(Text)]


def test_png_bytes_open_at_the_expected_size() -> None:
    data = render_chart(summary(TREND, STATEMENTS))
    assert data.startswith(PNG_SIGNATURE)
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG"
        assert image.size == (1000, 450)


def test_two_panels_with_their_titles_and_the_suptitle() -> None:
    fig = chart_figure(summary(TREND, STATEMENTS))
    assert [ax.get_title() for ax in fig.axes] == [
        "Alignment, last 8 weeks",
        "This week's statements",
    ]
    assert fig.get_suptitle() == "Core team · week 2026-W47"


def test_bars_are_stacked_agree_disagree_pass_with_the_counts() -> None:
    _, ax = axes(summary(TREND, STATEMENTS))
    agree, disagree, passes = bars(ax)
    assert [c.get_label() for c in (agree, disagree, passes)] == ["Agree", "Disagree", "Pass"]
    assert [len(c.patches) for c in (agree, disagree, passes)] == [3, 3, 3]
    assert [p.get_width() for p in agree.patches] == [5, 2, 3]
    assert [p.get_width() for p in disagree.patches] == [1, 2, 0]
    assert [p.get_width() for p in passes.patches] == [0, 3, 1]
    # Stacked: each segment starts where the one before ended.
    assert [p.get_x() for p in disagree.patches] == [5, 2, 3]
    assert [p.get_x() for p in passes.patches] == [6, 4, 3]
    legend = ax.get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == ["Agree", "Disagree", "Pass"]


def test_bar_labels_name_the_statement_and_cut_long_text() -> None:
    _, ax = axes(summary(TREND, STATEMENTS))
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0] == "#7 Ship on Fridays"
    assert labels[2] == "#12 More pairing"
    long_label = labels[1]
    assert long_label.startswith("#3 We should rewrite the billing")
    assert long_label.endswith("…")
    assert len(long_label.removeprefix("#3 ")) <= 40
    # The busiest statement (first in the summary) is drawn on top.
    assert ax.yaxis_inverted()


def test_label_puts_multiline_text_on_one_line() -> None:
    assert statement_label(line(4, "two\nlines\t here", 3, 0, 0)) == "#4 two lines here"


def test_alignment_line_has_the_means_and_gaps_for_weeks_without_scores() -> None:
    ax, _ = axes(summary(TREND))
    ys = [float(y) for y in np.asarray(mean_line(ax).get_ydata(), dtype=float)]
    expected = [p.mean for p in TREND]
    assert len(ys) == len(expected)
    for y, mean in zip(ys, expected, strict=True):
        if mean is None:
            assert math.isnan(y)  # no point, and the line breaks there
        else:
            assert y == pytest.approx(mean)
    assert [y for y in ys if not math.isnan(y)] == [3.0, 3.5, 4.0, 2.5, 3.2, 4.4]
    assert ax.get_ylim() == (1.0, 5.0)
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels[0] == "28 Sep"
    assert labels[-1] == "16 Nov"
    assert len(labels) == 8


def test_spread_band_covers_mean_plus_minus_spread() -> None:
    ax, _ = axes(summary((week(1, 3.0, 0.5), week(0, 4.0, 0.25))))
    (band,) = ax.collections
    ys = sorted(
        {round(float(y), 6) for path in band.get_paths() for y in np.asarray(path.vertices)[:, 1]}
    )
    assert ys[0] == pytest.approx(2.5)
    assert ys[-1] == pytest.approx(4.25)


def test_fifteen_statements_show_the_top_ten() -> None:
    many = tuple(line(i, f"Statement {i}", i, 1, 1) for i in range(1, 16))
    _, ax = axes(summary(TREND, many))
    assert ax.get_title() == "This week's statements (top 10 of 15)"
    for container in bars(ax):
        assert len(container.patches) == 10
    assert [p.get_width() for p in bars(ax)[0].patches] == list(range(1, 11))
    assert [t.get_text() for t in ax.get_yticklabels()][-1] == "#10 Statement 10"


def test_ten_statements_need_no_top_note() -> None:
    ten = tuple(line(i, f"Statement {i}", 3, 0, 0) for i in range(1, 11))
    _, ax = axes(summary(TREND, ten))
    assert ax.get_title() == "This week's statements"
    assert len(bars(ax)[0].patches) == 10


def test_hostile_text_is_drawn_literally() -> None:
    s = summary(TREND, (line(1, HOSTILE, 3, 1, 1),), pack_name="$x$ pack")
    data = render_chart(s)  # pytest turns the missing-glyph warnings into errors
    assert data.startswith(PNG_SIGNATURE)
    fig = chart_figure(s)
    (label,) = fig.axes[1].get_yticklabels()
    assert label.get_text() == f"#1 {HOSTILE}"
    assert "$" in label.get_text()
    assert not label.get_parse_math()  # mathtext never sees user text
    suptitle = fig.get_suptitle()
    assert suptitle == "$x$ pack · week 2026-W47"
    (title,) = [t for t in fig.findobj(Text) if t.get_text() == suptitle]
    assert not title.get_parse_math()


def test_missing_glyphs_would_warn_without_the_guard() -> None:
    """The guard in render_chart is what keeps CJK and emoji from raising under pytest."""
    fig = chart_figure(summary(TREND, (line(1, HOSTILE, 3, 1, 1),)))
    with pytest.warns(UserWarning, match="missing from font"):
        fig.canvas.draw()


def test_empty_summary_says_so_in_both_panels() -> None:
    s = summary()
    data = render_chart(s)
    assert data.startswith(PNG_SIGNATURE)
    trend_ax, bars_ax = axes(s)
    assert [t.get_text() for t in trend_ax.texts] == ["No alignment scores yet"]
    assert [t.get_text() for t in bars_ax.texts] == ["No votes this week"]
    assert not trend_ax.get_lines()
    assert not bars(bars_ax)


def test_weeks_without_any_score_say_so() -> None:
    s = summary((week(1, None), week(0, None)), STATEMENTS)
    trend_ax, bars_ax = axes(s)
    assert [t.get_text() for t in trend_ax.texts] == ["No alignment scores yet"]
    assert not trend_ax.get_lines()
    assert not bars_ax.texts
    assert render_chart(s).startswith(PNG_SIGNATURE)


def test_same_input_gives_the_same_bytes() -> None:
    s = summary(TREND, (*STATEMENTS, line(1, HOSTILE, 3, 1, 1)))
    first = render_chart(s)
    assert render_chart(s) == first
    assert b"matplotlib" not in first.lower()  # no Software stamp with a version in it
    assert render_chart(summary(TREND, STATEMENTS[:2])) != first


def test_no_member_name_reaches_the_chart() -> None:
    texts = " ".join(all_texts(summary(TREND, STATEMENTS)))
    for name in MEMBER_NAMES:
        assert name not in texts
    assert "UANA" not in texts  # the statements' author

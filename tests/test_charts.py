"""The weekly summary's chart: both panels, each titled as the question it answers, in a
colour-blind-safe palette, hostile text, empty weeks and stable bytes."""

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

from bot.charts import (
    AGREE_COLOR,
    DISAGREE_COLOR,
    NEUTRAL_COLOR,
    chart_figure,
    render_chart,
    statement_label,
)
from bot.core.packs import Pack, PackSettings
from bot.core.proposals import Outcome, Proposal
from bot.core.statements import Statement, Tally
from bot.core.summary import (
    Blocker,
    CommonGroundLine,
    LoneWolf,
    Participation,
    Split,
    SplitTrend,
    StatementLine,
    Summary,
    WeekPoint,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
WEEK_START = dt.date(2026, 11, 16)
HOSTILE = "$\\frac{1}{2}$ <!channel> 名前 🐺"
MEMBER_NAMES = ("Ana Alvarez", "Bo Brandt", "Cy Carver")


def week(
    weeks_back: int, mean: float | None, low: float | None = None, high: float | None = None
) -> WeekPoint:
    return WeekPoint(
        week_start=WEEK_START - dt.timedelta(weeks=weeks_back),
        mean=mean,
        spread=None if low is None else 0.5,
        scores=0 if mean is None else 4,
        low=low,
        high=high,
    )


def line(sid: int, text: str, agree: int, disagree: int, passes: int) -> StatementLine:
    return StatementLine(Statement(sid, 1, text, "UANA"), Tally(agree, disagree, passes))


def split(statement_line: StatementLine, *, decided: bool = False) -> Split:
    passed = Proposal(
        9,
        1,
        "We decide it",
        "UANA",
        dt.datetime(2026, 11, 18, tzinfo=dt.UTC),
        outcome=Outcome.PASSED,
    )
    return Split(
        statement_line.statement,
        statement_line.tally,
        (),
        (),
        SplitTrend.NEW,
        0.9,
        None,
        settled_by=passed if decided else None,
    )


def summary(
    trend: tuple[WeekPoint, ...] = (),
    statements: tuple[StatementLine, ...] = (),
    pack_name: str = "Core team",
    splits: tuple[Split, ...] = (),
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
        common_ground=tuple(
            CommonGroundLine(s.statement, s.tally, 0.8, 0.7, 0.9) for s in statements
        ),
        common_ground_more=0,
        splits=splits,
        groups=None,
        no_camps_reason=None,
        decisions=(),
        open_proposals=(),
        blockers=(Blocker(MEMBER_NAMES[0], WEEK_START, "waiting on review"),),
        lone_wolves=(LoneWolf("UBO", MEMBER_NAMES[1], ()),),
        lone_wolf_counts={"silent": 1},
        delivery_problems=(),
        statements_total=len(statements) + len(splits),
    )


TREND = (
    week(7, None),  # before the first scores: not drawn
    week(6, 3.5, 3, 4),
    week(5, None),  # a week without scores inside the range: skipped, the line broken
    week(4, 4.0, 4, 4),
    week(3, 2.5, 2, 3),
    week(2, None),
    week(1, 3.2),  # two scores: no band
    week(0, 4.4, 4, 5),
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


def pixels_near(image: Image.Image, colour: str, tolerance: int = 12) -> int:
    """How many pixels are within `tolerance` of the colour on every channel."""
    rgb = np.asarray(image.convert("RGB"), dtype=int)
    target = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
    return int((np.abs(rgb - target).max(axis=2) <= tolerance).sum())


def test_png_is_the_expected_size_in_the_colour_blind_safe_palette() -> None:
    s = summary(TREND, STATEMENTS)
    data = render_chart(s)
    assert data.startswith(PNG_SIGNATURE)
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG"
        assert image.size == (1000, 450)
        # Okabe–Ito blue (agree) and orange (disagree) and grey (pass) bars are drawn...
        assert pixels_near(image, AGREE_COLOR) > 2000
        assert pixels_near(image, DISAGREE_COLOR) > 500
        assert pixels_near(image, NEUTRAL_COLOR) > 500
        # ...and none of the red and green a colour-blind reader cannot tell apart.
        for red_or_green in ("#d62728", "#2ca02c", "#2e9e44", "#d0393b"):
            assert pixels_near(image, red_or_green, tolerance=20) == 0, red_or_green
    # Only the weeks with scores are drawn: six of the eight, from the first one with scores.
    ax, _ = axes(s)
    scored = [p for p in TREND if p.mean is not None]
    assert len(mean_line(ax).get_xdata()) == len(scored) == 5
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "5 Oct",
        "19 Oct",
        "26 Oct",
        "9 Nov",
        "16 Nov",
    ]


def test_each_panel_is_titled_as_its_question_and_the_title_has_a_date() -> None:
    fig = chart_figure(summary(TREND, STATEMENTS))
    assert [ax.get_title() for ax in fig.axes] == [
        "How aligned do we feel?",
        "Where do we stand on each statement?",
    ]
    assert fig.get_suptitle() == "Core team · week of 16 Nov 2026"
    trend_ax, bars_ax = fig.axes
    assert trend_ax.get_ylabel() == "Alignment (1 = not at all, 5 = completely)"
    assert bars_ax.get_xlabel() == "Votes"


def test_bars_are_stacked_agree_disagree_pass_with_the_counts_written_on() -> None:
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
    # Hatched apart, so colour is not the only cue.
    assert [c.patches[0].get_hatch() or "" for c in (agree, disagree, passes)] == ["", "//", ".."]
    written = sorted(t.get_text() for t in ax.texts if t.get_text())
    assert written == sorted(["5", "2", "3", "1", "2", "3", "1"])
    legend = ax.get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == ["Agree", "Disagree", "Pass"]


def test_bars_are_numbered_as_the_summary_text_numbers_them() -> None:
    cli = line(20, "Ship the CLI first", 4, 3, 0)
    rust = line(21, "Rewrite in Rust", 3, 4, 0)
    s = summary(TREND, STATEMENTS[:1], splits=(split(rust), split(cli, decided=True)))
    _, ax = axes(s)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == [
        "1  Ship on Fridays",
        "2  Rewrite in Rust",
        "3  Ship the CLI first\n(decided)",
    ]
    assert [s.number_of(sid) for sid in (7, 21, 20)] == [1, 2, 3]
    assert ax.yaxis_inverted()  # 1 on top


def test_bar_labels_cut_long_text_on_one_line() -> None:
    _, ax = axes(summary(TREND, STATEMENTS))
    long_label = [t.get_text() for t in ax.get_yticklabels()][1]
    assert long_label.startswith("2  We should rewrite the billing")
    assert long_label.endswith("…")
    assert len(long_label.removeprefix("2  ")) <= 34
    assert statement_label(4, line(4, "two\nlines\t here", 3, 0, 0)) == "4  two lines here"


def test_the_alignment_line_breaks_at_a_skipped_week_and_the_band_is_the_middle_half() -> None:
    ax, _ = axes(summary(TREND))
    ys = [float(y) for y in np.asarray(mean_line(ax).get_ydata(), dtype=float)]
    assert ys == pytest.approx([3.5, 4.0, 2.5, 3.2, 4.4])
    assert not any(math.isnan(y) for y in ys)
    # Segments join weeks that follow each other only: 19 Oct–26 Oct and 9 Nov–16 Nov.
    segments = [ln for ln in ax.get_lines() if ln.get_gid() != "alignment-mean"]
    assert sorted(tuple(ln.get_xdata()) for ln in segments) == [(1, 2), (3, 4)]
    band = [p for c in bars(ax) for p in c.patches]
    # Weeks with quartiles get their band (a week whose middle half is one score, a thin
    # one); the week of two scores has none.
    assert len(band) == 4
    assert (band[0].get_y(), band[0].get_y() + band[0].get_height()) == pytest.approx((3, 4))
    legend = ax.get_legend()
    assert legend is not None
    assert "Middle half of scores" in [t.get_text() for t in legend.get_texts()]
    assert ax.get_xlabel() == "Week of"


def test_nine_statements_show_the_eight_the_summary_numbers() -> None:
    many = tuple(line(i, f"Statement {i}", i, 1, 1) for i in range(1, 10))
    _, ax = axes(summary(TREND, many))
    for container in bars(ax):
        assert len(container.patches) == 8
    assert [p.get_width() for p in bars(ax)[0].patches] == list(range(1, 9))
    assert [t.get_text() for t in ax.get_yticklabels()][-1] == "8  Statement 8"


def test_hostile_text_is_drawn_literally() -> None:
    s = summary(TREND, (line(1, HOSTILE, 3, 1, 1),), pack_name="$x$ pack")
    data = render_chart(s)  # pytest turns the missing-glyph warnings into errors
    assert data.startswith(PNG_SIGNATURE)
    fig = chart_figure(s)
    (label,) = fig.axes[1].get_yticklabels()
    assert label.get_text() == f"1  {HOSTILE}"
    assert "$" in label.get_text()
    assert not label.get_parse_math()  # mathtext never sees user text
    suptitle = fig.get_suptitle()
    assert suptitle == "$x$ pack · week of 16 Nov 2026"
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
    assert [t.get_text() for t in bars_ax.texts] == ["No statement has 3 votes yet"]
    assert not trend_ax.get_lines()
    assert not bars(bars_ax)


def test_weeks_without_any_score_say_so() -> None:
    s = summary((week(1, None), week(0, None)), STATEMENTS)
    trend_ax, bars_ax = axes(s)
    assert [t.get_text() for t in trend_ax.texts] == ["No alignment scores yet"]
    assert not trend_ax.get_lines()
    assert bars(bars_ax)
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

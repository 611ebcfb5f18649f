"""The summary chart's map of how views cluster: drawn only when the pack has opinion groups,
one dot per member coloured and shaped by group, legends numbered as the summary's text, no
names, no ids and no numeric ticks."""

from __future__ import annotations

import io
from dataclasses import replace

import numpy as np
from matplotlib.collections import PathCollection
from matplotlib.colors import to_rgb
from matplotlib.text import Text
from PIL import Image

from bot.charts import (
    GROUP_COLORS,
    MAP_TITLE,
    NO_GROUP_COLOR,
    chart_figure,
    render_chart,
)
from bot.core.summary import GroupLine, MapPoint, Summary
from bot.core.summary.groups import spread_out
from tests.core.test_summary_camps import CAMPS, two_camps
from tests.test_charts import MEMBER_NAMES, STATEMENTS, TREND, summary

POINTS = (
    MapPoint(-2.0, 0.1, 0),
    MapPoint(-1.8, -0.3, 0),
    MapPoint(-2.2, 0.4, 0),
    MapPoint(2.0, 0.2, 1),
    MapPoint(1.7, -0.1, 1),
    MapPoint(0.1, 2.5, None),
)


def with_groups(points: tuple[MapPoint, ...] = POINTS) -> Summary:
    groups = (GroupLine(3, ()), GroupLine(2, ()))
    return replace(summary(TREND, STATEMENTS), groups=groups, map_points=points)


def figure_texts(s: Summary) -> list[str]:
    return [t.get_text() for t in chart_figure(s).findobj(Text)]


def colours_in(png: bytes) -> set[tuple[int, int, int]]:
    with Image.open(io.BytesIO(png)) as image:
        pixels = np.asarray(image.convert("RGB")).reshape(-1, 3)
    return {(int(r), int(g), int(b)) for r, g, b in np.unique(pixels, axis=0)}


def rgb(colour: str) -> tuple[int, int, int]:
    r, g, b = to_rgb(colour)
    return round(r * 255), round(g * 255), round(b * 255)


def test_no_groups_no_map() -> None:
    fig = chart_figure(summary(TREND, STATEMENTS))
    assert len(fig.axes) == 2
    assert MAP_TITLE not in [ax.get_title() for ax in fig.axes]
    # Neither group colour is drawn anywhere else on the chart.
    found = colours_in(render_chart(summary(TREND, STATEMENTS)))
    assert not {rgb(c) for c in GROUP_COLORS[:2]} & found


def test_the_map_is_a_third_panel_with_a_dot_per_member() -> None:
    fig = chart_figure(with_groups())
    assert [ax.get_title() for ax in fig.axes][-1] == MAP_TITLE
    map_ax = fig.axes[2]
    dots = [c for c in map_ax.collections if isinstance(c, PathCollection)]
    assert sum(len(c.get_offsets()) for c in dots) == len(POINTS)
    assert [c.get_gid() for c in dots] == ["group-1", "group-2", "no-group"]
    # Colour and shape both tell the groups apart.
    colours = [tuple(c.get_facecolor()[0][:3]) for c in dots]
    assert len(set(colours)) == 3
    shapes = [c.get_paths()[0].vertices.tobytes() for c in dots]
    assert len(set(shapes)) == 3
    # The axes have no units: no ticks, no numbers.
    assert list(map_ax.get_xticks()) == [] and list(map_ax.get_yticks()) == []


def test_the_legend_numbers_groups_as_the_text_does() -> None:
    fig = chart_figure(with_groups())
    legend = fig.axes[2].get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == [
        "Group 1 (3 members)",
        "Group 2 (2 members)",
        "No group (1)",
    ]


def test_the_png_with_the_map_is_wider_and_has_the_group_colours() -> None:
    png = render_chart(with_groups())
    with Image.open(io.BytesIO(png)) as image:
        assert image.size == (1450, 450)
    found = colours_in(png)
    for colour in (*GROUP_COLORS[:2], NO_GROUP_COLOR):
        assert rgb(colour) in found, colour


def test_a_real_pack_of_two_camps_gets_its_map_without_names_or_ids() -> None:
    camps = two_camps()
    png = render_chart(camps)
    with Image.open(io.BytesIO(png)) as image:
        assert image.size == (1450, 450)
    found = colours_in(png)
    assert rgb(GROUP_COLORS[0]) in found and rgb(GROUP_COLORS[1]) in found
    fig = chart_figure(camps)
    assert [c.get_gid() for c in fig.axes[2].collections] == ["group-1", "group-2"]
    texts = [t.get_text() for t in fig.findobj(Text)]
    assert MAP_TITLE in texts
    assert "Group 1 (3 members)" in texts and "Group 2 (3 members)" in texts
    for text in texts:
        for member in CAMPS:
            assert member not in text and f"Name of {member}" not in text, text


def test_names_sitting_in_the_summary_never_reach_the_map() -> None:
    texts = figure_texts(with_groups())
    for text in texts:
        for name in MEMBER_NAMES:
            assert name not in text


def test_the_same_map_gives_the_same_bytes() -> None:
    assert render_chart(with_groups()) == render_chart(with_groups())


def test_members_on_the_same_spot_still_show_as_separate_dots() -> None:
    same = (*[MapPoint(1.0, 1.0, 0)] * 3, *[MapPoint(-1.0, -1.0, 1)] * 2, MapPoint(0.0, 3.0, None))
    moved = spread_out(same)
    assert len({(p.x, p.y) for p in moved}) == len(same)
    assert [p.group for p in moved] == [p.group for p in same]
    assert moved[-1] == same[-1]  # alone on its spot: not moved

"""The map page's HTML: every piece of user text escaped, names only with open voting, a map
in words for screen readers, an empty pack told so, long lists cut, the style sheet the one
the Content-Security-Policy allows, and the same group colours as the weekly chart."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
from dataclasses import replace
from html.parser import HTMLParser

from bot.charts import GROUP_COLORS as CHART_COLORS
from bot.core.map import MapDot, MapView
from bot.core.packs import Pack, PackSettings
from bot.core.proposals import Counts, Outcome, Proposal
from bot.core.statements import Statement, Tally
from bot.core.summary import CommonGroundLine, DecisionLine, GroupLine, Split, SplitTrend
from bot.web.drawing import GROUP_COLORS, numbered
from bot.web.page import SPLITS_SHOWN, STYLE_HASH, render_map, render_refusal

NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)
EVIL = '<img src=x onerror="alert(1)">&"\''


def statement(sid: int, text: str = EVIL) -> Statement:
    return Statement(sid, 1, f"{text} #{sid}", "U1")


def view(**changes: object) -> MapView:
    pack = Pack(1, 1, "C1", f"Pack {EVIL}", PackSettings(timezone="Europe/Berlin"), "U1")
    split = Split(
        statement(2),
        Tally(3, 3, 1),
        (f"for {EVIL}",),
        (f"against {EVIL}",),
        SplitTrend.STEADY,
        0.9,
        0.9,
    )
    decided = Proposal(5, 1, f"decided {EVIL}", "U1", NOW, Outcome.PASSED, NOW)
    base = MapView(
        pack=pack,
        now=NOW,
        members=4,
        statements=3,
        voters=4,
        dots=(
            MapDot(0.0, 0.0, 0, name=f"Name {EVIL}"),
            MapDot(0.1, 0.2, 0),
            MapDot(1.0, 0.6, 1, you=True),
            MapDot(0.9, 0.5, None),
        ),
        groups=(GroupLine(2, ((statement(3), "agree"),)), GroupLine(1, ())),
        no_groups_reason=None,
        common_ground=(CommonGroundLine(statement(1), Tally(4, 0, 0), 0.9, 0.8, 1.0),),
        splits=(split,),
        decisions=(DecisionLine(decided, Counts(agree=3)),),
        open_proposals=(),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags(page: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Tags()
    parser.feed(page)
    return parser.tags


def test_user_text_is_escaped_everywhere() -> None:
    page = render_map(view(), NOW)
    found = tags(page)
    assert not [t for t, _ in found if t in ("img", "script", "iframe", "object")]
    assert not [a for _, attrs in found for a in attrs if a.startswith("on")]
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&quot;&#x27;" in page
    assert EVIL not in page


def test_an_anonymous_page_shows_no_name_even_if_one_slipped_into_a_dot() -> None:
    """Names come only from the model (set for open voting); the page prints what it gets."""
    page = render_map(view(), NOW)
    assert "Name &lt;img" in page  # the model's name is printed, escaped
    anonymous = view(dots=tuple(replace(d, name=None) for d in view().dots))
    assert "Name " not in render_map(anonymous, NOW)


def test_the_map_is_described_for_screen_readers() -> None:
    page = render_map(view(), NOW)
    (svg,) = [attrs for tag, attrs in tags(page) if tag == "svg" and attrs.get("role") == "img"]
    assert svg["aria-labelledby"] == "map-title map-desc"
    desc = re.search(r'<desc id="map-desc">(.*?)</desc>', page)
    assert desc is not None
    assert "4 members on the map" in desc.group(1)
    assert "Group 1: 2 members; Group 2: 1 member" in desc.group(1)
    assert "1 member in no group" in desc.group(1) and "You are in Group 2" in desc.group(1)
    assert page.count('class="member"') == 4 and page.count('class="you-ring"') == 1
    assert '<html lang="en">' in page and 'name="viewport"' in page


def test_an_empty_pack_is_told_so() -> None:
    page = render_map(view(dots=(), groups=None, voters=0, no_groups_reason="x"), NOW)
    assert "Nobody has voted on a statement yet" in page and "<svg" not in page
    few = render_map(view(dots=(), groups=None, voters=1, no_groups_reason="too <few>"), NOW)
    assert "No map to draw yet: too &lt;few&gt;" in few


def test_no_groups_says_why() -> None:
    page = render_map(view(groups=None, no_groups_reason="you vote alike"), NOW)
    assert "No distinct groups yet: you vote alike." in page


def test_long_lists_are_cut() -> None:
    many = tuple(replace(view().splits[0], statement=statement(i)) for i in range(14))
    page = render_map(view(splits=many), NOW)
    assert page.count('<article class="card">') == SPLITS_SHOWN
    assert "And 4 more, less divisive." in page


def test_the_style_sheet_is_the_one_the_policy_allows() -> None:
    for page in (render_map(view(), NOW), render_refusal("T <x>", "M <y>")):
        styles = re.findall(r"<style>(.*?)</style>", page, re.S)
        assert len(styles) == 1
        digest = base64.b64encode(hashlib.sha256(styles[0].encode()).digest()).decode()
        assert f"sha256-{digest}" == STYLE_HASH
        assert ' style="' not in page  # no inline style attribute the policy would block


def test_the_refusal_escapes_its_text() -> None:
    page = render_refusal("Title <b>", "Message <i>")
    assert "Title &lt;b&gt;" in page and "Message &lt;i&gt;" in page
    assert 'http-equiv="refresh"' not in page


def test_the_groups_have_the_weekly_charts_colours() -> None:
    assert GROUP_COLORS == CHART_COLORS


def test_numbers_in_dots_only_while_they_can_be_read() -> None:
    assert numbered(10) and not numbered(60)
    small = render_map(view(), NOW)
    assert "marked 1" in small
    crowd = tuple(MapDot(i / 59, (i * 7 % 59) / 59, i % 2) for i in range(60))
    page = render_map(view(dots=crowd), NOW)
    assert "marked" not in page and page.count('class="member"') == 60

"""The map page in a real browser (Debian's Chromium, headless, through selenium): it draws one
circle per member on the map in the groups' colours; an expired or altered link shows the
refusal; another pack's statements never appear; at a phone's width nothing scrolls sideways;
the keyboard reaches the links with a visible focus; body text meets WCAG AA contrast."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from bot.core.map import LINK_LIFETIME
from bot.devtools.fake_slack import FakeSlack
from bot.web.drawing import GROUP_COLORS
from tests.conftest import ANA, BO, CHANNEL, CY, TEAM, FixedClock
from tests.web.browser import chromium, contrast, near, pixels, viewport
from tests.web.packs import (
    CAMPS,
    OTHER_TEAM_STATEMENT,
    SHARED,
    SIDE,
    SIDE_STATEMENT,
    Served,
    ask_for_link,
    camp_pack,
    local,
    serve,
    side_packs,
    token_of,
    user,
)


@dataclass
class Site:
    served: Served
    mine: str  # a0's link to the camps' pack, as the test reaches it
    side: str  # Ana's link to the side pack


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Site]:
    """One bot for the module: the camps' pack, a pack beside it and one in another
    workspace."""
    path = tmp_path_factory.mktemp("map") / "wolfpack.db"
    shutil.copy(sqlite_template, path)
    clock = FixedClock(dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC))
    with FakeSlack(team_id=TEAM, bot_user_id="UBOT") as fake:
        fake.add_user(ANA, name="Ana", tz="Europe/Berlin", is_admin=True)
        fake.add_user(BO, name="Bo", tz="America/Los_Angeles")
        fake.add_user(CY, name="Cy", tz="Asia/Kolkata")
        for served in serve(f"sqlite:///{path}", fake, clock):
            h = served.harness
            camp_pack(h)
            side_packs(h)
            yield Site(
                served,
                local(ask_for_link(h, user("a0")), served.base),
                local(ask_for_link(h, ANA, channel=SIDE), served.base),
            )


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[webdriver.Chrome]:
    yield from chromium(tmp_path_factory.mktemp("chromium-profile"))


@pytest.fixture
def desktop(browser: webdriver.Chrome) -> webdriver.Chrome:
    viewport(browser, 1280, 900, mobile=False)
    return browser


def test_the_map_draws_one_circle_per_member_in_the_groups_colours(
    site: Site, desktop: webdriver.Chrome
) -> None:
    desktop.get(site.mine)
    svg = desktop.find_element(By.CSS_SELECTOR, "svg.opinion-map")
    circles = svg.find_elements(By.CSS_SELECTOR, "circle.member")
    assert len(circles) == len(CAMPS)
    assert all(c.is_displayed() and c.size["width"] > 10 for c in circles)
    assert svg.size["width"] > 300 and svg.size["height"] > 100
    found = pixels(svg.screenshot_as_png)
    # Both groups' colours are painted, each over more than a dot's edge.
    for colour in GROUP_COLORS[:2]:
        assert near(found, colour) > 150, colour
    assert len({tuple(p) for p in found[::7]}) > 20  # not a blank panel
    title = desktop.find_element(By.CSS_SELECTOR, "svg.opinion-map > title")
    assert desktop.execute_script("return arguments[0].textContent", title).startswith(
        "Opinion map of"
    )
    assert svg.get_attribute("role") == "img"


def test_the_page_shows_its_own_pack_only(site: Site, desktop: webdriver.Chrome) -> None:
    desktop.get(site.mine)
    text = desktop.find_element(By.TAG_NAME, "body").text
    assert SHARED[0] in text
    for other in (SIDE_STATEMENT, OTHER_TEAM_STATEMENT):
        assert other not in text and other not in desktop.page_source
    desktop.get(site.side)
    text = desktop.find_element(By.TAG_NAME, "body").text
    assert SIDE_STATEMENT in text and SHARED[0] not in text


def test_an_altered_link_shows_the_refusal(site: Site, desktop: webdriver.Chrome) -> None:
    token = token_of(site.mine)
    desktop.get(site.mine.replace(token, token[:-3] + ("xyz" if token[-3:] != "xyz" else "abc")))
    assert desktop.find_element(By.TAG_NAME, "h1").text == "This link is not valid"
    assert not desktop.find_elements(By.CSS_SELECTOR, "svg.opinion-map")
    assert SHARED[0] not in desktop.page_source


def test_an_expired_link_shows_the_refusal(site: Site, desktop: webdriver.Chrome) -> None:
    clock = site.served.harness.clock
    issued = clock.at
    clock.advance(seconds=LINK_LIFETIME.total_seconds())
    try:
        desktop.get(site.mine)
        assert desktop.find_element(By.TAG_NAME, "h1").text == "This link has expired"
        assert "/wolfpack map" in desktop.find_element(By.TAG_NAME, "main").text
        assert not desktop.find_elements(By.CSS_SELECTOR, "svg.opinion-map")
    finally:
        clock.at = issued


def test_nothing_scrolls_sideways_at_a_phones_width(site: Site, browser: webdriver.Chrome) -> None:
    try:
        viewport(browser, 375, 812, mobile=True)
        for url in (site.mine, site.side):
            browser.get(url)
            wide, inner = browser.execute_script(
                "return [document.documentElement.scrollWidth, window.innerWidth]"
            )
            assert inner == 375
            assert wide <= inner, url
        browser.get(site.mine)
        svg = browser.find_element(By.CSS_SELECTOR, "svg.opinion-map")
        assert 300 <= svg.size["width"] <= 375
    finally:
        viewport(browser, 1280, 900, mobile=False)


def test_the_keyboard_reaches_the_links_with_a_visible_focus(
    site: Site, desktop: webdriver.Chrome
) -> None:
    desktop.get(site.mine)
    reached = []
    for _ in range(6):
        ActionChains(desktop).send_keys(Keys.TAB).perform()
        focused = desktop.switch_to.active_element
        style = desktop.execute_script(
            "const s = getComputedStyle(arguments[0]);"
            "return [s.outlineStyle, parseFloat(s.outlineWidth), arguments[0].textContent];",
            focused,
        )
        reached.append(style[2])
        assert style[0] != "none" and style[1] >= 2, style
        assert focused.is_displayed()
    assert reached == [
        "Skip to the map",
        "Stop reloading",
        "Map",
        "Common ground",
        "Splits",
        "Decisions",
    ]


def test_body_text_meets_aa_contrast(site: Site, desktop: webdriver.Chrome) -> None:
    desktop.get(site.mine)
    pairs = desktop.execute_script(
        """
        function bg(el) {
          for (; el; el = el.parentElement) {
            const c = getComputedStyle(el).backgroundColor;
            if (c && c !== 'transparent' && !c.endsWith(', 0)')) return c;
          }
          return 'rgb(255, 255, 255)';
        }
        return Array.from(document.querySelectorAll(
          'h1, h2, h3, p, li, th, td, caption, figcaption, span, a, strong'
        )).filter(el => el.offsetParent !== null && el.textContent.trim())
          .map(el => [el.tagName, getComputedStyle(el).color, bg(el)]);
        """
    )
    assert len(pairs) > 30
    for tag, colour, background in pairs:
        ratio = contrast(_rgb(colour), _rgb(background))
        assert ratio >= 4.5, (tag, colour, background, ratio)


def _rgb(css: str) -> tuple[float, float, float]:
    r, g, b = (float(n) for n in re.findall(r"[\d.]+", css)[:3])
    return r, g, b


def test_a_pack_beside_it_is_not_on_its_page_source(site: Site, desktop: webdriver.Chrome) -> None:
    """The side pack's link shows no member of the camps' pack (its map has three dots)."""
    desktop.get(site.side)
    assert len(desktop.find_elements(By.CSS_SELECTOR, "circle.member")) == 3
    assert "Compilers" not in desktop.page_source
    desktop.get(site.mine)
    assert CHANNEL not in desktop.page_source

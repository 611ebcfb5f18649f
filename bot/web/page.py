"""The opinion map page as HTML: server-rendered, with the map as inline SVG and its text
alternative beside it, and no script at all. Every piece of user text (pack name, statements,
reasons, proposals, names) goes through `html.escape`. In a pack with anonymous votes nothing
on the page, visible or in its source, names a member or carries a Slack id.

The style sheet is one fixed string, allowed by its hash in the Content-Security-Policy
(bot/web/map.py), so the page needs no 'unsafe-inline' and loads nothing from elsewhere."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import Callable, Iterable
from html import escape
from zoneinfo import ZoneInfo

from bot.core.map import REFRESH_SECONDS, MapView, group_name
from bot.core.proposals import Counts
from bot.core.statements import K_ANONYMITY, Statement, Tally
from bot.core.summary import DecisionLine, Split, SplitTrend
from bot.web.drawing import map_svg, mark, numbered, swatch

# A page is read any day of the week, so a new split says when it is new.
TREND_WORDS = {SplitTrend.NEW: "new this week"}
# The most divisive splits are shown; the rest are counted.
SPLITS_SHOWN = 10
STANDOUTS_SHOWN = 5
MAP_NOTE = "Each dot is one member; members close together vote alike. The axes have no units."

STYLE = """
:root{color-scheme:light;--text:#1a1a1a;--muted:#4d4d4d;--line:#c8c8c8;--link:#0b57a4;
--bg:#ffffff;--panel:#f4f4f2;--focus:#0b57a4}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--text);
font:1rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
.wrap{max-width:64rem;margin:0 auto;padding:1rem}
a{color:var(--link)}
a:focus-visible,summary:focus-visible,[tabindex]:focus-visible{outline:3px solid var(--focus);
outline-offset:2px;border-radius:2px}
.skip{position:absolute;left:-999px;top:0;background:var(--bg);padding:.5rem 1rem}
.skip:focus{left:1rem;top:1rem;z-index:1}
h1{font-size:1.6rem;margin:.5rem 0 .25rem;overflow-wrap:anywhere}
h2{font-size:1.25rem;margin:2rem 0 .5rem;border-bottom:1px solid var(--line);padding-bottom:.25rem}
h3{font-size:1.05rem;margin:1rem 0 .25rem}
h4{font-size:1rem;margin:.75rem 0 .25rem}
main section:first-child h2{margin-top:1rem}
.group ul,.reasons{margin:.25rem 0;padding-left:1.25rem}
p,li,h3,h4{overflow-wrap:anywhere}
.meta{color:var(--muted);margin:.25rem 0}
nav ul{list-style:none;padding:0;margin:.75rem 0;display:flex;flex-wrap:wrap;gap:.25rem 1rem}
.map{display:grid;gap:1rem;grid-template-columns:minmax(0,1fr)}
@media (min-width:48rem){.map{grid-template-columns:minmax(0,3fr) minmax(0,2fr)}}
figure{margin:0}
svg{display:block;width:100%;height:auto;max-height:80vh;background:var(--panel);
border:1px solid var(--line);border-radius:6px}
figcaption{color:var(--muted);font-size:.9rem;margin-top:.25rem}
.legend{list-style:none;padding:0;margin:.5rem 0;display:flex;flex-wrap:wrap;gap:.25rem 1rem}
.legend svg,h4 svg{display:inline;width:1.1rem;height:1.1rem;vertical-align:-.2rem;border:0;
background:none;margin-right:.3rem;border-radius:0}
.statement{font-weight:600}
.counts{color:var(--muted);font-size:.95rem}
.card{border:1px solid var(--line);border-radius:6px;padding:.5rem 1rem;margin:.75rem 0}
.card h3{margin:.25rem 0}
.card p{margin:.25rem 0}
main.wrap{padding-top:0}
.empty{background:var(--panel);border-radius:6px;padding:1rem}
footer{color:var(--muted);font-size:.9rem;margin:2rem 0 1rem;border-top:1px solid var(--line);
padding-top:.5rem}
""".strip()
STYLE_HASH = "sha256-" + base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()


def render_map(
    view: MapView, expires_at: dt.datetime, *, live: bool = True, toggle: str = ""
) -> str:
    """The whole page. The pack's timezone dates it; while `live` the browser reloads it every
    REFRESH_SECONDS (a plain meta refresh: no script), and each load reads the pack again.
    `toggle` is the address of the same page with reloading turned the other way: a reload
    moves a screen reader back to the top, so the reader can stop it (WCAG 2.2.1)."""
    zone = ZoneInfo(view.pack.settings.timezone)
    name = escape(view.pack.name)
    voting = "anonymous" if view.anonymous else "open (names are shown)"
    body = [
        '<a class="skip" href="#map">Skip to the map</a>',
        '<header class="wrap">',
        f"<h1>{name}</h1>",
        f'<p class="meta">Opinion map · {_people(view.members)} · votes are {voting}</p>',
        f'<p class="meta">As of {_time(view.now, zone)}. {_updating(live, toggle)}</p>',
        _nav(),
        "</header>",
        '<main class="wrap">',
        _map_section(view),
        _common_ground_section(view),
        _splits_section(view, zone),
        _decisions_section(view, zone),
        "</main>",
        '<footer class="wrap"><p>Read-only, for this pack\'s members. This link works until '
        f"{_time(expires_at, zone)}; ask for a new one with /wolfpack map.</p></footer>",
    ]
    return _document(f"{name} · opinion map", "\n".join(body), refresh=live)


def _updating(live: bool, toggle: str) -> str:
    if live:
        said = "This page reloads itself every minute to follow the votes."
        switch = "Stop reloading"
    else:
        said = "This page does not reload itself: reload it to see new votes."
        switch = "Reload every minute"
    if not toggle:
        return said
    return f'{said} <a href="{escape(toggle)}">{switch}</a>'


def render_refusal(title: str, message: str) -> str:
    """The page shown in place of the map when the link does not open it."""
    body = (
        f'<main class="wrap"><h1>{escape(title)}</h1><p>{escape(message)}</p>'
        '<p class="meta">Run <strong>/wolfpack map</strong> in Slack for a link of your own.'
        "</p></main>"
    )
    return _document(title, body, refresh=False)


def _document(title: str, body: str, *, refresh: bool) -> str:
    reload = f'<meta http-equiv="refresh" content="{REFRESH_SECONDS}">\n' if refresh else ""
    return (
        "<!doctype html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="robots" content="noindex, nofollow">\n'
        f"{reload}<title>{title} · Wolfpack</title>\n<style>{STYLE}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def _nav() -> str:
    links = (
        ("map", "Map"),
        ("common-ground", "Common ground"),
        ("splits", "Splits"),
        ("decisions", "Decisions"),
    )
    items = "".join(f'<li><a href="#{a}">{t}</a></li>' for a, t in links)
    return f'<nav aria-label="On this page"><ul>{items}</ul></nav>'


# --- the map ---------------------------------------------------------------------------------


def _map_section(view: MapView) -> str:
    head = '<section id="map" aria-labelledby="map-h"><h2 id="map-h">How our views cluster</h2>'
    if view.empty:
        if view.voters == 0:
            why = (
                "Nobody has voted on a statement yet, so there is no map to draw. Members vote "
                "with /direction; the map fills in as the votes come in."
            )
        else:
            reason = view.no_groups_reason or "too few of you have voted on the same statements"
            why = f"No map to draw yet: {escape(reason)}. It fills in as more votes come in."
        return f'{head}<p class="empty">{why}</p></section>'
    return (
        f'{head}<div class="map"><figure>{map_svg(view, map_description(view))}'
        f"<figcaption>{MAP_NOTE}</figcaption>{_legend(view)}</figure>"
        f"<div>{_groups_text(view)}</div></div></section>"
    )


def map_description(view: MapView) -> str:
    """The map in words, for a screen reader: how many dots, in which groups, where the
    reader is."""
    counts = _group_sizes(view)
    said = [f"{_people(len(view.dots))} on the map."]
    if view.groups is not None:
        said.append(
            "; ".join(f"{group_name(g)}: {_people(n)}" for g, n in counts.items() if g is not None)
            + "."
        )
    apart = counts.get(None, 0)
    if apart:
        said.append(f"{_people(apart)} in no group.")
    mine = _where_you_are(view)
    if mine:
        said.append(mine)
    return " ".join(said) + " " + MAP_NOTE


def _where_you_are(view: MapView) -> str:
    """ "You are in Group 2." ("" when the reader has not voted enough to be on the map)."""
    mine = next((d for d in view.dots if d.you), None)
    if mine is None:
        return ""
    return f"You are {'in no group' if mine.group is None else f'in {group_name(mine.group)}'}."


def _group_sizes(view: MapView) -> dict[int | None, int]:
    sizes: dict[int | None, int] = {}
    for dot in sorted(view.dots, key=lambda d: (d.group is None, d.group or 0)):
        sizes[dot.group] = sizes.get(dot.group, 0) + 1
    return sizes


def _legend(view: MapView) -> str:
    items = []
    for group, size in _group_sizes(view).items():
        label = "No group" if group is None else group_name(group)
        marked = f", marked {mark(group)}" if numbered(len(view.dots)) else ""
        items.append(f"<li>{swatch(group)}{label} ({_people(size)}{marked})</li>")
    return f'<ul class="legend" aria-label="Legend">{"".join(items)}</ul>'


def _groups_text(view: MapView) -> str:
    """The groups in words: their sizes and what sets each apart (said only of a group of at
    least K_ANONYMITY members, as in the summary)."""
    if view.groups is None:
        reason = view.no_groups_reason or "the votes do not fall into settled groups"
        return f"<h3>Opinion groups</h3><p>No distinct groups yet: {escape(reason)}.</p>"
    parts = ["<h3>Opinion groups</h3>"]
    mine = _where_you_are(view)
    if mine:
        parts.append(f"<p><strong>{mine}</strong></p>")
    for index, group in enumerate(view.groups):
        stands = [
            f"<li>{'Agrees' if how == 'agree' else 'Disagrees'}: {_quote(s)}</li>"
            for s, how in group.stands_out[:STANDOUTS_SHOWN]
        ]
        what = f"<ul>{''.join(stands)}</ul>" if stands else "<p>Nothing stands out yet.</p>"
        parts.append(
            f'<div class="group"><h4>{swatch(index)}{group_name(index)} · '
            f"{_people(group.size)}</h4>{what}</div>"
        )
    apart = _group_sizes(view).get(None, 0)
    if apart:
        parts.append(f"<p>{_people(apart)} in no group.</p>")
    return "".join(parts)


# --- statements and decisions ---------------------------------------------------------------


def _common_ground_section(view: MapView) -> str:
    head = '<section aria-labelledby="common-ground"><h2 id="common-ground">Common ground</h2>'
    if not view.common_ground:
        return f"{head}<p>No statement holds across the pack's views yet.</p></section>"
    items = [
        f'<li><span class="statement">{_quote(line.statement)}</span><br>'
        f'<span class="counts">{_tally(line.tally)}</span></li>'
        for line in view.common_ground
    ]
    return f"{head}<ol>{''.join(items)}</ol></section>"


def _splits_section(view: MapView, zone: ZoneInfo) -> str:
    head = '<section aria-labelledby="splits"><h2 id="splits">Where we are split</h2>'
    if not view.splits:
        return f"{head}<p>No statement splits the pack right now.</p></section>"
    shown = "".join(_split(s, zone) for s in view.splits[:SPLITS_SHOWN])
    more = len(view.splits) - SPLITS_SHOWN
    tail = f'<p class="counts">And {more} more, less divisive.</p>' if more > 0 else ""
    return f"{head}{shown}{tail}</section>"


def _split(split: Split, zone: ZoneInfo) -> str:
    trend = TREND_WORDS.get(split.trend, split.trend.value)
    lines = [
        f'<article class="card"><h3 class="statement">{_quote(split.statement)}</h3>',
        f'<p class="counts">{_tally(split.tally)} · {trend}</p>',
    ]
    if split.settled_by is not None:
        closed = split.settled_by.closed_at or split.settled_by.closes_at
        lines.append(
            f"<p>Decided: {escape(split.settled_by.text)} (passed {_day(closed, zone)})</p>"
        )
    given = [
        f"<li>{label}: {escape(reason)}</li>"
        for label, reasons in (("For", split.agree_reasons), ("Against", split.disagree_reasons))
        for reason in reasons
    ]
    if given:
        lines.append(f'<ul class="reasons" aria-label="Reasons given">{"".join(given)}</ul>')
    else:
        lines.append('<p class="counts">No reasons given yet.</p>')
    return "".join(lines) + "</article>"


def _decisions_section(view: MapView, zone: ZoneInfo) -> str:
    head = '<section aria-labelledby="decisions"><h2 id="decisions">Decisions</h2>'
    parts = [head]
    if view.open_proposals:
        parts.append("<h3>Open proposals</h3>")
        parts.append(
            _proposals(view.open_proposals, lambda d: f"closes {_time(d.proposal.closes_at, zone)}")
        )
    if view.decisions:
        parts.append("<h3>Decided</h3>")
        parts.append(_proposals(view.decisions, lambda d: _outcome(d, zone)))
    if not view.open_proposals and not view.decisions:
        parts.append("<p>No proposal has been put to the pack yet.</p>")
    return "".join(parts) + "</section>"


def _proposals(lines: Iterable[DecisionLine], state: Callable[[DecisionLine], str]) -> str:
    items = [
        f'<li><span class="statement">{escape(d.proposal.text)}</span><br>'
        f'<span class="counts">{state(d)} · {_counts(d.counts)}</span></li>'
        for d in lines
    ]
    return f"<ul>{''.join(items)}</ul>"


def _outcome(line: DecisionLine, zone: ZoneInfo) -> str:
    outcome = line.proposal.outcome
    word = outcome.label if outcome is not None else "Closed"
    closed = line.proposal.closed_at or line.proposal.closes_at
    return f"<strong>{word}</strong> {_day(closed, zone)}"


# --- words ---------------------------------------------------------------------------------


def _quote(statement: Statement) -> str:
    return f"“{escape(statement.text)}”"


def _tally(t: Tally) -> str:
    if t.decided < K_ANONYMITY:
        return "fewer than 3 votes so far"
    return f"{t.agree} agree · {t.disagree} disagree · {t.passes} pass"


def _counts(c: Counts) -> str:
    return c.said() or "no answers yet"


def _people(n: int) -> str:
    return f"{n} {'member' if n == 1 else 'members'}"


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _day(at: dt.datetime, zone: ZoneInfo) -> str:
    """ "Tue 1 Dec 2026" in the pack's timezone, in English whatever the locale."""
    local = at.astimezone(zone)
    return f"{_DAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]} {local.year}"


def _time(at: dt.datetime, zone: ZoneInfo) -> str:
    local = at.astimezone(zone)
    return f"{_day(local, zone)}, {local:%H:%M} ({zone.key})"

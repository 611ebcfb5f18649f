"""The opinion map drawn as inline SVG: one circle per member, in their group's colour, with
the group's number inside when the dots are large enough to read it and each group's name
beside its members, so colour is never the only cue. The reader's own dot is ringed, drawn
last (on top) and labelled "You"; names label the dots only in a pack with open voting."""

from __future__ import annotations

import math
from collections.abc import Callable
from html import escape

from bot.core.map import MapDot, MapView, group_name

# Okabe and Ito's colour-blind-safe palette in the order the weekly chart uses for its groups
# (bot/charts.py GROUP_COLORS), so a group has the same colour in the chart and on the page.
GROUP_COLORS = ("#009E73", "#CC79A7", "#D55E00", "#F0E442", "#56B4E9")
NO_GROUP_COLOR = "#7f7f7f"
# Around every dot: light colours (yellow) keep a 3:1 contrast with the map's background.
DOT_OUTLINE = "#1a1a1a"
TEXT = "#1a1a1a"
WIDTH = 100.0
PAD = 9.0
# The dots shrink as the pack grows, so a crowded group still shows one dot per member.
LARGEST, SMALLEST, ROOMY = 3.2, 1.6, 24
# Below this radius a number inside a dot is too small to read: the group labels remain.
NUMBERED = 2.4


def colour(group: int | None) -> str:
    return NO_GROUP_COLOR if group is None else GROUP_COLORS[group % len(GROUP_COLORS)]


def mark(group: int | None) -> str:
    """What a dot says inside it: its group's number, or "–" outside every group."""
    return "–" if group is None else str(group + 1)


def radius(members: int) -> float:
    return max(SMALLEST, min(LARGEST, LARGEST * math.sqrt(ROOMY / max(members, 1))))


def numbered(members: int) -> bool:
    """Whether the dots of a map of this many members carry their group's number."""
    return radius(members) >= NUMBERED


def swatch(group: int | None) -> str:
    """The legend's small dot."""
    return (
        '<svg viewBox="0 0 10 10" aria-hidden="true" focusable="false">'
        f'<circle cx="5" cy="5" r="4.2" fill="{colour(group)}" stroke="{DOT_OUTLINE}" '
        'stroke-width="0.5"/></svg>'
    )


def map_svg(view: MapView, description: str) -> str:
    """The map, its title and `description` (what it shows, for a screen reader)."""
    r = radius(len(view.dots))
    ys = [d.y for d in view.dots]
    low, high = min(ys), max(ys)
    span = WIDTH - 2 * PAD
    height = max(40.0, 2 * PAD + (high - low) * span)

    def at(dot: MapDot) -> tuple[float, float]:
        x = PAD + dot.x * span
        y = height / 2 if high == low else height - PAD - (dot.y - low) * span
        return round(x, 2), round(y, 2)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH:g} {height:.2f}" '
        'role="img" aria-labelledby="map-title map-desc" class="opinion-map" '
        'font-family="system-ui, sans-serif">',
        f'<title id="map-title">Opinion map of {escape(view.pack.name)}</title>',
        f'<desc id="map-desc">{escape(description)}</desc>',
    ]
    for dot in sorted(view.dots, key=lambda d: d.you):
        parts.append(_dot(dot, *at(dot), r))
    parts += _group_labels(view, at, r, height)
    parts.append("</svg>")
    return "".join(parts)


def _dot(dot: MapDot, x: float, y: float, r: float) -> str:
    group = "none" if dot.group is None else str(dot.group + 1)
    parts = [f'<g class="dot" data-group="{group}">']
    if dot.you:
        parts.append(
            f'<circle class="you-ring" cx="{x}" cy="{y}" r="{r + 1.3:.2f}" fill="none" '
            f'stroke="{DOT_OUTLINE}" stroke-width="0.8"/>'
        )
    parts.append(
        f'<circle class="member" cx="{x}" cy="{y}" r="{r:.2f}" fill="{colour(dot.group)}" '
        f'stroke="{DOT_OUTLINE}" stroke-width="0.35"/>'
    )
    if r >= NUMBERED:  # numbered(), from the radius already known
        parts.append(
            f'<text x="{x}" y="{y}" dy="{r * 0.4:.2f}" text-anchor="middle" '
            f'font-size="{r * 1.1:.2f}" font-weight="700" fill="#000000" aria-hidden="true">'
            f"{mark(dot.group)}</text>"
        )
    label = "You" if dot.you else (dot.name or "")
    if label:
        anchor, dx = ("end", -r - 1.8) if x > WIDTH / 2 else ("start", r + 1.8)
        parts.append(
            f'<text class="label" x="{x + dx:.2f}" y="{y}" dy="1.1" font-size="3.2" '
            f'text-anchor="{anchor}" fill="{TEXT}" stroke="#ffffff" stroke-width="0.7" '
            f'paint-order="stroke">{escape(label)}</text>'
        )
    parts.append("</g>")
    return "".join(parts)


def _group_labels(
    view: MapView, at: Callable[[MapDot], tuple[float, float]], r: float, height: float
) -> list[str]:
    """Each group's name above its topmost member, centred on the group (inside the map)."""
    labels = []
    for group in sorted({d.group for d in view.dots if d.group is not None}):
        points = [at(d) for d in view.dots if d.group == group]
        x = sum(p[0] for p in points) / len(points)
        y = min(p[1] for p in points) - r - 1.6
        x = min(max(x, 9.0), WIDTH - 9.0)
        y = min(max(y, 4.0), height - 2.0)
        labels.append(
            f'<text class="group-label" x="{x:.2f}" y="{y:.2f}" text-anchor="middle" '
            f'font-size="3.4" font-weight="700" fill="{TEXT}" stroke="#ffffff" '
            f'stroke-width="0.8" paint-order="stroke" aria-hidden="true">'
            f"{group_name(group)}</text>"
        )
    return labels

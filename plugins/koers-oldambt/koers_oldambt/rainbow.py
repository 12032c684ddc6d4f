"""The rainbow picture: the regenboogmodel's layers as concentric half rings around the
household, each provision a numbered marker in its layer that links to its page.

Drawn on the server as SVG with presentation attributes only (the Content-Security-Policy
forbids inline styles and scripts). Markers are ``<a>`` elements, so they are reachable with
the keyboard and announced by their ``<title>``; the page shows the same provisions as a table.
Pure geometry here; the labels come in from the caller, already translated.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

WIDTH = 760
CENTRE_X = WIDTH / 2
HOUSEHOLD_RADIUS = 64
MARKER_RADIUS = 13
MARKER_SPACING = 2 * MARKER_RADIUS + 8
MAX_ROWS = 3
MARGIN = 24
#: Marker fills per choice: dark enough for white numbers (at least 4.5:1), and a white ring
#: keeps them 3:1 apart from any layer colour.
CHOICE_FILLS = {
    "behouden": "#1f5c99",
    "versterken": "#1d6b30",
    "afbouwen": "#8a4b00",
    "stoppen": "#a4161a",
    "nieuw": "#5b2a86",
}
OTHER_FILL = "#444444"


@dataclass(frozen=True)
class Band:
    name: str
    colour: str
    description: str


@dataclass(frozen=True)
class Marker:
    number: int
    layer_index: int
    label: str  # the accessible name: provision, layer and choice
    href: str
    choice: str


@dataclass(frozen=True)
class PlacedMarker:
    marker: Marker
    x: float
    y: float


def band_width(layers: int) -> float:
    return (CENTRE_X - MARGIN - HOUSEHOLD_RADIUS) / max(layers, 1)


def capacity(radius: float) -> int:
    """How many markers fit on a half circle of ``radius`` (end points excluded)."""
    return max(1, int(math.pi * radius / MARKER_SPACING) - 1)


def place(markers: Sequence[Marker], layers: int) -> tuple[list[PlacedMarker], list[Marker]]:
    """Markers spread evenly over rows within their layer's band, inner rows filled first;
    markers beyond what the band holds are returned apart (the table still lists them)."""
    width = band_width(layers)
    by_layer: dict[int, list[Marker]] = {}
    for marker in markers:
        by_layer.setdefault(marker.layer_index, []).append(marker)
    placed: list[PlacedMarker] = []
    left_over: list[Marker] = []
    for index, items in sorted(by_layer.items()):
        inner = HOUSEHOLD_RADIUS + index * width
        rows = 1
        while rows < MAX_ROWS and sum(capacity(r) for r in _radii(inner, width, rows)) < len(
                items):
            rows += 1
        remaining = list(items)
        for radius in _radii(inner, width, rows):
            row, remaining = remaining[:capacity(radius)], remaining[capacity(radius):]
            for position, marker in enumerate(row, start=1):
                angle = math.pi * (1 - position / (len(row) + 1))
                placed.append(PlacedMarker(marker, CENTRE_X + radius * math.cos(angle),
                                           _baseline(layers) - radius * math.sin(angle)))
        left_over.extend(remaining)
    return placed, left_over


def _radii(inner: float, width: float, rows: int) -> list[float]:
    # Rows kept a marker's radius away from the band's edges.
    usable = width - 2 * MARKER_RADIUS
    if rows == 1:
        return [inner + width / 2]
    return [inner + MARKER_RADIUS + usable * row / (rows - 1) for row in range(rows)]


def _baseline(layers: int) -> float:
    return MARGIN + HOUSEHOLD_RADIUS + band_width(layers) * layers


def _half_ring(inner: float, outer: float, baseline: float) -> str:
    left_outer, right_outer = CENTRE_X - outer, CENTRE_X + outer
    left_inner, right_inner = CENTRE_X - inner, CENTRE_X + inner
    return (f"M {left_outer:.1f} {baseline:.1f} A {outer:.1f} {outer:.1f} 0 0 1 "
            f"{right_outer:.1f} {baseline:.1f} L {right_inner:.1f} {baseline:.1f} "
            f"A {inner:.1f} {inner:.1f} 0 0 0 {left_inner:.1f} {baseline:.1f} Z")


def rainbow_svg(bands: Sequence[Band], markers: Sequence[Marker], *, title: str,
                description: str, household: str, chart_id: str = "rainbow") -> Markup:
    """The picture as Markup. ``bands`` innermost first; marker numbers refer to the table."""
    layers = len(bands)
    width = band_width(layers)
    baseline = _baseline(layers)
    height = baseline + 34
    parts = [
        Markup('<svg xmlns="http://www.w3.org/2000/svg" class="rainbow" role="group" '
               'width="100%" viewBox="0 0 {w} {h:.0f}" preserveAspectRatio="xMidYMin meet" '
               'aria-labelledby="{id}-title" aria-describedby="{id}-desc">').format(
            w=WIDTH, h=height, id=chart_id),
        Markup('<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>')
        .format(id=chart_id, title=title, desc=description),
    ]
    for index, band in enumerate(bands):
        inner = HOUSEHOLD_RADIUS + index * width
        parts.append(Markup(
            '<path d="{d}" fill="{fill}" stroke="#5c5c5c" stroke-width="1" aria-hidden="true"/>'
            '<text x="{x:.1f}" y="{y:.1f}" font-size="11" text-anchor="middle" '
            'fill="#1a1a1a" aria-hidden="true">{number}</text>').format(
            d=_half_ring(inner, inner + width, baseline), fill=band.colour,
            x=CENTRE_X - inner - width / 2, y=baseline + 16, number=index + 1))
    parts.append(Markup(
        '<path d="{d}" fill="#ffffff" stroke="#5c5c5c" stroke-width="1" aria-hidden="true"/>'
        '<text x="{x}" y="{y:.1f}" font-size="13" text-anchor="middle" fill="#1a1a1a" '
        'aria-hidden="true">{label}</text>').format(
        d=_half_ring(0.01, HOUSEHOLD_RADIUS, baseline), x=CENTRE_X, y=baseline - 12,
        label=household))
    placed, _left_over = place(markers, layers)
    for item in placed:
        marker = item.marker
        parts.append(Markup(
            '<a href="{href}" class="rainbow__marker"><title>{label}</title>'
            '<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="{fill}" stroke="#ffffff" '
            'stroke-width="2.5"/>'
            '<text x="{x:.1f}" y="{ty:.1f}" font-size="11" font-weight="bold" '
            'text-anchor="middle" fill="#ffffff">{number}</text></a>').format(
            href=marker.href, label=marker.label, x=item.x, y=item.y, r=MARKER_RADIUS,
            fill=CHOICE_FILLS.get(marker.choice, OTHER_FILL), ty=item.y + 4,
            number=marker.number))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)

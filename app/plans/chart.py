"""The programme's progress chart: inline SVG, drawn on the server.

Per theme two horizontal bars: the mean progress of its actions (on a 0 to 100 scale) and its
budget (relative to the largest budget). No inline ``style`` (the Content-Security-Policy
forbids it) and no script: only SVG presentation attributes. The chart is an image with a
title (``aria-labelledby``) and its figures as text in a ``<desc>`` (``aria-describedby``), so
a screen reader gets the same numbers the bars show.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup

from app.i18n import euro
from app.translate import gettext as _
from app.translate import ngettext

WIDTH = 720
LABEL_WIDTH = 220
BAR_WIDTH = 330
ROW_HEIGHT = 46
BAR_HEIGHT = 14
TOP = 34
LABEL_CHARACTERS = 32
#: Colours with at least 3:1 contrast against white (WCAG 1.4.11); text uses currentColor.
PROGRESS_FILL = "#1f5c99"
BUDGET_FILL = "#7a4f00"
TRACK_FILL = "#e8e8e8"
TRACK_STROKE = "#757575"


@dataclass(frozen=True)
class ChartRow:
    label: str
    progress: int  # mean progress of the actions, 0 to 100
    budget: Decimal
    actions: int


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARACTERS else text[:LABEL_CHARACTERS - 1] + "…"


def progress_chart(rows: Sequence[ChartRow], *, title: str,
                   chart_id: str = "programme-chart") -> Markup:
    """The chart as Markup, ready to put in a page; empty when there are no rows."""
    if not rows:
        return Markup("")
    largest = max((row.budget for row in rows), default=Decimal(0))
    height = TOP + ROW_HEIGHT * len(rows) + 8
    figures = [ngettext("%(label)s: %(num)d action, mean progress %(progress)d%%, budget "
                        "%(budget)s.",
                        "%(label)s: %(num)d actions, mean progress %(progress)d%%, budget "
                        "%(budget)s.", row.actions, label=row.label, progress=row.progress,
                        budget=euro(row.budget)) for row in rows]
    parts = [
        Markup('<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
               'width="100%" viewBox="0 0 {width} {height}" '
               'preserveAspectRatio="xMinYMin meet" aria-labelledby="{id}-title" '
               'aria-describedby="{id}-desc">').format(width=WIDTH, height=height, id=chart_id),
        Markup('<title id="{id}-title">{title}</title>').format(id=chart_id, title=title),
        Markup('<desc id="{id}-desc">{text}</desc>').format(id=chart_id,
                                                             text=" ".join(figures)),
        _legend(),
    ]
    scale = BAR_WIDTH / 100
    for index, row in enumerate(rows):
        y = TOP + index * ROW_HEIGHT
        progress = max(0, min(100, row.progress))
        budget_width = (float(row.budget / largest) * BAR_WIDTH) if largest > 0 else 0.0
        parts.append(Markup(
            '<g aria-hidden="true">'
            '<text x="0" y="{label_y}" fill="currentColor" font-size="13">{label}</text>'
            '<rect x="{x}" y="{y}" width="{track}" height="{bar}" fill="{track_fill}" '
            'stroke="{track_stroke}" stroke-width="1"/>'
            '<rect x="{x}" y="{y}" width="{progress_width:.1f}" height="{bar}" '
            'fill="{progress_fill}"/>'
            '<text x="{value_x}" y="{progress_text_y}" fill="currentColor" '
            'font-size="12">{progress}%</text>'
            '<rect x="{x}" y="{budget_y}" width="{budget_width:.1f}" height="{bar}" '
            'fill="{budget_fill}"/>'
            '<text x="{value_x}" y="{budget_text_y}" fill="currentColor" '
            'font-size="12">{budget}</text>'
            '</g>').format(
            label_y=y + BAR_HEIGHT + 4, label=_short(row.label), x=LABEL_WIDTH, y=y,
            track=BAR_WIDTH, bar=BAR_HEIGHT, track_fill=TRACK_FILL, track_stroke=TRACK_STROKE,
            progress_width=progress * scale, progress_fill=PROGRESS_FILL,
            value_x=LABEL_WIDTH + BAR_WIDTH + 8, progress_text_y=y + BAR_HEIGHT - 2,
            progress=progress, budget_y=y + BAR_HEIGHT + 4,
            budget_width=budget_width, budget_fill=BUDGET_FILL,
            budget_text_y=y + 2 * BAR_HEIGHT + 2, budget=euro(row.budget)))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def _legend() -> Markup:
    return Markup(
        '<g aria-hidden="true" font-size="12">'
        '<rect x="{x}" y="4" width="14" height="14" fill="{progress_fill}"/>'
        '<text x="{progress_text_x}" y="16" fill="currentColor">{progress}</text>'
        '<rect x="{budget_x}" y="4" width="14" height="14" fill="{budget_fill}"/>'
        '<text x="{budget_text_x}" y="16" fill="currentColor">{budget}</text>'
        '</g>').format(x=LABEL_WIDTH, progress_fill=PROGRESS_FILL,
                       progress_text_x=LABEL_WIDTH + 20, progress=_("Mean progress"),
                       budget_x=LABEL_WIDTH + 240, budget_fill=BUDGET_FILL,
                       budget_text_x=LABEL_WIDTH + 260, budget=_("Budget"))


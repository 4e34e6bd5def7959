"""Bar-chart geometry for server-rendered SVG (no JavaScript, no inline styles: the
templates draw with SVG presentation attributes and classes). Pure functions."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Point:
    """One figure to draw: its label, the value that sets the bar length, and the texts."""

    label: str
    value: float
    value_text: str
    title: str  # the bar's <title>: label and figure in words


@dataclass(frozen=True)
class HBar:
    label: str
    value_text: str
    title: str
    label_y: float
    bar_y: float
    bar_width: float


@dataclass(frozen=True)
class HBarChart:
    width: int
    height: int
    bar_height: int
    left: int
    plot_width: int
    value_x: int  # the figures stand in one column right of the bars
    rows: list[HBar]
    target_x: float | None
    target_text: str


ROW = 46  # label line + bar + gap, in SVG units
BAR = 18
LEFT = 4
VALUES = 84  # room for "100.0%" or "1,234,567" right of the bars


def horizontal(
    points: Sequence[Point],
    *,
    width: int = 720,
    maximum: float | None = None,
    target: float | None = None,
    target_text: str = "",
) -> HBarChart:
    """Label above each bar (long district and department names fit), figure after it."""
    plot = width - LEFT - VALUES
    top = max([maximum or 0.0, *(p.value for p in points), target or 0.0]) or 1.0
    rows = []
    for i, p in enumerate(points):
        y = i * ROW + 8
        rows.append(
            HBar(
                label=p.label,
                value_text=p.value_text,
                title=p.title,
                label_y=y + 14,
                bar_y=y + 20,
                bar_width=round(max(0.0, p.value) / top * plot, 1),
            )
        )
    target_x = round(LEFT + target / top * plot, 1) if target is not None else None
    height = len(points) * ROW + (30 if target is not None else 12)
    return HBarChart(width, height, BAR, LEFT, plot, LEFT + plot + 8, rows, target_x, target_text)


@dataclass(frozen=True)
class Column:
    x: float
    y: float
    width: float
    height: float
    title: str
    label: str  # shown under some columns only


@dataclass(frozen=True)
class Gridline:
    y: float
    text: str


@dataclass(frozen=True)
class ColumnChart:
    width: int
    height: int
    left: int
    base_y: int
    columns: list[Column]
    gridlines: list[Gridline]


def nice_ceiling(value: float) -> int:
    """1, 2, 5 × 10^n at or above the value: round numbers for the axis."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return int(step * power)
    return int(10 * power)


def columns(
    points: Sequence[Point], *, width: int = 720, height: int = 220, every: int = 5
) -> ColumnChart:
    """A column per point (e.g. per day), a label under every `every`-th one and the last."""
    left, top_pad, bottom = 64, 12, 36
    plot_w, plot_h = width - left - 8, height - top_pad - bottom
    top = nice_ceiling(max((p.value for p in points), default=0))
    slot = plot_w / max(len(points), 1)
    base = top_pad + plot_h
    cols = []
    for i, p in enumerate(points):
        h = max(0.0, p.value) / top * plot_h
        show = i % every == 0 or i == len(points) - 1
        cols.append(
            Column(
                x=round(left + i * slot + slot * 0.15, 1),
                y=round(base - h, 1),
                width=round(slot * 0.7, 1),
                height=round(h, 1),
                title=p.title,
                label=p.label if show else "",
            )
        )
    grid = [Gridline(round(base - f * plot_h, 1), f"{int(top * f):,}") for f in (0, 0.5, 1)]
    return ColumnChart(width, height, left, base, cols, grid)

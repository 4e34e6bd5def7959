"""Published statistics (信用统计公开): the programme's figures anyone may read — residents and
scores by district, scores by tier, list entries in force, the key groups — with small-cell
suppression: no published count is below `PUBLISHED_MIN_CELL` (default 5), so a figure of one
or two people in a district or group does not point at them (seed 三（一）, privacy).

A count from 1 to min − 1 is shown as suppressed ("< min"); zero is shown (it names nobody).
The hidden cells of a table together must be at least `min` too — otherwise the total minus
the shown cells gives them away (two hidden cells that sum to 2 are 1 and 1) — so the smallest
shown cells are hidden until they are (complementary suppression). The figures come from the
office's cached dashboard figures."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..core.city import City
from ..credit.catalog import load_model
from . import figures


@dataclass(frozen=True)
class Cell:
    code: str
    label: dict[str, str]
    value: int | None  # None: suppressed

    def shape(self) -> dict[str, Any]:
        return {"code": self.code, "label": self.label, "value": self.value,
                "suppressed": self.value is None}  # fmt: skip


def suppress(values: dict[str, int], min_cell: int) -> dict[str, int | None]:
    """Small cells suppressed; then, while the hidden cells together are fewer than `min_cell`
    (a published total minus the shown cells would give them away), the smallest shown cell
    is hidden too (complementary suppression)."""
    out: dict[str, int | None] = {k: (None if 0 < v < min_cell else v) for k, v in values.items()}
    while True:
        hidden = sum(values[k] for k, v in out.items() if v is None)
        shown = sorted((v, k) for k, v in out.items() if v)
        if not 0 < hidden < min_cell or not shown:
            return out
        out[shown[0][1]] = None


def published_total(total: int, min_cell: int) -> int | None:
    return None if 0 < total < min_cell else total


def _table(bars: list[tuple[str, dict[str, str], int]], min_cell: int) -> list[Cell]:
    kept = suppress({code: value for code, _, value in bars}, min_cell)
    return [Cell(code, label, kept[code]) for code, label, _ in bars]


async def published_statistics(*, city: City, min_cell: int) -> dict[str, Any]:
    dashboard = await figures.dashboard(city=city)
    occupations = await figures.occupations(city=city)
    d = dashboard.value
    model = load_model()
    lists = [
        (kind, {"zh-CN": model.list_name(kind, "zh-CN"), "en": model.list_name(kind, "en")},
         sum(d.lists.get(kind, {}).values()))
        for kind in ("red", "gray", "black")
    ]  # fmt: skip
    return {
        "as_of": d.as_of.isoformat(),
        "computed_at": dashboard.computed_at.isoformat(),
        "min_cell": min_cell,
        "residents": published_total(d.residents, min_cell),
        "scored": published_total(d.scored, min_cell),
        "residents_by_district": [
            c.shape() for c in _table([(b.code, b.label, b.total) for b in d.districts], min_cell)
        ],
        "scored_by_district": [
            c.shape() for c in _table([(b.code, b.label, b.value) for b in d.districts], min_cell)
        ],
        "scores_by_tier": [
            c.shape() for c in _table([(b.code, b.label, b.value) for b in d.tiers], min_cell)
        ],
        "lists_in_force": [c.shape() for c in _table(lists, min_cell)],
        "key_groups": [
            c.shape()
            for c in _table([(o.code, o.name, o.people) for o in occupations.value], min_cell)
        ],
    }

"""Model v1 scoring as pure functions: records in, score, tier, breakdown and reasons out.

Deterministic and additive: score = base + Σ over dimensions of clamp(Σ points of the
records that count, dimension min, dimension max), clamped to the model's range. A record
counts from its decision date until its maximum disclosure period ends, unless withdrawn,
repaired, or suspended because an objection went unanswered.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .catalog import Catalog, ScoreModel, Tier

ACTIVE = "active"


@dataclass(frozen=True)
class RecordFacts:
    id: int
    type_code: str
    dimension: str
    points: int
    decision_date: dt.date
    expires_on: dt.date
    repairable_from: dt.date
    status: str = ACTIVE  # active | withdrawn | repaired
    suspended: bool = False  # objection unanswered past its deadline


def counts(record: RecordFacts, as_of: dt.date) -> bool:
    return (
        record.status == ACTIVE
        and not record.suspended
        and record.decision_date <= as_of < record.expires_on
    )


@dataclass(frozen=True)
class DimensionScore:
    code: str
    raw: int  # sum of counting records
    points: int  # after the dimension's cap
    min: int
    max: int


@dataclass(frozen=True)
class Suggestion:
    kind: str  # repair | repair_later | earn
    type_code: str
    record_id: int | None = None
    available_from: dt.date | None = None
    points: int = 0


@dataclass(frozen=True)
class ScoreResult:
    score: int
    tier: Tier
    model_version: str
    dimensions: tuple[DimensionScore, ...]
    lowering: tuple[RecordFacts, ...] = ()
    raising: tuple[RecordFacts, ...] = ()
    suggestions: tuple[Suggestion, ...] = ()
    counted: int = 0
    breakdown: dict[str, int] = field(default_factory=dict)


def score_from_sums(
    sums: Mapping[str, int], model: ScoreModel
) -> tuple[int, Tier, tuple[DimensionScore, ...]]:
    """The whole model on per-dimension sums (what the set-based city rescoring computes)."""
    dims = tuple(
        DimensionScore(
            d.code,
            int(sums.get(d.code, 0)),
            max(d.min, min(d.max, int(sums.get(d.code, 0)))),
            d.min,
            d.max,
        )
        for d in model.dimensions
    )
    total = max(model.min, min(model.max, model.base + sum(d.points for d in dims)))
    return total, model.tier_for(total), dims


def evaluate(
    records: Iterable[RecordFacts],
    model: ScoreModel,
    catalog: Catalog,
    as_of: dt.date,
    top: int = 3,
) -> ScoreResult:
    counting = [r for r in records if counts(r, as_of)]
    sums: dict[str, int] = {}
    for r in counting:
        sums[r.dimension] = sums.get(r.dimension, 0) + r.points
    total, tier, dims = score_from_sums(sums, model)
    lowering = tuple(
        sorted((r for r in counting if r.points < 0), key=lambda r: (r.points, r.id))[:top]
    )
    raising = tuple(
        sorted((r for r in counting if r.points > 0), key=lambda r: (-r.points, r.id))[:top]
    )
    return ScoreResult(
        score=total,
        tier=tier,
        model_version=model.version,
        dimensions=dims,
        lowering=lowering,
        raising=raising,
        suggestions=tuple(within_total(suggest(counting, dims, catalog, as_of), dims, model)),
        counted=len(counting),
        breakdown={d.code: d.points for d in dims},
    )


def suggest(
    counting: list[RecordFacts], dims: tuple[DimensionScore, ...], catalog: Catalog, as_of: dt.date
) -> list[Suggestion]:
    """What would raise the score: repairs first (free), then positive records with room."""
    by_code = {d.code: d for d in dims}

    def gain(dimension: str, points: int) -> int:
        """What adding `points` to a dimension changes, after its cap (a dimension clamped at
        its floor gains nothing until its raw sum comes back above the floor)."""
        d = by_code.get(dimension)
        return 0 if d is None else max(d.min, min(d.max, d.raw + points)) - d.points

    out: list[Suggestion] = []
    for r in sorted((r for r in counting if r.points < 0), key=lambda r: (r.points, r.id)):
        record_type = catalog.types.get(r.type_code)
        if record_type is None or not record_type.repairable:
            continue
        kind = "repair" if r.repairable_from <= as_of else "repair_later"
        out.append(
            Suggestion(kind, r.type_code, r.id, r.repairable_from, gain(r.dimension, -r.points))
        )
    earnable = sorted(
        (t for t in catalog.types.values() if t.points > 0 and gain(t.dimension, t.points) > 0),
        key=lambda t: (t.severity != "minor", -gain(t.dimension, t.points), t.code),
    )
    for t in earnable[:3]:
        out.append(Suggestion("earn", t.code, points=gain(t.dimension, t.points)))
    return out


def within_total(
    suggestions: list[Suggestion], dims: tuple[DimensionScore, ...], model: ScoreModel
) -> list[Suggestion]:
    """What a suggestion moves the *score* by, after the total's own range (someone held at
    the floor may gain nothing from a small positive record). Earning that moves nothing is
    dropped; a repair stays (it also lifts list effects and hides the record)."""
    unclamped = model.base + sum(d.points for d in dims)
    now = max(model.min, min(model.max, unclamped))
    out = []
    for s in suggestions:
        moved = max(model.min, min(model.max, unclamped + s.points)) - now
        if moved > 0 or s.kind != "earn":
            out.append(Suggestion(s.kind, s.type_code, s.record_id, s.available_from, moved))
    return out


@dataclass(frozen=True)
class DerivedListEntry:
    rule_code: str
    list: str
    start: dt.date
    end: dt.date
    record_ids: tuple[int, ...]


def derive_lists(
    records: Iterable[RecordFacts], model: ScoreModel, as_of: dt.date
) -> list[DerivedListEntry]:
    """Rule-derived red/gray/black entries: a rule holds while enough of its records count."""
    counting = [r for r in records if counts(r, as_of)]
    out = []
    for rule in model.list_rules:
        matched = sorted(
            (r for r in counting if r.type_code in rule.types), key=lambda r: r.decision_date
        )
        if len(matched) >= rule.min_count:
            # Holds until enough of the matching records stop counting.
            ends = sorted(r.expires_on for r in matched)
            end = ends[len(matched) - rule.min_count]
            start = matched[rule.min_count - 1].decision_date
            out.append(
                DerivedListEntry(rule.code, rule.list, start, end, tuple(r.id for r in matched))
            )
    return out

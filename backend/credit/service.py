"""Scoring use cases: re-score one person at once, a set of people, or the whole city."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from tortoise.transactions import in_transaction

from ..core import bulk, clock, events
from ..core.clock import today
from . import lists as lists_service
from .catalog import Catalog, ScoreModel, load_catalog, load_model
from .facts import ACTIVE_SQL, person_facts
from .models import RescoreRun, Score
from .scoring import ScoreResult, evaluate, score_from_sums


@dataclass(frozen=True)
class Rescored:
    result: ScoreResult | None
    changed: bool


def _score_row(
    person_id: int,
    score: int,
    tier: str,
    version: str,
    breakdown: dict[str, int],
    as_of: dt.date,
    now: dt.datetime,
) -> tuple[Any, ...]:
    return (
        person_id,
        score,
        tier,
        version,
        json.dumps(breakdown, separators=(",", ":")),
        as_of,
        now,
    )


UPSERT_SCORE = (
    'INSERT INTO "score" ("person_id", "score", "tier", "model_version", "breakdown", "as_of", '
    '"computed_at") VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT ("person_id") DO UPDATE SET '
    '"score" = excluded."score", "tier" = excluded."tier", "model_version" = '
    'excluded."model_version", "breakdown" = excluded."breakdown", "as_of" = excluded."as_of", '
    '"computed_at" = excluded."computed_at"'
)
HISTORY_COLUMNS = ("person_id", "score", "tier", "model_version", "as_of", "cause", "computed_at")


async def rescore_person(
    *,
    person_id: int,
    cause: str,
    as_of: dt.date | None = None,
    model: ScoreModel | None = None,
    catalog: Catalog | None = None,
) -> Rescored:
    """Re-score one person now (a record arrived, was corrected, withdrawn or repaired)."""
    model = model or load_model()
    catalog = catalog or load_catalog()
    as_of = as_of or today()
    records = await person_facts(person_id)
    if not records:
        # A correction moved this person's last record to someone else: no score and no
        # rule-derived list entries remain (a person without records has no score).
        deleted = await Score.filter(person_id=person_id).delete()
        lifted = await lists_service.sync_derived(
            person_ids=[person_id], records_by_person={}, model=model, as_of=as_of
        )
        if deleted or lifted:
            await revoke_passes([person_id], "tier_or_lists_changed")
        return Rescored(None, bool(deleted))
    result = evaluate(records, model, catalog, as_of)
    current = await Score.get_or_none(person_id=person_id)
    changed = (
        current is None
        or (current.score, current.tier, current.model_version)
        != (result.score, result.tier.code, model.version)
        or current.breakdown != result.breakdown
    )
    now = clock.now()
    if changed:
        await bulk.execute_many(
            UPSERT_SCORE,
            [
                _score_row(
                    person_id,
                    result.score,
                    result.tier.code,
                    model.version,
                    result.breakdown,
                    as_of,
                    now,
                )
            ],
        )
        if current is None or (current.score, current.tier) != (result.score, result.tier.code):
            await bulk.insert_rows(
                "score_history",
                HISTORY_COLUMNS,
                [(person_id, result.score, result.tier.code, model.version, as_of, cause, now)],
            )
    lists_changed = await lists_service.sync_derived(
        person_ids=[person_id], records_by_person={person_id: records}, model=model, as_of=as_of
    )
    if lists_changed or current is None or current.tier != result.tier.code:
        await revoke_passes([person_id], "tier_or_lists_changed")
    return Rescored(result, changed)


def _sums_sql(dimensions: Sequence[str], where: str, having: str = "") -> str:
    """One row per person with one column per dimension: the index on (person_id,
    dimension, status, suspended, decision_date, expires_on, points) covers it, and rows
    arrive in person order without a sort. `having` filters whole people once per group
    (cheaper than the same condition on every record row)."""
    if not all(d.replace("_", "").isalpha() for d in dimensions):
        raise ValueError("dimension codes must be identifiers")
    columns = ", ".join(
        f'SUM(CASE WHEN "dimension" = \'{d}\' THEN "p" ELSE 0 END)' for d in dimensions
    )
    return (
        f'SELECT "person_id", {columns} FROM (SELECT "person_id", "dimension", '
        f'CASE WHEN {ACTIVE_SQL} THEN "points" ELSE 0 END AS "p" FROM "credit_record" WHERE {where}) AS "r" '
        'GROUP BY "person_id"' + (f" HAVING {having}" if having else "")
    )


async def _sums(
    where: str, params: Sequence[Any], as_of: dt.date, having: str = ""
) -> dict[int, tuple[int, ...]]:
    dimensions = [d.code for d in load_model().dimensions]
    rows = await bulk.fetch_rows(_sums_sql(dimensions, where, having), [as_of, as_of, *params])
    # Every sum is an integer (each person's group has rows, and each SUM has ELSE 0): the
    # driver's row, less its id, is the key as it is (a tuple of ints per row costs a range
    # of 100,000 people a fifth of a second).
    return {row[0]: tuple(row)[1:] for row in rows}


async def _apply_sums(
    sums: dict[int, tuple[int, ...]],
    existing: dict[int, tuple[int, str, str, Any]],
    model: ScoreModel,
    as_of: dt.date,
    cause: str,
) -> int:
    """Score every person from their dimension sums; write only what changed."""
    # Bound once as the dialect wants them (SQLite: text), not adapted again in every row.
    now, as_of_value = bulk.bind_date(clock.now()), bulk.bind_date(as_of)
    codes = [d.code for d in model.dimensions]
    # Per distinct set of sums (a city has a few thousand): the score, its breakdown, and the
    # row as the score table holds it when nothing changed (SQLite gives the breakdown back as
    # the text written here), so an unchanged person costs one tuple comparison.
    memo: dict[tuple[int, ...], tuple[int, str, dict[str, int], str, tuple[Any, ...]]] = {}
    stored_breakdowns: dict[str, Any] = {}  # a stored breakdown's text → its value, once each
    upserts, history, tier_moved = [], [], []
    for person_id, key in sums.items():
        hit = memo.get(key)
        if hit is None:
            total, tier, scored = score_from_sums(dict(zip(codes, key, strict=True)), model)
            breakdown = {d.code: d.points for d in scored}
            text = json.dumps(breakdown, separators=(",", ":"))
            hit = memo[key] = (
                total, tier.code, breakdown, text, (total, tier.code, model.version, text)
            )  # fmt: skip
        total, tier_code, breakdown, text, unchanged = hit
        before = existing.get(person_id)
        if before is not None and (
            before == unchanged
            or (
                before[:3] == unchanged[:3]
                and _same_breakdown(before[3], breakdown, text, stored_breakdowns)
            )
        ):
            continue
        upserts.append((person_id, total, tier_code, model.version, text, as_of_value, now))
        if before is None or before[:2] != (total, tier_code):
            history.append((person_id, total, tier_code, model.version, as_of_value, cause, now))
        if before is None or before[1] != tier_code:
            tier_moved.append(person_id)
    await bulk.execute_many(UPSERT_SCORE, upserts)
    await bulk.insert_rows("score_history", HISTORY_COLUMNS, history)
    await revoke_passes(tier_moved, "tier_or_lists_changed")
    return len(upserts)


async def revoke_passes(person_ids: Sequence[int], reason: str) -> None:
    """A tier or list change makes the certificates in people's pockets wrong: announce it
    (the pass layer revokes them; phones renew silently, the status list tells offline
    counters)."""
    await events.standing_changed.announce(person_ids, reason)


async def rescore_people(
    *, person_ids: Iterable[int], cause: str, as_of: dt.date | None = None
) -> int:
    """Set-based re-scoring of the people a batch touched."""
    model = load_model()
    as_of = as_of or today()
    ids = sorted(set(person_ids))
    changed = 0
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        where = f'"person_id" IN {bulk.in_list(len(chunk))} AND {RESIDENTS_ONLY}'
        sums = await _sums(where, chunk, as_of)
        existing = await _existing_scores(where, chunk)
        changed += await _apply_sums(sums, existing, model, as_of, cause)
        await lists_service.sync_derived_for(person_ids=chunk, model=model, as_of=as_of)
    return changed


async def _existing_scores(
    where: str, params: Sequence[Any]
) -> dict[int, tuple[int, str, str, Any]]:
    rows = await bulk.fetch_rows(
        f'SELECT "person_id", "score", "tier", "model_version", "breakdown" FROM "score" WHERE {where}',
        params,
    )
    return {r[0]: tuple(r)[1:] for r in rows}


def _same_breakdown(
    stored: Any, breakdown: dict[str, int], text: str, parsed: dict[str, Any] | None = None
) -> bool:
    """Is the stored breakdown this one? `text` is its JSON as the scoring writes it (SQLite
    gives that text back); PostgreSQL gives jsonb's own text, parsed once per distinct text
    into `parsed` (a city has a few thousand distinct breakdowns)."""
    if isinstance(stored, str):
        if stored == text:
            return True
        if parsed is None:
            parsed = {}
        value = parsed.get(stored)
        if value is None:
            value = parsed[stored] = json.loads(stored)
        stored = value
    return bool(stored == breakdown)


# Whom the register holds as moved out or deceased is no longer scored (the register feed,
# docs/register-feed.md); the index on person.status keeps the few who left one lookup.
RESIDENTS_ONLY = (
    '"person_id" NOT IN (SELECT "id" FROM "person" WHERE "status" IN (\'moved_out\', \'deceased\'))'
)


@dataclass(frozen=True)
class CityRescore:
    run_id: int
    people: int
    changed: int
    resumed_from: int


async def rescore_city(
    *,
    as_of: dt.date | None = None,
    batch: int = 100_000,
    resume: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> CityRescore:
    """Whole-city rescoring: SQL aggregation per person-id range, streaming writes, and a
    progress row so an interrupted run resumes at the last finished range."""
    model = load_model()
    as_of = as_of or today()
    run = None
    if resume:
        run = (
            await RescoreRun.filter(finished_at=None, as_of=as_of, model_version=model.version)
            .order_by("-id")
            .first()
        )
    if run is None:
        run = await RescoreRun.create(
            as_of=as_of, model_version=model.version, started_at=clock.now()
        )
    resumed_from = run.last_person_id
    top = await bulk.max_person_with_records()
    lo = run.last_person_id + 1
    while lo <= top:
        hi = lo + batch - 1
        where = f'"person_id" BETWEEN ? AND ? AND {RESIDENTS_ONLY}'
        async with in_transaction():
            # Who left the city is dropped per person, not per record row (same people).
            sums = await _sums('"person_id" BETWEEN ? AND ?', (lo, hi), as_of, RESIDENTS_ONLY)
            existing = await _existing_scores(where, (lo, hi))
            changed = await _apply_sums(sums, existing, model, as_of, "rescore")
            await lists_service.sync_derived_range(lo=lo, hi=hi, model=model, as_of=as_of)
            run.last_person_id = min(hi, top)
            run.people += len(sums)
            run.changed += changed
            await run.save(update_fields=["last_person_id", "people", "changed"])
        if progress:
            progress(min(hi, top), top)
        lo = hi + 1
    run.finished_at = clock.now()
    await run.save(update_fields=["finished_at"])
    return CityRescore(run.id, run.people, run.changed, resumed_from)

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
from .scoring import ScoreResult, evaluate


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


def _sums_sql(
    dimensions: Sequence[str],
    where: str,
    having: str = "",
    bounds: Sequence[tuple[int, int]] = (),
) -> str:
    """One row per person with one column per dimension (`d0`, `d1`, … in the model's order):
    the index on (person_id, dimension, status, suspended, decision_date, expires_on, points)
    covers it, and rows arrive in person order without a sort. `having` filters whole people
    once per group (cheaper than the same condition on every record row); `bounds`, one
    (min, max) per dimension, clamps each sum once per person."""
    if not all(d.replace("_", "").isalpha() for d in dimensions):
        raise ValueError("dimension codes must be identifiers")
    sums = [f'SUM(CASE WHEN "dimension" = \'{d}\' THEN "p" ELSE 0 END)' for d in dimensions]
    if bounds:
        sums = [_clamp(x, low, high) for x, (low, high) in zip(sums, bounds, strict=True)]
    columns = ", ".join(f'{x} AS "d{i}"' for i, x in enumerate(sums))
    return (
        f'SELECT "person_id", {columns} FROM (SELECT "person_id", "dimension", '
        f'CASE WHEN {ACTIVE_SQL} THEN "points" ELSE 0 END AS "p" FROM "credit_record" WHERE {where}) AS "r" '
        'GROUP BY "person_id"' + (f" HAVING {having}" if having else "")
    )


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _clamp(expr: str, low: int, high: int) -> str:
    """`expr` held to [low, high], as `score_from_sums` does, evaluating `expr` once."""
    if bulk.dialect() == "postgres":
        return f"GREATEST({low}, LEAST({high}, {expr}))"
    return f"MAX({low}, MIN({high}, {expr}))"  # SQLite's scalar MAX and MIN


def _scores_sql(model: ScoreModel, where: str, having: str) -> str:
    """`score_from_sums` in SQL over the records `where` selects: per person the score, the
    tier, the breakdown as the JSON text `json.dumps(…, separators=(",", ":"))` writes, and
    each dimension's points (`d0`, …). tests/credit/test_rescore_consistency.py holds it to
    the pure model. The dimensions are clamped in the aggregation (once per person); what
    is built on them here refers to them only as columns."""
    dims = model.dimensions
    sums = _sums_sql([d.code for d in dims], where, having, [(d.min, d.max) for d in dims])
    unclamped = (
        "(" + " + ".join([str(model.base), *(f'"s"."d{i}"' for i in range(len(dims)))]) + ")"
    )
    parts = [
        _literal(("{" if i == 0 else ",") + json.dumps(d.code) + ":")
        + f' || CAST("s"."d{i}" AS TEXT)'
        for i, d in enumerate(dims)
    ]
    breakdown = " || ".join(parts) + " || '}'" if parts else "'{}'"
    # The tier of the clamped total, from the unclamped one: a threshold at or below the
    # model's minimum always holds, one above its maximum never does.
    whens = []
    for t in model.tiers:
        if t.min <= model.min:
            whens.append(f"ELSE {_literal(t.code)}")
            break
        if t.min <= model.max:
            whens.append(f"WHEN {unclamped} >= {t.min} THEN {_literal(t.code)}")
    tier = "CASE " + " ".join(whens) + " END"
    columns = ", ".join(f'"s"."d{i}"' for i in range(len(dims)))
    return (
        f'SELECT "s"."person_id", {_clamp(unclamped, model.min, model.max)} AS "score", '
        f'{tier} AS "tier", {breakdown} AS "breakdown", {columns} FROM ({sums}) AS "s"'
    )


def _same_breakdown_sql(model: ScoreModel) -> str:
    """Is the stored breakdown (`"o"`) the computed one (`"n"`), as values, not only as text?
    PostgreSQL compares jsonb; SQLite compares the text, and only where it differs (written
    with other spacing or key order) the object's keys and values."""
    if bulk.dialect() == "postgres":
        return '"o"."breakdown" = CAST("n"."breakdown" AS jsonb)'
    stored = '"o"."breakdown"'
    checks = " AND ".join(
        [f"(SELECT COUNT(*) FROM json_each({stored})) = {len(model.dimensions)}"]
        + [
            f'json_extract({stored}, {_literal("$." + json.dumps(d.code))}) = "n"."d{i}"'
            for i, d in enumerate(model.dimensions)
        ]
    )
    return (
        f'CASE WHEN {stored} = "n"."breakdown" THEN 1 WHEN NOT json_valid({stored}) THEN 0 '
        f"WHEN json_type({stored}) <> 'object' THEN 0 ELSE {checks} END"
    )


def _typed(sql_type: str) -> str:
    """A parameter in a SELECT list: PostgreSQL must be told its type (SQLite binds text)."""
    return f"CAST(? AS {sql_type})" if bulk.dialect() == "postgres" else "?"


SCORED = "_rescored"  # the scores of one range or chunk, computed in SQL (a temporary table)
# Which of them to write: no score yet, another score or tier, or another version or breakdown
# (what the loop over every person compared); which make history; whose tier moved.
WRITE = '"old_score" IS NULL OR "old_score" <> "score" OR "old_tier" <> "tier" OR NOT "same"'
HISTORY = '"old_score" IS NULL OR "old_score" <> "score" OR "old_tier" <> "tier"'
MOVED = '"old_tier" IS NULL OR "old_tier" <> "tier"'


async def _prepare_scored() -> None:
    postgres = bulk.dialect() == "postgres"
    # SQLite: INTEGER PRIMARY KEY is the rowid itself (BIGINT would add a second b-tree).
    key = "BIGINT" if postgres else "INTEGER"
    await bulk.fetch_rows(
        f'CREATE TEMPORARY TABLE IF NOT EXISTS "{SCORED}" ("person_id" {key} PRIMARY KEY, '
        '"score" INTEGER NOT NULL, "tier" VARCHAR(16) NOT NULL, "breakdown" TEXT NOT NULL, '
        '"old_score" INTEGER, "old_tier" VARCHAR(16), "same" BOOLEAN)'
        + (" ON COMMIT DELETE ROWS" if postgres else ""),
        [],
    )
    await bulk.fetch_rows(f'DELETE FROM "{SCORED}"', [])


async def _score_in_sql(
    where: str,
    params: Sequence[Any],
    model: ScoreModel,
    as_of: dt.date,
    cause: str,
    having: str = "",
) -> tuple[int, int]:
    """Score every person the records `where` selects, in SQL, and write only what changed:
    the computed scores go to a temporary table beside the stored ones (each expression once
    per person), then one upsert of the changed, one INSERT … SELECT of the history rows;
    passes follow tier moves. Must run in a transaction (PostgreSQL: the temporary table is
    the connection's). Returns (people scored, scores written)."""
    version = _literal(model.version)
    await _prepare_scored()
    await bulk.fetch_rows(
        f'INSERT INTO "{SCORED}" ("person_id", "score", "tier", "breakdown", "old_score", '
        '"old_tier", "same") SELECT "n"."person_id", "n"."score", "n"."tier", "n"."breakdown", '
        f'"o"."score", "o"."tier", "o"."model_version" = {version} AND '
        f"COALESCE({_same_breakdown_sql(model)}, FALSE) "
        f'FROM ({_scores_sql(model, where, having)}) AS "n" '
        'LEFT JOIN "score" AS "o" ON "o"."person_id" = "n"."person_id"',
        [as_of, as_of, *params],
    )
    counted = await bulk.fetch_rows(
        f'SELECT COUNT(*), COALESCE(SUM(CASE WHEN {WRITE} THEN 1 ELSE 0 END), 0) FROM "{SCORED}"',
        [],
    )
    people, written = int(counted[0][0]), int(counted[0][1])
    if not written:
        return people, 0
    day, moment = _typed("DATE"), _typed("TIMESTAMPTZ")
    now = clock.now()  # one moment for the scores and their history rows
    breakdown = 'CAST("breakdown" AS jsonb)' if bulk.dialect() == "postgres" else '"breakdown"'
    await bulk.fetch_rows(
        'INSERT INTO "score" ("person_id", "score", "tier", "model_version", "breakdown", "as_of", '
        f'"computed_at") SELECT "person_id", "score", "tier", {version}, {breakdown}, {day}, '
        f'{moment} FROM "{SCORED}" WHERE {WRITE} ORDER BY "person_id" '
        'ON CONFLICT ("person_id") DO UPDATE SET "score" = excluded."score", "tier" = '
        'excluded."tier", "model_version" = excluded."model_version", "breakdown" = '
        'excluded."breakdown", "as_of" = excluded."as_of", "computed_at" = excluded."computed_at"',
        [as_of, now],
    )
    await bulk.fetch_rows(
        'INSERT INTO "score_history" ("person_id", "score", "tier", "model_version", "as_of", '
        f'"cause", "computed_at") SELECT "person_id", "score", "tier", {version}, {day}, '
        f'{_typed("VARCHAR(16)")}, {moment} FROM "{SCORED}" WHERE {HISTORY} ORDER BY "person_id"',
        [as_of, cause, now],
    )
    moved = await bulk.fetch_rows(
        f'SELECT "person_id" FROM "{SCORED}" WHERE {MOVED} ORDER BY "person_id"', []
    )
    await revoke_passes([int(r[0]) for r in moved], "tier_or_lists_changed")
    return people, written


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
        where = f'"person_id" IN {bulk.in_list(len(chunk))}'
        async with in_transaction():
            changed += (await _score_in_sql(where, chunk, model, as_of, cause, RESIDENTS_ONLY))[1]
        await lists_service.sync_derived_for(person_ids=chunk, model=model, as_of=as_of)
    return changed


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
        async with in_transaction():
            # Who left the city is dropped per person, not per record row (same people).
            people, changed = await _score_in_sql(
                '"person_id" BETWEEN ? AND ?', (lo, hi), model, as_of, "rescore", RESIDENTS_ONLY
            )
            await lists_service.sync_derived_range(lo=lo, hi=hi, model=model, as_of=as_of)
            run.last_person_id = min(hi, top)
            run.people += people
            run.changed += changed
            await run.save(update_fields=["last_person_id", "people", "changed"])
        if progress:
            progress(min(hi, top), top)
        lo = hi + 1
    run.finished_at = clock.now()
    await run.save(update_fields=["finished_at"])
    return CityRescore(run.id, run.people, run.changed, resumed_from)

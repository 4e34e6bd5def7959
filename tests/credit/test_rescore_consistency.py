"""The set-based SQL rescoring and the pure model must agree: for a few hundred random people
with random records, the scores (and rule-derived lists) stored by rescore_city equal what
`evaluate` and `derive_lists` compute from the same records — on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import random
from collections import defaultdict

from backend.core import bulk
from backend.credit import service
from backend.credit.catalog import ListRule, ScoreModel, add_months, load_catalog, load_model
from backend.credit.ingest import RECORD_COLUMNS
from backend.credit.models import ListEntry, Score
from backend.credit.scoring import RecordFacts, derive_lists, evaluate
from backend.credit.service import person_facts, rescore_city, rescore_person

MODEL = load_model()
CATALOG = load_catalog()
PEOPLE = 300
FIRST_ID = 1001
AS_OF = dt.date(2026, 5, 20)
LATER = dt.date(2027, 8, 15)
PERSON_COLUMNS = (
    "id",
    "id_hash",
    "id_encrypted",
    "name",
    "birth_year",
    "district_code",
    "created_at",
)


def _decision_dates(rng: random.Random, months: int) -> dt.date:
    """Mostly random within four years; often exactly on a boundary of AS_OF or LATER."""
    pick = rng.random()
    anchor = rng.choice((AS_OF, LATER))
    if pick < 0.08:
        return anchor  # decided on the day
    if pick < 0.16:
        return add_months(anchor, -months)  # its period ends on the day
    if pick < 0.20:
        return add_months(anchor, -months) + dt.timedelta(days=1)  # ends the day after
    if pick < 0.24:
        return anchor + dt.timedelta(days=rng.randint(1, 40))  # decided after the day
    return AS_OF - dt.timedelta(days=rng.randint(0, 4 * 365))


def _generate(seed: int) -> tuple[list[tuple], list[tuple]]:
    rng = random.Random(seed)
    codes = sorted(CATALOG.types)
    positive = [c for c in codes if CATALOG.types[c].points > 0]
    heavy = [
        "LAW_COURT_DEFAULTER",
        "LAW_PENALTY_SERIOUS",
        "PRO_VOLUNTEER_10H",
        "PRO_BLOOD_DONATION",
        "OCC_TEACHER_ETHICS",
    ]
    now = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    people, records = [], []
    serial = 0
    for n in range(PEOPLE):
        person_id = FIRST_ID + n * rng.choice((1, 1, 1, 3))  # a few gaps in the ids
        if people and person_id <= people[-1][0]:
            person_id = people[-1][0] + 1
        digest = hashlib.sha256(f"{seed}-{person_id}".encode()).hexdigest()
        people.append(
            (
                person_id,
                digest,
                b"x",
                f"人{n}",
                1960,
                "420202",
                now,
            )
        )
        count = rng.choice((0, 1, 2, 3, 5, 8, 14))  # some people with no record at all
        exemplary = rng.random() < 0.2  # only positive records
        volunteer = n % 20 == 0  # around the ten records of the sustained-volunteering rule
        if volunteer:  # the first one surely reaches the rule, whatever the catalog holds
            count = 12 if n == 0 else rng.randint(9, 12)
        for _ in range(count):
            if volunteer:
                code = "PRO_VOLUNTEER_10H"
            elif exemplary:
                code = rng.choice(positive)
            else:
                code = rng.choice(heavy) if rng.random() < 0.35 else rng.choice(codes)
            t = CATALOG.types[code]
            decided = _decision_dates(rng, t.max_months)
            if volunteer and (rng.random() < 0.8 or n == 0):
                decided = AS_OF - dt.timedelta(days=rng.randint(0, 400))
            status = rng.choices(("active", "withdrawn", "repaired"), weights=(85, 10, 5))[0]
            status = "active" if n == 0 else status
            serial += 1
            records.append(
                (
                    person_id,
                    sorted(t.departments)[0],
                    f"R-{serial}",
                    code,
                    t.dimension,
                    t.points,
                    t.severity,
                    decided,
                    add_months(decided, t.min_months),
                    add_months(decided, t.max_months),
                    status,
                    rng.random() < 0.05,
                    "",
                    "",
                    CATALOG.version,
                    1,
                    now,
                    now,
                )
            )
    return people, records


def _facts(rows: list[tuple]) -> dict[int, list[RecordFacts]]:
    by_person: dict[int, list[RecordFacts]] = defaultdict(list)
    for i, r in enumerate(rows):
        by_person[r[0]].append(
            RecordFacts(
                id=i,
                type_code=r[3],
                dimension=r[4],
                points=r[5],
                decision_date=r[7],
                repairable_from=r[8],
                expires_on=r[9],
                status=r[10],
                suspended=r[11],
            )
        )
    return by_person


async def _check(
    expected_facts: dict[int, list[RecordFacts]], as_of: dt.date, model: ScoreModel = MODEL
) -> None:
    stored = {s.person_id: s for s in await Score.all()}
    assert set(stored) == set(expected_facts)
    mismatches = []
    for person_id, facts in expected_facts.items():
        result = evaluate(facts, model, CATALOG, as_of)
        row = stored[person_id]
        got = (row.score, row.tier, row.model_version, dict(row.breakdown))
        want = (result.score, result.tier.code, model.version, result.breakdown)
        if got != want or row.as_of > as_of:  # an unchanged score keeps the day it was computed
            mismatches.append((person_id, got, want))
    assert mismatches == []
    # Rule-derived list entries: what derive_lists says, with the same start and end.
    active = defaultdict(set)
    for e in await ListEntry.filter(source="rule", status="active"):
        active[e.person_id].add((e.rule_code, e.kind, e.start, e.end, len(e.record_ids)))
    for person_id, facts in expected_facts.items():
        want = {
            (d.rule_code, d.list, d.start, d.end, len(d.record_ids))
            for d in derive_lists(facts, model, as_of)
        }
        assert active.get(person_id, set()) == want, person_id


async def test_city_rescoring_agrees_with_the_pure_model(app) -> None:
    people, records = _generate(seed=20260520)
    await bulk.insert_rows("person", PERSON_COLUMNS, people)
    await bulk.sync_sequence("person")
    await bulk.insert_rows("credit_record", RECORD_COLUMNS, records)
    expected = _facts(records)
    assert len(expected) > 200 and len(records) > 1000
    tiers = {evaluate(f, MODEL, CATALOG, AS_OF).tier.code for f in expected.values()}
    assert tiers == {t.code for t in MODEL.tiers}  # the sample reaches every tier
    rules = {d.rule_code for f in expected.values() for d in derive_lists(f, MODEL, AS_OF)}
    assert rules == {r.code for r in MODEL.list_rules}  # and derives every list rule

    result = await rescore_city(as_of=AS_OF, batch=97)  # ranges that cut across the id gaps
    assert result.people == len(expected) == result.changed
    await _check(expected, AS_OF)

    # Fifteen months later many records have expired: the city run follows the model again.
    later = await rescore_city(as_of=LATER, batch=1000)
    assert later.people == len(expected) and 0 < later.changed < len(expected)
    await _check(expected, LATER)

    # The one-person path writes nothing new: it agrees with the set-based one.
    for person_id in sorted(expected)[:40]:
        assert [f.id for f in await person_facts(person_id)]  # ids differ from ours; counts match
        rescored = await rescore_person(person_id=person_id, cause="record", as_of=LATER)
        assert rescored.changed is False, person_id


async def test_rules_that_share_a_record_type_each_count_its_records_once(app, monkeypatch) -> None:
    """Two rules over one type (a model may name a type in several rules): the city run reads
    the type's records for each rule, and each entry still lists each record once."""
    volunteering = next(r for r in MODEL.list_rules if r.code == "sustained_volunteering")
    twice = ListRule("volunteering_again", "red", volunteering.types, 12, {"zh-CN": "试验"})
    model = dataclasses.replace(MODEL, list_rules=(*MODEL.list_rules, twice))
    monkeypatch.setattr(service, "load_model", lambda: model)
    people, records = _generate(seed=20261203)
    await bulk.insert_rows("person", PERSON_COLUMNS, people)
    await bulk.sync_sequence("person")
    await bulk.insert_rows("credit_record", RECORD_COLUMNS, records)
    expected = _facts(records)
    both = [
        p
        for p, f in expected.items()
        if {d.rule_code for d in derive_lists(f, model, AS_OF)} >= {volunteering.code, twice.code}
    ]
    assert both  # the sample has people on both rules

    await rescore_city(as_of=AS_OF, batch=97)
    await _check(expected, AS_OF, model)
    for entry in await ListEntry.filter(person_id__in=both, source="rule", status="active"):
        assert len(entry.record_ids) == len(set(entry.record_ids)), entry.id

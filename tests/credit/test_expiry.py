"""Records stop counting by themselves: the expiry sweep re-scores people without anyone
acting; whole-city rescoring resumes where an interrupted run stopped; the operator command
runs against a real database."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import sys
from pathlib import Path

import pytest

from backend.core.clock import today
from backend.core.settings import ROOT
from backend.credit import expiry
from backend.credit.catalog import add_months
from backend.credit.models import ExpirySweep, ListEntry, RescoreRun, Score, ScoreHistory
from backend.credit.service import rescore_city, rescore_people
from tests.credit.helpers import add_record
from tests.factories import make_person


async def history(person_id: int) -> list[tuple[int, str, dt.date]]:
    return [
        (h.score, h.cause, h.as_of)
        for h in await ScoreHistory.filter(person_id=person_id).order_by("id")
    ]


async def test_the_sweep_rescores_when_the_period_ends(app) -> None:
    cipher = app.state.ctx.cipher
    minor, defaulter, donor = [await make_person(cipher, name=n) for n in ("甲", "乙", "丙")]
    day = today()
    penalty = await add_record(minor.person.id, "LAW_PENALTY_MINOR", day - dt.timedelta(days=80))
    court = await add_record(
        defaulter.person.id, "LAW_COURT_DEFAULTER", add_months(day, -36) + dt.timedelta(days=40)
    )
    await add_record(donor.person.id, "PRO_BLOOD_DONATION", day - dt.timedelta(days=10))
    people = [minor.person.id, defaulter.person.id, donor.person.id]
    await rescore_people(person_ids=people, cause="record", as_of=day)
    assert [(await Score.get(person_id=p)).score for p in people] == [590, 400, 610]
    assert await ListEntry.filter(person_id=defaulter.person.id, status="active").count() == 1
    first, second = penalty.expires_on, court.expires_on
    assert day < first < second

    assert await expiry.sweep(until=day) == 0  # the first sweep only marks the day
    assert (await ExpirySweep.get(key=expiry.KEY)).day == day
    # The day before the penalty's period ends it still counts.
    await expiry.sweep(until=first - dt.timedelta(days=1))
    assert (await Score.get(person_id=minor.person.id)).score == 590
    # On the day it ends, the score moves by itself.
    assert await expiry.sweep(until=first) == 1
    assert (await Score.get(person_id=minor.person.id)).score == 600
    assert (await history(minor.person.id))[-1] == (600, "expiry", first)
    assert (await Score.get(person_id=defaulter.person.id)).score == 400

    # Sweeping the same day again changes nothing.
    counts = (
        await ScoreHistory.all().count(),
        await ListEntry.all().count(),
        await Score.all().count(),
    )
    assert await expiry.sweep(until=first) == 0
    assert await expiry.sweep(until=first - dt.timedelta(days=3)) == 0  # nor an earlier one
    assert (
        await ScoreHistory.all().count(),
        await ListEntry.all().count(),
        await Score.all().count(),
    ) == counts

    # The court record's 36 months end: score and black list follow.
    assert await expiry.sweep(until=second + dt.timedelta(days=2)) == 1
    assert (await history(defaulter.person.id))[-1] == (
        600,
        "expiry",
        second + dt.timedelta(days=2),
    )
    entry = await ListEntry.get(person_id=defaulter.person.id)
    assert entry.status == "lifted"
    assert await history(donor.person.id) == [(610, "record", day)]  # untouched throughout
    assert (await ExpirySweep.get(key=expiry.KEY)).day == second + dt.timedelta(days=2)


async def _people_with_records(app, n: int) -> list[int]:
    cipher = app.state.ctx.cipher
    ids = []
    for i in range(n):
        who = await make_person(cipher, name=f"人{i}")
        code = ("LAW_PENALTY_GENERAL", "PRO_BLOOD_DONATION", "PUB_UTILITY_ON_TIME")[i % 3]
        await add_record(who.person.id, code, today() - dt.timedelta(days=5 + i))
        ids.append(who.person.id)
    return ids


class Interrupted(Exception):
    pass


async def test_an_interrupted_city_rescoring_resumes_where_it_stopped(app) -> None:
    ids = await _people_with_records(app, 24)
    assert ids == sorted(ids)
    calls = []

    def stop_midway(done: int, top: int) -> None:
        # Interrupted (after its range was committed) once about a third of the people are done;
        # person ids need not start at 1.
        calls.append(done)
        if done >= ids[7]:
            raise Interrupted

    with pytest.raises(Interrupted):
        await rescore_city(as_of=today(), batch=5, progress=stop_midway)
    run = await RescoreRun.get()
    assert run.finished_at is None
    stopped_at = run.last_person_id
    assert stopped_at == calls[-1] and ids[0] <= stopped_at < ids[-1]
    scored = set(await Score.all().values_list("person_id", flat=True))
    assert scored == {p for p in ids if p <= stopped_at} and scored

    result = await rescore_city(as_of=today(), batch=5)
    assert (result.run_id, result.resumed_from) == (run.id, stopped_at)
    run = await RescoreRun.get(id=run.id)
    assert run.finished_at is not None and run.last_person_id == ids[-1]
    assert run.people == len(ids) == result.people
    assert set(await Score.all().values_list("person_id", flat=True)) == set(ids)
    assert await ScoreHistory.all().count() == len(ids)  # each person scored once, none twice
    assert set(await ScoreHistory.all().values_list("cause", flat=True)) == {"rescore"}

    # A finished run is not resumed: the next run starts over and changes nothing.
    again = await rescore_city(as_of=today(), batch=5)
    assert again.run_id != run.id and again.resumed_from == 0
    assert (again.people, again.changed) == (len(ids), 0)
    assert await ScoreHistory.all().count() == len(ids)


async def test_an_unfinished_run_is_resumed_only_for_its_day(app) -> None:
    ids = await _people_with_records(app, 6)
    cutoff = ids[2]
    now = dt.datetime.now(dt.UTC)
    model_version = "v1"
    other_day = await RescoreRun.create(
        as_of=today() - dt.timedelta(days=1),
        model_version=model_version,
        last_person_id=ids[-1],
        started_at=now,
    )
    left = await RescoreRun.create(
        as_of=today(), model_version=model_version, last_person_id=cutoff, started_at=now
    )

    result = await rescore_city(as_of=today())
    assert (result.run_id, result.resumed_from) == (left.id, cutoff)
    # It trusted the earlier part as done: only the people after the cut-off were scored now.
    assert set(await Score.all().values_list("person_id", flat=True)) == {
        p for p in ids if p > cutoff
    }
    assert (
        await RescoreRun.get(id=other_day.id)
    ).finished_at is None  # another day's run: untouched

    fresh = await rescore_city(as_of=today(), resume=False)
    assert fresh.run_id not in (left.id, other_day.id) and fresh.resumed_from == 0
    assert set(await Score.all().values_list("person_id", flat=True)) == set(ids)


async def test_the_rescore_command(app, database_url: str, tmp_path: Path) -> None:
    ids = await _people_with_records(app, 5)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DATA_DIR": str(tmp_path / "cli"),
        "BACKGROUND_TASKS": "false",
        "PYTHONPATH": str(ROOT),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "backend.cli",
        "rescore",
        "--batch",
        "2",
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, err.decode()
    result = json.loads(out.decode().strip().splitlines()[-1])
    assert result["people_scored"] == len(ids)
    assert result["scores_changed"] == len(ids)
    assert result["resumed_from_person_id"] == 0
    assert set(await Score.all().values_list("person_id", flat=True)) == set(ids)
    run = await RescoreRun.get(id=result["run"])
    assert run.finished_at is not None

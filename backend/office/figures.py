"""The credit office's figures: programme statistics for the dashboard and the key-occupation
database, computed from aggregate queries (`stats.py`) and cached, because they are aggregates
over millions of rows. Domain code: no Starlette."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from ..core import clock
from ..core.city import City
from ..core.workdays import city_calendar
from ..credit.catalog import load_catalog, load_model
from ..credit.models import ListKind, ListSource
from . import stats

COVERAGE_TARGET = 0.70  # the seed's target: a score for at least 70% of residents
CACHE_SECONDS = 300  # figures are recomputed when older than five minutes
STALE_SECONDS = 3600  # until then older figures are shown (with their time) while that runs
TREND_DAYS = 30

T = TypeVar("T")
log = logging.getLogger("xinyi.office")


# ---------- a small TTL cache: the figures are aggregates over millions of rows ----------


@dataclass(frozen=True)
class Cached(Generic[T]):
    value: T
    computed_at: dt.datetime
    as_of: dt.date


class TtlCache:
    """Per-process memo of computed figures, keyed by what is computed. Figures are fresh for
    `seconds` (and for their day). After that, figures younger than `stale_seconds` are still
    answered at once while one background task recomputes them, so an officer seldom waits
    for the scans; with nothing usable the caller waits, and concurrent callers wait for the
    same single computation instead of all scanning the database."""

    def __init__(self, seconds: float, stale_seconds: float) -> None:
        self.seconds = seconds
        self.stale_seconds = stale_seconds
        self._items: dict[tuple[Any, ...], tuple[float, Cached[Any]]] = {}
        self._locks: dict[tuple[Any, ...], asyncio.Lock] = {}
        self._refreshing: dict[tuple[Any, ...], asyncio.Task[Any]] = {}

    def clear(self) -> None:
        self._items.clear()
        self._locks.clear()
        self._refreshing.clear()

    def _usable(self, key: tuple[Any, ...], as_of: dt.date, limit: float) -> Cached[Any] | None:
        hit = self._items.get(key)
        if hit is None or time.monotonic() - hit[0] >= limit:
            return None
        return hit[1] if limit > self.seconds or hit[1].as_of == as_of else None

    async def _compute(
        self, key: tuple[Any, ...], as_of: dt.date, compute: Callable[[], Awaitable[T]]
    ) -> Cached[T]:
        item = Cached(await compute(), clock.now(), as_of)
        self._items[key] = (time.monotonic(), item)
        return item

    async def _refresh(
        self, key: tuple[Any, ...], as_of: dt.date, compute: Callable[[], Awaitable[T]]
    ) -> None:
        try:
            await self._compute(key, as_of, compute)
        except Exception:  # the stale figures stay; the next request tries again
            log.exception("refreshing %s failed", key)

    async def get(
        self, key: tuple[Any, ...], as_of: dt.date, compute: Callable[[], Awaitable[T]]
    ) -> Cached[T]:
        fresh = self._usable(key, as_of, self.seconds)
        if fresh is not None:
            return fresh
        stale = self._usable(key, as_of, self.stale_seconds)
        if stale is not None:
            running = self._refreshing.get(key)
            if running is None or running.done():
                self._refreshing[key] = asyncio.create_task(self._refresh(key, as_of, compute))
            return stale
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            fresh = self._usable(key, as_of, self.seconds)
            return fresh if fresh is not None else await self._compute(key, as_of, compute)

    async def settle(self) -> None:
        """Wait for background refreshes (tests, shutdown)."""
        running = [t for t in self._refreshing.values() if not t.done()]
        await asyncio.gather(*running, return_exceptions=True)


cache = TtlCache(CACHE_SECONDS, STALE_SECONDS)


# ---------- the dashboard ----------


@dataclass(frozen=True)
class Bar:
    """One labelled figure of a chart or table (`label` is {locale: text})."""

    code: str
    label: dict[str, str]
    value: int
    total: int = 0  # for shares: the value out of this many

    @property
    def share(self) -> float:
        return self.value / self.total if self.total else 0.0


@dataclass(frozen=True)
class Dashboard:
    as_of: dt.date
    residents: int
    scored: int
    target: float
    districts: list[Bar]
    tiers: list[Bar]
    lists: dict[str, dict[str, int]]  # kind → source → count
    departments: list[Bar]
    days: list[Bar]
    timings: dict[str, float] = field(default_factory=dict)
    # Years of the figures' day the national holiday data does not cover: deadlines in
    # working days count Monday–Friday there, and the dashboard warns.
    calendar_missing: tuple[int, ...] = ()

    @property
    def coverage(self) -> float:
        return self.scored / self.residents if self.residents else 0.0

    @property
    def records(self) -> int:
        return sum(b.value for b in self.departments)


async def _timed(timings: dict[str, float], name: str, work: Awaitable[T]) -> T:
    started = time.perf_counter()
    result = await work
    timings[name] = time.perf_counter() - started
    return result


async def compute_dashboard(*, city: City, as_of: dt.date) -> Dashboard:
    """Every figure is an aggregate query (COUNT … GROUP BY, or a COUNT per slice) answered
    from an index: no row of credit_record is read into Python."""
    timings: dict[str, float] = {}
    residents = await _timed(timings, "residents", stats.count_rows("person"))
    scored = await _timed(timings, "scored", stats.count_rows("score"))
    people = await _timed(timings, "people_by_district", stats.people_by_district())
    known = [d.code for d in city.districts]
    stray = sorted(set(people) - set(known))  # codes the city config does not name: shown too
    with_score = await _timed(
        timings, "scored_by_district", stats.scored_by_district(known + stray)
    )
    tiers = await _timed(timings, "tiers", stats.scores_by_tier())
    lists = await _timed(timings, "lists", stats.active_list_counts(as_of))
    catalog = load_catalog()  # only catalog departments can submit records
    departments = await _timed(
        timings, "departments", stats.records_by_department(list(catalog.departments))
    )
    since = as_of - dt.timedelta(days=TREND_DAYS - 1)
    window = [since + dt.timedelta(days=i) for i in range(TREND_DAYS)]
    per_day = await _timed(timings, "per_day", stats.records_per_day(window, clock.zone()))

    districts = [
        Bar(d.code, d.name, with_score.get(d.code, 0), people.get(d.code, 0))
        for d in city.districts
    ]
    districts += [
        Bar(code, {"zh-CN": code, "en": code}, with_score.get(code, 0), people[code])
        for code in stray
    ]

    model = load_model()
    tier_bars = [Bar(t.code, t.name, tiers.get(t.code, 0), scored) for t in model.tiers]
    by_list = {k.value: {s.value: 0 for s in ListSource} for k in ListKind}
    for row in lists:
        by_list.setdefault(row["kind"], {}).setdefault(row["source"], 0)
        by_list[row["kind"]][row["source"]] += row["n"]
    total_records = sum(departments.values())
    department_bars = [
        Bar(code, catalog.departments.get(code, {"zh-CN": code, "en": code}), n, total_records)
        for code, n in sorted(departments.items(), key=lambda item: (-item[1], item[0]))
    ]
    day_bars = [
        Bar(
            day.isoformat(),
            {"zh-CN": f"{day.month}月{day.day}日", "en": f"{day:%d %b}"},
            per_day.get(day.isoformat(), 0),
        )
        for day in window
    ]
    return Dashboard(
        as_of=as_of,
        residents=residents,
        scored=scored,
        target=COVERAGE_TARGET,
        districts=districts,
        tiers=tier_bars,
        lists=by_list,
        departments=department_bars,
        days=day_bars,
        timings=timings,
        calendar_missing=city_calendar(city).fallback_years(as_of, as_of),
    )


async def dashboard(*, city: City, as_of: dt.date | None = None) -> Cached[Dashboard]:
    day = as_of or clock.today()
    return await cache.get(
        ("dashboard", city.code), day, lambda: compute_dashboard(city=city, as_of=day)
    )


# ---------- the key-occupation database (重点职业人群信用档案) ----------


@dataclass(frozen=True)
class OccupationFigures:
    code: str
    name: dict[str, str]
    people: int
    scored: int
    average_score: float | None
    occupational_records: int


async def compute_occupations(*, city: City, as_of: dt.date) -> list[OccupationFigures]:
    people = await stats.people_by_occupation()
    scores = {row["group"]: row for row in await stats.scores_by_occupation()}
    counting = await stats.occupational_records_by_occupation(as_of)
    out = []
    for code, name in city.occupation_groups:
        score = scores.get(code)
        out.append(
            OccupationFigures(
                code=code,
                name=name,
                people=people.get(code, 0),
                scored=score["n"] if score else 0,
                average_score=round(score["avg"], 1) if score else None,
                occupational_records=counting.get(code, 0),
            )
        )
    return out


async def occupations(
    *, city: City, as_of: dt.date | None = None
) -> Cached[list[OccupationFigures]]:
    day = as_of or clock.today()
    return await cache.get(
        ("occupations", city.code), day, lambda: compute_occupations(city=city, as_of=day)
    )

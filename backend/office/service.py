"""The credit office's use cases: programme statistics (cached), the key-occupation
database, the audited person look-up and the list review queue. Domain code: no Starlette."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from ..audit import service as audit
from ..core import clock
from ..core.city import City
from ..core.clock import today
from ..core.crypto import IdCipher
from ..core.errors import InvalidIdNumber, NotFound, ValidationFailed, invalid
from ..core.principal import Principal
from ..credit import lists as lists_service
from ..credit import records as credit_records
from ..credit.catalog import load_catalog, load_model
from ..credit.models import ListEntry
from ..residents import idnumber
from ..residents.models import Person, PersonOccupation
from . import stats

COVERAGE_TARGET = 0.70  # the seed's target: a score for at least 70% of residents
CACHE_SECONDS = 300  # figures are recomputed when older than five minutes
STALE_SECONDS = 3600  # until then older figures are shown (with their time) while that runs
TREND_DAYS = 30
REVIEW_LIMIT = 200  # active manual entries shown for lifting, newest first

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
        item = Cached(await compute(), dt.datetime.now(dt.UTC), as_of)
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
    by_list: dict[str, dict[str, int]] = {k: {"rule": 0, "manual": 0} for k in lists_service.KINDS}
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
    )


async def dashboard(*, city: City, as_of: dt.date | None = None) -> Cached[Dashboard]:
    day = as_of or today()
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
    day = as_of or today()
    return await cache.get(
        ("occupations", city.code), day, lambda: compute_occupations(city=city, as_of=day)
    )


# ---------- the audited person look-up (查询个人信用信息) ----------

# Standard purposes of a look-up, as i18n keys office.purpose.<code>; "other" needs free text.
PURPOSES = ("objection", "repair", "list_decision", "counter_enquiry", "record_check", "other")


def stated_purpose(*, code: str, detail: str, names: dict[str, str]) -> str:
    """The purpose written to the audit trail: the standard purpose's name, then any detail.
    Refuses an empty purpose, an unknown code, and "other" without words."""
    detail = " ".join(detail.split())
    if code and code not in PURPOSES:
        raise invalid("purpose", "choose one of the listed purposes")
    if not code and not detail:
        raise invalid("purpose", "state the purpose of this look-up")
    if code == "other" and not detail:
        raise invalid("purpose_detail", "describe the purpose")
    if not code or code == "other":
        return detail[:200]
    name = names[code]
    return f"{name}：{detail}"[:200] if detail else name


def check_look_up(*, id_number: str, code: str, detail: str, names: dict[str, str]) -> str:
    """Check the whole look-up form at once (every problem is reported, not only the first)
    and return the purpose to record. Nothing is looked up here."""
    errors: list[dict[str, Any]] = []
    number = idnumber.normalise(id_number)
    if not number:
        errors.append({"field": "id_number", "message": "required", "type": "missing"})
    elif (problem := idnumber.problem_with(number)) is not None:
        errors.append({"field": "id_number", "message": problem.value, "type": "value"})
    purpose = ""
    try:
        purpose = stated_purpose(code=code, detail=detail, names=names)
    except ValidationFailed as exc:
        errors += exc.errors
    if errors:
        raise ValidationFailed("check the look-up form", errors=errors)
    return purpose


@dataclass(frozen=True)
class PersonView:
    person: Person
    district: dict[str, str]
    occupations: list[dict[str, str]]
    score: dict[str, Any]
    records: list[dict[str, Any]]
    lists: list[dict[str, Any]]
    pending: list[ListEntry]


async def find_person(*, cipher: IdCipher, id_number: str) -> Person:
    """Validate first (an invalid number is never looked up), then find by the keyed hash."""
    number = idnumber.normalise(id_number)
    problem = idnumber.problem_with(number)
    if problem is not None:
        raise InvalidIdNumber(
            f"invalid ID number ({problem.value})",
            errors=[{"field": "id_number", "message": problem.value, "type": "value"}],
        )
    person = await Person.get_or_none(id_hash=cipher.lookup_hash(number))
    if person is None:
        raise NotFound("nobody with this ID number is in the population register")
    return person


async def view_person(
    *, officer: Principal, cipher: IdCipher, city: City, id_number: str, purpose: str
) -> PersonView:
    """Look a person up with a stated purpose. Only a found person is a look at someone's
    data, so only then is it recorded (and shown to them in "who viewed my data")."""
    if not purpose.strip():
        raise invalid("purpose", "state the purpose of this look-up")
    person = await find_person(cipher=cipher, id_number=id_number)
    await audit.record(
        action="person.viewed", actor=officer, subject_person_id=person.id, purpose=purpose
    )
    return await person_view(person=person, city=city)


async def person_view(*, person: Person, city: City) -> PersonView:
    groups = dict(city.occupation_groups)
    codes = (
        await PersonOccupation.filter(person_id=person.id)
        .order_by("group_code")
        .values_list("group_code", flat=True)
    )
    district = city.district(person.district_code)
    return PersonView(
        person=person,
        district=district.name
        if district
        else {"zh-CN": person.district_code, "en": person.district_code},
        occupations=[groups.get(str(c), {"zh-CN": str(c), "en": str(c)}) for c in codes],
        score=await credit_records.my_score(person_id=person.id),
        records=await credit_records.my_records(person_id=person.id),
        lists=await credit_records.my_lists(person_id=person.id),
        pending=list(
            await ListEntry.filter(
                person_id=person.id, source="manual", status="proposed"
            ).order_by("id")
        ),
    )


async def proposal_person(*, officer: Principal, person_id: int, purpose: str) -> Person:
    """The person a proposal form is for, shown again (e.g. to correct the form): a look."""
    person = await Person.get_or_none(id=person_id)
    if person is None:
        raise NotFound("no such person")
    await audit.record(
        action="person.viewed",
        actor=officer,
        subject_person_id=person.id,
        purpose=purpose or "list proposal",
    )
    return person


# ---------- list review (四眼原则: one officer proposes, another decides) ----------


@dataclass(frozen=True)
class ReviewItem:
    entry: ListEntry
    masked_id: str
    name: str
    mine: bool  # this officer proposed it (or its lifting): a second officer must decide


@dataclass(frozen=True)
class ListReview:
    proposals: list[ReviewItem]
    lifts: list[ReviewItem]
    active: list[ReviewItem]
    active_total: int


async def _people(ids: Sequence[int]) -> dict[int, Person]:
    if not ids:
        return {}
    return {p.id: p for p in await Person.filter(id__in=sorted(set(ids)))}


async def review_lists(*, officer: Principal) -> ListReview:
    """The review queue. Showing whose entries these are is one office action: recorded once
    per view, without a subject (this is list management, not a look at one person)."""
    pending = await lists_service.pending()
    active_query = ListEntry.filter(source="manual", rule_code="", status="active")
    active = list(await active_query.order_by("-id").limit(REVIEW_LIMIT))
    active_total = await active_query.count()
    people = await _people([e.person_id for e in [*pending, *active]])

    def item(entry: ListEntry, proposer: int | None) -> ReviewItem:
        person = people.get(entry.person_id)
        return ReviewItem(
            entry=entry,
            masked_id=person.id_masked if person else "—",
            name=person.name if person else "—",
            mine=proposer == officer.account_id,
        )

    review = ListReview(
        proposals=[item(e, e.proposed_by_id) for e in pending if e.status == "proposed"],
        lifts=[item(e, e.lift_proposed_by_id) for e in pending if e.status == "active"],
        active=[item(e, e.proposed_by_id) for e in active],
        active_total=active_total,
    )
    shown = [*pending, *active]
    await audit.record_looks(
        actor=officer,
        person_ids=[e.person_id for e in shown],
        purpose="list review",
        action="lists.reviewed",
    )
    return review


async def propose_entry(
    *,
    officer: Principal,
    person_id: int,
    kind: str,
    reason: str,
    legal_basis: str,
    decision_doc_no: str,
    start: dt.date | None,
    end: dt.date | None,
) -> ListEntry:
    """A manual list entry proposal from the console, checked field by field first."""
    errors = []
    if kind not in lists_service.KINDS:
        errors.append({"field": "list", "message": "red, gray or black", "type": "enum"})
    for name, value in (
        ("reason", reason),
        ("legal_basis", legal_basis),
        ("decision_doc_no", decision_doc_no),
    ):
        if not value:
            errors.append({"field": name, "message": "required", "type": "missing"})
    if start is None:
        errors.append({"field": "start", "message": "a date", "type": "date"})
    if start is not None and end is not None and end <= start:
        errors.append({"field": "end", "message": "after start", "type": "value"})
    if errors:
        raise ValidationFailed("check the highlighted fields", errors=errors)
    assert start is not None
    if not await Person.filter(id=person_id).exists():
        raise NotFound("no such person")
    return await lists_service.propose(
        officer=officer,
        person_id=person_id,
        kind=kind,
        reason=reason,
        legal_basis=legal_basis,
        decision_doc_no=decision_doc_no,
        start=start,
        end=end,
    )

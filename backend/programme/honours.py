"""The honour roll (光荣榜): 诚信之星 and 道德模范, nominated by one officer and approved by an
independent one (四眼原则, `auth.foureyes`), published only with the resident's consent.

Two states per entry, kept apart on purpose: the office's review (`status`) and the
resident's consent (`consent`). The public roll shows an entry only while it is approved
*and* consented; withdrawing consent moves one column and the entry is gone from the next
request (the roll is never cached: `cache-control: no-store`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from ..audit import service as audit
from ..auth.foureyes import independent, require_independent
from ..core import clock, transitions
from ..core.city import City
from ..core.errors import Conflict, NotFound, invalid
from ..core.principal import Principal
from ..credit.models import CreditRecord, RecordStatus
from ..notices.models import NoticeKind
from ..notices.service import notify
from ..residents.idnumber import split_name
from ..residents.models import Person
from .models import HonourConsent, HonourEntry, HonourStatus, HonourTitle

# The honour record type in the catalog that each title comes from.
RECORD_TYPE = {
    HonourTitle.INTEGRITY_STAR: "PRO_HONOUR_INTEGRITY_STAR",
    HonourTitle.MORAL_MODEL: "PRO_HONOUR_MORAL_MODEL",
}
TITLE_OF = {code: title for title, code in RECORD_TYPE.items()}

REVIEW = transitions.Workflow[HonourStatus](
    name="honour nomination",
    moves={HonourStatus.PROPOSED: frozenset({HonourStatus.APPROVED, HonourStatus.REJECTED})},
)
CONSENT = transitions.Workflow[HonourConsent](
    name="honour consent",
    status_field="consent",
    conflict_reason="consent_unchanged",
    moves={
        HonourConsent.PENDING: frozenset({HonourConsent.GIVEN, HonourConsent.DECLINED}),
        HonourConsent.GIVEN: frozenset({HonourConsent.WITHDRAWN}),
        HonourConsent.DECLINED: frozenset({HonourConsent.GIVEN}),
        HonourConsent.WITHDRAWN: frozenset({HonourConsent.GIVEN}),
    },
)
ROLL_LIMIT = 500  # one year's roll for one city is tens of names


def public_name(name: str) -> str:
    """张** / 欧阳* — the surname (a compound one whole) and one * per given-name character:
    less than a counter sees (`residents.idnumber.mask_name` keeps one character)."""
    surname, given = split_name(name.strip())
    return surname + "*" * max(1, len(given))


async def _check_record(person_id: int, title: HonourTitle, record_id: int | None) -> None:
    if record_id is None:
        return
    record = await CreditRecord.filter(id=record_id, person_id=person_id).first()
    if record is None:
        raise invalid("record_id", "no such record of this person")
    if record.type_code != RECORD_TYPE[title] or record.status != RecordStatus.ACTIVE:
        raise invalid("record_id", f"the record is not an active {RECORD_TYPE[title]} record")


async def nominate_honour(
    *,
    officer: Principal,
    person_id: int,
    title: HonourTitle,
    year: int,
    citation_zh: str,
    citation_en: str,
    record_id: int | None,
) -> HonourEntry:
    """nominateHonour: the first pair of eyes. One title a person a year."""
    person = await Person.filter(id=person_id).first()
    if person is None:
        raise invalid("person_id", "no such person in the register")
    await _check_record(person_id, title, record_id)
    try:
        async with in_transaction():
            entry = await HonourEntry.create(
                person_id=person_id,
                title=title.value,
                year=year,
                district_code=person.district_code,
                citation_zh=citation_zh.strip(),
                citation_en=citation_en.strip(),
                record_id=record_id,
                proposed_by_id=officer.account_id,
                created_at=clock.now(),
            )
            await audit.record(
                action="honour.nominate",
                actor=officer,
                subject_person_id=person_id,
                details={"entry": entry.id, "title": title.value, "year": year},
            )
    except IntegrityError:
        raise Conflict(
            "this person is already nominated for this title this year",
            reason="already_nominated",
        ) from None
    return entry


async def approve_honour(*, officer: Principal, entry_id: int, approve: bool) -> HonourEntry:
    """approveHonour: the second pair of eyes, independent of the nominating officer. An
    approval asks the resident for consent (a notice in their inbox)."""
    entry = await HonourEntry.filter(id=entry_id).first()
    if entry is None:
        raise NotFound("no such honour nomination")
    await require_independent(
        entry.proposed_by_id, officer.account_id, "another officer must decide this nomination"
    )
    target = HonourStatus.APPROVED if approve else HonourStatus.REJECTED

    async def record(item: HonourEntry, _from: HonourStatus) -> None:
        await audit.record(
            action=f"honour.{target.value}",
            actor=officer,
            subject_person_id=item.person_id,
            details={"entry": item.id, "title": item.title, "year": item.year},
        )
        if approve:
            await notify(
                person_id=item.person_id,
                kind=NoticeKind.HONOUR,
                key=f"honour:{item.id}",
                params={"title": item.title, "year": item.year},
                link="#/honours",
            )

    return await transitions.apply(
        REVIEW,
        HonourEntry,
        item_id=entry_id,
        to=target,
        record=record,
        changes={"decided_by_id": officer.account_id, "decided_at": clock.now()},
    )


async def set_my_honour_consent(
    *, resident: Principal, entry_id: int, consent: bool
) -> HonourEntry:
    """setMyHonourConsent: publish (true) or decline / withdraw (false), at any time."""
    person_id = resident.person_id
    if person_id is None:
        raise NotFound("no such honour of yours")
    entry = await HonourEntry.filter(id=entry_id, person_id=person_id).first()
    if entry is None:
        raise NotFound("no such honour of yours")
    if entry.status != HonourStatus.APPROVED:
        raise NotFound("no such honour of yours")  # a nomination not approved is not shown
    current = HonourConsent(entry.consent)
    if consent:
        target = HonourConsent.GIVEN
    elif current == HonourConsent.PENDING:
        target = HonourConsent.DECLINED
    else:
        target = HonourConsent.WITHDRAWN

    async def record(item: HonourEntry, _from: HonourConsent) -> None:
        await audit.record(
            action=f"honour.consent_{target.value}",
            actor=resident,
            subject_person_id=item.person_id,
            details={"entry": item.id},
        )

    return await transitions.apply(
        CONSENT,
        HonourEntry,
        item_id=entry_id,
        to=target,
        where={"person_id": person_id, "status": HonourStatus.APPROVED.value},
        record=record,
        changes={"consent_at": clock.now()},
    )


def describe_mine(entry: HonourEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "title": entry.title,
        "year": entry.year,
        "citation_zh": entry.citation_zh,
        "citation_en": entry.citation_en,
        "consent": entry.consent,
        "published": entry.consent == HonourConsent.GIVEN,
        "consent_at": entry.consent_at.isoformat() if entry.consent_at else None,
    }


async def my_honours(*, person_id: int) -> list[dict[str, Any]]:
    """The approved honours of one person and their consent (nominations not yet approved,
    and rejected ones, are the office's business)."""
    found = await HonourEntry.filter(
        person_id=person_id, status=HonourStatus.APPROVED.value
    ).order_by("-year", "id")
    person = await Person.filter(id=person_id).first()
    shown = public_name(person.name) if person else ""
    return [{**describe_mine(e), "shown_name": shown} for e in found]


def district_name(city: City, code: str, locale: str) -> str:
    for district in city.districts:
        if district.code == code:
            return district.name.get(locale) or district.name.get("zh-CN", code)
    return code


async def honour_roll(*, city: City, year: int | None, district: str | None) -> dict[str, Any]:
    """listHonourRoll: what each resident agreed to be shown, and nothing else: the public
    name (surname + *), district, year, title and the citation."""
    query = HonourEntry.filter(
        status=HonourStatus.APPROVED.value, consent=HonourConsent.GIVEN.value
    )
    if year is not None:
        query = query.filter(year=year)
    if district is not None:
        query = query.filter(district_code=district)
    entries = await query.order_by("-year", "district_code", "title", "id").limit(ROLL_LIMIT)
    names = dict(
        await Person.filter(id__in=[e.person_id for e in entries]).values_list("id", "name")
    )
    years = (
        await HonourEntry.filter(
            status=HonourStatus.APPROVED.value, consent=HonourConsent.GIVEN.value
        )
        .distinct()
        .values("year")
    )
    return {
        "items": [
            {
                "name": public_name(str(names.get(e.person_id, "?"))),
                "title": e.title,
                "year": e.year,
                "district": e.district_code,
                "district_name": {
                    "zh-CN": district_name(city, e.district_code, "zh-CN"),
                    "en": district_name(city, e.district_code, "en"),
                },
                "citation": {"zh-CN": e.citation_zh, "en": e.citation_en or e.citation_zh},
            }
            for e in entries
        ],
        "years": sorted({int(y["year"]) for y in years}, reverse=True),
        "districts": [{"code": d.code, "name": d.name} for d in city.districts],
    }


@dataclass(frozen=True)
class Candidate:
    """An active honour record with no nomination for its year yet."""

    record_id: int
    person_id: int
    title: HonourTitle
    year: int
    decision_date: dt.date


@dataclass(frozen=True)
class Review:
    proposals: list[HonourEntry]
    recent: list[HonourEntry]
    candidates: list[Candidate]
    may_decide: frozenset[int]  # the open nominations this officer is independent of


async def review_honours(*, officer: Principal, limit: int = 100) -> Review:
    """The office's page: open nominations (marked whether this officer may decide them),
    the latest decided ones, and honour records not nominated yet."""
    proposals = (
        await HonourEntry.filter(status=HonourStatus.PROPOSED.value).order_by("id").limit(limit)
    )
    # The one four-eyes rule (auth.foureyes), once per proposer: the page shows the decision
    # buttons only where a decision would be accepted.
    proposers = {e.proposed_by_id for e in proposals}
    free = {p for p in proposers if await independent(p, officer.account_id)}
    recent = (
        await HonourEntry.exclude(status=HonourStatus.PROPOSED.value)
        .order_by("-decided_at", "-id")
        .limit(limit)
    )
    records = (
        await CreditRecord.filter(type_code__in=list(TITLE_OF), status=RecordStatus.ACTIVE.value)
        .order_by("-decision_date", "id")
        .limit(limit)
    )
    taken = {
        (e.person_id, e.title, e.year)
        for e in await HonourEntry.filter(person_id__in=[r.person_id for r in records])
    }
    candidates = [
        Candidate(r.id, r.person_id, TITLE_OF[r.type_code], r.decision_date.year, r.decision_date)
        for r in records
        if (r.person_id, TITLE_OF[r.type_code].value, r.decision_date.year) not in taken
    ]
    may = frozenset(e.id for e in proposals if e.proposed_by_id in free)
    return Review(proposals, recent, candidates, may)

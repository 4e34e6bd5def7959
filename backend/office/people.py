"""The audited person look-up (查询个人信用信息): an officer states a purpose, finds a person by ID
number and sees their score, records and lists. Every look at a found person is recorded, and
the resident sees it in "who viewed my data". Domain code: no Starlette."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ..audit import service as audit
from ..auth import quota
from ..core.city import City
from ..core.crypto import IdCipher
from ..core.errors import InvalidIdNumber, NotFound, ValidationFailed, invalid
from ..core.i18n import DEFAULT_LOCALE, translate
from ..core.principal import Principal
from ..credit import lists
from ..credit import records as credit_records
from ..credit.models import ListEntry
from ..residents import idnumber
from ..residents.models import Person, PersonOccupation


class Purpose(StrEnum):
    """The standard purposes of a look-up (names: `office.purpose.<code>`)."""

    OBJECTION = "objection"
    REPAIR = "repair"
    LIST_DECISION = "list_decision"
    COUNTER_ENQUIRY = "counter_enquiry"
    RECORD_CHECK = "record_check"
    OTHER = "other"  # needs words of its own


PURPOSES: tuple[Purpose, ...] = tuple(Purpose)
_PURPOSE_CODES = frozenset(p.value for p in Purpose)


def purpose_names() -> dict[str, str]:
    """What the audit trail calls each standard purpose: the city's own language."""
    return {p.value: translate(DEFAULT_LOCALE, f"office.purpose.{p.value}") for p in Purpose}


def stated_purpose(*, code: str, detail: str, names: dict[str, str]) -> str:
    """The purpose written to the audit trail: the standard purpose's name, then any detail.
    Refuses an empty purpose, an unknown code, and "other" without words."""
    detail = " ".join(detail.split())
    if code and code not in _PURPOSE_CODES:
        raise invalid("purpose", "choose one of the listed purposes")
    if not code and not detail:
        raise invalid("purpose", "state the purpose of this look-up")
    if code == Purpose.OTHER and not detail:
        raise invalid("purpose_detail", "describe the purpose")
    if not code or code == Purpose.OTHER:
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


@dataclass(frozen=True)
class LookUp:
    """A look-up that found someone: what the officer sees, and the purpose it was logged with."""

    view: PersonView
    purpose: str


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


async def look_up(
    *, officer: Principal, cipher: IdCipher, city: City, id_number: str, code: str, detail: str
) -> LookUp:
    """The console's look-up form: check it whole, then look the person up with its purpose."""
    purpose = check_look_up(id_number=id_number, code=code, detail=detail, names=purpose_names())
    view = await view_person(
        officer=officer, cipher=cipher, city=city, id_number=id_number, purpose=purpose
    )
    return LookUp(view, purpose)


async def view_person(
    *, officer: Principal, cipher: IdCipher, city: City, id_number: str, purpose: str
) -> PersonView:
    """Look a person up with a stated purpose, within the officer's hourly quota. A found
    person is a look at someone's data, recorded and shown to them in "who viewed my data";
    a look-up that finds nobody is recorded without a subject and without the number."""
    if not purpose.strip():
        raise invalid("purpose", "state the purpose of this look-up")
    await quota.take(quota.LOOKUPS, f"account:{officer.account_id}")  # per officer, shared
    try:
        person = await find_person(cipher=cipher, id_number=id_number)
    except NotFound:
        # A look-up that finds nobody is recorded too (who, when, why; never the number), so
        # an officer probing the register leaves a trace auditors can count.
        await audit.record(
            action="person.lookup_missed",
            actor=officer,
            purpose=purpose,
            details={"found": False},
        )
        raise
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
        records=await credit_records.my_records(person_id=person.id, for_others=True),
        lists=await credit_records.my_lists(person_id=person.id),
        pending=await lists.proposed_for(person.id),
    )

"""A joint case as the API and the pages show it (the person as a masked ID number)."""

from __future__ import annotations

from typing import Any

from ..residents import register
from ..residents.models import Person
from . import measures
from .models import JointCase


async def masked_people(cases: list[JointCase]) -> dict[int, str]:
    ids = sorted({c.person_id for c in cases if c.person_id is not None})
    return {p.id: register.shown_id(p) for p in await Person.filter(id__in=ids)} if ids else {}


def describe(case: JointCase, people: dict[int, str]) -> dict[str, Any]:
    return {
        "id": case.id,
        "external_id": case.external_id,
        "source": case.source,
        "list": case.list_kind,
        "kind": measures.kind_of(case.list_kind),
        "measure": case.measure,
        "department": case.department,
        "partner_id": case.partner_id,
        "person": people.get(case.person_id, "") if case.person_id is not None else "",
        "case_reference": case.case_reference,
        "date": case.occurred_on.isoformat(),
        "month": case.month,
        "summary": case.summary,
    }


async def describe_all(cases: list[JointCase]) -> list[dict[str, Any]]:
    people = await masked_people(cases)
    return [describe(c, people) for c in cases]

"""What each reader sees of a objection: the resident, the deciding department (a logged look),
and their evidence files."""

from __future__ import annotations

from typing import Any

from ..audit import service as audit
from ..core.principal import Principal
from ..credit.catalog import department_for
from ..evidence import service as evidence
from ..evidence.models import CaseKind, EvidenceFile
from ..residents import register
from ..residents.display import clerk_name
from ..residents.models import Person
from . import present
from .models import Objection
from .service import department_case, mine, my_objection

RESIDENT_BASE = "/api/v1/me/objections"
DEPARTMENT_BASE = "/api/v1/department/objections"


async def shape(objection: Objection, *, base: str) -> dict[str, Any]:
    files = await evidence.listing(case_kind=CaseKind.OBJECTION, case_id=objection.id)
    return present.objection(objection, files=files, base=base)


async def my_view(*, principal: Principal, objection_id: int) -> dict[str, Any]:
    return await shape(await my_objection(principal=principal, objection_id=objection_id),
                       base=RESIDENT_BASE)  # fmt: skip


async def my_list(*, principal: Principal) -> list[dict[str, Any]]:
    return [await shape(o, base=RESIDENT_BASE) for o in await mine(principal=principal)]


async def my_evidence(*, principal: Principal, objection_id: int, file_id: int) -> EvidenceFile:
    found = await my_objection(principal=principal, objection_id=objection_id)
    return await evidence.one(case_kind=CaseKind.OBJECTION, case_id=found.id, file_id=file_id)


async def department_view(*, actor: Principal, objection_id: int) -> dict[str, Any]:
    """The answering department opens a case: a logged look at the resident's data."""
    found = await department_case(department=department_for(actor), objection_id=objection_id)
    await audit.record(action="person.viewed", actor=actor, subject_person_id=found.person_id,
                       purpose=f"objection case {found.case_no}")  # fmt: skip
    person = await Person.get(id=found.person_id)
    resident = {"masked_name": clerk_name(person.name), "masked_id": register.shown_id(person)}
    return await shape(found, base=DEPARTMENT_BASE) | {"resident": resident}


async def department_evidence(*, actor: Principal, objection_id: int, file_id: int) -> EvidenceFile:
    found = await department_case(department=department_for(actor), objection_id=objection_id)
    item = await evidence.one(case_kind=CaseKind.OBJECTION, case_id=found.id, file_id=file_id)
    await audit.record(action="evidence.viewed", actor=actor, subject_person_id=found.person_id,
                       purpose=f"objection case {found.case_no}",
                       details={"file": item.id})  # fmt: skip
    return item

"""What each reader sees of a repair request: the resident, the deciding department (a logged look),
and their evidence files."""

from __future__ import annotations

from typing import Any

from ..audit import service as audit
from ..commitments.models import CommitmentSignature
from ..core.principal import Principal
from ..credit.catalog import department_for
from ..credit.models import CreditRecord
from ..evidence import service as evidence
from ..evidence.models import CaseKind, EvidenceFile
from ..residents import register
from ..residents.display import clerk_name
from ..residents.models import Person
from . import present
from .decisions import department_case
from .models import RepairRequest
from .service import mine, my_request

RESIDENT_BASE = "/api/v1/me/repairs"
DEPARTMENT_BASE = "/api/v1/department/repairs"


async def shape(request: RepairRequest, *, base: str) -> dict[str, Any]:
    record = await CreditRecord.get_or_none(id=request.record_id)
    files = await evidence.listing(case_kind=CaseKind.REPAIR, case_id=request.id)
    commitment = (
        await CommitmentSignature.get_or_none(id=request.commitment_id)
        if request.commitment_id
        else None
    )
    return present.repair(
        request, record=record, files=files, commitment=commitment,
        base=f"{base}/{request.id}",
    )  # fmt: skip


async def my_view(*, principal: Principal, request_id: int) -> dict[str, Any]:
    return await shape(await my_request(principal=principal, request_id=request_id),
                       base=RESIDENT_BASE)  # fmt: skip


async def my_list(*, principal: Principal) -> list[dict[str, Any]]:
    return [await shape(r, base=RESIDENT_BASE) for r in await mine(principal=principal)]


async def my_evidence(*, principal: Principal, request_id: int, file_id: int) -> EvidenceFile:
    request = await my_request(principal=principal, request_id=request_id)
    return await evidence.one(case_kind=CaseKind.REPAIR, case_id=request.id, file_id=file_id)


async def department_view(*, actor: Principal, request_id: int) -> dict[str, Any]:
    """A department officer opens a case: a logged look at the resident's data."""
    request = await department_case(department=department_for(actor), request_id=request_id)
    await audit.record(action="person.viewed", actor=actor, subject_person_id=request.person_id,
                       purpose=f"repair case {request.case_no}")  # fmt: skip
    return await shape(request, base=DEPARTMENT_BASE) | {"resident": await resident_of(request)}


async def department_evidence(*, actor: Principal, request_id: int, file_id: int) -> EvidenceFile:
    request = await department_case(department=department_for(actor), request_id=request_id)
    found = await evidence.one(case_kind=CaseKind.REPAIR, case_id=request.id, file_id=file_id)
    await audit.record(action="evidence.viewed", actor=actor, subject_person_id=request.person_id,
                       purpose=f"repair case {request.case_no}",
                       details={"file": found.id})  # fmt: skip
    return found


async def resident_of(request: RepairRequest) -> dict[str, str]:
    """Who applied, as a department needs it to match its own files: masked."""
    person = await Person.get(id=request.person_id)
    return {"masked_name": clerk_name(person.name), "masked_id": register.shown_id(person)}

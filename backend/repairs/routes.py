"""HTTP for credit repair: the resident's requests and the department's decisions."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ..core.context import ctx
from ..core.http import FormUpload, json_ok, parse_form, parse_json, path_int
from ..core.permissions import Permission
from ..core.routing import api, principal_of, requires
from ..credit.catalog import department_for
from ..evidence.http import download
from ..evidence.service import MAX_BYTES, MAX_FILES, Upload
from . import decisions, schemas, service, views


def _uploads(files: list[FormUpload]) -> list[Upload]:
    return [Upload(f.filename, f.content) for f in files]


def _option(o: service.Option) -> dict[str, object]:
    return {
        "record_id": o.record.id,
        "type": o.record.type_code,
        "points": o.record.points,
        "decision_date": o.record.decision_date.isoformat(),
        "eligible": o.eligible,
        "reason": o.reason,
        "eligible_from": o.eligible_from.isoformat() if o.eligible_from else None,
        "open_case": o.open_case,
    }


async def list_options(request: Request) -> Response:
    options = await service.options(principal=principal_of(request))
    return json_ok({"items": [_option(o) for o in options]})


async def start_request(request: Request) -> Response:
    body = await parse_json(request, schemas.StartRepair)
    started = await service.start(
        principal=principal_of(request),
        rp=ctx(request).rp,
        record_id=body.record_id,
        locale=body.locale,
    )
    return json_ok({"commitment": started.commitment, "publicKey": started.options})


async def create_request(request: Request) -> Response:
    fields, files = await parse_form(
        request, schemas.NewRepair, files="evidence", max_files=MAX_FILES, max_file_bytes=MAX_BYTES
    )
    created = await service.create(
        principal=principal_of(request),
        rp=ctx(request).rp,
        deadlines=ctx(request).deadlines,
        record_id=fields.record_id,
        statement=fields.statement,
        credential=schemas.credential_of(fields.credential),
        uploads=_uploads(files),
    )
    return json_ok(await views.shape(created, base=views.RESIDENT_BASE), status=201)


async def list_requests(request: Request) -> Response:
    return json_ok({"items": await views.my_list(principal=principal_of(request))})


async def get_request(request: Request) -> Response:
    return json_ok(
        await views.my_view(
            principal=principal_of(request), request_id=path_int(request, "request_id")
        )
    )


async def add_evidence(request: Request) -> Response:
    fields, files = await parse_form(
        request,
        schemas.MoreEvidence,
        files="evidence",
        max_files=MAX_FILES,
        max_file_bytes=MAX_BYTES,
    )
    updated = await service.add_evidence(
        principal=principal_of(request),
        deadlines=ctx(request).deadlines,
        request_id=path_int(request, "request_id"),
        uploads=_uploads(files),
        statement=fields.statement,
    )
    return json_ok(await views.shape(updated, base=views.RESIDENT_BASE))


async def my_evidence(request: Request) -> Response:
    found = await views.my_evidence(
        principal=principal_of(request),
        request_id=path_int(request, "request_id"),
        file_id=path_int(request, "file_id"),
    )
    return download(found)


async def withdraw_request(request: Request) -> Response:
    withdrawn = await service.withdraw(
        principal=principal_of(request), request_id=path_int(request, "request_id")
    )
    return json_ok(await views.shape(withdrawn, base=views.RESIDENT_BASE))


# ---- the department ------------------------------------------------------------------------


async def department_request(request: Request) -> Response:
    return json_ok(
        await views.department_view(
            actor=principal_of(request), request_id=path_int(request, "request_id")
        )
    )


async def department_evidence(request: Request) -> Response:
    found = await views.department_evidence(
        actor=principal_of(request),
        request_id=path_int(request, "request_id"),
        file_id=path_int(request, "file_id"),
    )
    return download(found)


async def accept_request(request: Request) -> Response:
    actor = principal_of(request)
    accepted = await decisions.accept(
        actor=actor,
        department=department_for(actor),
        deadlines=ctx(request).deadlines,
        request_id=path_int(request, "request_id"),
    )
    return json_ok(await views.shape(accepted, base=views.DEPARTMENT_BASE))


async def return_request(request: Request) -> Response:
    body = await parse_json(request, schemas.ReturnRepair)
    actor = principal_of(request)
    returned = await decisions.return_for_more(
        actor=actor,
        department=department_for(actor),
        request_id=path_int(request, "request_id"),
        missing=body.missing,
    )
    return json_ok(await views.shape(returned, base=views.DEPARTMENT_BASE))


async def decide_request(request: Request) -> Response:
    body = await parse_json(request, schemas.DecideRepair)
    actor = principal_of(request)
    decided = await decisions.decide(
        actor=actor,
        department=department_for(actor),
        request_id=path_int(request, "request_id"),
        approve=body.approve,
        reason=body.reason,
        legal_basis=body.legal_basis,
    )
    return json_ok(await views.shape(decided, base=views.DEPARTMENT_BASE))


P = Permission
ME = requires(P.CASES_SELF)
DEPT = requires(P.CASES_DECIDE)
routes = [
    api("GET", "/api/v1/me/repair-options", list_options, operation_id="listMyRepairOptions",
        summary="My negative records: can each be repaired now, and if not why and from when",
        tag="repairs", access=ME),
    api("POST", "/api/v1/me/repairs/start", start_request, operation_id="startRepairRequest",
        summary="The commitment text to sign, and WebAuthn options whose challenge binds it",
        tag="repairs", access=ME, body=schemas.StartRepair),
    api("POST", "/api/v1/me/repairs", create_request, operation_id="createRepairRequest",
        summary="Apply for free credit repair: statement, evidence, the signed commitment",
        tag="repairs", access=ME, form=schemas.NewRepair, status=201),
    api("GET", "/api/v1/me/repairs", list_requests, operation_id="listMyRepairRequests",
        summary="My repair requests", tag="repairs", access=ME),
    api("GET", "/api/v1/me/repairs/{request_id}", get_request, operation_id="getMyRepairRequest",
        summary="One repair request with its timeline", tag="repairs", access=ME),
    api("POST", "/api/v1/me/repairs/{request_id}/evidence", add_evidence,
        operation_id="addRepairEvidence",
        summary="Add material (a returned request goes back to the department with it)",
        tag="repairs", access=ME, form=schemas.MoreEvidence),
    api("GET", "/api/v1/me/repairs/{request_id}/evidence/{file_id}", my_evidence,
        operation_id="getMyRepairEvidence", summary="Download one of my evidence files",
        tag="repairs", access=ME),
    api("POST", "/api/v1/me/repairs/{request_id}/withdraw", withdraw_request,
        operation_id="withdrawRepairRequest", summary="Withdraw an open repair request",
        tag="repairs", access=ME),
    api("GET", "/api/v1/department/repairs/{request_id}", department_request,
        operation_id="getDepartmentRepairRequest",
        summary="One of my department's repair cases (a logged look)", tag="department",
        access=DEPT),
    api("GET", "/api/v1/department/repairs/{request_id}/evidence/{file_id}", department_evidence,
        operation_id="getDepartmentRepairEvidence",
        summary="Download a case's evidence (a logged look)", tag="department", access=DEPT),
    api("POST", "/api/v1/department/repairs/{request_id}/accept", accept_request,
        operation_id="acceptRepairRequest",
        summary="Accept (受理): the decision is due within the working days allowed",
        tag="department", access=DEPT),
    api("POST", "/api/v1/department/repairs/{request_id}/return", return_request,
        operation_id="returnRepairRequest", summary="Return for more material, saying what",
        tag="department", access=DEPT, body=schemas.ReturnRepair),
    api("POST", "/api/v1/department/repairs/{request_id}/decision", decide_request,
        operation_id="decideRepairRequest",
        summary="Approve (the record is repaired at once) or reject, with reasons",
        tag="department", access=DEPT, body=schemas.DecideRepair),
]  # fmt: skip

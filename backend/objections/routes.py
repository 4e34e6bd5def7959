"""HTTP for objections: the resident's, the answering department's, the office's review."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ..core.context import ctx
from ..core.http import json_ok, parse_form, parse_json, path_int
from ..core.permissions import Permission
from ..core.routing import api, principal_of, requires
from ..credit.catalog import department_for
from ..evidence.http import download
from ..evidence.service import MAX_BYTES, MAX_FILES, Upload
from . import schemas, service, views


async def create_objection(request: Request) -> Response:
    fields, files = await parse_form(
        request,
        schemas.NewObjection,
        files="evidence",
        max_files=MAX_FILES,
        max_file_bytes=MAX_BYTES,
    )
    created = await service.create(
        principal=principal_of(request),
        deadlines=ctx(request).deadlines,
        subject=fields.subject,
        subject_id=fields.subject_id,
        reason=fields.reason,
        uploads=[Upload(f.filename, f.content) for f in files],
    )
    return json_ok(await views.shape(created, base=views.RESIDENT_BASE), status=201)


async def list_objections(request: Request) -> Response:
    return json_ok({"items": await views.my_list(principal=principal_of(request))})


async def get_objection(request: Request) -> Response:
    return json_ok(
        await views.my_view(
            principal=principal_of(request), objection_id=path_int(request, "objection_id")
        )
    )


async def my_evidence(request: Request) -> Response:
    return download(
        await views.my_evidence(
            principal=principal_of(request),
            objection_id=path_int(request, "objection_id"),
            file_id=path_int(request, "file_id"),
        )
    )


async def withdraw_objection(request: Request) -> Response:
    withdrawn = await service.withdraw(
        principal=principal_of(request), objection_id=path_int(request, "objection_id")
    )
    return json_ok(await views.shape(withdrawn, base=views.RESIDENT_BASE))


async def request_review(request: Request) -> Response:
    body = await parse_json(request, schemas.ReviewRequest)
    updated = await service.request_review(
        principal=principal_of(request),
        objection_id=path_int(request, "objection_id"),
        reason=body.reason,
    )
    return json_ok(await views.shape(updated, base=views.RESIDENT_BASE))


async def department_objection(request: Request) -> Response:
    return json_ok(
        await views.department_view(
            actor=principal_of(request), objection_id=path_int(request, "objection_id")
        )
    )


async def department_evidence(request: Request) -> Response:
    return download(
        await views.department_evidence(
            actor=principal_of(request),
            objection_id=path_int(request, "objection_id"),
            file_id=path_int(request, "file_id"),
        )
    )


async def answer_objection(request: Request) -> Response:
    body = await parse_json(request, schemas.Answer)
    actor = principal_of(request)
    answered = await service.answer(
        actor=actor,
        department=department_for(actor),
        objection_id=path_int(request, "objection_id"),
        upheld=body.upheld,
        answer_text=body.answer,
        corrected=body.corrected,
    )
    return json_ok(await views.shape(answered, base=views.DEPARTMENT_BASE))


async def decide_review(request: Request) -> Response:
    body = await parse_json(request, schemas.ReviewDecision)
    decided = await service.decide_review(
        officer=principal_of(request),
        objection_id=path_int(request, "objection_id"),
        upheld=body.upheld,
        answer_text=body.answer,
    )
    return json_ok(await views.shape(decided, base=views.RESIDENT_BASE))


P = Permission
ME = requires(P.CASES_SELF)
DEPT = requires(P.CASES_DECIDE)
routes = [
    api("POST", "/api/v1/me/objections", create_objection, operation_id="createObjection",
        summary="Object to a record, a list entry or a reported default, with a reason",
        tag="objections", access=ME, form=schemas.NewObjection, status=201),
    api("GET", "/api/v1/me/objections", list_objections, operation_id="listMyObjections",
        summary="My objections", tag="objections", access=ME),
    api("GET", "/api/v1/me/objections/{objection_id}", get_objection,
        operation_id="getMyObjection", summary="One objection with its timeline",
        tag="objections", access=ME),
    api("GET", "/api/v1/me/objections/{objection_id}/evidence/{file_id}", my_evidence,
        operation_id="getMyObjectionEvidence", summary="Download one of my evidence files",
        tag="objections", access=ME),
    api("POST", "/api/v1/me/objections/{objection_id}/withdraw", withdraw_objection,
        operation_id="withdrawObjection", summary="Withdraw an open objection",
        tag="objections", access=ME),
    api("POST", "/api/v1/me/objections/{objection_id}/review", request_review,
        operation_id="requestObjectionReview",
        summary="Ask the credit office for a human review of a rejected objection",
        tag="objections", access=ME, body=schemas.ReviewRequest),
    api("GET", "/api/v1/department/objections/{objection_id}", department_objection,
        operation_id="getDepartmentObjection",
        summary="One objection my department answers (a logged look)", tag="department",
        access=DEPT),
    api("GET", "/api/v1/department/objections/{objection_id}/evidence/{file_id}",
        department_evidence, operation_id="getDepartmentObjectionEvidence",
        summary="Download an objection's evidence (a logged look)", tag="department",
        access=DEPT),
    api("POST", "/api/v1/department/objections/{objection_id}/answer", answer_objection,
        operation_id="answerObjection",
        summary="Uphold (withdrawn or corrected, re-scored at once) or reject with reasons",
        tag="department", access=DEPT, body=schemas.Answer),
    api("POST", "/api/v1/office/objections/{objection_id}/review", decide_review,
        operation_id="decideObjectionReview", summary="Decide a human review (PIPL Art. 24)",
        tag="office", access=requires(P.CASES_OVERSEE), body=schemas.ReviewDecision),
]  # fmt: skip

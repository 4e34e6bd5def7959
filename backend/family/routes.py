"""HTTP for family help: the grants (invite, accept, list, end), and the helper acting for a
resident under `/api/v1/people/{person_id}/…` — the person named in the path, checked against
an active grant on every request, never a swapped session."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..core.context import client_key, ctx
from ..core.http import json_ok, parse_form, parse_json, path_int
from ..core.permissions import Permission
from ..core.routing import api, principal_of, requires
from ..credit import records as credit
from ..evidence.service import MAX_BYTES, MAX_FILES, Upload
from ..notices import service as notices
from ..objections import schemas as objection_schemas
from ..objections import service as objections
from ..objections import views as objection_views
from ..repairs import schemas as repair_schemas
from ..repairs import service as repairs
from ..repairs import views as repair_views
from . import schemas, service
from .service import Acting


async def invite(request: Request) -> Response:
    body = await parse_json(request, schemas.Invitation)
    grant = await service.invite(principal=principal_of(request), cipher=ctx(request).cipher,
                                 name=body.name, id_number=body.id_number,
                                 relation=body.relation, client_key=client_key(request))  # fmt: skip
    return json_ok({"id": grant.id, "status": grant.status}, status=201)


async def listing(request: Request) -> Response:
    return json_ok(await service.listing(principal=principal_of(request)))


async def accept(request: Request) -> Response:
    grant = await service.accept(principal=principal_of(request),
                                 grant_id=path_int(request, "grant_id"))  # fmt: skip
    return json_ok({"id": grant.id, "status": grant.status})


async def end(request: Request) -> Response:
    grant = await service.end(
        principal=principal_of(request), grant_id=path_int(request, "grant_id")
    )
    return json_ok({"id": grant.id, "status": grant.status, "ended_by": grant.ended_by})


async def _acting(request: Request, what: str, **details: Any) -> Acting:
    acting = await service.acting_for(principal=principal_of(request),
                                      person_id=path_int(request, "person_id"))  # fmt: skip
    await service.log_action(acting, what, **details)
    return acting


def _pid(acting: Acting) -> int:
    return int(acting.grant.person_id)


async def their_score(request: Request) -> Response:
    acting = await _acting(request, "score")
    return json_ok(await credit.my_score(person_id=_pid(acting)))


async def their_records(request: Request) -> Response:
    acting = await _acting(request, "records")
    return json_ok({"items": await credit.my_records(person_id=_pid(acting))})


async def their_lists(request: Request) -> Response:
    acting = await _acting(request, "lists")
    return json_ok({"items": await credit.my_lists(person_id=_pid(acting))})


async def their_inbox(request: Request) -> Response:
    acting = await _acting(request, "inbox")
    box = await notices.inbox(person_id=_pid(acting))
    items = [{"id": n.id, "kind": n.kind, "params": n.params, "link": n.link,
              "created_at": n.created_at.isoformat(), "read": n.read_at is not None}
             for n in box.items]  # fmt: skip
    return json_ok({"items": items, "unread": box.unread})


async def their_cases(request: Request) -> Response:
    acting = await _acting(request, "cases")
    return json_ok({
        "objections": await objection_views.my_list(principal=acting.principal),
        "repairs": await repair_views.my_list(principal=acting.principal),
    })  # fmt: skip


async def object_for(request: Request) -> Response:
    acting = await service.acting_for(principal=principal_of(request),
                                      person_id=path_int(request, "person_id"))  # fmt: skip
    fields, files = await parse_form(request, objection_schemas.NewObjection, files="evidence",
                                     max_files=MAX_FILES, max_file_bytes=MAX_BYTES)  # fmt: skip
    created = await objections.create(
        principal=acting.principal, deadlines=ctx(request).deadlines, subject=fields.subject,
        subject_id=fields.subject_id, reason=fields.reason,
        uploads=[Upload(f.filename, f.content) for f in files],
        filed_by=acting.principal, person_id=_pid(acting),
    )  # fmt: skip
    await service.log_action(acting, "objection", case=created.case_no)
    return json_ok(await objection_views.shape(created, base=objection_views.RESIDENT_BASE),
                   status=201)  # fmt: skip


async def start_repair_for(request: Request) -> Response:
    """The commitment text, and passkey options for the helper's own passkey: the helper signs
    the commitment (the signature names the helper's account)."""
    acting = await service.acting_for(principal=principal_of(request),
                                      person_id=path_int(request, "person_id"))  # fmt: skip
    body = await parse_json(request, repair_schemas.StartRepair)
    started = await repairs.start(principal=acting.principal, rp=ctx(request).rp,
                                  record_id=body.record_id, locale=body.locale)  # fmt: skip
    return json_ok({"commitment": started.commitment, "publicKey": started.options})


async def repair_for(request: Request) -> Response:
    acting = await service.acting_for(principal=principal_of(request),
                                      person_id=path_int(request, "person_id"))  # fmt: skip
    fields, files = await parse_form(request, repair_schemas.NewRepair, files="evidence",
                                     max_files=MAX_FILES, max_file_bytes=MAX_BYTES)  # fmt: skip
    created = await repairs.create(
        principal=acting.principal, rp=ctx(request).rp, deadlines=ctx(request).deadlines,
        record_id=fields.record_id, statement=fields.statement,
        credential=repair_schemas.credential_of(fields.credential),
        uploads=[Upload(f.filename, f.content) for f in files],
    )  # fmt: skip
    await service.log_action(acting, "repair", case=created.case_no)
    return json_ok(await repair_views.shape(created, base=repair_views.RESIDENT_BASE), status=201)


HELP = requires(Permission.RESIDENT_SELF)
routes = [
    api("POST", "/api/v1/me/helpers", invite, operation_id="inviteHelper",
        summary="Invite an enrolled family member to help me (亲情账号)", tag="family",
        access=HELP, body=schemas.Invitation, status=201),
    api("GET", "/api/v1/me/helpers", listing, operation_id="listMyHelpers",
        summary="Who helps me and whom I help", tag="family", access=HELP),
    api("POST", "/api/v1/me/helpers/{grant_id}/accept", accept,
        operation_id="acceptHelperInvitation", summary="Accept an invitation to help",
        tag="family", access=HELP),
    api("POST", "/api/v1/me/helpers/{grant_id}/end", end, operation_id="endHelper",
        summary="End a helper grant, either side, at once", tag="family", access=HELP),
    api("GET", "/api/v1/people/{person_id}/score", their_score, operation_id="getHelpedScore",
        summary="As a helper: the score of the person I help (logged for both)",
        tag="family", access=HELP),
    api("GET", "/api/v1/people/{person_id}/records", their_records,
        operation_id="listHelpedRecords", summary="As a helper: their records", tag="family",
        access=HELP),
    api("GET", "/api/v1/people/{person_id}/lists", their_lists, operation_id="listHelpedLists",
        summary="As a helper: their list entries", tag="family", access=HELP),
    api("GET", "/api/v1/people/{person_id}/notifications", their_inbox,
        operation_id="listHelpedNotifications", summary="As a helper: their inbox",
        tag="family", access=HELP),
    api("GET", "/api/v1/people/{person_id}/cases", their_cases, operation_id="listHelpedCases",
        summary="As a helper: their repair requests and objections", tag="family",
        access=HELP),
    api("POST", "/api/v1/people/{person_id}/objections", object_for,
        operation_id="createHelpedObjection",
        summary="As a helper: object to a record for them (marked by your helper)",
        tag="family", access=HELP, form=objection_schemas.NewObjection, status=201),
    api("POST", "/api/v1/people/{person_id}/repairs/start", start_repair_for,
        operation_id="startHelpedRepair",
        summary="As a helper: the repair commitment to sign with my own passkey",
        tag="family", access=HELP, body=repair_schemas.StartRepair),
    api("POST", "/api/v1/people/{person_id}/repairs", repair_for,
        operation_id="createHelpedRepair",
        summary="As a helper: apply for repair for them (marked by your helper)",
        tag="family", access=HELP, form=repair_schemas.NewRepair, status=201),
]  # fmt: skip

"""HTTP for credit records, scores, lists, department tokens and the public scoring rules."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ..apitokens import service as tokens
from ..audit import service as audit
from ..core.context import ctx
from ..core.errors import NotFound, UnsupportedMediaType, ValidationFailed
from ..core.http import json_ok, parse_json, path_int
from ..core.permissions import Permission
from ..core.routing import PUBLIC, api, page, principal_of, requires
from ..core.templating import render
from . import ingest, records, schemas
from . import lists as lists_service
from .catalog import load_catalog, load_model
from .models import ListEntry


def _person_id(request: Request) -> int:
    principal = principal_of(request)
    if principal.person_id is None:
        raise NotFound("this account has no entry in the population register")
    return principal.person_id


async def submit_records(request: Request) -> Response:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype not in ("application/json", "application/x-ndjson"):
        raise UnsupportedMediaType("send application/json (an array) or application/x-ndjson")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > ingest.MAX_BYTES:
        raise ingest.PayloadTooLarge(f"at most {ingest.MAX_BYTES} bytes per batch")
    result = await ingest.submit_records(
        actor=principal_of(request),
        cipher=ctx(request).cipher,
        items=ingest.read_items(request.stream(), ctype),
    )
    return json_ok(
        {
            "received": result.received,
            "created": result.created,
            "unchanged": result.unchanged,
            "people_rescored": result.people_rescored,
        }
    )


async def correct_record(request: Request) -> Response:
    body = await parse_json(request, schemas.CorrectRecord)
    changes = body.model_dump(exclude_unset=True, exclude_none=True)
    if not changes:
        raise ValidationFailed(
            "nothing to correct",
            errors=[{"field": "(body)", "message": "no fields", "type": "missing"}],
        )
    record = await records.correct_record(
        actor=principal_of(request),
        cipher=ctx(request).cipher,
        external_id=request.path_params["external_id"],
        changes=changes,
    )
    return json_ok(
        {"external_id": record.external_id, "revision": record.revision, "status": record.status}
    )


async def withdraw_record(request: Request) -> Response:
    body = await parse_json(request, schemas.WithdrawRecord)
    record = await records.withdraw_record(
        actor=principal_of(request),
        external_id=request.path_params["external_id"],
        reason=body.reason,
    )
    return json_ok({"external_id": record.external_id, "status": record.status})


async def get_my_score(request: Request) -> Response:
    return json_ok(await records.my_score(person_id=_person_id(request)))


async def get_score_history(request: Request) -> Response:
    return json_ok({"items": await records.my_history(person_id=_person_id(request))})


async def list_my_records(request: Request) -> Response:
    status = request.query_params.get("status") or None
    return json_ok(
        {"items": await records.my_records(person_id=_person_id(request), status=status)}
    )


async def get_my_record(request: Request) -> Response:
    return json_ok(
        await records.my_record(
            person_id=_person_id(request), record_id=path_int(request, "record_id")
        )
    )


async def get_my_lists(request: Request) -> Response:
    return json_ok({"items": await records.my_lists(person_id=_person_id(request))})


async def get_scoring_rules(request: Request) -> Response:
    return json_ok(records.scoring_rules(), headers={"cache-control": "public, max-age=300"})


async def scoring_page(request: Request) -> Response:
    return render(request, "scoring.html", {"rules": records.scoring_rules()})


async def create_token(request: Request) -> Response:
    body = await parse_json(request, schemas.CreateToken)
    if body.department not in load_catalog().departments:
        raise ValidationFailed(
            "unknown department",
            errors=[
                {
                    "field": "department",
                    "message": "a department code from getScoringRules",
                    "type": "enum",
                }
            ],
        )
    row, secret = await tokens.create_token(
        officer=principal_of(request),
        kind="department",
        organisation=body.department,
        label=body.label,
        scopes=["records.submit"],
    )
    return json_ok(
        {"id": row.id, "department": row.organisation, "prefix": row.prefix, "token": secret},
        status=201,
    )


async def list_tokens(request: Request) -> Response:
    rows = await tokens.list_tokens(kind="department")
    return json_ok(
        {
            "items": [
                {
                    "id": t.id,
                    "department": t.organisation,
                    "label": t.label,
                    "prefix": t.prefix,
                    "created_at": t.created_at.isoformat(),
                    "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
                    "revoked": t.revoked_at is not None,
                }
                for t in rows
            ]
        }
    )


async def revoke_token(request: Request) -> Response:
    await tokens.revoke_token(officer=principal_of(request), token_id=path_int(request, "token_id"))
    return Response(status_code=204)


def _entry(entry: ListEntry) -> dict[str, object]:
    return records.describe_entry(entry, load_model()) | {
        "person_id": entry.person_id,
        "status": entry.status,
        "proposed_by": entry.proposed_by_id,
        "lift_proposed_by": entry.lift_proposed_by_id,
    }


async def propose_list_entry(request: Request) -> Response:
    body = await parse_json(request, schemas.ProposeListEntry)
    from ..residents.models import Person

    if not await Person.filter(id=body.person_id).exists():
        raise NotFound("no such person")
    entry = await lists_service.propose(
        officer=principal_of(request),
        person_id=body.person_id,
        kind=body.list,
        reason=body.reason,
        legal_basis=body.legal_basis,
        decision_doc_no=body.decision_doc_no,
        start=body.start,
        end=body.end,
    )
    return json_ok(_entry(entry), status=201)


async def decide_list_entry(request: Request) -> Response:
    body = await parse_json(request, schemas.Decision)
    entry = await lists_service.decide(
        officer=principal_of(request), entry_id=path_int(request, "entry_id"), approve=body.approve
    )
    return json_ok(_entry(entry))


async def propose_list_lift(request: Request) -> Response:
    body = await parse_json(request, schemas.LiftProposal)
    entry = await lists_service.propose_lift(
        officer=principal_of(request), entry_id=path_int(request, "entry_id"), reason=body.reason
    )
    return json_ok(_entry(entry))


async def approve_list_lift(request: Request) -> Response:
    entry = await lists_service.approve_lift(
        officer=principal_of(request), entry_id=path_int(request, "entry_id")
    )
    return json_ok(_entry(entry))


async def pending_list_entries(request: Request) -> Response:
    entries = await lists_service.pending()
    await audit.record_looks(
        actor=principal_of(request),
        person_ids=[e.person_id for e in entries],
        purpose="list review",
    )
    return json_ok({"items": [_entry(e) for e in entries]})


SUBMIT = requires(Permission.RECORDS_SUBMIT)
MINE = requires(Permission.SCORE_SELF)
LISTS = requires(Permission.LISTS_MANAGE)
TOKENS = requires(Permission.TOKENS_MANAGE)
routes = [
    api(
        "POST",
        "/api/v1/records",
        submit_records,
        operation_id="submitRecords",
        summary=f"Submit records: JSON array or NDJSON, all-or-nothing, idempotent, ≤{ingest.MAX_RECORDS}",
        tag="departments",
        access=SUBMIT,
        body=schemas.RecordBatch,
    ),
    api(
        "PATCH",
        "/api/v1/records/{external_id}",
        correct_record,
        operation_id="correctRecord",
        summary="Correct one of my department's records",
        tag="departments",
        access=SUBMIT,
        body=schemas.CorrectRecord,
    ),
    api(
        "POST",
        "/api/v1/records/{external_id}/withdraw",
        withdraw_record,
        operation_id="withdrawRecord",
        summary="Withdraw one of my department's records",
        tag="departments",
        access=SUBMIT,
        body=schemas.WithdrawRecord,
    ),
    api(
        "GET",
        "/api/v1/me/score",
        get_my_score,
        operation_id="getMyScore",
        summary="My score, tier, model version, breakdown and reasons",
        tag="credit",
        access=MINE,
    ),
    api(
        "GET",
        "/api/v1/me/score/history",
        get_score_history,
        operation_id="getScoreHistory",
        summary="My score over time",
        tag="credit",
        access=MINE,
    ),
    api(
        "GET",
        "/api/v1/me/records",
        list_my_records,
        operation_id="listMyRecords",
        summary="My credit records",
        tag="credit",
        access=MINE,
    ),
    api(
        "GET",
        "/api/v1/me/records/{record_id}",
        get_my_record,
        operation_id="getMyRecord",
        summary="One of my records in full",
        tag="credit",
        access=MINE,
    ),
    api(
        "GET",
        "/api/v1/me/lists",
        get_my_lists,
        operation_id="getMyLists",
        summary="Red, gray or black list entries about me",
        tag="credit",
        access=MINE,
    ),
    api(
        "GET",
        "/api/v1/scoring-rules",
        get_scoring_rules,
        operation_id="getScoringRules",
        summary="The public catalog and score model",
        tag="credit",
        access=PUBLIC,
    ),
    api(
        "POST",
        "/api/v1/department-tokens",
        create_token,
        operation_id="createDepartmentToken",
        summary="A department API token (shown once)",
        tag="office",
        access=TOKENS,
        body=schemas.CreateToken,
        status=201,
    ),
    api(
        "GET",
        "/api/v1/department-tokens",
        list_tokens,
        operation_id="listDepartmentTokens",
        summary="Department API tokens",
        tag="office",
        access=TOKENS,
    ),
    api(
        "DELETE",
        "/api/v1/department-tokens/{token_id}",
        revoke_token,
        operation_id="revokeDepartmentToken",
        summary="Revoke a department API token",
        tag="office",
        access=TOKENS,
        status=204,
    ),
    api(
        "POST",
        "/api/v1/list-entries",
        propose_list_entry,
        operation_id="proposeListEntry",
        summary="Propose a manual list entry (a second officer decides)",
        tag="office",
        access=LISTS,
        body=schemas.ProposeListEntry,
        status=201,
    ),
    api(
        "POST",
        "/api/v1/list-entries/{entry_id}/decision",
        decide_list_entry,
        operation_id="decideListEntry",
        summary="Approve or reject another officer's proposal",
        tag="office",
        access=LISTS,
        body=schemas.Decision,
    ),
    api(
        "POST",
        "/api/v1/list-entries/{entry_id}/lift",
        propose_list_lift,
        operation_id="proposeListLift",
        summary="Propose lifting a manual entry",
        tag="office",
        access=LISTS,
        body=schemas.LiftProposal,
    ),
    api(
        "POST",
        "/api/v1/list-entries/{entry_id}/lift/approve",
        approve_list_lift,
        operation_id="approveListLift",
        summary="Approve another officer's lifting proposal",
        tag="office",
        access=LISTS,
    ),
    api(
        "GET",
        "/api/v1/list-entries/pending",
        pending_list_entries,
        operation_id="listPendingListEntries",
        summary="Proposals waiting for a second officer",
        tag="office",
        access=LISTS,
    ),
    page("/scoring", scoring_page, name="scoring", access=PUBLIC),
]

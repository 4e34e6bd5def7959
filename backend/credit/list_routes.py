"""HTTP for manual list entries (红黑名单): proposals, decisions and lifting, four eyes each.
The rules are in `lists.py`; these handlers parse, call one use case and answer."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ..core.http import json_ok, parse_json, path_int
from ..core.permissions import Permission
from ..core.routing import api, principal_of, requires
from . import lists, records, schemas
from .catalog import load_model
from .models import ListEntry


def _entry(entry: ListEntry) -> dict[str, object]:
    return records.describe_entry(entry, load_model()) | {
        "person_id": entry.person_id,
        "status": entry.status,
        "proposed_by": entry.proposed_by_id,
        "lift_proposed_by": entry.lift_proposed_by_id,
    }


async def propose_list_entry(request: Request) -> Response:
    body = await parse_json(request, schemas.ProposeListEntry)
    entry = await lists.propose(
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
    entry = await lists.decide(
        officer=principal_of(request), entry_id=path_int(request, "entry_id"), approve=body.approve
    )
    return json_ok(_entry(entry))


async def propose_list_lift(request: Request) -> Response:
    body = await parse_json(request, schemas.LiftProposal)
    entry = await lists.propose_lift(
        officer=principal_of(request), entry_id=path_int(request, "entry_id"), reason=body.reason
    )
    return json_ok(_entry(entry))


async def approve_list_lift(request: Request) -> Response:
    entry = await lists.approve_lift(
        officer=principal_of(request), entry_id=path_int(request, "entry_id")
    )
    return json_ok(_entry(entry))


async def pending_list_entries(request: Request) -> Response:
    entries = await lists.review_pending(officer=principal_of(request))
    return json_ok({"items": [_entry(e) for e in entries]})


LISTS = requires(Permission.LISTS_MANAGE)
routes = [
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
]

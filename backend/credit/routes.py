"""HTTP for credit records and scores: department submissions and corrections, a resident's
own score, records and lists, and the public scoring rules. The list-entry API is in
`list_routes.py`; department tokens are in `apitokens.routes`."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ..core.context import ctx
from ..core.errors import NotFound
from ..core.http import declared_length, json_ok, media_type, parse_json, path_int, query_of
from ..core.permissions import Permission
from ..core.routing import PUBLIC, api, page, principal_of, requires
from ..core.templating import render
from . import ingest, records, schemas


def _person_id(request: Request) -> int:
    principal = principal_of(request)
    if principal.person_id is None:
        raise NotFound("this account has no entry in the population register")
    return principal.person_id


async def submit_records(request: Request) -> Response:
    result = await ingest.submit_records(
        actor=principal_of(request),
        cipher=ctx(request).cipher,
        content_type=media_type(request),
        declared_bytes=declared_length(request),
        body=request.stream(),
        unknown_budget=ctx(request).settings.register_unknown_budget,
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
    record = await records.correct_record(
        actor=principal_of(request),
        cipher=ctx(request).cipher,
        external_id=request.path_params["external_id"],
        changes=body.model_dump(exclude_unset=True, exclude_none=True),
        unknown_budget=ctx(request).settings.register_unknown_budget,
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
    status = query_of(request, schemas.RecordsQuery).status
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


SUBMIT = requires(Permission.RECORDS_SUBMIT)
EXTERNAL_ID = {"type": "string", "minLength": 1, "maxLength": 64}
MINE = requires(Permission.SCORE_SELF)
routes = [
    api(
        "POST",
        "/api/v1/records",
        submit_records,
        operation_id="submitRecords",
        summary=f"Submit records: JSON array or NDJSON, all-or-nothing, idempotent, ≤{ingest.MAX_RECORDS}",
        tag="departments",
        access=SUBMIT,
        media={  # the body the server takes: an array, or one record per line
            "application/json": {
                "type": "array",
                "maxItems": ingest.MAX_RECORDS,
                "model": schemas.SubmittedRecord,
            },
            "application/x-ndjson": {
                "type": "string",
                "description": "one SubmittedRecord JSON object per line (UTF-8, at most "
                f"{ingest.MAX_LINE} bytes a line, {ingest.MAX_RECORDS} lines)",
            },
        },
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
        path_params={"external_id": EXTERNAL_ID},
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
        path_params={"external_id": EXTERNAL_ID},
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
        query=schemas.RecordsQuery,
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
    page("/scoring", scoring_page, name="scoring", access=PUBLIC),
]

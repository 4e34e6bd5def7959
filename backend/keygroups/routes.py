"""HTTP for key groups: a department reports memberships; the office sees coverage."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ..core.context import ctx
from ..core.http import declared_length, json_ok, media_type
from ..core.permissions import Permission
from ..core.routing import api, principal_of, requires
from . import schemas, service


async def submit_memberships(request: Request) -> Response:
    result = await service.submit_memberships(
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
            "updated": result.updated,
            "unchanged": result.unchanged,
        }
    )


async def key_group_coverage(request: Request) -> Response:
    return json_ok({"groups": await service.coverage()})


routes = [
    api(
        "POST",
        "/api/v1/occupation-memberships",
        submit_memberships,
        operation_id="submitOccupationMemberships",
        summary="Report key-group memberships: JSON array or NDJSON, all-or-nothing, idempotent, "
        f"≤{service.MAX_MEMBERSHIPS}",
        tag="departments",
        access=requires(Permission.RECORDS_SUBMIT),
        response=schemas.MembershipBatchResult,
        media={
            "application/json": {
                "type": "array",
                "maxItems": service.MAX_MEMBERSHIPS,
                "model": schemas.SubmittedMembership,
            },
            "application/x-ndjson": {
                "type": "string",
                "description": "one SubmittedMembership JSON object per line",
            },
        },
    ),
    api(
        "GET",
        "/api/v1/office/key-groups",
        key_group_coverage,
        operation_id="getKeyGroupCoverage",
        summary="The 16 key groups: members and members with records, per group and department",
        tag="office",
        access=requires(Permission.DASHBOARD),
        response=schemas.KeyGroupCoverage,
    ),
]

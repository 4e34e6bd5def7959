"""HTTP for the register feed: the population database's system sends changes as NDJSON."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ..core.context import ctx
from ..core.http import json_ok, media_type, read_body
from ..core.permissions import Permission
from ..core.routing import api, principal_of, requires
from . import schemas, service


async def import_register_changes(request: Request) -> Response:
    content_type = media_type(request)
    service.check_media_type(content_type)
    run = await service.import_changes(
        actor=principal_of(request),
        cipher=ctx(request).cipher,
        city_file=ctx(request).settings.city_file,
        body=await read_body(request, service.MAX_API_BYTES),
    )
    return json_ok(service.run_answer(run))


routes = [
    api(
        "POST",
        "/api/v1/register/changes",
        import_register_changes,
        operation_id="importRegisterChanges",
        summary="The population database's changes (NDJSON, one person a line): each line "
        f"applied or reported, idempotent by sequence number, ≤{service.MAX_API_LINES} lines",
        tag="register",
        access=requires(Permission.REGISTER_IMPORT),
        response=schemas.RegisterImportResult,
        media={
            "application/x-ndjson": {
                "type": "string",
                "description": "one RegisterChange JSON object per line",
                "maxLength": service.MAX_API_BYTES,
            },
        },
    ),
]

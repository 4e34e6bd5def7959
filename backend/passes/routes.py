"""HTTP for the resident's pass (issuing it to a device, the devices holding one) and the
signed status list that offline verifiers fetch."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from webauthn.helpers import bytes_to_base64url

from ..core import clock
from ..core.context import device_label
from ..core.http import json_ok, parse_json, path_int
from ..core.keys import KeyRing
from ..core.permissions import Permission
from ..core.routing import api, principal_of, requires
from . import schemas, service
from .format import STEP_SECONDS, VERSION


def keyring_of(request: Request) -> KeyRing:
    ring: KeyRing = request.app.state.keyring
    return ring


async def issue_pass(request: Request) -> Response:
    body = await parse_json(request, schemas.IssuePass)
    issued = await service.issue_pass(
        principal=principal_of(request),
        keyring=keyring_of(request),
        device_jwk=body.device_key.members(),
        label=body.label or device_label(request),
        presentation_jwk=body.presentation_key.members() if body.presentation_key else None,
    )
    row = issued.row
    return json_ok(
        {
            "certificate": bytes_to_base64url(issued.certificate),
            "pass_id": row.pass_id,
            "tier": row.tier,
            "flags": row.flags,
            "issued_at": row.issued_at.isoformat(),
            "expires_at": row.expires_at.isoformat(),
            "device_id": issued.device.id if issued.device else None,
            "server_time": int(clock.now().timestamp()),
            "step_seconds": STEP_SECONDS,
            "format_version": VERSION,
        },
        status=201,
    )


async def list_devices(request: Request) -> Response:
    rows = await service.list_devices(principal=principal_of(request))
    return json_ok(
        {
            "items": [
                {
                    "id": d.id,
                    "kind": d.kind,
                    "label": d.label,
                    "expires_at": d.expires_at.isoformat() if d.expires_at else None,
                    "created_at": d.created_at.isoformat(),
                    "last_issued_at": d.last_issued_at.isoformat() if d.last_issued_at else None,
                }
                for d in rows
            ]
        }
    )


async def remove_device(request: Request) -> Response:
    await service.remove_device(
        principal=principal_of(request), device_id=path_int(request, "device_id")
    )
    return Response(status_code=204)


async def status_list(request: Request) -> Response:
    token = await service.status_list(keyring=keyring_of(request))
    return Response(
        token, media_type="application/statuslist+jwt", headers={"cache-control": "max-age=30"}
    )


P = Permission
routes = [
    api(
        "POST",
        "/api/v1/me/pass",
        issue_pass,
        operation_id="issuePass",
        summary="A day-long pass certificate bound to this device's P-256 key",
        tag="pass",
        access=requires(P.PASS_SELF),
        body=schemas.IssuePass,
        status=201,
    ),
    api(
        "GET",
        "/api/v1/me/devices",
        list_devices,
        operation_id="listMyDevices",
        summary="Devices holding a pass key, and unexpired paper passes",
        tag="pass",
        access=requires(P.PASS_SELF),
    ),
    api(
        "DELETE",
        "/api/v1/me/devices/{device_id}",
        remove_device,
        operation_id="removeMyDevice",
        summary="Remove a device or a paper pass: its passes are revoked",
        tag="pass",
        access=requires(P.PASS_SELF),
        status=204,
    ),
    api(
        "GET",
        "/api/v1/passes/status-list",
        status_list,
        operation_id="getPassStatusList",
        summary="Signed status list (EdDSA JWT) for offline verification",
        tag="partners",
        access=requires(P.PASS_VERIFY),
    ),
]

"""HTTP for getOfflineBundle (the use case is in `bundle.py`)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ..core.http import json_ok
from ..core.keys import KeyRing
from ..core.permissions import Permission
from ..core.routing import api, principal_of, requires
from . import bundle


async def offline_bundle(request: Request) -> Response:
    keyring: KeyRing = request.app.state.keyring
    found = await bundle.offline_bundle(actor=principal_of(request), keyring=keyring)
    response = json_ok(found)
    response.headers["cache-control"] = "no-store"  # it holds keys
    return response


routes = [
    api("GET", "/api/v1/passes/offline-bundle", offline_bundle, operation_id="getOfflineBundle",
        summary="Keys, eligibility keys, status list and offers for offline verification",
        tag="partners", access=requires(Permission.PASS_VERIFY)),
]  # fmt: skip

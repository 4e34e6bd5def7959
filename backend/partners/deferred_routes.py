"""HTTP for 容缺受理 at a government counter through the partner API: accept with a document
missing, list the counter's open acceptances, record the document handed in. The counter page
does the same in `pages.py`."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request
from starlette.responses import Response

from ..commitments.deferrals import describe
from ..commitments.models import DeferredAcceptance
from ..core.context import ctx
from ..core.http import json_ok, parse_json, path_int
from ..core.keys import KeyRing
from ..core.permissions import Permission
from ..core.routing import api, principal_of, requires
from ..core.templating import request_locale
from . import deferred


class NewDeferral(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=2000, description="the scanned QR text")
    matter: str = Field(min_length=1, max_length=100, description="the matter applied for")
    document: str = Field(min_length=1, max_length=32, description="the missing document's code")
    due_on: dt.date = Field(description="the day by which the document is due")


def _shape(request: Request, row: DeferredAcceptance) -> dict[str, object]:
    locale = request_locale(request)
    return describe(row, locale=locale if locale in ("zh-CN", "en") else "zh-CN")


async def create_deferral(request: Request) -> Response:
    body = await parse_json(request, NewDeferral)
    keyring: KeyRing = request.app.state.keyring
    row = await deferred.accept_with_missing_document(
        actor=principal_of(request),
        keyring=keyring,
        text=body.text,
        matter=body.matter,
        document=body.document,
        due_on=body.due_on,
        calendar=ctx(request).deadlines.calendar,
    )
    return json_ok(_shape(request, row), status=201)


async def list_deferrals(request: Request) -> Response:
    rows = await deferred.open_at_desk(actor=principal_of(request))
    return json_ok({"items": [_shape(request, r) for r in rows]})


async def receive_document(request: Request) -> Response:
    row = await deferred.documents_received(
        actor=principal_of(request), deferral_id=path_int(request, "deferral_id")
    )
    return json_ok(_shape(request, row))


P = Permission
routes = [
    api("POST", "/api/v1/deferred-acceptances", create_deferral,
        operation_id="createDeferredAcceptance",
        summary="容缺受理: accept a red-list resident's application with a document to follow",
        tag="partners", access=requires(P.REDEMPTION_CREATE), body=NewDeferral, status=201),
    api("GET", "/api/v1/deferred-acceptances", list_deferrals,
        operation_id="listDeferredAcceptances",
        summary="This counter's acceptances waiting for a signature or a document",
        tag="partners", access=requires(P.PASS_VERIFY)),
    api("POST", "/api/v1/deferred-acceptances/{deferral_id}/received", receive_document,
        operation_id="receiveDeferredDocument",
        summary="The missing document was handed in: the commitment is kept",
        tag="partners", access=requires(P.REDEMPTION_CREATE)),
]  # fmt: skip

"""HTTP for credit commitments: the published texts, signing one with a passkey, mine."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request
from starlette.responses import Response

from ..core.context import ctx
from ..core.http import json_ok, parse_json, path_int, query_of
from ..core.permissions import Permission
from ..core.routing import api, principal_of, requires
from ..core.templating import request_locale
from . import deferrals, service
from .signing import sign_standalone


class TemplatesQuery(BaseModel):
    locale: Literal["zh-CN", "en"] | None = None


class StartSigning(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=1, max_length=32, pattern=r"^[a-z_]+$")
    locale: Literal["zh-CN", "en"] = "zh-CN"


class Signed(BaseModel):
    """The WebAuthn assertion over the challenge startCommitmentSigning returned."""

    model_config = ConfigDict(extra="forbid")
    credential: dict[str, Any]


async def list_templates(request: Request) -> Response:
    locale = query_of(request, TemplatesQuery).locale or request_locale(request)
    return json_ok({"items": service.templates(locale if locale in ("zh-CN", "en") else "zh-CN")})


async def start_signing(request: Request) -> Response:
    body = await parse_json(request, StartSigning)
    started = await service.start_signing(
        principal=principal_of(request), rp=ctx(request).rp, code=body.code, locale=body.locale
    )
    return json_ok({"commitment": started.commitment, "publicKey": started.options})


async def sign(request: Request) -> Response:
    body = await parse_json(request, Signed, max_bytes=32 * 1024)
    row = await sign_standalone(
        principal=principal_of(request), rp=ctx(request).rp, credential=body.credential
    )
    return json_ok(service.summary(row), status=201)


async def my_commitments(request: Request) -> Response:
    return json_ok({"items": await service.mine(principal=principal_of(request))})


class StartDeferralSigning(BaseModel):
    model_config = ConfigDict(extra="forbid")
    locale: Literal["zh-CN", "en"] = "zh-CN"


def _locale(request: Request) -> str:
    locale = request_locale(request)
    return locale if locale in ("zh-CN", "en") else "zh-CN"


async def my_deferrals(request: Request) -> Response:
    items = await deferrals.mine(principal=principal_of(request), locale=_locale(request))
    return json_ok({"items": items})


async def start_deferral_signing(request: Request) -> Response:
    body = await parse_json(request, StartDeferralSigning)
    started = await deferrals.start_signing(
        principal=principal_of(request),
        rp=ctx(request).rp,
        deferral_id=path_int(request, "deferral_id"),
        locale=body.locale,
    )
    return json_ok({"commitment": started.commitment, "publicKey": started.options})


async def sign_deferral(request: Request) -> Response:
    body = await parse_json(request, Signed, max_bytes=32 * 1024)
    row = await deferrals.sign(
        principal=principal_of(request),
        rp=ctx(request).rp,
        deferral_id=path_int(request, "deferral_id"),
        credential=body.credential,
    )
    return json_ok(deferrals.describe(row, locale=_locale(request)))


ME = requires(Permission.CASES_SELF)
routes = [
    api("GET", "/api/v1/commitment-templates", list_templates,
        operation_id="listCommitmentTemplates",
        summary="The published credit commitment texts (newest version of each)",
        tag="commitments", access=ME, query=TemplatesQuery),
    api("POST", "/api/v1/me/commitments/start", start_signing,
        operation_id="startCommitmentSigning",
        summary="The exact text, and WebAuthn options whose challenge binds its SHA-256",
        tag="commitments", access=ME, body=StartSigning),
    api("POST", "/api/v1/me/commitments", sign, operation_id="signCommitment",
        summary="Sign a published commitment with my passkey", tag="commitments", access=ME,
        body=Signed, status=201),
    api("GET", "/api/v1/me/commitments", my_commitments, operation_id="listMyCommitments",
        summary="Every commitment I signed, with the exact text", tag="commitments", access=ME),
    api("GET", "/api/v1/me/deferred-acceptances", my_deferrals,
        operation_id="listMyDeferredAcceptances",
        summary="My applications accepted with a document to follow (容缺受理)",
        tag="commitments", access=ME),
    api("POST", "/api/v1/me/deferred-acceptances/{deferral_id}/start", start_deferral_signing,
        operation_id="startDeferredAcceptanceSigning",
        summary="The commitment to hand in the missing document, and WebAuthn options",
        tag="commitments", access=ME, body=StartDeferralSigning),
    api("POST", "/api/v1/me/deferred-acceptances/{deferral_id}/sign", sign_deferral,
        operation_id="signDeferredAcceptance",
        summary="Sign the commitment with my passkey: the acceptance holds until the due date",
        tag="commitments", access=ME, body=Signed),
]  # fmt: skip

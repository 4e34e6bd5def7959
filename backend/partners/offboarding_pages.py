"""HTTP for offboarding at partners (`offboarding`): the credit office disables a partner (page
and API), a partner administrator disables an operator. HTTP only."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request
from starlette.responses import Response

from ..core.forms import path_id, redirect, text
from ..core.http import json_ok, parse_json, path_int
from ..core.permissions import Permission
from ..core.routing import api, page, principal_of, requires
from . import offboarding


class DisablePartner(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=200)


async def disable_partner_page(request: Request) -> Response:
    form = await request.form()
    await offboarding.disable_partner(
        officer=principal_of(request),
        partner_id=path_id(request, "partner_id"),
        reason=text(form, "reason"),
    )
    return redirect("/office/partners?done=disabled")


async def disable_partner_api(request: Request) -> Response:
    body = await parse_json(request, DisablePartner)
    done = await offboarding.disable_partner(
        officer=principal_of(request),
        partner_id=path_int(request, "partner_id"),
        reason=body.reason,
    )
    return json_ok(
        {
            "id": done.partner.id,
            "status": str(done.partner.status),
            "keys_revoked": done.keys_revoked,
            "accounts_disabled": done.accounts_disabled,
        }
    )


async def disable_operator_page(request: Request) -> Response:
    form = await request.form()
    await offboarding.disable_operator(
        admin=principal_of(request),
        account_id=path_id(request, "account_id"),
        reason=text(form, "reason"),
    )
    return redirect("/partner#operators")


routes = [
    page("/office/partners/{partner_id:int}/disable", disable_partner_page,
         name="office_partner_disable", methods=("POST",),
         access=requires(Permission.PARTNERS_APPROVE)),
    api("POST", "/api/v1/partners/{partner_id}/disable", disable_partner_api,
        operation_id="disablePartner",
        summary="Offboard a partner: suspended, every key revoked, every staff account disabled",
        tag="partners", access=requires(Permission.PARTNERS_APPROVE), body=DisablePartner),
    page("/partner/operators/{account_id:int}/disable", disable_operator_page,
         name="partner_operator_disable", methods=("POST",),
         access=requires(Permission.PARTNER_MANAGE)),
]  # fmt: skip

"""HTTP for joining (applyAsPartner, public) and the credit office's decisions on partners and
offers. They stay with the partner workflow they change, like every workflow's API; the
office's server-rendered pages for the same decisions are in `office/partner_pages.py`."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ..core.context import client_key
from ..core.http import json_ok, parse_json, path_int, query_of
from ..core.permissions import Permission
from ..core.routing import PUBLIC, api, principal_of, requires
from . import joining, offers, schemas, shapes


async def apply_partner(request: Request) -> Response:
    body = await parse_json(request, schemas.PartnerApplication)
    partner = await joining.apply(
        name=body.name,
        domain=body.domain,
        contact_name=body.contact_name,
        contact_phone=body.contact_phone,
        address=body.address,
        client_key=client_key(request),
    )
    return json_ok({"id": partner.id, "status": partner.status}, status=201)


async def list_partners(request: Request) -> Response:
    found = await joining.partners(status=query_of(request, schemas.PartnersQuery).status)
    return json_ok({"items": [shapes.partner(p) for p in found]})


async def decide_partner(request: Request) -> Response:
    body = await parse_json(request, schemas.Decision)
    partner, code = await joining.decide_partner(
        officer=principal_of(request),
        partner_id=path_int(request, "partner_id"),
        approve=body.approve,
    )
    return json_ok(shapes.partner(partner) | {"admin_enrolment_code": code})


async def pending_offers(request: Request) -> Response:
    pending = await offers.pending_offers()
    return json_ok({"items": [shapes.offer(o, p) for o, p in pending]})


async def decide_offer(request: Request) -> Response:
    body = await parse_json(request, schemas.Decision)
    offer = await offers.decide_offer(
        officer=principal_of(request), offer_id=path_int(request, "offer_id"), approve=body.approve
    )
    return json_ok(shapes.offer(offer))


P = Permission
routes = [
    api("POST", "/api/v1/partner-applications", apply_partner, operation_id="applyAsPartner",
        summary="Apply to join as a partner (the credit office decides)", tag="partners",
        access=PUBLIC, body=schemas.PartnerApplication, status=201),
    api("GET", "/api/v1/partners", list_partners, operation_id="listPartners",
        summary="Partners and applications", tag="office", access=requires(P.PARTNERS_APPROVE),
        query=schemas.PartnersQuery),
    api("POST", "/api/v1/partners/{partner_id}/decision", decide_partner,
        operation_id="decidePartner", summary="Approve or reject a partner application",
        tag="office", access=requires(P.PARTNERS_APPROVE), body=schemas.Decision),
    api("GET", "/api/v1/offers/pending", pending_offers, operation_id="listPendingOffers",
        summary="Offers waiting for approval", tag="office",
        access=requires(P.PARTNERS_APPROVE)),
    api("POST", "/api/v1/offers/{offer_id}/decision", decide_offer, operation_id="decideOffer",
        summary="Approve or reject an offer", tag="office", access=requires(P.PARTNERS_APPROVE),
        body=schemas.Decision),
]  # fmt: skip

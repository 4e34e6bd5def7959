"""HTTP for the partner API (counters, offers, redemptions, keys, staff) and the resident's
view of offers and benefits. Joining and the credit office's decisions are in
`approval_routes.py`; the resident's pass itself is in `passes/routes.py`."""

from __future__ import annotations

import datetime as dt

from starlette.requests import Request
from starlette.responses import Response

from ..core import clock
from ..core.errors import NotFound, invalid
from ..core.http import json_ok, parse_json, path_int, query_of
from ..core.keys import KeyRing
from ..core.permissions import Permission
from ..core.ratelimit import KeyLimiter
from ..core.routing import api, principal_of, requires
from . import checks, offers, redemptions, schemas, service, shapes


def _keyring(request: Request) -> KeyRing:
    ring: KeyRing = request.app.state.keyring
    return ring


async def _limit(request: Request) -> None:
    principal = principal_of(request)
    if principal.token_id is not None:
        limiter: KeyLimiter = request.app.state.api_key_limiter
        await limiter.acquire(f"token:{principal.token_id}")


# ---- resident ------------------------------------------------------------------------


async def browse_offers(request: Request) -> Response:
    found = await offers.browse(
        principal=principal_of(request), domain=query_of(request, schemas.OffersQuery).domain
    )
    return json_ok(
        {
            "tier": found.tier,
            "lists": sorted(found.lists),
            "items": [
                shapes.offer(o, p) | {"eligible": reason is None, "why_not": reason}
                for o, p, reason in found.offers
            ],
        }
    )


async def my_benefits(request: Request) -> Response:
    principal = principal_of(request)
    if principal.person_id is None:
        raise NotFound("this account has no entry in the population register")
    return json_ok({"items": await redemptions.benefit_history(person_id=principal.person_id)})


# ---- partner API ---------------------------------------------------------------------


async def verify_pass(request: Request) -> Response:
    await _limit(request)
    body = await parse_json(request, schemas.VerifyPass)
    checked = await checks.check_pass(
        actor=principal_of(request),
        keyring=_keyring(request),
        text=body.text,
        offer_id=body.offer_id,
    )
    cert = checked.verdict.certificate
    return json_ok(
        {
            "valid": checked.verdict.valid,
            "reason": checked.verdict.reason,
            "tier": cert.tier if cert and checked.verdict.valid else None,
            "paper": bool(cert and cert.paper),
            "requires_id_check": bool(cert and cert.paper),
            "masked_name": checks.masked_name(checked.person) if checked.verdict.valid else None,
            "certificate_expires_at": dt.datetime.fromtimestamp(cert.expires_at, dt.UTC).isoformat()
            if cert
            else None,
            "eligible_offers": [shapes.offer(o) for o in checked.eligible],
            "ineligible_offers": [shapes.offer(o) | {"why_not": r} for o, r in checked.ineligible],
            "handling": [h.shape() for h in checked.hints],
            "server_time": int(clock.now().timestamp()),
        }
    )


async def create_redemption(request: Request) -> Response:
    await _limit(request)
    body = await parse_json(request, schemas.CreateRedemption)
    key = body.idempotency_key or request.headers.get("idempotency-key") or None
    if key is not None and not 8 <= len(key) <= 64:
        raise invalid("idempotency_key", "Idempotency-Key must be 8 to 64 characters")
    redemption, created = await redemptions.redeem(
        actor=principal_of(request),
        keyring=_keyring(request),
        text=body.text,
        offer_id=body.offer_id,
        idempotency_key=key,
    )
    return json_ok(shapes.redemption(redemption), status=201 if created else 200)


async def report_outcome(request: Request) -> Response:
    await _limit(request)
    body = await parse_json(request, schemas.ReportOutcome)
    redemption = await redemptions.report_outcome(
        actor=principal_of(request),
        redemption_id=path_int(request, "redemption_id"),
        outcome=body.outcome,
        notice_sent_on=body.notice_sent_on,
    )
    return json_ok(shapes.redemption(redemption))


async def list_offers(request: Request) -> Response:
    partner = await service.partner_of(principal_of(request))
    mine = await offers.offers_of(partner.id, live_only=False)
    return json_ok({"items": [shapes.offer(o, partner) for o in mine]})


async def partner_stats(request: Request) -> Response:
    partner = await service.partner_of(principal_of(request))
    return json_ok(
        {"partner": {"id": partner.id, "name": partner.name}}
        | await redemptions.stats(partner_id=partner.id)
    )


async def create_offer(request: Request) -> Response:
    body = await parse_json(request, schemas.NewOffer)
    offer = await offers.create_offer(admin=principal_of(request), fields=body.model_dump())
    return json_ok(shapes.offer(offer), status=201)


async def withdraw_offer(request: Request) -> Response:
    offer = await offers.withdraw_offer(
        admin=principal_of(request), offer_id=path_int(request, "offer_id")
    )
    return json_ok(shapes.offer(offer))


async def create_key(request: Request) -> Response:
    body = await parse_json(request, schemas.NewKey)
    token_id, prefix, secret = await service.create_key(
        admin=principal_of(request), label=body.label, scopes=body.scopes
    )
    return json_ok(
        {"id": token_id, "prefix": prefix, "key": secret, "scopes": sorted(set(body.scopes))},
        status=201,
    )


async def list_keys(request: Request) -> Response:
    rows = await service.list_keys(admin=principal_of(request))
    return json_ok(
        {
            "items": [
                {
                    "id": t.id,
                    "prefix": t.prefix,
                    "label": t.label,
                    "scopes": t.scopes.split(","),
                    "revoked": t.revoked_at is not None,
                    "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
                }
                for t in rows
            ]
        }
    )


async def revoke_key(request: Request) -> Response:
    await service.revoke_key(admin=principal_of(request), token_id=path_int(request, "token_id"))
    return Response(status_code=204)


async def add_operator(request: Request) -> Response:
    body = await parse_json(request, schemas.NewOperator)
    account_id, code = await service.add_operator(
        admin=principal_of(request), display_name=body.display_name, role=body.role
    )
    return json_ok({"account_id": account_id, "enrolment_code": code}, status=201)


async def list_members(request: Request) -> Response:
    return json_ok({"items": await service.members(admin=principal_of(request))})


P = Permission
routes = [
    api("GET", "/api/v1/me/offers", browse_offers, operation_id="browseOffers",
        summary="Live offers, with whether I qualify and why not", tag="pass",
        access=requires(P.PASS_SELF), query=schemas.OffersQuery),
    api("GET", "/api/v1/me/benefits", my_benefits, operation_id="listMyBenefits",
        summary="My benefit history", tag="pass", access=requires(P.PASS_SELF)),
    api("POST", "/api/v1/passes/verify", verify_pass, operation_id="verifyPass",
        summary="Check a scanned pass; eligible offers at this partner", tag="partners",
        access=requires(P.PASS_VERIFY), body=schemas.VerifyPass),
    api("POST", "/api/v1/redemptions", create_redemption, operation_id="createRedemption",
        summary="Record a benefit use (one per presentation and offer; Idempotency-Key)",
        tag="partners", access=requires(P.REDEMPTION_CREATE), body=schemas.CreateRedemption,
        status=201),
    api("POST", "/api/v1/redemptions/{redemption_id}/outcome", report_outcome,
        operation_id="reportRedemptionOutcome",
        summary="Fulfilled, or defaulted after grace and notice", tag="partners",
        access=requires(P.REDEMPTION_REPORT), body=schemas.ReportOutcome),
    api("GET", "/api/v1/partner/offers", list_offers, operation_id="listOffers",
        summary="This partner's offers", tag="partners", access=requires(P.OFFERS_READ)),
    api("GET", "/api/v1/partner/stats", partner_stats, operation_id="getPartnerStats",
        summary="Redemptions and deposits waived", tag="partners",
        access=requires(P.OFFERS_READ)),
    api("POST", "/api/v1/partner/offers", create_offer, operation_id="createOffer",
        summary="Register an offer (live after office approval)", tag="partners",
        access=requires(P.PARTNER_MANAGE), body=schemas.NewOffer, status=201),
    api("POST", "/api/v1/partner/offers/{offer_id}/withdraw", withdraw_offer,
        operation_id="withdrawOffer", summary="Withdraw an offer", tag="partners",
        access=requires(P.PARTNER_MANAGE)),
    api("POST", "/api/v1/partner/keys", create_key, operation_id="createPartnerKey",
        summary="An API key (shown once), scoped", tag="partners",
        access=requires(P.PARTNER_MANAGE), body=schemas.NewKey, status=201),
    api("GET", "/api/v1/partner/keys", list_keys, operation_id="listPartnerKeys",
        summary="This partner's API keys", tag="partners", access=requires(P.PARTNER_MANAGE)),
    api("DELETE", "/api/v1/partner/keys/{token_id}", revoke_key,
        operation_id="revokePartnerKey", summary="Revoke an API key", tag="partners",
        access=requires(P.PARTNER_MANAGE), status=204),
    api("POST", "/api/v1/partner/operators", add_operator, operation_id="addCounterOperator",
        summary="A counter operator account; returns its one-time code", tag="partners",
        access=requires(P.PARTNER_MANAGE), body=schemas.NewOperator, status=201),
    api("GET", "/api/v1/partner/operators", list_members, operation_id="listPartnerMembers",
        summary="This partner's staff", tag="partners", access=requires(P.PARTNER_MANAGE)),
]  # fmt: skip

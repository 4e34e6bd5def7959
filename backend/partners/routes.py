"""HTTP for the pass (resident), the partner API (counters, keys, offers, redemptions) and
the credit office's approvals."""

from __future__ import annotations

import datetime as dt
import time

from starlette.requests import Request
from starlette.responses import Response
from webauthn.helpers import bytes_to_base64url

from ..core.context import device_label
from ..core.errors import NotFound, ValidationFailed
from ..core.http import json_ok, parse_json, path_int
from ..core.keys import KeyRing
from ..core.permissions import Permission
from ..core.ratelimit import RateLimiter
from ..core.routing import PUBLIC, api, principal_of, requires
from ..passes import service as passes
from ..passes.format import STEP_SECONDS
from . import schemas, service
from .eligibility import why_not
from .models import Offer, Partner, Redemption


def _keyring(request: Request) -> KeyRing:
    ring: KeyRing = request.app.state.keyring
    return ring


def _limit(request: Request) -> None:
    principal = principal_of(request)
    if principal.token_id is not None:
        limiter: RateLimiter = request.app.state.api_key_limiter
        limiter.take(f"token:{principal.token_id}")


def _offer(o: Offer, partner: Partner | None = None) -> dict[str, object]:
    item: dict[str, object] = {
        "id": o.id,
        "title": {"zh-CN": o.title_zh, "en": o.title_en},
        "description": {"zh-CN": o.description_zh, "en": o.description_en},
        "limit_note": {"zh-CN": o.limit_note_zh, "en": o.limit_note_en},
        "domain": o.domain,
        "kind": o.kind,
        "amount_cents": o.amount_cents,
        "discount_percent": o.discount_percent,
        "min_tier": o.min_tier,
        "excluded_lists": [x for x in o.excluded_lists.split(",") if x],
        "quota": o.quota,
        "used": o.used,
        "valid_from": o.valid_from.isoformat(),
        "valid_until": o.valid_until.isoformat(),
        "status": o.status,
    }
    if partner is not None:
        item["partner"] = {"id": partner.id, "name": partner.name}
    return item


# ---- resident ------------------------------------------------------------------------


async def issue_pass(request: Request) -> Response:
    body = await parse_json(request, schemas.IssuePass)
    issued = await passes.issue_pass(
        principal=principal_of(request),
        keyring=_keyring(request),
        device_jwk=body.device_key,
        label=body.label or device_label(request),
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
            "server_time": int(time.time()),
            "step_seconds": STEP_SECONDS,
        },
        status=201,
    )


async def list_devices(request: Request) -> Response:
    rows = await passes.list_devices(principal=principal_of(request))
    return json_ok(
        {
            "items": [
                {
                    "id": d.id,
                    "label": d.label,
                    "created_at": d.created_at.isoformat(),
                    "last_issued_at": d.last_issued_at.isoformat() if d.last_issued_at else None,
                }
                for d in rows
            ]
        }
    )


async def remove_device(request: Request) -> Response:
    await passes.remove_device(
        principal=principal_of(request), device_id=path_int(request, "device_id")
    )
    return Response(status_code=204)


async def browse_offers(request: Request) -> Response:
    principal = principal_of(request)
    domain = request.query_params.get("domain") or None
    tier: str = "none"
    lists: frozenset[str] = frozenset()
    if principal.person_id is not None:
        tier, lists = await passes.pass_state(principal.person_id)
    today = dt.datetime.now(dt.UTC).date()
    items = []
    for offer, partner in await service.live_offers(domain):
        reason = why_not(service.terms(offer), tier=tier, lists=lists, today=today)
        items.append(_offer(offer, partner) | {"eligible": reason is None, "why_not": reason})
    return json_ok({"tier": tier, "lists": sorted(lists), "items": items})


async def my_benefits(request: Request) -> Response:
    principal = principal_of(request)
    if principal.person_id is None:
        raise NotFound("this account has no entry in the population register")
    return json_ok({"items": await service.benefit_history(person_id=principal.person_id)})


# ---- partner API ---------------------------------------------------------------------


async def verify_pass(request: Request) -> Response:
    _limit(request)
    body = await parse_json(request, schemas.VerifyPass)
    checked = await service.check_pass(
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
            "masked_name": service.masked_name(checked.person) if checked.verdict.valid else None,
            "certificate_expires_at": dt.datetime.fromtimestamp(cert.expires_at, dt.UTC).isoformat()
            if cert
            else None,
            "eligible_offers": [_offer(o) for o in checked.eligible],
            "ineligible_offers": [_offer(o) | {"why_not": r} for o, r in checked.ineligible],
            "server_time": int(time.time()),
        }
    )


async def create_redemption(request: Request) -> Response:
    _limit(request)
    body = await parse_json(request, schemas.CreateRedemption)
    key = body.idempotency_key or request.headers.get("idempotency-key") or None
    if key is not None and not 8 <= len(key) <= 64:
        raise ValidationFailed(
            "Idempotency-Key must be 8 to 64 characters",
            errors=[{"field": "idempotency_key", "message": "8..64 characters", "type": "value"}],
        )
    redemption, created = await service.redeem(
        actor=principal_of(request),
        keyring=_keyring(request),
        text=body.text,
        offer_id=body.offer_id,
        idempotency_key=key,
    )
    return json_ok(_redemption(redemption), status=201 if created else 200)


def _redemption(r: Redemption) -> dict[str, object]:
    return {
        "id": r.id,
        "offer_id": r.offer_id,
        "deposit_waived_cents": r.deposit_waived_cents,
        "due_on": r.due_on.isoformat() if r.due_on else None,
        "outcome": r.outcome,
        "created_at": r.created_at.isoformat(),
        "record_id": r.record_id,
    }


async def report_outcome(request: Request) -> Response:
    _limit(request)
    body = await parse_json(request, schemas.ReportOutcome)
    redemption = await service.report_outcome(
        actor=principal_of(request),
        redemption_id=path_int(request, "redemption_id"),
        outcome=body.outcome,
        notice_sent_on=body.notice_sent_on,
    )
    return json_ok(_redemption(redemption))


async def list_offers(request: Request) -> Response:
    partner = await service.partner_of(principal_of(request))
    return json_ok(
        {
            "items": [
                _offer(o, partner) for o in await service.offers_of(partner.id, live_only=False)
            ]
        }
    )


async def status_list(request: Request) -> Response:
    token = await passes.status_list(keyring=_keyring(request))
    return Response(
        token, media_type="application/statuslist+jwt", headers={"cache-control": "max-age=30"}
    )


async def partner_stats(request: Request) -> Response:
    partner = await service.partner_of(principal_of(request))
    return json_ok(
        {"partner": {"id": partner.id, "name": partner.name}}
        | await service.stats(partner_id=partner.id)
    )


async def create_offer(request: Request) -> Response:
    body = await parse_json(request, schemas.NewOffer)
    if any(x not in ("red", "gray", "black") for x in body.excluded_lists):
        raise ValidationFailed(
            "excluded lists are red, gray or black",
            errors=[{"field": "excluded_lists", "message": "red, gray, black", "type": "enum"}],
        )
    fields = body.model_dump()
    fields["excluded_lists"] = ",".join(sorted(set(body.excluded_lists)))
    offer = await service.create_offer(admin=principal_of(request), fields=fields)
    return json_ok(_offer(offer), status=201)


async def withdraw_offer(request: Request) -> Response:
    offer = await service.withdraw_offer(
        admin=principal_of(request), offer_id=path_int(request, "offer_id")
    )
    return json_ok(_offer(offer))


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


# ---- joining and office approval -----------------------------------------------------


async def apply_partner(request: Request) -> Response:
    body = await parse_json(request, schemas.PartnerApplication)
    partner = await service.apply(
        name=body.name,
        domain=body.domain,
        contact_name=body.contact_name,
        contact_phone=body.contact_phone,
        address=body.address,
    )
    return json_ok({"id": partner.id, "status": partner.status}, status=201)


def _partner(p: Partner) -> dict[str, object]:
    return {
        "id": p.id,
        "name": p.name,
        "domain": p.domain,
        "status": p.status,
        "contact_name": p.contact_name,
        "contact_phone": p.contact_phone,
        "address": p.address,
        "created_at": p.created_at.isoformat(),
    }


async def list_partners(request: Request) -> Response:
    status = request.query_params.get("status") or None
    query = Partner.all() if status is None else Partner.filter(status=status)
    return json_ok({"items": [_partner(p) for p in await query.order_by("id")]})


async def decide_partner(request: Request) -> Response:
    body = await parse_json(request, schemas.Decision)
    partner, code = await service.decide_partner(
        officer=principal_of(request),
        partner_id=path_int(request, "partner_id"),
        approve=body.approve,
    )
    return json_ok(_partner(partner) | {"admin_enrolment_code": code})


async def pending_offers(request: Request) -> Response:
    offers = await Offer.filter(status="pending").order_by("id")
    partners = {p.id: p for p in await Partner.filter(id__in=list({o.partner_id for o in offers}))}
    return json_ok({"items": [_offer(o, partners.get(o.partner_id)) for o in offers]})


async def decide_offer(request: Request) -> Response:
    body = await parse_json(request, schemas.Decision)
    offer = await service.decide_offer(
        officer=principal_of(request), offer_id=path_int(request, "offer_id"), approve=body.approve
    )
    return json_ok(_offer(offer))


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
        summary="Devices holding a pass key",
        tag="pass",
        access=requires(P.PASS_SELF),
    ),
    api(
        "DELETE",
        "/api/v1/me/devices/{device_id}",
        remove_device,
        operation_id="removeMyDevice",
        summary="Remove a device: its passes are revoked",
        tag="pass",
        access=requires(P.PASS_SELF),
        status=204,
    ),
    api(
        "GET",
        "/api/v1/me/offers",
        browse_offers,
        operation_id="browseOffers",
        summary="Live offers, with whether I qualify and why not",
        tag="pass",
        access=requires(P.PASS_SELF),
    ),
    api(
        "GET",
        "/api/v1/me/benefits",
        my_benefits,
        operation_id="listMyBenefits",
        summary="My benefit history",
        tag="pass",
        access=requires(P.PASS_SELF),
    ),
    api(
        "POST",
        "/api/v1/passes/verify",
        verify_pass,
        operation_id="verifyPass",
        summary="Check a scanned pass; eligible offers at this partner",
        tag="partners",
        access=requires(P.PASS_VERIFY),
        body=schemas.VerifyPass,
    ),
    api(
        "POST",
        "/api/v1/redemptions",
        create_redemption,
        operation_id="createRedemption",
        summary="Record a benefit use (one per presentation and offer; Idempotency-Key)",
        tag="partners",
        access=requires(P.REDEMPTION_CREATE),
        body=schemas.CreateRedemption,
        status=201,
    ),
    api(
        "POST",
        "/api/v1/redemptions/{redemption_id}/outcome",
        report_outcome,
        operation_id="reportRedemptionOutcome",
        summary="Fulfilled, or defaulted after grace and notice",
        tag="partners",
        access=requires(P.REDEMPTION_REPORT),
        body=schemas.ReportOutcome,
    ),
    api(
        "GET",
        "/api/v1/partner/offers",
        list_offers,
        operation_id="listOffers",
        summary="This partner's offers",
        tag="partners",
        access=requires(P.OFFERS_READ),
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
    api(
        "GET",
        "/api/v1/partner/stats",
        partner_stats,
        operation_id="getPartnerStats",
        summary="Redemptions and deposits waived",
        tag="partners",
        access=requires(P.OFFERS_READ),
    ),
    api(
        "POST",
        "/api/v1/partner/offers",
        create_offer,
        operation_id="createOffer",
        summary="Register an offer (live after office approval)",
        tag="partners",
        access=requires(P.PARTNER_MANAGE),
        body=schemas.NewOffer,
        status=201,
    ),
    api(
        "POST",
        "/api/v1/partner/offers/{offer_id}/withdraw",
        withdraw_offer,
        operation_id="withdrawOffer",
        summary="Withdraw an offer",
        tag="partners",
        access=requires(P.PARTNER_MANAGE),
    ),
    api(
        "POST",
        "/api/v1/partner/keys",
        create_key,
        operation_id="createPartnerKey",
        summary="An API key (shown once), scoped",
        tag="partners",
        access=requires(P.PARTNER_MANAGE),
        body=schemas.NewKey,
        status=201,
    ),
    api(
        "GET",
        "/api/v1/partner/keys",
        list_keys,
        operation_id="listPartnerKeys",
        summary="This partner's API keys",
        tag="partners",
        access=requires(P.PARTNER_MANAGE),
    ),
    api(
        "DELETE",
        "/api/v1/partner/keys/{token_id}",
        revoke_key,
        operation_id="revokePartnerKey",
        summary="Revoke an API key",
        tag="partners",
        access=requires(P.PARTNER_MANAGE),
        status=204,
    ),
    api(
        "POST",
        "/api/v1/partner/operators",
        add_operator,
        operation_id="addCounterOperator",
        summary="A counter operator account; returns its one-time code",
        tag="partners",
        access=requires(P.PARTNER_MANAGE),
        body=schemas.NewOperator,
        status=201,
    ),
    api(
        "GET",
        "/api/v1/partner/operators",
        list_members,
        operation_id="listPartnerMembers",
        summary="This partner's staff",
        tag="partners",
        access=requires(P.PARTNER_MANAGE),
    ),
    api(
        "POST",
        "/api/v1/partner-applications",
        apply_partner,
        operation_id="applyAsPartner",
        summary="Apply to join as a partner (the credit office decides)",
        tag="partners",
        access=PUBLIC,
        body=schemas.PartnerApplication,
        status=201,
    ),
    api(
        "GET",
        "/api/v1/partners",
        list_partners,
        operation_id="listPartners",
        summary="Partners and applications",
        tag="office",
        access=requires(P.PARTNERS_APPROVE),
    ),
    api(
        "POST",
        "/api/v1/partners/{partner_id}/decision",
        decide_partner,
        operation_id="decidePartner",
        summary="Approve or reject a partner application",
        tag="office",
        access=requires(P.PARTNERS_APPROVE),
        body=schemas.Decision,
    ),
    api(
        "GET",
        "/api/v1/offers/pending",
        pending_offers,
        operation_id="listPendingOffers",
        summary="Offers waiting for approval",
        tag="office",
        access=requires(P.PARTNERS_APPROVE),
    ),
    api(
        "POST",
        "/api/v1/offers/{offer_id}/decision",
        decide_offer,
        operation_id="decideOffer",
        summary="Approve or reject an offer",
        tag="office",
        access=requires(P.PARTNERS_APPROVE),
        body=schemas.Decision,
    ),
]

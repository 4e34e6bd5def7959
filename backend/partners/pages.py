"""Server-rendered pages for partners: the counter, the partner portal and joining.

Every page is a plain HTML form that works without JavaScript; `pwa/js/counter.js`
enhances the counter (verification without reloading, camera scanning). HTTP only: parse
the form, call the use case, render. The paper pass is in `passes/pages.py`, the credit
office's approvals in `office/partner_pages.py`.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from ..commitments import deferrals
from ..core import clock
from ..core.context import client_key, ctx
from ..core.errors import Conflict, ValidationFailed
from ..core.forms import date, path_id, positive, redirect, text, texts
from ..core.http import pydantic_errors
from ..core.keys import KeyRing
from ..core.permissions import Permission
from ..core.routing import PUBLIC, page, principal_of, requires
from ..core.templating import render
from ..credit.catalog import load_model
from ..credit.handling import HintCode, load_handling
from . import (
    checks,
    counter,
    deferred,
    joining,
    offers,
    portal,
    present,
    redemptions,
    schemas,
    service,
)
from .eligibility import DOMAINS, KINDS, REQUIRABLE_LISTS
from .offers import EXCLUDABLE_LISTS
from .states import RedemptionOutcome

TIERS = load_model().tier_codes()
LISTS = tuple(sorted(EXCLUDABLE_LISTS))
OFFER_FIELDS = (
    "title_zh", "title_en", "description_zh", "description_en", "kind", "amount_yuan",
    "discount_percent", "limit_note_zh", "limit_note_en", "min_tier", "quota", "grace_days",
    "per_person_limit", "per_person_period", "valid_from", "valid_until",
)  # fmt: skip
PORTAL_DONE = (
    "offer_created", "offer_withdrawn", "key_revoked", "outcome_fulfilled", "outcome_defaulted",
)  # fmt: skip
IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_\-]{8,64}$")
APPLY_FIELDS = ("name", "domain", "contact_name", "contact_phone", "address")


def _keyring(request: Request) -> KeyRing:
    ring: KeyRing = request.app.state.keyring
    return ring


def _page(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Response:
    return render(
        request,
        template,
        {"fmt": present, "Permission": Permission, "today": clock.today(), **context},
        status=status,
    )


# ---- the counter (柜台核验) -------------------------------------------------------------


async def _counter(request: Request, context: dict[str, Any], status: int = 200) -> Response:
    desk = await counter.desk(actor=principal_of(request))
    today = clock.today()
    return _page(
        request,
        "counter.html",
        {"partner": desk.partner, "offers": desk.offers, "verdict": None, "outcome": None}
        # 容缺受理 (government counters only): the open acceptances and the form's limits
        | {
            "deferrals": await deferred.open_at_desk(actor=principal_of(request)),
            "deferral_documents": load_handling().documents,
            "deferral_earliest": today + dt.timedelta(days=1),
            "deferral_latest": deferrals.latest_due(today, ctx(request).deadlines.calendar),
        }
        # the offline counter's limit and the city's time zone (counter/offline.js)
        | {
            "offline_max_age": ctx(request).settings.counter_offline_hours * 3600,
            "time_zone": clock.zone().key,
        }
        | context,
        status=status,
    )


def _verdict(checked: checks.Check, scanned: str) -> dict[str, Any]:
    """What the clerk needs: valid or why not, the tier, the masked name for the ID-card
    check, and which offers apply — each with a fresh idempotency key for its confirm form."""
    verdict = checked.verdict
    cert = verdict.certificate
    valid = verdict.valid
    if not valid:
        state = "refused"
    elif checked.eligible:
        state = "ok"
    else:
        state = "normal"  # valid, but the normal procedure applies: never a refusal
    return {
        "state": state,
        "valid": valid,
        "reason": verdict.reason,
        "tier": cert.tier if cert and valid else None,
        "paper": bool(cert and cert.paper),
        "masked_name": checks.masked_name(checked.person) if valid else None,
        "id_check": checks.id_check(checked.person) if valid else None,
        "eligible": [(o, secrets.token_urlsafe(18)) for o in checked.eligible],
        "ineligible": checked.ineligible if valid else [],
        "hints": checked.hints,
        "may_defer": any(h.code == HintCode.DEFERRED_ACCEPTANCE for h in checked.hints),
        "text": scanned,
    }


async def counter_page(request: Request) -> Response:
    """GET: the scan field. POST (a USB scanner types the text and Enter): the verdict."""
    if request.method != "POST":
        return await _counter(request, {})
    form = await request.form()
    scanned = text(form, "text", 2000)
    if not scanned:
        return await _counter(request, {"missing": True}, status=422)
    offer_id = positive(text(form, "offer_id", 20))
    checked = await counter.check_at_counter(
        actor=principal_of(request), keyring=_keyring(request), text=scanned, offer_id=offer_id
    )
    verdict = _verdict(checked, scanned)
    return await _counter(request, {"verdict": verdict, "chosen_offer": offer_id})


async def counter_redeem(request: Request) -> Response:
    """确认办理: record the benefit use. A resubmitted form (same idempotency key) shows the
    first redemption again; a second redemption of the same presentation is refused."""
    form = await request.form()
    scanned = text(form, "text", 2000)
    offer_id = positive(text(form, "offer_id", 20))
    key = text(form, "idempotency_key", 64)
    if not scanned or offer_id is None:
        return await _counter(request, {"missing": True}, status=422)
    done = await counter.redeem_at_counter(
        actor=principal_of(request),
        keyring=_keyring(request),
        text=scanned,
        offer_id=offer_id,
        idempotency_key=key if IDEMPOTENCY_KEY.match(key) else None,
    )
    if done.refusal is not None:
        refused = {"ok": False, "reason": done.reason, "offer": done.offer}
        return await _counter(request, {"outcome": refused}, status=done.refusal.status)
    outcome = {
        "ok": True,
        "created": done.created,
        "offer": done.offer,
        "redemption": done.redemption,
    }
    return await _counter(request, {"outcome": outcome})


async def counter_defer(request: Request) -> Response:
    """容缺受理: accept with a document missing; the resident then signs in the app."""
    form = await request.form()
    scanned = text(form, "text", 2000)
    if not scanned:
        return await _counter(request, {"missing": True}, status=422)
    try:
        row = await deferred.accept_with_missing_document(
            actor=principal_of(request),
            keyring=_keyring(request),
            text=scanned,
            matter=text(form, "matter", 100),
            document=text(form, "document", 32),
            due_on=_date(text(form, "due_on", 10)),
            calendar=ctx(request).deadlines.calendar,
        )
    except ValidationFailed as exc:
        errors = {e.get("field", ""): e.get("type", "") for e in exc.errors}
        context = {
            "deferral_errors": errors,
            "deferral_form": dict(form),
            "deferral_retry": {"text": scanned},  # the form again, with what was typed
        }
        return await _counter(request, context, status=422)
    except Conflict as exc:
        refused = {"reason": str(exc.extra.get("reason") or "not_eligible")}
        return await _counter(request, {"deferral_refused": refused}, status=409)
    return await _counter(request, {"deferral_opened": row})


async def counter_received(request: Request) -> Response:
    """The missing document was handed in (the commitment is kept)."""
    await deferred.documents_received(
        actor=principal_of(request), deferral_id=path_id(request, "deferral_id")
    )
    return redirect("/counter?done=document_received#deferrals")


# ---- the partner portal (合作机构管理) ------------------------------------------------------


async def _portal(request: Request, context: dict[str, Any], status: int = 200) -> Response:
    seen = await portal.overview(admin=principal_of(request))
    done = request.query_params.get("done", "")
    today = clock.today()
    data: dict[str, Any] = {
        "partner": seen.partner,
        "stats": seen.stats,
        "offers": seen.offers,
        "offer_titles": {o.id: o for o in seen.offers},
        "members": seen.members,
        "keys": seen.keys,
        "open_redemptions": seen.open_redemptions,
        "offline_flags": seen.offline_flags,
        "kinds": KINDS,
        "tiers": TIERS,
        "lists": LISTS,
        "requirable_lists": REQUIRABLE_LISTS,
        "scopes": service.PARTNER_SCOPES,
        "done": done if done in PORTAL_DONE else "",
        "offer_form": {
            "kind": "deposit_waived",
            "min_tier": "good",
            "excluded": ["black"],
            "grace_days": "30",
            "per_person_period": "ever",
            "valid_from": today.isoformat(),
            "valid_until": (today + dt.timedelta(days=365)).isoformat(),
        },
        "offer_errors": {},
        "operator_form": {},
        "operator_error": None,
        "key_form": {"scopes": ["passes.verify", "redemptions.create"]},
        "key_error": None,
        "outcome_error": None,
        "created_code": None,
        "created_key": None,
    }
    return _page(request, "partners/portal.html", {**data, **context}, status=status)


async def portal_page(request: Request) -> Response:
    return await _portal(request, {})


def _offer_fields(form: FormData) -> tuple[dict[str, Any], dict[str, str]]:
    """The new-offer form → NewOffer fields (amounts in 元 → fen), or field errors."""
    raw = {name: text(form, name, 500) for name in OFFER_FIELDS}
    excluded = sorted(set(texts(form, "excluded_lists")))
    errors: dict[str, str] = {}
    if any(x not in LISTS for x in excluded):
        errors["excluded_lists"] = "enum"
    required = sorted(set(texts(form, "required_lists")))
    if any(x not in REQUIRABLE_LISTS for x in required):
        errors["required_lists"] = "enum"
    elif set(required) & set(excluded):
        errors["required_lists"] = "both"
    cents = present.parse_yuan(raw["amount_yuan"])
    if cents is None:
        errors["amount_yuan"] = "value"
    data: dict[str, Any] = {k: raw[k] for k in OFFER_FIELDS if k != "amount_yuan"}
    data["amount_cents"] = cents or 0
    data["discount_percent"] = raw["discount_percent"] or 0
    data["grace_days"] = raw["grace_days"] or 30
    data["quota"] = raw["quota"] or None
    data["per_person_limit"] = raw["per_person_limit"] or None
    data["per_person_period"] = raw["per_person_period"] or "ever"
    data["excluded_lists"] = excluded
    data["required_lists"] = required
    # Every problem at once: the schema's, then the checks across fields on what parsed (a
    # wrong date order is reported together with a missing title, not after it is fixed).
    fields: dict[str, Any] = {}
    try:
        fields = schemas.NewOffer.model_validate(data).model_dump()
    except ValidationError as exc:
        errors = present.form_errors(pydantic_errors(exc)) | errors
        errors = {("amount_yuan" if k == "amount_cents" else k): v for k, v in errors.items()}
    start, end = _date(raw["valid_from"]), _date(raw["valid_until"])
    if start and end and end < start:
        errors.setdefault("valid_until", "order")
    if raw["kind"] in present.DEPOSIT_KINDS and cents == 0:
        errors.setdefault("amount_yuan", "required_for_kind")
    if raw["kind"] == "discount" and raw["discount_percent"] in ("", "0"):
        errors.setdefault("discount_percent", "required_for_kind")
    return ({}, errors) if errors else (fields, {})


def _date(raw: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return None


async def create_offer_page(request: Request) -> Response:
    form = await request.form()
    fields, errors = _offer_fields(form)
    if not errors:
        try:
            await offers.create_offer(admin=principal_of(request), fields=fields)
            return redirect("/partner?done=offer_created#offers")
        except ValidationFailed as exc:
            errors = present.form_errors(exc.errors)
    values: dict[str, Any] = {name: text(form, name, 500) for name in OFFER_FIELDS}
    values["excluded"] = texts(form, "excluded_lists")
    values["required"] = texts(form, "required_lists")
    context = {"offer_form": values, "offer_errors": errors}
    return await _portal(request, context, status=422)


async def withdraw_offer_page(request: Request) -> Response:
    await offers.withdraw_offer(admin=principal_of(request), offer_id=path_id(request, "offer_id"))
    return redirect("/partner?done=offer_withdrawn#offers")


async def add_operator_page(request: Request) -> Response:
    form = await request.form()
    name = text(form, "display_name", 64)
    role = text(form, "role", 32) or "counter_operator"
    try:
        if not name:
            raise ValidationFailed("give the person's name", errors=[{"field": "display_name"}])
        account_id, code = await service.add_operator(
            admin=principal_of(request), display_name=name, role=role
        )
    except ValidationFailed as exc:
        field = str(exc.errors[0].get("field", "display_name")) if exc.errors else "display_name"
        context = {"operator_form": {"display_name": name, "role": role}, "operator_error": field}
        return await _portal(request, context, status=422)
    created = {"account_id": account_id, "name": name, "role": role, "code": code}
    return await _portal(request, {"created_code": created})


async def create_key_page(request: Request) -> Response:
    form = await request.form()
    label = text(form, "label", 100)
    scopes = texts(form, "scopes")
    try:
        if not label:
            raise ValidationFailed("give the key a label", errors=[{"field": "label"}])
        token_id, prefix, secret = await service.create_key(
            admin=principal_of(request), label=label, scopes=scopes
        )
    except ValidationFailed as exc:
        field = str(exc.errors[0].get("field", "scopes")) if exc.errors else "scopes"
        context = {"key_form": {"label": label, "scopes": scopes}, "key_error": field}
        return await _portal(request, context, status=422)
    created = {"id": token_id, "prefix": prefix, "label": label, "secret": secret}
    return await _portal(request, {"created_key": created})


async def revoke_key_page(request: Request) -> Response:
    await service.revoke_key(admin=principal_of(request), token_id=path_id(request, "token_id"))
    return redirect("/partner?done=key_revoked#keys")


async def outcome_page(request: Request) -> Response:
    form = await request.form()
    outcome = text(form, "outcome", 16)
    redemption_id = path_id(request, "redemption_id")
    try:
        await redemptions.report_outcome(
            actor=principal_of(request),
            redemption_id=redemption_id,
            outcome=outcome,
            notice_sent_on=date(form, "notice_sent_on")
            if outcome == RedemptionOutcome.DEFAULTED
            else None,
        )
    except (ValidationFailed, Conflict) as exc:
        reason = str(exc.extra.get("reason") or "")
        error = {"redemption": redemption_id, "reason": reason or "no_reminder"}
        return await _portal(request, {"outcome_error": error}, status=exc.status)
    return redirect(f"/partner?done=outcome_{outcome}#redemptions")


# ---- joining (申请加入) ---------------------------------------------------------------------


async def apply_page(request: Request) -> Response:
    """Public: an organisation applies to grant benefits; the credit office decides."""
    context: dict[str, Any] = {"domains": DOMAINS, "form": {}, "errors": {}}
    if request.method != "POST":
        return _page(request, "partners/apply.html", context)
    form = await request.form()
    values = {name: text(form, name, 200) for name in APPLY_FIELDS}
    try:
        body = schemas.PartnerApplication.model_validate(values)
    except ValidationError as exc:
        errors = present.form_errors(pydantic_errors(exc))
        ordered = {name: errors[name] for name in APPLY_FIELDS if name in errors}
        return _page(
            request, "partners/apply.html", context | {"form": values, "errors": ordered}, 422
        )
    partner = await joining.apply(
        name=body.name,
        domain=body.domain,
        contact_name=body.contact_name,
        contact_phone=body.contact_phone,
        address=body.address,
        client_key=client_key(request),
    )
    return _page(request, "partners/apply_thanks.html", {"partner": partner})


S = Permission
routes = [
    page("/counter", counter_page, name="counter", methods=("GET", "POST"),
         access=requires(S.PASS_VERIFY)),
    page("/counter/redeem", counter_redeem, name="counter_redeem", methods=("POST",),
         access=requires(S.REDEMPTION_CREATE)),
    page("/counter/deferrals", counter_defer, name="counter_defer", methods=("POST",),
         access=requires(S.REDEMPTION_CREATE)),
    page("/counter/deferrals/{deferral_id:int}/received", counter_received,
         name="counter_deferral_received", methods=("POST",),
         access=requires(S.REDEMPTION_CREATE)),
    page("/partner", portal_page, name="partner_portal", access=requires(S.PARTNER_MANAGE)),
    page("/partner/offers", create_offer_page, name="partner_offer_create", methods=("POST",),
         access=requires(S.PARTNER_MANAGE)),
    page("/partner/offers/{offer_id:int}/withdraw", withdraw_offer_page,
         name="partner_offer_withdraw", methods=("POST",), access=requires(S.PARTNER_MANAGE)),
    page("/partner/operators", add_operator_page, name="partner_operator_add", methods=("POST",),
         access=requires(S.PARTNER_MANAGE)),
    page("/partner/keys", create_key_page, name="partner_key_create", methods=("POST",),
         access=requires(S.PARTNER_MANAGE)),
    page("/partner/keys/{token_id:int}/revoke", revoke_key_page, name="partner_key_revoke",
         methods=("POST",), access=requires(S.PARTNER_MANAGE)),
    page("/partner/redemptions/{redemption_id:int}/outcome", outcome_page,
         name="partner_redemption_outcome", methods=("POST",),
         access=requires(S.REDEMPTION_REPORT)),
    page("/partners/apply", apply_page, name="partner_apply", methods=("GET", "POST"),
         access=PUBLIC),
]  # fmt: skip

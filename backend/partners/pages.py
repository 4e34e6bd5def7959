"""Server-rendered pages for partners: the counter, the partner portal, joining, the
paper pass, and the credit office's approvals.

Every page is a plain HTML form that works without JavaScript; `pwa/js/counter.js`
enhances the counter (verification without reloading, camera scanning). HTTP only: parse
the form, call the use case in `service`, render.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from typing import Any

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from tortoise.expressions import Q
from tortoise.functions import Count, Sum

from ..core.errors import Conflict, NotFound, ValidationFailed
from ..core.http import pydantic_errors
from ..core.i18n import translate
from ..core.keys import KeyRing
from ..core.permissions import Permission
from ..core.routing import PUBLIC, page, principal_of, requires
from ..core.templating import render, request_locale
from ..passes import service as passes
from ..residents.idnumber import mask_name
from ..residents.models import Person
from . import present, schemas, service, stats
from .eligibility import DOMAINS, KINDS, TIER_RANK
from .models import Offer, Partner, Redemption

TIERS = tuple(sorted(TIER_RANK, key=lambda t: -TIER_RANK[t]))
LISTS = ("black", "gray", "red")
OFFER_FIELDS = (
    "title_zh", "title_en", "description_zh", "description_en", "kind", "amount_yuan",
    "discount_percent", "limit_note_zh", "limit_note_en", "min_tier", "quota", "grace_days",
    "valid_from", "valid_until",
)  # fmt: skip
PORTAL_DONE = (
    "offer_created", "offer_withdrawn", "key_revoked", "outcome_fulfilled", "outcome_defaulted",
)  # fmt: skip
OFFICE_DONE = ("partner_rejected", "offer_approved", "offer_rejected")
IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_\-]{8,64}$")


def _keyring(request: Request) -> KeyRing:
    ring: KeyRing = request.app.state.keyring
    return ring


def _text(form: Any, name: str, limit: int = 200) -> str:
    value = form.get(name, "") if hasattr(form, "get") else ""
    # NUL cannot be stored in PostgreSQL text, and never belongs in a form field.
    return value.replace("\x00", "").strip()[:limit] if isinstance(value, str) else ""


def _positive(raw: str) -> int | None:
    return int(raw) if raw.isdigit() and 0 < len(raw) <= 18 else None


def _id(request: Request, name: str) -> int:
    value = int(request.path_params[name])
    if value > 2**62:  # beyond any stored id (and beyond a BIGINT)
        raise NotFound("no such item")
    return value


def _redirect(path: str) -> Response:
    return RedirectResponse(path, status_code=303)


def _page(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Response:
    return render(
        request,
        template,
        {
            "fmt": present,
            "Permission": Permission,
            "today": dt.datetime.now(dt.UTC).date(),
            **context,
        },
        status=status,
    )


# ---- the counter (柜台核验) -------------------------------------------------------------


async def _counter(request: Request, context: dict[str, Any], status: int = 200) -> Response:
    partner = await service.partner_of(principal_of(request))
    offers = await service.offers_of(partner.id, live_only=True)
    return _page(
        request,
        "counter.html",
        {"partner": partner, "offers": offers, "verdict": None, "outcome": None, **context},
        status=status,
    )


def _verdict(checked: service.Check, text: str) -> dict[str, Any]:
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
        "masked_name": service.masked_name(checked.person) if valid else None,
        "eligible": [(o, secrets.token_urlsafe(18)) for o in checked.eligible],
        "ineligible": checked.ineligible if valid else [],
        "text": text,
    }


async def counter_page(request: Request) -> Response:
    """GET: the scan field. POST (a USB scanner types the text and Enter): the verdict."""
    if request.method != "POST":
        return await _counter(request, {})
    form = await request.form()
    text = _text(form, "text", 2000)
    if not text:
        return await _counter(request, {"missing": True}, status=422)
    partner = await service.partner_of(principal_of(request))
    live = {o.id for o in await service.offers_of(partner.id, live_only=True)}
    offer_id = _positive(_text(form, "offer_id", 20))
    checked = await service.check_pass(
        actor=principal_of(request),
        keyring=_keyring(request),
        text=text,
        offer_id=offer_id if offer_id in live else None,
    )
    return await _counter(request, {"verdict": _verdict(checked, text), "chosen_offer": offer_id})


async def counter_redeem(request: Request) -> Response:
    """确认办理: record the benefit use. A resubmitted form (same idempotency key) shows the
    first redemption again; a second redemption of the same presentation is refused."""
    form = await request.form()
    text = _text(form, "text", 2000)
    offer_id = _positive(_text(form, "offer_id", 20))
    key = _text(form, "idempotency_key", 64)
    if not text or offer_id is None:
        return await _counter(request, {"missing": True}, status=422)
    partner = await service.partner_of(principal_of(request))
    offer = await Offer.get_or_none(id=offer_id, partner_id=partner.id)  # for its title only
    try:
        redemption, created = await service.redeem(
            actor=principal_of(request),
            keyring=_keyring(request),
            text=text,
            offer_id=offer_id,
            idempotency_key=key if IDEMPOTENCY_KEY.match(key) else None,
        )
    except (Conflict, NotFound) as exc:
        reason = str(exc.extra.get("reason") or ("not_live" if isinstance(exc, NotFound) else ""))
        outcome = {"ok": False, "reason": reason or "not_eligible", "offer": offer}
        return await _counter(request, {"outcome": outcome}, status=exc.status)
    offer = offer or await Offer.get(id=redemption.offer_id)
    outcome = {"ok": True, "created": created, "offer": offer, "redemption": redemption}
    return await _counter(request, {"outcome": outcome})


# ---- the partner portal (合作机构管理) ------------------------------------------------------


async def _portal(request: Request, context: dict[str, Any], status: int = 200) -> Response:
    principal = principal_of(request)
    partner = await service.partner_of(principal)
    offers = await service.offers_of(partner.id, live_only=False)
    open_redemptions = (
        await Redemption.filter(partner_id=partner.id, outcome="open")
        .order_by("due_on", "id")
        .limit(200)
    )
    done = request.query_params.get("done", "")
    today = dt.datetime.now(dt.UTC).date()
    data: dict[str, Any] = {
        "partner": partner,
        "stats": await service.stats(partner_id=partner.id),
        "offers": offers,
        "offer_titles": {o.id: o for o in offers},
        "members": await service.members(admin=principal),
        "keys": await service.list_keys(admin=principal),
        "open_redemptions": open_redemptions,
        "kinds": KINDS,
        "tiers": TIERS,
        "lists": LISTS,
        "scopes": service.PARTNER_SCOPES,
        "done": done if done in PORTAL_DONE else "",
        "offer_form": {
            "kind": "deposit_waived",
            "min_tier": "good",
            "excluded": ["black"],
            "grace_days": "30",
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


def _offer_fields(form: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """The new-offer form → NewOffer fields (amounts in 元 → fen), or field errors."""
    raw = {name: _text(form, name, 500) for name in OFFER_FIELDS}
    excluded = sorted({x for x in form.getlist("excluded_lists") if isinstance(x, str)})
    errors: dict[str, str] = {}
    if any(x not in LISTS for x in excluded):
        errors["excluded_lists"] = "enum"
    cents = present.parse_yuan(raw["amount_yuan"])
    if cents is None:
        errors["amount_yuan"] = "value"
    data: dict[str, Any] = {k: raw[k] for k in OFFER_FIELDS if k != "amount_yuan"}
    data["amount_cents"] = cents or 0
    data["discount_percent"] = raw["discount_percent"] or 0
    data["grace_days"] = raw["grace_days"] or 30
    data["quota"] = raw["quota"] or None
    data["excluded_lists"] = excluded
    try:
        fields = schemas.NewOffer.model_validate(data).model_dump()
    except ValidationError as exc:
        errors = present.form_errors(pydantic_errors(exc)) | errors
        errors = {("amount_yuan" if k == "amount_cents" else k): v for k, v in errors.items()}
        return {}, errors
    if errors:
        return {}, errors
    if fields["kind"] in present.DEPOSIT_KINDS and not fields["amount_cents"]:
        return {}, {"amount_yuan": "required_for_kind"}
    if fields["kind"] == "discount" and not fields["discount_percent"]:
        return {}, {"discount_percent": "required_for_kind"}
    fields["excluded_lists"] = ",".join(excluded)
    return fields, {}


async def create_offer_page(request: Request) -> Response:
    form = await request.form()
    fields, errors = _offer_fields(form)
    if not errors:
        try:
            await service.create_offer(admin=principal_of(request), fields=fields)
            return _redirect("/partner?done=offer_created#offers")
        except ValidationFailed as exc:
            errors = present.form_errors(exc.errors)
    values: dict[str, Any] = {name: _text(form, name, 500) for name in OFFER_FIELDS}
    values["excluded"] = [x for x in form.getlist("excluded_lists") if isinstance(x, str)]
    context = {"offer_form": values, "offer_errors": errors}
    return await _portal(request, context, status=422)


async def withdraw_offer_page(request: Request) -> Response:
    await service.withdraw_offer(admin=principal_of(request), offer_id=_id(request, "offer_id"))
    return _redirect("/partner?done=offer_withdrawn#offers")


async def add_operator_page(request: Request) -> Response:
    form = await request.form()
    name = _text(form, "display_name", 64)
    role = _text(form, "role", 32) or "counter_operator"
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
    label = _text(form, "label", 100)
    scopes = [s for s in form.getlist("scopes") if isinstance(s, str)]
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
    await service.revoke_key(admin=principal_of(request), token_id=_id(request, "token_id"))
    return _redirect("/partner?done=key_revoked#keys")


async def outcome_page(request: Request) -> Response:
    form = await request.form()
    outcome = _text(form, "outcome", 16)
    redemption_id = _id(request, "redemption_id")
    notice: dt.date | None = None
    try:
        if outcome not in ("fulfilled", "defaulted"):
            raise ValidationFailed("fulfilled or defaulted", errors=[{"field": "outcome"}])
        if outcome == "defaulted":
            raw = _text(form, "notice_sent_on", 10)
            try:
                notice = dt.date.fromisoformat(raw) if raw else None
            except ValueError:
                notice = None
        await service.report_outcome(
            actor=principal_of(request),
            redemption_id=redemption_id,
            outcome=outcome,
            notice_sent_on=notice,
        )
    except (ValidationFailed, Conflict) as exc:
        reason = str(exc.extra.get("reason") or "")
        error = {"redemption": redemption_id, "reason": reason or "notice_sent_on"}
        return await _portal(request, {"outcome_error": error}, status=exc.status)
    return _redirect(f"/partner?done=outcome_{outcome}#redemptions")


# ---- joining (申请加入) ---------------------------------------------------------------------

APPLY_FIELDS = ("name", "domain", "contact_name", "contact_phone", "address")


async def apply_page(request: Request) -> Response:
    """Public: an organisation applies to grant benefits; the credit office decides."""
    context: dict[str, Any] = {"domains": DOMAINS, "form": {}, "errors": {}}
    if request.method != "POST":
        return _page(request, "partners/apply.html", context)
    form = await request.form()
    values = {name: _text(form, name, 200) for name in APPLY_FIELDS}
    errors = {} if values["domain"] in DOMAINS else {"domain": "enum"}
    try:
        body = schemas.PartnerApplication.model_validate(values)
    except ValidationError as exc:
        errors = present.form_errors(pydantic_errors(exc)) | errors
    if errors:
        ordered = {name: errors[name] for name in APPLY_FIELDS if name in errors}
        return _page(
            request, "partners/apply.html", context | {"form": values, "errors": ordered}, 422
        )
    partner = await service.apply(
        name=body.name,
        domain=body.domain,
        contact_name=body.contact_name,
        contact_phone=body.contact_phone,
        address=body.address,
    )
    return _page(request, "partners/apply_thanks.html", {"partner": partner})


# ---- the credit office: applications, offers, joint incentive cases ---------------------


async def _joint_cases() -> dict[str, Any]:
    """联合奖惩案例: per partner and per domain, benefits used (redemptions, deposits waived)
    and verifications where a list restriction applied."""
    used = (
        await Redemption.annotate(n=Count("id"), waived=Sum("deposit_waived_cents"))
        .group_by("partner_id")
        .values("partner_id", "n", "waived")
    )
    by_partner_used = {int(r["partner_id"]): (int(r["n"]), int(r["waived"] or 0)) for r in used}
    checks = await stats.pass_verifications_by_partner()
    ids = set(by_partner_used) | set(checks)
    partners = await Partner.filter(Q(status="approved") | Q(id__in=sorted(ids) or [0])).order_by(
        "domain", "name"
    )
    rows = []
    domains: dict[str, dict[str, int]] = {}
    for p in partners:
        n, waived = by_partner_used.get(p.id, (0, 0))
        verified, restricted = checks.get(p.id, (0, 0))
        row = {"redemptions": n, "waived": waived, "verified": verified, "restricted": restricted}
        rows.append({"partner": p, **row})
        total = domains.setdefault(p.domain, dict.fromkeys(row, 0))
        for k, v in row.items():
            total[k] += v
    totals = {
        k: sum(d[k] for d in domains.values())
        for k in ("redemptions", "waived", "verified", "restricted")
    }
    return {"partners": rows, "domains": sorted(domains.items()), "totals": totals}


async def _office(request: Request, context: dict[str, Any], status: int = 200) -> Response:
    applications = await Partner.filter(status="applied").order_by("id")
    pending = await Offer.filter(status="pending").order_by("id")
    owners = {p.id: p for p in await Partner.filter(id__in=list({o.partner_id for o in pending}))}
    done = request.query_params.get("done", "")
    data = {
        "current": "partners",
        "applications": applications,
        "pending": [(o, owners.get(o.partner_id)) for o in pending],
        "cases": await _joint_cases(),
        "done": done if done in OFFICE_DONE else "",
        "approved": None,
        "error": None,
    }
    return _page(request, "partners/office.html", {**data, **context}, status=status)


async def office_page(request: Request) -> Response:
    return await _office(request, {})


async def _decision(request: Request) -> bool:
    form = await request.form()
    decision = _text(form, "decision", 16)
    if decision not in ("approve", "reject"):
        raise ValidationFailed("approve or reject", errors=[{"field": "decision"}])
    return decision == "approve"


async def decide_partner_page(request: Request) -> Response:
    try:
        approve = await _decision(request)
        partner, code = await service.decide_partner(
            officer=principal_of(request), partner_id=_id(request, "partner_id"), approve=approve
        )
    except (ValidationFailed, Conflict) as exc:
        return await _office(request, {"error": exc.extra.get("reason") or "decision"}, exc.status)
    if not approve:
        return _redirect("/office/partners?done=partner_rejected")
    return await _office(request, {"approved": {"partner": partner, "code": code}})


async def decide_offer_page(request: Request) -> Response:
    try:
        approve = await _decision(request)
        await service.decide_offer(
            officer=principal_of(request), offer_id=_id(request, "offer_id"), approve=approve
        )
    except (ValidationFailed, Conflict) as exc:
        return await _office(request, {"error": exc.extra.get("reason") or "decision"}, exc.status)
    return _redirect(f"/office/partners?done=offer_{'approved' if approve else 'rejected'}")


# ---- the paper pass (纸质通行证) ------------------------------------------------------------


async def paper_page(request: Request) -> Response:
    """GET explains; POST issues a 30-day paper certificate and shows it ready to print.
    Issuing is a POST so that a prefetch or a reload of a link never mints passes."""
    principal = principal_of(request)
    if request.method != "POST":
        return _page(request, "partners/paper_intro.html", {})
    issued = await passes.issue_paper_pass(principal=principal, keyring=_keyring(request))
    person = await Person.get(id=issued.row.person_id)
    text = passes.certificate_text(issued.certificate)
    label = translate(request_locale(request), "paper.qr_label")
    return _page(
        request,
        "partners/paper_pass.html",
        {
            "row": issued.row,
            "text": text,
            "qr": present.qr_svg(text, label=label),
            "masked_name": mask_name(person.name),
        },
    )


S = Permission
routes = [
    page("/counter", counter_page, name="counter", methods=("GET", "POST"),
         access=requires(S.PASS_VERIFY)),
    page("/counter/redeem", counter_redeem, name="counter_redeem", methods=("POST",),
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
    page("/office/partners", office_page, name="office_partners",
         access=requires(S.PARTNERS_APPROVE)),
    page("/office/partners/{partner_id:int}/decision", decide_partner_page,
         name="office_partner_decision", methods=("POST",), access=requires(S.PARTNERS_APPROVE)),
    page("/office/partners/offers/{offer_id:int}/decision", decide_offer_page,
         name="office_offer_decision", methods=("POST",), access=requires(S.PARTNERS_APPROVE)),
    page("/passes/paper", paper_page, name="paper_pass", methods=("GET", "POST"),
         access=requires(S.PASS_SELF)),
]  # fmt: skip

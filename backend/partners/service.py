"""Partner use cases: joining, offers with office approval, counters, API keys, pass
verification at the counter, redemptions and their outcomes."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from ..apitokens import service as tokens
from ..audit import service as audit
from ..auth.service import create_staff_account
from ..core.errors import Conflict, Forbidden, NotFound, invalid
from ..core.keys import KeyRing
from ..core.principal import Principal
from ..core.ttlcache import TTLCache
from ..credit.service import rescore_person
from ..credit.system import add_record
from ..passes import service as passes
from ..passes.models import PassCertificate
from ..passes.verify import Verdict
from ..residents.idnumber import mask_name
from ..residents.models import Person
from .eligibility import DOMAINS, OfferTerms, why_not
from .models import Offer, Partner, PartnerMember, Redemption

PARTNER_SCOPES = ("passes.verify", "redemptions.create", "redemptions.report", "offers.read")
OUTCOME_TYPES = {
    "library": ("PUB_LIBRARY_ON_TIME", "PUB_LIBRARY_OVERDUE"),
    "hospital": ("PUB_HOSPITAL_PAYLATER_SETTLED", "PUB_HOSPITAL_PAYLATER_DEFAULT"),
    "transit": (None, "PUB_TRANSIT_DEPOSIT_DEFAULT"),
    "utilities": ("PUB_UTILITY_ON_TIME", "PUB_UTILITY_ARREARS"),
}
RECORD_DEPARTMENT = {
    "library": "library",
    "hospital": "hospital",
    "transit": "transit",
    "utilities": "utilities",
}


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


# ---- joining -------------------------------------------------------------------------


async def apply(
    *, name: str, domain: str, contact_name: str, contact_phone: str, address: str
) -> Partner:
    if domain not in DOMAINS:
        raise invalid("domain", f"one of {', '.join(DOMAINS)}")
    partner = await Partner.create(
        name=name.strip(),
        domain=domain,
        contact_name=contact_name.strip(),
        contact_phone=contact_phone.strip(),
        address=address.strip(),
        record_department=RECORD_DEPARTMENT.get(domain, ""),
    )
    await audit.record(
        action="partner.applied", actor_label="public", details={"partner": partner.id}
    )
    return partner


async def decide_partner(
    *, officer: Principal, partner_id: int, approve: bool
) -> tuple[Partner, str | None]:
    """Approving creates the partner's first administrator and returns their one-time code."""
    partner = await Partner.get_or_none(id=partner_id)
    if partner is None:
        raise NotFound("no such partner")
    if partner.status != "applied":
        raise Conflict("this application was already decided", reason="already-decided")
    code = None
    async with in_transaction():
        partner.status = "approved" if approve else "rejected"
        partner.decided_by_id, partner.decided_at = officer.account_id, dt.datetime.now(dt.UTC)
        await partner.save()
        PARTNERS.forget(partner.id)
        if approve:
            account, code = await create_staff_account(
                officer=officer,
                display_name=partner.contact_name,
                roles=["partner_admin"],
                organisation=partner.name,
            )
            await PartnerMember.create(partner_id=partner.id, account_id=account.id)
        await audit.record(
            action="partner.approved" if approve else "partner.rejected",
            actor=officer,
            details={"partner": partner.id},
        )
    return partner, code


PARTNERS: TTLCache[Partner | None] = TTLCache(10)
LIVE_OFFERS: TTLCache[list[Offer]] = TTLCache(5)


async def cached_partner(partner_id: int) -> Partner | None:
    return await PARTNERS.get(partner_id, lambda: Partner.get_or_none(id=partner_id))


async def partner_of(principal: Principal) -> Partner:
    """The approved partner a staff member or a partner API key acts for."""
    partner_id: int | None = None
    if principal.token_id is not None:
        partner_id = int(principal.org_ref) if principal.org_ref.isdigit() else None
    else:
        member = await PartnerMember.get_or_none(account_id=principal.account_id)
        partner_id = member.partner_id if member else None
    partner = await cached_partner(partner_id) if partner_id else None
    if partner is None or partner.status != "approved":
        raise Forbidden("you do not act for an approved partner")
    return partner


async def add_operator(
    *, admin: Principal, display_name: str, role: str = "counter_operator"
) -> tuple[int, str]:
    partner = await partner_of(admin)
    if role not in ("counter_operator", "partner_admin"):
        raise invalid("role", "counter_operator or partner_admin")
    account, code = await create_staff_account(
        officer=admin, display_name=display_name, roles=[role], organisation=partner.name
    )
    await PartnerMember.create(partner_id=partner.id, account_id=account.id)
    return account.id, code


async def members(*, admin: Principal) -> list[dict[str, Any]]:
    from ..auth.models import Account

    partner = await partner_of(admin)
    ids = await PartnerMember.filter(partner_id=partner.id).values_list("account_id", flat=True)
    accounts = await Account.filter(id__in=list(ids)).order_by("id")
    return [
        {
            "id": a.id,
            "display_name": a.display_name,
            "roles": a.roles.split(","),
            "disabled": a.disabled_at is not None,
        }
        for a in accounts
    ]


async def create_key(*, admin: Principal, label: str, scopes: list[str]) -> tuple[int, str, str]:
    partner = await partner_of(admin)
    chosen = sorted(set(scopes))
    if not chosen or any(s not in PARTNER_SCOPES for s in chosen):
        raise invalid("scopes", f"choose from {', '.join(PARTNER_SCOPES)}")
    row, secret = await tokens.create_token(
        officer=admin, kind="partner", organisation=str(partner.id), label=label, scopes=chosen
    )
    return row.id, row.prefix, secret


async def list_keys(*, admin: Principal) -> list[Any]:
    partner = await partner_of(admin)
    return [
        t for t in await tokens.list_tokens(kind="partner") if t.organisation == str(partner.id)
    ]


async def revoke_key(*, admin: Principal, token_id: int) -> None:
    partner = await partner_of(admin)
    keys = {t.id for t in await list_keys(admin=admin)}
    if token_id not in keys:
        raise NotFound(f"no such key at {partner.name}")
    await tokens.revoke_token(officer=admin, token_id=token_id)


# ---- offers --------------------------------------------------------------------------


def terms(offer: Offer) -> OfferTerms:
    return OfferTerms(
        status=offer.status,
        valid_from=offer.valid_from,
        valid_until=offer.valid_until,
        min_tier=offer.min_tier,
        excluded_lists=frozenset(x for x in offer.excluded_lists.split(",") if x),
        quota=offer.quota,
        used=offer.used,
    )


async def create_offer(*, admin: Principal, fields: dict[str, Any]) -> Offer:
    partner = await partner_of(admin)
    if fields["valid_until"] < fields["valid_from"]:
        raise invalid("valid_until", "must not be before valid_from")
    offer = await Offer.create(
        partner_id=partner.id, domain=partner.domain, status="pending", **fields
    )
    await audit.record(
        action="offer.submitted", actor=admin, details={"offer": offer.id, "partner": partner.id}
    )
    return offer


async def decide_offer(*, officer: Principal, offer_id: int, approve: bool) -> Offer:
    offer = await Offer.get_or_none(id=offer_id)
    if offer is None:
        raise NotFound("no such offer")
    if offer.status != "pending":
        raise Conflict("this offer was already decided", reason="already-decided")
    offer.status = "live" if approve else "rejected"
    offer.decided_by_id = officer.account_id
    await offer.save(update_fields=["status", "decided_by_id"])
    LIVE_OFFERS.forget(offer.partner_id)
    await audit.record(
        action="offer.approved" if approve else "offer.rejected",
        actor=officer,
        details={"offer": offer.id},
    )
    return offer


async def withdraw_offer(*, admin: Principal, offer_id: int) -> Offer:
    partner = await partner_of(admin)
    offer = await Offer.get_or_none(id=offer_id, partner_id=partner.id)
    if offer is None:
        raise NotFound("no such offer at your organisation")
    offer.status = "withdrawn"
    await offer.save(update_fields=["status"])
    LIVE_OFFERS.forget(offer.partner_id)
    return offer


async def offers_of(partner_id: int, *, live_only: bool) -> list[Offer]:
    if live_only:
        return await LIVE_OFFERS.get(
            partner_id, lambda: Offer.filter(partner_id=partner_id, status="live").order_by("id")
        )
    return await Offer.filter(partner_id=partner_id).order_by("id")


async def live_offers(domain: str | None = None) -> list[tuple[Offer, Partner]]:
    query = Offer.filter(status="live", valid_until__gte=_today())
    if domain:
        query = query.filter(domain=domain)
    offers = await query.order_by("domain", "id")
    partners = {p.id: p for p in await Partner.filter(id__in=list({o.partner_id for o in offers}))}
    return [(o, partners[o.partner_id]) for o in offers if o.partner_id in partners]


# ---- at the counter ------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    verdict: Verdict
    certificate: PassCertificate | None
    person: Person | None
    eligible: list[Offer]
    ineligible: list[tuple[Offer, str]]


async def check_pass(
    *, actor: Principal, keyring: KeyRing, text: str, offer_id: int | None
) -> Check:
    """verifyPass: every check of the pass, then which of this partner's offers apply."""
    partner = await partner_of(actor)
    verdict, cert = await passes.check(text, keyring=keyring)
    person = await Person.get_or_none(id=cert.person_id) if cert else None
    eligible: list[Offer] = []
    ineligible: list[tuple[Offer, str]] = []
    if person is not None and cert is not None:
        offers = await offers_of(partner.id, live_only=True)
        if offer_id is not None:
            offers = [o for o in offers if o.id == offer_id]
            if not offers:
                raise NotFound("no such live offer at your organisation")
        tier, lists = await passes.pass_state(person.id)
        for offer in offers:
            reason = (
                why_not(terms(offer), tier=tier, lists=lists, today=_today())
                if verdict.valid
                else "pass_invalid"
            )
            if reason is None:
                eligible.append(offer)
            else:
                ineligible.append((offer, reason))
        restricted = any(r.startswith("on_") for _, r in ineligible)
        await audit.record(
            action="pass.verified",
            actor=actor,
            subject_person_id=person.id,
            purpose="benefit check",
            details={
                "partner": partner.id,
                "reason": verdict.reason,
                "eligible": [o.id for o in eligible],
                "restriction_applied": restricted,
            },
        )
    elif (
        offer_id is not None
        and not await Offer.filter(id=offer_id, partner_id=partner.id, status="live").exists()
    ):
        raise NotFound("no such live offer at your organisation")
    return Check(verdict, cert, person, eligible, ineligible)


def masked_name(person: Person | None) -> str | None:
    return mask_name(person.name) if person else None


async def redeem(
    *, actor: Principal, keyring: KeyRing, text: str, offer_id: int, idempotency_key: str | None
) -> tuple[Redemption, bool]:
    """createRedemption: the same presentation is redeemed at most once per offer. With an
    idempotency key, a retried request returns the first redemption instead of failing."""
    partner = await partner_of(actor)
    if idempotency_key:
        previous = await Redemption.get_or_none(
            partner_id=partner.id, idempotency_key=idempotency_key
        )
        if previous is not None:
            return previous, False
    checked = await check_pass(actor=actor, keyring=keyring, text=text, offer_id=offer_id)
    if not checked.verdict.valid or checked.person is None or checked.certificate is None:
        raise Conflict("the pass is not valid", reason=checked.verdict.reason)
    offer = next((o for o in checked.eligible if o.id == offer_id), None)
    if offer is None:
        reason = next((r for o, r in checked.ineligible if o.id == offer_id), "not_eligible")
        raise Conflict(
            "this resident is not eligible for this offer: the normal procedure applies",
            reason=reason,
        )
    presentation = checked.verdict.presentation
    assert presentation is not None  # a valid verdict always carries its presentation
    # The signed bytes (certificate + time step), not the text: an ECDSA signature has more
    # than one valid encoding, so the text could be changed without the device key.
    digest = hashlib.sha256(presentation.signed_bytes()).hexdigest()
    if checked.certificate.kind == "paper":
        digest = f"paper:{checked.certificate.pass_id}:{_today().isoformat()}"[:64]
    due = (
        _today() + dt.timedelta(days=offer.grace_days)
        if offer.kind in ("deposit_waived", "pay_later")
        else None
    )
    try:
        async with in_transaction():
            # Atomic: a redemption at another counter meanwhile is no reason to refuse.
            places = Offer.filter(id=offer.id)
            if offer.quota is not None:
                places = places.filter(used__lt=offer.quota)
            if not await places.update(used=F("used") + 1):
                raise Conflict("the offer's quota is used up", reason="quota_exhausted")
            LIVE_OFFERS.forget(offer.partner_id)
            redemption = await Redemption.create(
                offer_id=offer.id,
                partner_id=partner.id,
                person_id=checked.person.id,
                pass_id=checked.certificate.pass_id,
                presentation_hash=digest,
                idempotency_key=idempotency_key,
                operator=actor.display_name[:120],
                deposit_waived_cents=offer.amount_cents if offer.kind == "deposit_waived" else 0,
                due_on=due,
            )
            await audit.record(
                action="redemption.created",
                actor=actor,
                subject_person_id=checked.person.id,
                purpose="benefit use",
                details={"redemption": redemption.id, "offer": offer.id},
            )
    except IntegrityError:
        raise Conflict("this pass was already used for this offer", reason="already_used") from None
    return redemption, True


async def report_outcome(
    *, actor: Principal, redemption_id: int, outcome: str, notice_sent_on: dt.date | None
) -> Redemption:
    """fulfilled → a small positive record; defaulted (after the grace period and a notice)
    → a negative record, objectionable like any other. Both through the catalog."""
    partner = await partner_of(actor)
    redemption = await Redemption.get_or_none(id=redemption_id, partner_id=partner.id)
    if redemption is None:
        raise NotFound("no such redemption at your organisation")
    if redemption.outcome != "open":
        raise Conflict("the outcome was already reported", reason="already-reported")
    if outcome == "defaulted":
        if notice_sent_on is None:
            raise invalid(
                "notice_sent_on", "a default can only be reported after a notice was sent"
            )
        if redemption.due_on is None or _today() <= redemption.due_on:
            raise Conflict(
                "the grace period has not ended",
                reason="grace_period",
                due_on=redemption.due_on.isoformat() if redemption.due_on else None,
            )
        if notice_sent_on > _today() or notice_sent_on < redemption.due_on:
            raise invalid(
                "notice_sent_on",
                "the notice must be sent after the grace period ended, and not in the future",
            )
    positive, negative = OUTCOME_TYPES.get(partner.domain, (None, None))
    type_code = positive if outcome == "fulfilled" else negative
    async with in_transaction():
        now = dt.datetime.now(dt.UTC)
        claimed = await Redemption.filter(id=redemption.id, outcome="open").update(
            outcome=outcome, outcome_at=now, notice_sent_on=notice_sent_on
        )
        if claimed != 1:  # another report for this redemption won the race
            raise Conflict("the outcome was already reported", reason="already-reported")
        redemption.outcome, redemption.outcome_at = outcome, now
        redemption.notice_sent_on = notice_sent_on
        if type_code and partner.record_department:
            redemption.record_id = await _outcome_record(partner, redemption, type_code)
            await redemption.save(update_fields=["record_id"])
        await audit.record(
            action=f"redemption.{outcome}",
            actor=actor,
            subject_person_id=redemption.person_id,
            details={"redemption": redemption.id, "record": redemption.record_id},
        )
    if redemption.record_id:
        await rescore_person(person_id=redemption.person_id, cause="record")
    return redemption


async def _outcome_record(partner: Partner, redemption: Redemption, type_code: str) -> int:
    record = await add_record(
        person_id=redemption.person_id,
        department=partner.record_department,
        external_id=f"R-{redemption.id}",
        type_code=type_code,
        summary=partner.name,
        rescore=False,
    )
    return record.id


async def stats(*, partner_id: int) -> dict[str, Any]:
    rows = await Redemption.filter(partner_id=partner_id).values("outcome", "deposit_waived_cents")
    out = {
        "redemptions": len(rows),
        "deposits_waived_cents": sum(r["deposit_waived_cents"] for r in rows),
        "open": 0,
        "fulfilled": 0,
        "defaulted": 0,
    }
    for r in rows:
        out[r["outcome"]] += 1
    return out


async def benefit_history(*, person_id: int) -> list[dict[str, Any]]:
    rows = await Redemption.filter(person_id=person_id).order_by("-id").limit(200)
    offers = {o.id: o for o in await Offer.filter(id__in=list({r.offer_id for r in rows}))}
    partners = {p.id: p for p in await Partner.filter(id__in=list({r.partner_id for r in rows}))}
    return [
        {
            "id": r.id,
            "at": r.created_at.isoformat(),
            "partner": partners[r.partner_id].name,
            "offer": {"zh-CN": offers[r.offer_id].title_zh, "en": offers[r.offer_id].title_en},
            "kind": offers[r.offer_id].kind,
            "deposit_waived_cents": r.deposit_waived_cents,
            "due_on": r.due_on.isoformat() if r.due_on else None,
            "outcome": r.outcome,
        }
        for r in rows
    ]

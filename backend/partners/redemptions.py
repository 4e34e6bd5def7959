"""Redemptions (惠民应用): a benefit used at the counter, once per presentation and offer, and
its outcome — fulfilled or defaulted — which becomes a credit record through the catalog."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from ..audit import service as audit
from ..core import clock
from ..core.errors import Conflict, NotFound, XinyiError, invalid
from ..core.keys import KeyRing
from ..core.principal import Principal
from ..core.transitions import apply as transition
from ..credit.service import rescore_person
from ..credit.system import add_record, redemption_external_id
from .checks import check_pass
from .eligibility import WhyNot
from .models import Offer, Partner, Redemption
from .offers import LIVE_OFFERS, prior_uses
from .service import partner_of
from .states import REDEMPTION_WORKFLOW, RedemptionOutcome, Refusal

# The catalog record types an outcome becomes, per domain: (fulfilled, defaulted).
OUTCOME_TYPES = {
    "library": ("PUB_LIBRARY_ON_TIME", "PUB_LIBRARY_OVERDUE"),
    "hospital": ("PUB_HOSPITAL_PAYLATER_SETTLED", "PUB_HOSPITAL_PAYLATER_DEFAULT"),
    "transit": (None, "PUB_TRANSIT_DEPOSIT_DEFAULT"),
    "utilities": ("PUB_UTILITY_ON_TIME", "PUB_UTILITY_ARREARS"),
}
REPORTABLE = (RedemptionOutcome.FULFILLED, RedemptionOutcome.DEFAULTED)


class IdempotencyKeyReused(XinyiError):
    """The Idempotency-Key was already used by this partner for a different request."""

    status = 422
    code = "idempotency_key_reused"
    title_key = "error.idempotency_key_reused"


def request_fingerprint(*, offer_id: int, text: str) -> str:
    """What a keyed createRedemption asked for: the offer and the scanned text, exactly."""
    return hashlib.sha256(f"{offer_id}\n{text}".encode()).hexdigest()


async def _replay(partner_id: int, key: str, fingerprint: str, offer_id: int) -> Redemption | None:
    """The redemption this key already made, when the request is the same one; a different
    request under the same key is refused (IETF Idempotency-Key draft: 422)."""
    previous = await Redemption.get_or_none(partner_id=partner_id, idempotency_key=key)
    if previous is None:
        return None
    same = (
        previous.request_fingerprint == fingerprint
        if previous.request_fingerprint is not None
        else previous.offer_id == offer_id  # stored before fingerprints: the offer at least
    )
    if not same:
        raise IdempotencyKeyReused(
            "this Idempotency-Key was already used for a different request; use a new key"
        )
    return previous


async def redeem(
    *, actor: Principal, keyring: KeyRing, text: str, offer_id: int, idempotency_key: str | None
) -> tuple[Redemption, bool]:
    """createRedemption: the same presentation is redeemed at most once per offer. With an
    idempotency key, a retried request returns the first redemption instead of failing —
    also when the retry races the first: the database's unique index on (partner, key) makes
    it wait for the first to commit, and then it answers with the first's redemption; if the
    first failed, the retry is tried on its own. The same key with a different offer or pass
    text is refused (422 `idempotency_key_reused`)."""
    partner = await partner_of(actor)
    if not idempotency_key:
        return await _redeem(actor, partner, keyring, text, offer_id, None, None)
    fingerprint = request_fingerprint(offer_id=offer_id, text=text)
    previous = await _replay(partner.id, idempotency_key, fingerprint, offer_id)
    if previous is not None:
        return previous, False
    try:
        return await _redeem(actor, partner, keyring, text, offer_id, idempotency_key, fingerprint)
    except Conflict:
        # A parallel retry: the first request (same key) committed while this one ran, and
        # took the presentation or the last place. Its redemption is this request's answer.
        # (The unique index on (partner, key) makes a racing insert wait for the first to
        # commit, so the first is found here; nothing found: another key used the pass.)
        previous = await _replay(partner.id, idempotency_key, fingerprint, offer_id)
        if previous is None:
            raise
        return previous, False


async def _redeem(
    actor: Principal,
    partner: Partner,
    keyring: KeyRing,
    text: str,
    offer_id: int,
    idempotency_key: str | None,
    fingerprint: str | None,
) -> tuple[Redemption, bool]:
    checked = await check_pass(actor=actor, keyring=keyring, text=text, offer_id=offer_id)
    if checked.verdict.reason == "used":  # verifyPass says `used`; the refusal keeps its name
        raise Conflict("this pass was already used for this offer", reason=Refusal.ALREADY_USED)
    if not checked.verdict.valid or checked.person is None or checked.certificate is None:
        raise Conflict("the pass is not valid", reason=checked.verdict.reason)
    offer = next((o for o in checked.eligible if o.id == offer_id), None)
    if offer is None:
        reason = next((r for o, r in checked.ineligible if o.id == offer_id), Refusal.NOT_ELIGIBLE)
        raise Conflict(
            "this resident is not eligible for this offer: the normal procedure applies",
            reason=reason,
        )
    today = clock.today()
    # checks.redemption_identity: the signed bytes (certificate + time step), not the text —
    # an ECDSA signature has more than one valid encoding (docs/pass-format.md).
    digest = checked.identity
    due = (
        today + dt.timedelta(days=offer.grace_days)
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
                raise Conflict("the offer's quota is used up", reason=Refusal.QUOTA_EXHAUSTED)
            # Counted after the offer's row is updated, so the update's row lock (PostgreSQL)
            # or the write lock (SQLite) serialises two redemptions of one offer: both cannot
            # see the person one use short of the limit.
            if offer.per_person_limit is not None and (
                offer.id in (await prior_uses(checked.person.id, [offer], "")).at_limit
            ):
                raise Conflict(
                    "this resident has used this offer as often as its terms allow: "
                    "the normal procedure applies",
                    reason=WhyNot.PER_PERSON_LIMIT,
                    per_person_limit=offer.per_person_limit,
                    per_person_period=offer.per_person_period,
                )
            LIVE_OFFERS.forget(offer.partner_id)
            redemption = await Redemption.create(
                offer_id=offer.id,
                partner_id=partner.id,
                person_id=checked.person.id,
                pass_id=checked.certificate.pass_id,
                presentation_hash=digest,
                idempotency_key=idempotency_key,
                request_fingerprint=fingerprint,
                operator=actor.display_name[:120],
                deposit_waived_cents=offer.amount_cents if offer.kind == "deposit_waived" else 0,
                due_on=due,
                outcome=RedemptionOutcome.OPEN,
            )
            await audit.record(
                action="redemption.created",
                actor=actor,
                subject_person_id=checked.person.id,
                purpose="benefit use",
                details={"redemption": redemption.id, "offer": offer.id},
            )
    except IntegrityError:
        raise Conflict(
            "this pass was already used for this offer", reason=Refusal.ALREADY_USED
        ) from None
    return redemption, True


def _check_default(redemption: Redemption) -> None:
    """A default is reported only after the grace period ended, the system's own reminder
    (催告) went out, and the days it gave to settle or object have passed."""
    today = clock.today()
    if redemption.due_on is None or today <= redemption.due_on:
        raise Conflict(
            "the grace period has not ended",
            reason=Refusal.GRACE_PERIOD,
            due_on=redemption.due_on.isoformat() if redemption.due_on else None,
        )
    if redemption.reminded_on is None or redemption.settle_by is None:
        raise Conflict(
            "the resident has not been reminded yet: the reminder goes out after the due date",
            reason=Refusal.NO_REMINDER,
        )
    if today <= redemption.settle_by:
        raise Conflict(
            "the resident may still settle or object until the reminder's date",
            reason=Refusal.REMINDER_PERIOD,
            settle_by=redemption.settle_by.isoformat(),
        )


async def report_outcome(
    *, actor: Principal, redemption_id: int, outcome: str, notice_sent_on: dt.date | None
) -> Redemption:
    """fulfilled → a small positive record; defaulted (after the grace period, the system's
    reminder and its days to settle or object) → a negative record, objectionable like any
    other. `notice_sent_on` is the partner's own notice, kept when given. Both through the catalog. The outcome,
    its record and its audit entry are one transition: one outcome, one record."""
    if outcome not in REPORTABLE:
        raise invalid("outcome", "fulfilled or defaulted", "enum")
    to = RedemptionOutcome(outcome)
    partner = await partner_of(actor)
    found = await Redemption.get_or_none(id=redemption_id, partner_id=partner.id)
    if found is None:
        raise NotFound("no such redemption at your organisation")
    if to is RedemptionOutcome.DEFAULTED and found.outcome == RedemptionOutcome.OPEN:
        _check_default(found)
    positive, negative = OUTCOME_TYPES.get(partner.domain, (None, None))
    type_code = positive if to is RedemptionOutcome.FULFILLED else negative

    async def record(redemption: Redemption, _was: RedemptionOutcome) -> None:
        if type_code and partner.record_department:
            redemption.record_id = await _outcome_record(partner, redemption, type_code)
            await redemption.save(update_fields=["record_id"])
        await audit.record(
            action=f"redemption.{to.value}",
            actor=actor,
            subject_person_id=redemption.person_id,
            details={"redemption": redemption.id, "record": redemption.record_id},
        )

    redemption = await transition(
        REDEMPTION_WORKFLOW,
        Redemption,
        item_id=found.id,
        to=to,
        where={"partner_id": partner.id},
        changes={
            "outcome_at": clock.now(),
            "notice_sent_on": notice_sent_on or found.notice_sent_on,
        },
        record=record,
    )
    if redemption.record_id:
        await rescore_person(person_id=redemption.person_id, cause="record")
    return redemption


async def _outcome_record(partner: Partner, redemption: Redemption, type_code: str) -> int:
    record = await add_record(
        person_id=redemption.person_id,
        department=partner.record_department,
        external_id=redemption_external_id(redemption.id),
        type_code=type_code,
        summary=partner.name,
        rescore=False,
    )
    return int(record.id)


async def open_redemptions(partner_id: int, *, limit: int = 200) -> list[Redemption]:
    """Benefits in use whose outcome the partner has yet to report, soonest due first."""
    return (
        await Redemption.filter(partner_id=partner_id, outcome=RedemptionOutcome.OPEN)
        .order_by("due_on", "id")
        .limit(limit)
    )


async def stats(*, partner_id: int) -> dict[str, Any]:
    """getPartnerStats: redemptions, deposits waived, and how many ended which way."""
    rows = await Redemption.filter(partner_id=partner_id).values("outcome", "deposit_waived_cents")
    out: dict[str, Any] = {
        "redemptions": len(rows),
        "deposits_waived_cents": sum(r["deposit_waived_cents"] for r in rows),
        **{o.value: 0 for o in RedemptionOutcome},
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

"""verifyPass (柜台核验): every check of a scanned pass, then which of this partner's offers
apply and why the others do not. Each check of a person's pass is a logged look."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, replace

from ..core import clock
from ..core.errors import NotFound
from ..core.keys import KeyRing
from ..core.principal import Principal
from ..credit.handling import Hint, load_handling
from ..passes import service as passes
from ..passes.verify import Verdict
from ..residents import display
from . import verifylimits
from .eligibility import WhyNot, counter_kind, why_not
from .models import Offer
from .offers import is_live_at, offers_of, prior_uses, terms
from .service import partner_of


@dataclass(frozen=True)
class Check:
    verdict: Verdict
    certificate: passes.PassRecord | None
    person: display.Holder | None
    eligible: list[Offer]
    ineligible: list[tuple[Offer, WhyNot]]
    identity: str = ""  # the redemption identity of a valid presentation (pass-format.md)
    # The handling hints for the resident's lists this counter may see (credit.handling).
    hints: tuple[Hint, ...] = ()
    lists: frozenset[str] = frozenset()  # the lists read for this check (valid passes only)


def redemption_identity(verdict: Verdict, certificate: passes.PassRecord, today: dt.date) -> str:
    """Phone: SHA-256 of certificate ‖ step — the signed bytes without the ECDSA signature, so
    its (r, n − s) twin is the same presentation. Paper: the pass id and the day."""
    if certificate.kind == "paper":
        return f"paper:{certificate.pass_id}:{today.isoformat()}"[:64]
    return hashlib.sha256(verdict.signed).hexdigest()


async def check_pass(
    *, actor: Principal, keyring: KeyRing, text: str, offer_id: int | None
) -> Check:
    """verifyPass: every check of the pass, then which of this partner's offers apply."""
    partner = await partner_of(actor)
    await verifylimits.verification_allowed(actor)
    # The certificate's row, the holder and their standing: one statement (passes.check_online)
    online = await passes.check_online(text, keyring=keyring)
    verdict, cert, person = online.verdict, online.record, online.holder
    eligible: list[Offer] = []
    ineligible: list[tuple[Offer, WhyNot]] = []
    identity = ""
    hints: tuple[Hint, ...] = ()
    lists: frozenset[str] = frozenset()
    if person is not None and cert is not None:
        offers = await offers_of(partner.id, live_only=True)
        if offer_id is not None:
            offers = [o for o in offers if o.id == offer_id]
            if not offers:
                raise NotFound("no such live offer at your organisation")
        tier, lists = online.tier, online.lists
        today = clock.today()
        identity = redemption_identity(verdict, cert, today) if verdict.valid else ""
        # No green for a used pass: already redeemed here for the offer asked about, or, with
        # none asked about, for any of these offers. One statement for that and the limits.
        prior = await prior_uses(person.id, offers, identity) if identity else None
        if prior is not None and prior.redeemed:
            verdict = replace(verdict, valid=False, reason="used")
        used_up = prior.at_limit if prior is not None and verdict.valid else frozenset()
        for offer in offers:
            reason = (
                why_not(terms(offer), tier=tier, lists=lists, today=today)
                if verdict.valid
                else WhyNot.PASS_INVALID
            )
            if reason is None and offer.id in used_up:
                reason = WhyNot.PER_PERSON_LIMIT
            if reason is None:
                eligible.append(offer)
            else:
                ineligible.append((offer, reason))
        restricted = any(r.is_list_restriction for _, r in ineligible)
        if verdict.valid:  # the lists were just read: the hints cost no query
            hints = tuple(load_handling().hints_for(lists, counter_kind(partner.domain)))
        await verifylimits.record_look(  # the same-person quota, counted with the entry
            actor,
            person.id,
            purpose="benefit check",
            details={
                "partner": partner.id,
                "reason": verdict.reason,
                "eligible": [o.id for o in eligible],
                "restriction_applied": restricted,
                "handling": [h.code.value for h in hints],
            },
        )
    elif offer_id is not None and not await is_live_at(partner.id, offer_id):
        raise NotFound("no such live offer at your organisation")
    valid = verdict.valid
    return Check(
        verdict,
        cert,
        person,
        eligible,
        ineligible,
        identity if valid else "",
        hints,
        lists if valid else frozenset(),
    )


def masked_name(person: display.Holder | None) -> str | None:
    return display.clerk_name(person.name) if person else None


def id_check(person: display.Holder | None) -> display.IdCheck | None:
    """What the clerk compares with the ID card (residents.display)."""
    return display.id_check(person) if person else None

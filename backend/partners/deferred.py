"""容缺受理 at the counter: who may be offered it, and the desk's list of acceptances that wait
for a signature or a document. The commitment itself, its signing and the sweep are in
`commitments.deferrals`.

Only a government counter (a partner of domain `government`) offers it, only to a resident
whose pass is valid and who is on the red list — the same rule that shows the counter the
容缺受理 hint (credit.handling), so the hint and the button never disagree."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from ..commitments import deferrals
from ..commitments.models import DeferredAcceptance
from ..core.errors import Conflict, Forbidden
from ..core.keys import KeyRing
from ..core.principal import Principal
from ..core.workdays import WorkCalendar
from ..credit.handling import CounterKind, HintCode
from .checks import check_pass
from .eligibility import counter_kind
from .models import Partner
from .service import partner_of


class DeferralRefusal(StrEnum):
    """Why a counter may not accept with a document missing (problem `reason`)."""

    NOT_GOVERNMENT_COUNTER = "not_government_counter"  # only government service counters
    NOT_ON_RED_LIST = "not_on_red_list"  # 容缺受理 is a red-list measure (seed 五（一）)


def is_government(partner: Partner) -> bool:
    return counter_kind(partner.domain) == CounterKind.GOVERNMENT


async def _government(actor: Principal) -> Partner:
    partner = await partner_of(actor)
    if not is_government(partner):
        raise Forbidden(
            "only a government service counter accepts with a document missing",
            reason=DeferralRefusal.NOT_GOVERNMENT_COUNTER,
        )
    return partner


async def accept_with_missing_document(
    *,
    actor: Principal,
    keyring: KeyRing,
    text: str,
    matter: str,
    document: str,
    due_on: dt.date | None,
    calendar: WorkCalendar,
) -> DeferredAcceptance:
    """容缺受理: the pass is checked again (a logged look), then the acceptance waits for the
    resident's signature in the app."""
    partner = await _government(actor)
    checked = await check_pass(actor=actor, keyring=keyring, text=text, offer_id=None)
    if not checked.verdict.valid or checked.person is None:
        raise Conflict("the pass is not valid", reason=checked.verdict.reason)
    if not any(h.code == HintCode.DEFERRED_ACCEPTANCE for h in checked.hints):
        raise Conflict(
            "容缺受理 is for residents on the red list: the normal procedure applies",
            reason=DeferralRefusal.NOT_ON_RED_LIST,
        )
    return await deferrals.open_deferral(
        clerk=actor,
        person_id=checked.person.id,
        partner_id=partner.id,
        counter_name=partner.name,
        matter=matter,
        document=document,
        due_on=due_on,
        calendar=calendar,
    )


async def documents_received(*, actor: Principal, deferral_id: int) -> DeferredAcceptance:
    partner = await _government(actor)
    return await deferrals.documents_received(
        clerk=actor, partner_id=partner.id, deferral_id=deferral_id
    )


async def open_at_desk(*, actor: Principal) -> list[DeferredAcceptance]:
    """The desk's open acceptances; none (and no query) at a counter that is not government."""
    partner = await partner_of(actor)
    return await deferrals.open_at(partner.id) if is_government(partner) else []

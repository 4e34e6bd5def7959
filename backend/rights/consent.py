"""getMyConsent / setMyConsent: the score and the pass are a service the resident authorises
(as at enrolment) and can leave and come back to at any time.

Withdrawing: no score is shown or used (`credit.standing` answers "no tier, no lists", so
every counter sees the normal procedure), every pass is revoked at once and no new one is
issued. The records themselves stay, as the law requires; the app says so."""

from __future__ import annotations

from typing import Any

from tortoise.transactions import in_transaction

from ..audit import service as audit
from ..consent import service as consent
from ..core.principal import Principal
from ..passes.service import revoke_people
from .confirm import person_of
from .notice import NOTICE_VERSION


async def my_consent(*, principal: Principal) -> dict[str, Any]:
    person_id = person_of(principal)
    latest = await consent.latest(person_id)
    return {
        "given": latest is None or latest.given,
        "since": latest.decided_at.isoformat() if latest else None,
        "notice_version": latest.notice_version if latest else None,
        "current_notice_version": NOTICE_VERSION,
        "records_kept": True,  # records are kept as the law requires, whatever the choice
    }


async def set_consent(*, principal: Principal, given: bool) -> dict[str, Any]:
    """One decision (a repeat of the one in force changes nothing and logs nothing)."""
    person_id = person_of(principal)
    if (not await consent.withdrawn(person_id)) == given:
        return await my_consent(principal=principal)
    async with in_transaction():
        await consent.decide(person_id=person_id, given=given, notice_version=NOTICE_VERSION,
                             account_id=principal.account_id)  # fmt: skip
        await audit.record(
            action="consent.given" if given else "consent.withdrawn", actor=principal,
            subject_person_id=person_id, details={"notice_version": NOTICE_VERSION},
        )  # fmt: skip
    if not given:
        await revoke_people([person_id], "consent_withdrawn")
    return await my_consent(principal=principal)

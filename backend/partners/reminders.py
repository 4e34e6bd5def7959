"""催告: the reminder the system itself sends when a benefit's due date passes, before any
partner may report a default. It tells the resident what is due, where, and the day by which
to settle it or object; `redemptions.report_outcome(defaulted)` is refused until that day has
passed. Sent by the deadline sweep; once per redemption, whichever process gets there."""

from __future__ import annotations

import datetime as dt

from ..audit import service as audit
from ..core import clock
from ..credit.catalog import load_catalog
from ..notices.models import NoticeKind
from ..notices.service import notify
from .models import Offer, Partner, Redemption
from .states import RedemptionOutcome


def reminder_key(redemption_id: int) -> str:
    return f"reminder:redemption:{redemption_id}"


async def remind(redemption: Redemption, today: dt.date) -> bool:
    """Send one reminder; False when another process (or an earlier sweep) already did."""
    settle_by = today + dt.timedelta(days=load_catalog().reminder_days)
    claimed = await Redemption.filter(
        id=redemption.id, outcome=RedemptionOutcome.OPEN.value, reminded_on=None
    ).update(reminded_on=today, settle_by=settle_by)
    if claimed != 1:
        return False
    partner = await Partner.get_or_none(id=redemption.partner_id)
    offer = await Offer.get_or_none(id=redemption.offer_id)
    await notify(
        person_id=redemption.person_id,
        kind=NoticeKind.REMINDER,
        key=reminder_key(redemption.id),
        params={
            "redemption_id": redemption.id,
            "partner": partner.name if partner else "",
            "offer": {"zh-CN": offer.title_zh, "en": offer.title_en} if offer else {},
            "due_on": redemption.due_on.isoformat() if redemption.due_on else None,
            "settle_by": settle_by.isoformat(),
        },
        link="#/benefits",
    )
    await audit.record(
        action="redemption.reminded",
        actor_label="deadline sweep",
        subject_person_id=redemption.person_id,
        details={"redemption": redemption.id, "settle_by": settle_by.isoformat()},
    )
    return True


async def send_due_reminders() -> int:
    """Remind every open benefit whose due date has passed and that was not reminded yet."""
    today = clock.today()
    due = await Redemption.filter(
        outcome=RedemptionOutcome.OPEN.value, reminded_on=None, due_on__lt=today
    ).limit(5000)
    return sum([await remind(r, today) for r in due])

"""The campaigns calendar (信用宣传活动: 食品安全宣传周, 诚信兴商宣传月, 3·15 …) that the credit
office edits, and the incentive measures in force that anyone may read next to it: the live
partner offers by category (`partners.offers.live_offers`) and what each list means."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tortoise.transactions import in_transaction

from ..audit import service as audit
from ..core import clock, transitions
from ..core.errors import NotFound, invalid
from ..core.principal import Principal
from ..core.transitions import Workflow
from ..credit.catalog import load_catalog, load_model
from ..partners.offers import live_offers
from .models import Campaign, CampaignStatus

CAMPAIGN_WORKFLOW = Workflow[CampaignStatus](
    name="campaign",
    moves={
        CampaignStatus.SCHEDULED: frozenset({CampaignStatus.CANCELLED}),
        CampaignStatus.CANCELLED: frozenset({CampaignStatus.SCHEDULED}),
    },
)

MAX_DAYS = 366  # a campaign is at most a year long (宣传月, 宣传周, a day)
CALENDAR_LIMIT = 200


def _check(*, starts_on: dt.date, ends_on: dt.date, departments: list[str]) -> str:
    if ends_on < starts_on:
        raise invalid("ends_on", "the campaign ends before it starts")
    if (ends_on - starts_on).days >= MAX_DAYS:
        raise invalid("ends_on", f"a campaign lasts at most {MAX_DAYS} days")
    known = load_catalog().departments
    unknown = [code for code in departments if code not in known]
    if unknown:
        raise invalid("departments", f"unknown department codes: {', '.join(unknown)}")
    if len(set(departments)) != len(departments):
        raise invalid("departments", "a department is named twice")
    return ",".join(departments)


def _values(officer: Principal, fields: dict[str, Any]) -> dict[str, Any]:
    return {
        "title_zh": str(fields["title_zh"]).strip(),
        "title_en": str(fields["title_en"]).strip(),
        "description_zh": str(fields.get("description_zh", "")).strip(),
        "description_en": str(fields.get("description_en", "")).strip(),
        "starts_on": fields["starts_on"],
        "ends_on": fields["ends_on"],
        "departments": _check(
            starts_on=fields["starts_on"],
            ends_on=fields["ends_on"],
            departments=list(fields.get("departments", [])),
        ),
        "status": (
            CampaignStatus.CANCELLED if fields.get("cancelled") else CampaignStatus.SCHEDULED
        ).value,
        "updated_by_id": officer.account_id,
        "updated_at": clock.now(),
    }


async def create_campaign(*, officer: Principal, fields: dict[str, Any]) -> Campaign:
    """createCampaign."""
    values = _values(officer, fields)
    async with in_transaction():
        campaign = await Campaign.create(created_by_id=officer.account_id, **values)
        await audit.record(
            action="campaign.create", actor=officer, details={"campaign": campaign.id}
        )
    return campaign


async def update_campaign(
    *, officer: Principal, campaign_id: int, fields: dict[str, Any]
) -> Campaign:
    """updateCampaign: the whole campaign again; `cancelled: true` cancels it (it stays on the
    calendar, marked cancelled, so nobody wonders where it went)."""
    values = _values(officer, fields)
    status = CampaignStatus(values.pop("status"))

    async def record(_item: Campaign, _from: CampaignStatus) -> None:
        await audit.record(
            action="campaign.update",
            actor=officer,
            details={"campaign": campaign_id, "status": status.value},
        )

    async with in_transaction():
        current = await Campaign.get_or_none(id=campaign_id)
        if current is None:
            raise NotFound("no such campaign")
        if CampaignStatus(current.status) == status:  # the fields only: no state change
            await Campaign.filter(id=campaign_id).update(**values)
            await record(current, status)
        else:  # cancelled, or scheduled again: through the one transition helper
            await transitions.apply(
                CAMPAIGN_WORKFLOW, Campaign, item_id=campaign_id, to=status, changes=values,
                record=record,
            )  # fmt: skip
    return await Campaign.get(id=campaign_id)


def describe(campaign: Campaign) -> dict[str, Any]:
    names = load_catalog().departments
    codes = [c for c in campaign.departments.split(",") if c]
    return {
        "id": campaign.id,
        "title": {"zh-CN": campaign.title_zh, "en": campaign.title_en},
        "description": {"zh-CN": campaign.description_zh, "en": campaign.description_en},
        "starts_on": campaign.starts_on.isoformat(),
        "ends_on": campaign.ends_on.isoformat(),
        "departments": [{"code": c, "name": names.get(c, {"zh-CN": c, "en": c})} for c in codes],
        "status": campaign.status,
    }


async def campaigns(*, year: int | None) -> list[Campaign]:
    query = Campaign.all()
    if year is not None:
        query = query.filter(starts_on__lte=dt.date(year, 12, 31), ends_on__gte=dt.date(year, 1, 1))
    return await query.order_by("starts_on", "id").limit(CALENDAR_LIMIT)


async def measures() -> dict[str, Any]:
    """The incentive measures in force: live offers grouped by category, and the lists."""
    by_domain: dict[str, list[dict[str, Any]]] = {}
    for offer, partner in await live_offers():
        by_domain.setdefault(offer.domain, []).append(
            {
                "title": {"zh-CN": offer.title_zh, "en": offer.title_en},
                "partner": partner.name,
                "kind": offer.kind,
                "min_tier": offer.min_tier,
                "valid_until": offer.valid_until.isoformat(),
            }
        )
    model = load_model()
    return {
        "offers": [{"domain": d, "items": items} for d, items in sorted(by_domain.items())],
        "lists": [{"code": k.code, "name": k.name, "meaning": k.meaning} for k in model.lists],
    }


async def calendar(*, year: int | None) -> dict[str, Any]:
    """listCampaigns: the calendar and the measures in force, for anyone."""
    return {
        "items": [describe(c) for c in await campaigns(year=year)],
        "measures": await measures(),
        "today": clock.today().isoformat(),
    }

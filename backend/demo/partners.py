"""Demo partners: a library, a hospital, a bus company and a merchant, approved, each with
live offers, so the counter, the pass and the offers pages have something to show."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..apitokens.service import create_token
from ..partners.models import Offer, Partner, PartnerMember
from ..partners.service import PARTNER_SCOPES, RECORD_DEPARTMENT

PARTNERS: list[dict[str, Any]] = [
    {
        "name": "黄石市图书馆", "domain": "library", "contact": "郑馆长", "address": "黄石市黄石港区湖滨大道",
        "offers": [
            dict(title_zh="免押金借阅", title_en="Deposit-free borrowing", kind="deposit_waived",
                 amount_cents=10000, limit_note_zh="最多5册，借期30天", limit_note_en="up to 5 books for 30 days",
                 min_tier="good", grace_days=30),
        ],
    },
    {
        "name": "黄石市中心医院", "domain": "hospital", "contact": "李主任", "address": "黄石市黄石港区天津路",
        "offers": [
            dict(title_zh="先诊疗后付费", title_en="Treatment first, pay later", kind="pay_later",
                 amount_cents=200000, limit_note_zh="单次最高2000元，15天内结清",
                 limit_note_en="up to 2,000 yuan per visit, settle within 15 days", min_tier="good", grace_days=15),
            dict(title_zh="优先挂号", title_en="Priority registration", kind="priority",
                 limit_note_zh="门诊绿色通道", limit_note_en="outpatient green channel", min_tier="very_good",
                 excluded_lists="black,gray"),
        ],
    },
    {
        "name": "黄石市公交集团", "domain": "transit", "contact": "王经理", "address": "黄石市下陆区团城山",
        "offers": [
            dict(title_zh="免押金办理公交卡", title_en="Deposit-free bus card", kind="deposit_waived",
                 amount_cents=2000, limit_note_zh="每人一张", limit_note_en="one card per person",
                 min_tier="fair", grace_days=90),
        ],
    },
    {
        "name": "磁湖书店", "domain": "merchant", "contact": "周店长", "address": "黄石市黄石港区磁湖路",
        "offers": [
            dict(title_zh="诚信购书九折", title_en="10% off books", kind="discount", discount_percent=10,
                 limit_note_zh="不含特价书", limit_note_en="sale items excluded", min_tier="very_good",
                 quota=5000),
        ],
    },
]  # fmt: skip


async def seed_partners(
    *, admin_account_id: int | None, counter_account_id: int | None
) -> dict[str, str]:
    """Create the demo partners and offers; the demo partner admin and counter operator work
    for the library. Returns the library's API key (shown once, like any key)."""
    today = dt.date.today()
    library_key = ""
    for spec in PARTNERS:
        partner = await Partner.create(
            name=spec["name"],
            domain=spec["domain"],
            contact_name=spec["contact"],
            contact_phone="0714-6200000",
            address=spec["address"],
            status="approved",
            record_department=RECORD_DEPARTMENT.get(spec["domain"], ""),
            decided_at=dt.datetime.now(dt.UTC),
        )
        for offer in spec["offers"]:
            await Offer.create(
                partner_id=partner.id,
                domain=spec["domain"],
                status="live",
                valid_from=today,
                valid_until=today + dt.timedelta(days=365),
                **offer,
            )
        if spec["domain"] == "library":
            for account_id in (admin_account_id, counter_account_id):
                if account_id is not None:
                    await PartnerMember.create(partner_id=partner.id, account_id=account_id)
            _, library_key = await create_token(
                officer=None,
                kind="partner",
                organisation=str(partner.id),
                label="demo",
                scopes=list(PARTNER_SCOPES),
            )
    return {"partner_api_key": library_key}

"""The JSON shapes of the partner API's offers, partners and redemptions (docs/partner-api.md;
pinned by the tests): one place, so every operation returns the same shape."""

from __future__ import annotations

from .models import Offer, Partner, Redemption


def offer(o: Offer, partner: Partner | None = None) -> dict[str, object]:
    item: dict[str, object] = {
        "id": o.id,
        "title": {"zh-CN": o.title_zh, "en": o.title_en},
        "description": {"zh-CN": o.description_zh, "en": o.description_en},
        "limit_note": {"zh-CN": o.limit_note_zh, "en": o.limit_note_en},
        "domain": o.domain,
        "kind": o.kind,
        "amount_cents": o.amount_cents,
        "discount_percent": o.discount_percent,
        "min_tier": o.min_tier,
        "excluded_lists": [x for x in o.excluded_lists.split(",") if x],
        "required_lists": [x for x in o.required_lists.split(",") if x],
        "quota": o.quota,
        "used": o.used,
        "per_person_limit": o.per_person_limit,
        "per_person_period": o.per_person_period,
        "valid_from": o.valid_from.isoformat(),
        "valid_until": o.valid_until.isoformat(),
        "status": o.status,
    }
    if partner is not None:
        item["partner"] = {"id": partner.id, "name": partner.name}
    return item


def partner(p: Partner) -> dict[str, object]:
    return {
        "id": p.id,
        "name": p.name,
        "domain": p.domain,
        "status": p.status,
        "contact_name": p.contact_name,
        "contact_phone": p.contact_phone,
        "address": p.address,
        "created_at": p.created_at.isoformat(),
    }


def redemption(r: Redemption) -> dict[str, object]:
    return {
        "id": r.id,
        "offer_id": r.offer_id,
        "deposit_waived_cents": r.deposit_waived_cents,
        "due_on": r.due_on.isoformat() if r.due_on else None,
        "outcome": r.outcome,
        "created_at": r.created_at.isoformat(),
        "record_id": r.record_id,
    }

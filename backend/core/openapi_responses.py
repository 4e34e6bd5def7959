"""The 2xx response bodies of the API, as JSON Schema, by operationId. The partner and
department APIs are spelled out field by field (their snapshot is pinned by
tests/contract); the others declare an object (their fields are in docs/api.md). The fuzz
test (tests/fuzz) checks every answer against this document."""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]


def obj(required: dict[str, Schema], optional: dict[str, Schema] | None = None) -> Schema:
    return {
        "type": "object",
        "properties": required | (optional or {}),
        "required": sorted(required),
    }


def nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


INT = {"type": "integer"}
STR = {"type": "string"}
BOOL = {"type": "boolean"}
DATE = {"type": "string", "format": "date"}
TIME = {"type": "string", "format": "date-time"}
TEXTS = obj({"zh-CN": STR, "en": STR})
OFFER = obj(
    {
        "id": INT,
        "title": TEXTS,
        "description": TEXTS,
        "limit_note": TEXTS,
        "domain": STR,
        "kind": {"enum": ["deposit_waived", "pay_later", "priority", "discount"]},
        "amount_cents": INT,
        "discount_percent": INT,
        "min_tier": STR,
        "excluded_lists": {"type": "array", "items": STR},
        "quota": nullable(INT),
        "used": INT,
        "per_person_limit": nullable(INT),
        "per_person_period": {"enum": ["ever", "day", "month", "open"]},
        "valid_from": DATE,
        "valid_until": DATE,
        "status": STR,
    },
    {"partner": obj({"id": INT, "name": STR}), "why_not": STR},
)
REDEMPTION = obj(
    {
        "id": INT,
        "offer_id": INT,
        "deposit_waived_cents": INT,
        "due_on": nullable(DATE),
        "outcome": STR,
        "created_at": TIME,
        "record_id": nullable(INT),
    }
)
VERIFIED = obj(
    {
        "valid": BOOL,
        "reason": nullable(STR),
        "tier": nullable(STR),
        "paper": BOOL,
        "requires_id_check": BOOL,
        "masked_name": nullable(STR),
        "certificate_expires_at": nullable(TIME),
        "eligible_offers": {"type": "array", "items": OFFER},
        "ineligible_offers": {"type": "array", "items": OFFER},
        "server_time": INT,
    }
)
SUBMITTED = obj({"received": INT, "created": INT, "unchanged": INT, "people_rescored": INT})
RECORD_CHANGED = obj({"external_id": STR, "status": STR}, {"revision": INT})
ITEMS = obj({"items": {"type": "array", "items": {"type": "object"}}})

RESPONSES: dict[str, Schema] = {
    "verifyPass": VERIFIED,
    "createRedemption": REDEMPTION,
    "reportRedemptionOutcome": REDEMPTION,
    "listOffers": obj({"items": {"type": "array", "items": OFFER}}),
    "createOffer": OFFER,
    "withdrawOffer": OFFER,
    "getPartnerStats": obj(
        {"partner": obj({"id": INT, "name": STR}), "redemptions": INT, "deposits_waived_cents": INT}
    ),
    "submitRecords": SUBMITTED,
    "correctRecord": RECORD_CHANGED,
    "withdrawRecord": RECORD_CHANGED,
    "listDepartmentCases": ITEMS,
    "listPartnerKeys": ITEMS,
    "listPartnerMembers": ITEMS,
    "listDepartmentTokens": ITEMS,
    "browseOffers": obj(
        {"tier": STR, "lists": {"type": "array", "items": STR}, "items": {"type": "array"}}
    ),
}
GENERIC: Schema = {"type": "object", "description": "see docs/api.md"}


def response_schema(operation_id: str) -> Schema:
    return RESPONSES.get(operation_id, GENERIC)

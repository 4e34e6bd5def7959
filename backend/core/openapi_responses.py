"""The 2xx response bodies of the API, by operationId.

- The partner and department operations are written out here, field by field (their snapshot
  is pinned by tests/contract/test_public_shapes.py).
- The others are in `openapi_responses.json`: the shapes every answer of the test suite and
  the fuzz test had (a key is required when every one of at least two answers had it, a
  value only ever null is left open), reviewed. Edit it like code when an answer changes.
- File downloads declare their media types (`MEDIA`).
- `SAME_AS`: operations answering with a sibling operation's shape; `OPEN`: operations that no
  test answered with 2xx yet (none today; tests/contract/test_answers_match_document.py).

The fuzz test (tests/fuzz) checks every answer against the document, and
tests/contract/test_openapi_document.py that no operation goes without a schema.
"""

from __future__ import annotations

import json
from pathlib import Path
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
        "required_lists": {"type": "array", "items": STR},
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
# A handling hint for a list the resident is on (backend/data/lists/handling.json).
HINT = obj(
    {
        "code": {"enum": ["green_channel", "deferred_acceptance", "cautious_handling"]},
        "list": {"enum": ["red", "gray", "black"]},
        "title": TEXTS,
        "text": TEXTS,
        "legal_basis": TEXTS,
    }
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
        "handling": {"type": "array", "items": HINT},
        "server_time": INT,
    }
)
# 容缺受理: an application accepted with a document to follow (commitments.deferrals.describe).
DEFERRAL = obj(
    {
        "id": INT,
        "status": {"enum": ["awaiting_signature", "committed", "fulfilled", "breached", "lapsed"]},
        "counter": STR,
        "matter": STR,
        "document": STR,
        "document_name": TEXTS,
        "due_on": DATE,
        "created_at": TIME,
        "signed_at": nullable(TIME),
        "record_id": nullable(INT),
        "commitment": nullable({"type": "object"}),
    }
)
SUBMITTED = obj({"received": INT, "created": INT, "unchanged": INT, "people_rescored": INT})
RECORD_CHANGED = obj({"external_id": STR, "status": STR}, {"revision": INT})

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
    "createDeferredAcceptance": DEFERRAL,
    "listDeferredAcceptances": obj({"items": {"type": "array", "items": DEFERRAL}}),
    "receiveDeferredDocument": DEFERRAL,
    "listMyDeferredAcceptances": obj({"items": {"type": "array", "items": DEFERRAL}}),
    "signDeferredAcceptance": DEFERRAL,
    "submitRecords": SUBMITTED,
    "correctRecord": RECORD_CHANGED,
    "withdrawRecord": RECORD_CHANGED,
}
OBSERVED: dict[str, Schema] = json.loads(
    Path(__file__).with_name("openapi_responses.json").read_text(encoding="utf-8")
)
BINARY: Schema = {"type": "string", "format": "binary"}
EVIDENCE = {"application/pdf": BINARY, "image/jpeg": BINARY, "image/png": BINARY}
MEDIA: dict[str, dict[str, Schema]] = {
    "getMyRepairEvidence": EVIDENCE,
    "getDepartmentRepairEvidence": EVIDENCE,
    "getMyObjectionEvidence": EVIDENCE,
    "getDepartmentObjectionEvidence": EVIDENCE,
    "getMyCreditReportPdf": {"application/pdf": BINARY},
    "getPassStatusList": {"application/statuslist+jwt": {"type": "string"}},
    "exportJointCases": {
        "text/csv": {"type": "string"},
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": BINARY,
    },
}
# Operations that answer with the shape of a sibling operation (the same view of the same
# thing, read by a helper, a department or anyone holding a case number).
SAME_AS: dict[str, str] = {
    "listHelpedLists": "getMyLists",
    "startHelpedRepair": "startRepairRequest",
    "createHelpedRepair": "createRepairRequest",
    "startDeferredAcceptanceSigning": "startCommitmentSigning",
}
MASKED_RESIDENT = obj({"masked_name": STR, "masked_id": STR})
RESPONSES |= {op: OBSERVED[sibling] for op, sibling in SAME_AS.items()}
RESPONSES |= {
    "getDepartmentObjection": {
        **OBSERVED["getMyObjection"],
        "properties": OBSERVED["getMyObjection"]["properties"] | {"resident": MASKED_RESIDENT},
        "required": sorted([*OBSERVED["getMyObjection"].get("required", []), "resident"]),
    },
    "disableStaffAccount": obj(
        {"id": INT, "outcome": {"enum": ["disabled", "proposed"]}, "change_id": nullable(INT)}
    ),
    "lookUpCase": obj(
        {
            "kind": {"enum": ["repair", "objection"]},
            "case_no": STR,
            "state": STR,
            "submitted_at": TIME,
            "due": DATE,
            "overdue": BOOL,
            "department_name": TEXTS,
            "timeline": {"type": "array", "items": obj({"status": STR, "at": TIME})},
        }
    ),
}
# Operations no test has answered with 2xx yet: declared open objects (none today).
OPEN: frozenset[str] = frozenset()
OPEN_OBJECT: Schema = {"type": "object", "description": "not pinned yet (see docs/api.md)"}
GENERIC: Schema = {"type": "object", "description": "undeclared"}


def response_content(operation_id: str) -> dict[str, Any]:
    """The `content` of the operation's 2xx response."""
    if operation_id in MEDIA:
        return {media: {"schema": schema} for media, schema in MEDIA[operation_id].items()}
    schema = RESPONSES.get(operation_id) or OBSERVED.get(operation_id)
    if schema is None:
        schema = OPEN_OBJECT if operation_id in OPEN else GENERIC
    return {"application/json": {"schema": schema}}

"""Shared helpers for the credit and list tests: department tokens, dates, direct record
inserts and row counts of the credit tables."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from typing import Any

from backend.apitokens.service import create_token
from backend.audit.models import AuditEntry
from backend.core.clock import today
from backend.credit.catalog import add_months, load_catalog
from backend.credit.models import CreditRecord, ListEntry, RescoreRun, Score, ScoreHistory

PROBLEM = "application/problem+json"
NDJSON = {"Content-Type": "application/x-ndjson"}
_seq = itertools.count(1)
CREDIT_MODELS = (CreditRecord, Score, ScoreHistory, ListEntry, AuditEntry, RescoreRun)


async def department(kind: str = "court") -> dict[str, str]:
    """Authorization headers for a fresh API token of a department."""
    _, secret = await create_token(
        officer=None, kind="department", organisation=kind, label="t", scopes=["records.submit"]
    )
    return {"Authorization": f"Bearer {secret}"}


def ago(days: int) -> str:
    return (today() - dt.timedelta(days=days)).isoformat()


def ndjson(items: list[Any]) -> bytes:
    return "\n".join(json.dumps(i, ensure_ascii=False) for i in items).encode()


async def credit_counts() -> dict[str, int]:
    return {m.__name__: await m.all().count() for m in CREDIT_MODELS}


async def add_record(
    person_id: int,
    code: str,
    decided: dt.date,
    *,
    department: str | None = None,
    external_id: str | None = None,
    status: str = "active",
    suspended: bool = False,
) -> CreditRecord:
    """A record straight into the table, as the ingest path would store it (any date allowed)."""
    catalog = load_catalog()
    t = catalog.types[code]
    now = dt.datetime.now(dt.UTC)
    return await CreditRecord.create(
        person_id=person_id,
        department=department or sorted(t.departments)[0],
        external_id=external_id or f"T-{next(_seq)}",
        type_code=code,
        dimension=t.dimension,
        points=t.points,
        severity=t.severity,
        decision_date=decided,
        repairable_from=add_months(decided, t.min_months),
        expires_on=add_months(decided, t.max_months),
        status=status,
        suspended=suspended,
        catalog_version=catalog.version,
        created_at=now,
        updated_at=now,
    )


def problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM, response.headers["content-type"]
    body = response.json()
    assert (body["status"], body["code"]) == (status, code), body
    return body

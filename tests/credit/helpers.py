"""Shared helpers for the credit and list tests: department tokens, dates, direct record
inserts and row counts of the credit tables."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import json
from collections.abc import Awaitable, Callable
from types import ModuleType
from typing import Any

import httpx
import pytest

from backend.apitokens.service import create_token
from backend.audit.models import AuditEntry
from backend.core import clock
from backend.core.clock import today
from backend.credit.catalog import add_months, load_catalog
from backend.credit.models import CreditRecord, ListEntry, RescoreRun, Score, ScoreHistory
from tests.factories import csrf

PROBLEM = "application/problem+json"
NDJSON = {"Content-Type": "application/x-ndjson"}
_seq = itertools.count(1)
CREDIT_MODELS = (CreditRecord, Score, ScoreHistory, ListEntry, AuditEntry, RescoreRun)


async def department(kind: str = "court") -> dict[str, str]:
    """Authorization headers for a fresh API token of a department."""
    _, secret = await create_token(
        officer=None,
        kind="department",
        organisation=kind,
        label="t",
        scopes=["cases.decide", "records.submit"],
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
    now = clock.now()
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


# --- manual list entries through the API -----------------------------------------------------

ENTRIES = "/api/v1/list-entries"


def proposal(person_id: int, **overrides: Any) -> dict[str, Any]:
    """A valid proposal body for `proposeListEntry` (red list, open-ended, from yesterday)."""
    body = {
        "person_id": person_id,
        "list": "red",
        "reason": "全国道德模范提名",
        "legal_basis": "黄信用〔2018〕1号 一（二）",
        "decision_doc_no": "黄信用函〔2026〕12号",
        "start": ago(1),
        "end": None,
    }
    body.update(overrides)
    return body


async def post(
    http: httpx.AsyncClient, path: str, body: dict[str, Any] | None = None
) -> httpx.Response:
    """A JSON POST with the client's CSRF token (officers sign in with cookies)."""
    return await http.post(path, json=body if body is not None else {}, headers=csrf(http))


async def my_lists(phone: httpx.AsyncClient) -> list[dict[str, Any]]:
    """What a signed-in resident sees of their own list entries."""
    response = await phone.get("/api/v1/me/lists")
    assert response.status_code == 200, response.text
    return response.json()["items"]  # type: ignore[no-any-return]


def refused(response: Any, status: int, code: str, reason: str) -> dict[str, Any]:
    """A problem with its named reason (`reason` of the problem document)."""
    body = problem(response, status, code)
    assert body.get("reason") == reason, body
    return body


def both_read_first(monkeypatch: pytest.MonkeyPatch, module: ModuleType, name: str) -> None:
    """Hold each of two concurrent requests after `module.<name>` until both got there: both
    have then read the item as it was before either change, the race in which a
    read-check-write applies a decision twice."""
    original: Callable[..., Awaitable[Any]] = getattr(module, name)
    barrier = asyncio.Barrier(2)

    async def held(*args: Any, **kwargs: Any) -> Any:
        result = await original(*args, **kwargs)
        async with asyncio.timeout(10):
            await barrier.wait()
        return result

    monkeypatch.setattr(module, name, held)

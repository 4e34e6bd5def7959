"""Helpers for the office console tests: CSRF tokens and department submissions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx

from backend.apitokens.service import create_token
from backend.core.clock import today


def token(http: httpx.AsyncClient) -> str:
    return http.cookies.get("xinyi_csrf", "")


async def department(code: str) -> dict[str, str]:
    _, secret = await create_token(
        officer=None, kind="department", organisation=code, label="test", scopes=["records.submit"]
    )
    return {"Authorization": f"Bearer {secret}"}


async def submit(http: httpx.AsyncClient, code: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    response = await http.post("/api/v1/records", json=items, headers=await department(code))
    assert response.status_code == 200, response.text
    return response.json()


def record(external_id: str, id_number: str, type_code: str, days_ago: int = 10) -> dict[str, Any]:
    decided = today() - dt.timedelta(days=days_ago)
    return {
        "external_id": external_id,
        "id_number": id_number,
        "type": type_code,
        "decision_date": decided.isoformat(),
        "decision_doc_no": f"DOC-{external_id}",
    }

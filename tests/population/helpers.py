"""Register feed lines and the population database's token, for the feed tests."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from typing import Any

from backend.population.service import create_register_token
from backend.residents import idnumber

NDJSON = {"Content-Type": "application/x-ndjson"}
CHANGES = "/api/v1/register/changes"
_seq = itertools.count(1)


def new_number(area: str = "420202", birth: dt.date = dt.date(1979, 3, 8)) -> str:
    return idnumber.make(area, birth, 500 + next(_seq) % 400)


def line(seq: int, number: str, name: str | None = "王建国", district: str | None = "420202",
         change: str | None = None) -> dict[str, Any]:  # fmt: skip
    item: dict[str, Any] = {"seq": seq, "id_number": number}
    if name is not None:
        item["name"] = name
    if district is not None:
        item["district"] = district
    if change is not None:
        item["change"] = change
    return item


def ndjson(items: list[dict[str, Any]]) -> bytes:
    return "\n".join(json.dumps(i, ensure_ascii=False) for i in items).encode() + b"\n"


async def register_headers() -> dict[str, str]:
    _, secret = await create_register_token(officer=None, label="人口信息库 test")
    return {"Authorization": f"Bearer {secret}", **NDJSON}

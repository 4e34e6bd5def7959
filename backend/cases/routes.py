"""HTTP for case queues and the public case look-up."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request
from starlette.responses import Response

from ..core.context import client_key
from ..core.http import json_ok, parse_json, query_of
from ..core.permissions import Permission
from ..core.routing import PUBLIC, api, principal_of, requires
from . import service


class LookUp(BaseModel):
    """POST, so the name never stands in a URL or an access log."""

    model_config = ConfigDict(extra="forbid")
    case_no: str = Field(min_length=1, max_length=24)
    name: str = Field(min_length=1, max_length=64)


class QueueQuery(BaseModel):
    all: Literal["0", "1"] = Field(default="0", description="1: closed cases too")


async def department_cases(request: Request) -> Response:
    open_only = query_of(request, QueueQuery).all != "1"
    rows = await service.department_queue(actor=principal_of(request), open_only=open_only)
    return json_ok({"items": rows})


async def open_cases(request: Request) -> Response:
    return json_ok({"items": await service.open_cases()})


async def look_up(request: Request) -> Response:
    body = await parse_json(request, LookUp)
    found = await service.look_up(
        case_no=body.case_no, name=body.name, client_key=client_key(request)
    )
    return json_ok(found)


routes = [
    api("GET", "/api/v1/department/cases", department_cases, operation_id="listDepartmentCases",
        summary="My department's repair and objection cases, overdue first (all=1: closed too)",
        tag="department", access=requires(Permission.CASES_DECIDE), query=QueueQuery),
    api("GET", "/api/v1/office/cases", open_cases, operation_id="listOpenCases",
        summary="Every open case by department with its deadline, overdue first",
        tag="office", access=requires(Permission.CASES_OVERSEE)),
    api("POST", "/api/v1/cases/lookup", look_up, operation_id="lookUpCase",
        summary="A case's state by its number and the resident's name (throttled)",
        tag="cases", access=PUBLIC, body=LookUp),
]  # fmt: skip

"""HTTP for the resident's inbox."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request
from starlette.responses import Response

from ..core.errors import NotFound, invalid
from ..core.http import ID_MAX, json_ok, parse_json, query_of
from ..core.permissions import Permission
from ..core.routing import api, principal_of, requires
from . import service
from .models import Notice


class MarkRead(BaseModel):
    """Mark these notices read, or every notice with `all`."""

    model_config = ConfigDict(extra="forbid")
    ids: list[Annotated[int, Field(ge=1, le=2**62)]] | None = Field(default=None, max_length=200)
    all: bool = False


class InboxQuery(BaseModel):
    before: int | None = Field(default=None, ge=1, le=ID_MAX, description="next_before")


def _person(request: Request) -> int:
    principal = principal_of(request)
    if principal.person_id is None:
        raise NotFound("this account has no entry in the population register")
    return principal.person_id


def _notice(n: Notice) -> dict[str, Any]:
    return {
        "id": n.id,
        "kind": n.kind,
        "params": n.params,
        "link": n.link,
        "created_at": n.created_at.isoformat(),
        "read": n.read_at is not None,
    }


async def list_notices(request: Request) -> Response:
    before = query_of(request, InboxQuery).before
    box = await service.inbox(person_id=_person(request), before=before)
    return json_ok(
        {"items": [_notice(n) for n in box.items], "unread": box.unread,
         "next_before": box.next_before}
    )  # fmt: skip


async def mark_read(request: Request) -> Response:
    body = await parse_json(request, MarkRead)
    if body.ids is None and not body.all:
        raise invalid("ids", "name the notices, or send all: true", "missing")
    changed = await service.mark_read(
        person_id=_person(request), ids=None if body.all else body.ids
    )
    return json_ok({"marked": changed})


ME = requires(Permission.CASES_SELF)
routes = [
    api("GET", "/api/v1/me/notifications", list_notices, operation_id="listMyNotifications",
        summary="My inbox, newest first, with the unread count", tag="notices", access=ME,
        query=InboxQuery),
    api("POST", "/api/v1/me/notifications/read", mark_read, operation_id="markNotificationsRead",
        summary="Mark notices as read", tag="notices", access=ME, body=MarkRead),
]  # fmt: skip

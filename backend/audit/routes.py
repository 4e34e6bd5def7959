"""HTTP for the audit trail and the resident's access log."""

from __future__ import annotations

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import Response

from ..core import clock
from ..core.http import ID_MAX, json_ok, query_of
from ..core.permissions import Permission
from ..core.routing import api, principal_of, requires
from . import checkpoints, present, service
from .models import AuditEntry


class AccessLogQuery(BaseModel):
    limit: int = Field(default=50, ge=1, le=200)
    before: int | None = Field(default=None, ge=1, le=ID_MAX, description="next_before")


class AuditQuery(BaseModel):
    limit: int = Field(default=100, ge=1, le=500)
    before: int | None = Field(default=None, ge=1, le=ID_MAX, description="next_before")
    action: str | None = Field(default=None, max_length=64)


def _entry(row: AuditEntry, *, full: bool) -> dict[str, object]:
    item: dict[str, object] = {
        "id": row.id,
        "at": row.at.isoformat(),
        "who": row.actor_label,
        "organisation": row.organisation,
        "action": row.action,
        "purpose": row.purpose,
    }
    if full:
        item |= {
            "actor_account_id": row.actor_account_id,
            "subject_person_id": row.subject_person_id,
            "details": row.details,
            "prev_hash": row.prev_hash,
            "hash": row.hash,
            "key_id": row.key_id,
            "mac": row.mac,
        }
    return item


async def list_my_access_log(request: Request) -> Response:
    principal = principal_of(request)
    query = query_of(request, AccessLogQuery)  # typed and bounded by the route's guard
    limit, before = query.limit, query.before
    rows = await service.access_log(
        person_id=principal.person_id,
        account_id=principal.account_id,
        limit=limit,
        before_id=before,
    )
    # Close repeats are one entry here (present.group); the trail keeps every row.
    return json_ok(
        {
            "items": [present.resident_item(look) for look in present.group(rows)],
            "next_before": rows[-1].id if len(rows) == limit else None,
            "time_zone": clock.zone().key,
        }
    )


async def list_audit_entries(request: Request) -> Response:
    query = query_of(request, AuditQuery)  # typed and bounded by the route's guard
    limit, before, action = query.limit, query.before, query.action
    rows = await service.list_entries(limit=limit, before_id=before, action=action)
    # Reading the trail through the API is on the trail too, as on the console page.
    await service.record(
        action="audit.read", actor=principal_of(request), details={"shown": len(rows)}
    )
    return json_ok(
        {
            "items": [_entry(r, full=True) for r in rows],
            "next_before": rows[-1].id if len(rows) == limit else None,
        }
    )


async def verify_audit_chain(request: Request) -> Response:
    report = await service.verify_chain()
    return json_ok(
        {
            "ok": report.ok,
            "entries": report.entries,
            "first_broken_id": report.first_broken_id,
            "reason": report.reason,
            "problem": report.problem.value or None,
            "checkpoints": report.checkpoints,
        }
    )


async def get_audit_checkpoint(request: Request) -> Response:
    return json_ok(checkpoints.for_auditors(), headers={"cache-control": "no-store"})


routes = [
    api(
        "GET",
        "/api/v1/me/access-log",
        list_my_access_log,
        operation_id="listMyAccessLog",
        summary="Who viewed my data (谁查看了我的数据)",
        tag="identity",
        access=requires(Permission.RESIDENT_SELF),
        query=AccessLogQuery,
    ),
    api(
        "GET",
        "/api/v1/audit/entries",
        list_audit_entries,
        operation_id="listAuditEntries",
        summary="The audit trail, newest first",
        tag="audit",
        access=requires(Permission.AUDIT_READ),
        query=AuditQuery,
    ),
    api(
        "GET",
        "/api/v1/audit/verify",
        verify_audit_chain,
        operation_id="verifyAuditChain",
        summary="Check the chain: links, MACs, the head and the signed checkpoints",
        tag="audit",
        access=requires(Permission.AUDIT_READ),
    ),
    api(
        "GET",
        "/api/v1/audit/checkpoint",
        get_audit_checkpoint,
        operation_id="getAuditCheckpoint",
        summary="The latest signed checkpoint of the audit trail's head, to pin",
        tag="audit",
        access=requires(Permission.AUDIT_READ),
    ),
]

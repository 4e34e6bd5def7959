"""HTTP for department API tokens (部门接口令牌): an officer creates one (shown once), lists
and revokes them. Which departments exist is the credit catalog's business, a layer above:
the app factory hands the catalog's codes in (`routes(departments=…)`)."""

from __future__ import annotations

from collections.abc import Callable, Collection

from starlette.requests import Request
from starlette.responses import Response

from ..core.http import json_ok, parse_json, path_int
from ..core.permissions import Permission
from ..core.routing import DeclaredRoute, Endpoint, api, principal_of, requires
from . import schemas, service
from .models import ApiToken
from .service import TokenKind


def create_token(departments: Callable[[], Collection[str]]) -> Endpoint:
    async def create_department_token(request: Request) -> Response:
        body = await parse_json(request, schemas.CreateToken)
        row, secret = await service.create_department_token(
            officer=principal_of(request),
            department=body.department,
            label=body.label,
            departments=departments(),
        )
        return json_ok(
            {"id": row.id, "department": row.organisation, "prefix": row.prefix, "token": secret},
            status=201,
        )

    return create_department_token


def _token(t: ApiToken) -> dict[str, object]:
    return {
        "id": t.id,
        "department": t.organisation,
        "label": t.label,
        "prefix": t.prefix,
        "created_at": t.created_at.isoformat(),
        "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
        "revoked": t.revoked_at is not None,
    }


async def list_tokens(request: Request) -> Response:
    rows = await service.list_tokens(kind=TokenKind.DEPARTMENT)
    return json_ok({"items": [_token(t) for t in rows]})


async def revoke_token(request: Request) -> Response:
    await service.revoke_token(
        officer=principal_of(request),
        token_id=path_int(request, "token_id"),
        kind=TokenKind.DEPARTMENT,
    )
    return Response(status_code=204)


TOKENS = requires(Permission.TOKENS_MANAGE)


def routes(*, departments: Callable[[], Collection[str]]) -> list[DeclaredRoute]:
    """The department-token API; `departments()` gives the codes a token may be made for."""
    return [
        api(
            "POST",
            "/api/v1/department-tokens",
            create_token(departments),
            operation_id="createDepartmentToken",
            summary="A department API token (shown once)",
            tag="office",
            access=TOKENS,
            body=schemas.CreateToken,
            status=201,
        ),
        api(
            "GET",
            "/api/v1/department-tokens",
            list_tokens,
            operation_id="listDepartmentTokens",
            summary="Department API tokens",
            tag="office",
            access=TOKENS,
        ),
        api(
            "DELETE",
            "/api/v1/department-tokens/{token_id}",
            revoke_token,
            operation_id="revokeDepartmentToken",
            summary="Revoke a department API token",
            tag="office",
            access=TOKENS,
            status=204,
        ),
    ]

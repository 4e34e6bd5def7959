"""The office's key-group page: the 16 key occupational groups (seed 二（二）) with their record
types and legal bases, members today and members with a counting record, per group and per
reporting department — the same figures as `getKeyGroupCoverage`. HTTP only."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ..core import clock
from ..core.permissions import Permission
from ..core.routing import page, requires
from ..keygroups import service as keygroups
from .pages import office_page


async def key_groups_page(request: Request) -> Response:
    return office_page(
        request,
        "office/key_groups.html",
        {"groups": await keygroups.coverage(), "as_of": clock.today()},
    )


routes = [
    page(
        "/office/key-groups",
        key_groups_page,
        name="office_key_groups",
        access=requires(Permission.DASHBOARD),
    ),
]

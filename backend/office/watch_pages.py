"""The office's data-use page (/office/data-use): per partner and per officer, the looks and
benefits of each day of the window, and the alerts the thresholds raise. HTTP only."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ..core.context import ctx
from ..core.permissions import Permission
from ..core.routing import page, requires
from . import watch
from .pages import office_page


async def data_use_page(request: Request) -> Response:
    rules = watch.WatchRules.of(ctx(request).settings)
    return office_page(request, "office/data_use.html", {"use": await watch.cached(rules=rules)})


routes = [
    page("/office/data-use", data_use_page, name="office_data_use",
         access=requires(Permission.DASHBOARD)),
]  # fmt: skip

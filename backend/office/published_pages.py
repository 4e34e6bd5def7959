"""The published statistics: `getPublishedStatistics` and the public page /statistics, both
with small-cell suppression (`published.py`). HTTP only."""

from __future__ import annotations

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import Response

from ..core.context import ctx
from ..core.http import json_ok
from ..core.routing import PUBLIC, api, page
from ..core.templating import render
from . import present, published


class PublishedCell(BaseModel):
    code: str
    label: dict[str, str]
    value: int | None = Field(description="null when suppressed (a count under min_cell)")
    suppressed: bool


class PublishedStatistics(BaseModel):
    as_of: str
    computed_at: str
    min_cell: int = Field(description="no published count is below this (PUBLISHED_MIN_CELL)")
    residents: int | None
    scored: int | None
    residents_by_district: list[PublishedCell]
    scored_by_district: list[PublishedCell]
    scores_by_tier: list[PublishedCell]
    lists_in_force: list[PublishedCell]
    key_groups: list[PublishedCell]


async def _statistics(request: Request) -> dict[str, object]:
    settings = ctx(request).settings
    return await published.published_statistics(
        city=ctx(request).city, min_cell=settings.published_min_cell
    )


async def get_published_statistics(request: Request) -> Response:
    return json_ok(await _statistics(request), headers={"cache-control": "public, max-age=300"})


async def statistics_page(request: Request) -> Response:
    return render(
        request, "office/published.html", {"s": await _statistics(request), "fmt": present}
    )


routes = [
    api("GET", "/api/v1/statistics", get_published_statistics,
        operation_id="getPublishedStatistics",
        summary="The programme's published statistics, with counts under min_cell suppressed",
        tag="programme", access=PUBLIC, response=PublishedStatistics),
    page("/statistics", statistics_page, name="published_statistics", access=PUBLIC),
]  # fmt: skip

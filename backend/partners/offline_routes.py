"""HTTP for offline counters: syncOfflineRedemptions (the use case is `offline_sync.py`) and
the counter page's own service worker, which keeps the counter working without a network."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from ..core.context import ctx
from ..core.http import ID_MAX, json_ok, parse_json
from ..core.permissions import Permission
from ..core.ratelimit import KeyLimiter
from ..core.routing import PUBLIC, api, page, principal_of, requires
from ..platform.routes import PWA_DIR
from . import offline_sync

MAX_ITEMS = 100
UNIX_MAX = 2**32 - 1


class OfflineItem(BaseModel):
    """One item the counter queued while offline."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[A-Za-z0-9_-]{8,64}$", description="made by the counter, unique")
    kind: Literal["check", "confirm"] = Field(
        description="confirm: a benefit the clerk confirmed; check: a pass checked, no benefit"
    )
    text: str = Field(min_length=1, max_length=2000, description="the scanned pass text")
    offer_id: int | None = Field(default=None, ge=1, le=ID_MAX)
    confirmed_at: int = Field(ge=0, le=UNIX_MAX, description="Unix seconds, the counter's clock")
    lists_as_of: int = Field(
        ge=0, le=UNIX_MAX, description="Unix seconds: when the counter's offline bundle was made"
    )

    @model_validator(mode="after")
    def _offer_for_confirm(self) -> OfflineItem:
        if self.kind == "confirm" and self.offer_id is None:
            raise ValueError("a confirmed benefit names its offer_id")
        return self


class SyncOffline(BaseModel):
    model_config = ConfigDict(extra="forbid")
    counter: str = Field(
        min_length=1, max_length=64, pattern=r"^[^\x00-\x1f]+$", description="this counter's name"
    )
    items: list[OfflineItem] = Field(min_length=1, max_length=MAX_ITEMS)


class SyncedItem(BaseModel):
    id: str
    outcome: Literal["recorded", "duplicate", "refused", "logged"]
    reason: str
    flagged: bool
    redemption_id: int | None
    first_counter: str | None = Field(description="duplicate: the counter that recorded it")


class SyncAnswer(BaseModel):
    items: list[SyncedItem]
    flagged: int


def _at(seconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


async def sync_offline(request: Request) -> Response:
    principal = principal_of(request)
    if principal.token_id is not None:
        limiter: KeyLimiter = request.app.state.api_key_limiter
        await limiter.acquire(f"token:{principal.token_id}")
    body = await parse_json(request, SyncOffline)
    done = await offline_sync.sync_offline(
        actor=principal,
        keyring=request.app.state.keyring,
        counter=body.counter,
        items=[
            offline_sync.QueuedItem(
                i.id, i.kind, i.text, i.offer_id, _at(i.confirmed_at), _at(i.lists_as_of)
            )
            for i in body.items
        ],
        max_list_age=dt.timedelta(hours=ctx(request).settings.counter_offline_hours),
    )
    return json_ok(
        {
            "items": [
                {
                    "id": s.row.item_id,
                    "outcome": s.row.outcome,
                    "reason": s.row.reason,
                    "flagged": s.flagged,
                    "redemption_id": s.row.redemption_id,
                    "first_counter": s.first.counter if s.first else None,
                }
                for s in done
            ],
            "flagged": sum(s.flagged for s in done),
        }
    )


async def counter_service_worker(request: Request) -> Response:
    # Served from the root so that it may control /counter (scope "/counter").
    return FileResponse(
        PWA_DIR / "counter-sw.js",
        media_type="text/javascript",
        headers={"cache-control": "no-cache"},
    )


routes = [
    api("POST", "/api/v1/partner/offline-redemptions", sync_offline,
        operation_id="syncOfflineRedemptions",
        summary="Send what an offline counter confirmed and checked (idempotent per item)",
        tag="partners", access=requires(Permission.REDEMPTION_CREATE), body=SyncOffline,
        response=SyncAnswer),
    page("/counter-sw.js", counter_service_worker, name="counter_service_worker",
         access=PUBLIC),
]  # fmt: skip

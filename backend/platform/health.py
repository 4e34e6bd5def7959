"""Liveness: whether the database answers, and whether it takes writes."""

from __future__ import annotations

from tortoise import connections

from ..core import clock
from .models import HealthProbe


async def database_status() -> str:
    """ "ok", or why the database cannot be reached (reported, never raised)."""
    try:
        await connections.get("default").execute_query("SELECT 1")
    except Exception as exc:  # reported, not raised: this is the health check
        return f"unreachable: {type(exc).__name__}"
    try:  # matches no row; a read-only, full or locked database refuses it all the same
        await HealthProbe.filter(id=0).update(checked_at=clock.now())
    except Exception as exc:  # reported, not raised
        return f"cannot write: {type(exc).__name__}"
    return "ok"

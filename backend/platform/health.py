"""Liveness: whether the database answers."""

from __future__ import annotations

from tortoise import connections


async def database_status() -> str:
    """ "ok", or why the database cannot be reached (reported, never raised)."""
    try:
        await connections.get("default").execute_query("SELECT 1")
    except Exception as exc:  # reported, not raised: this is the health check
        return f"unreachable: {type(exc).__name__}"
    return "ok"

"""Helpers for the identity tests."""

from __future__ import annotations

import httpx

from tests.conftest import ORIGIN


def browser(app: object, address: str) -> httpx.AsyncClient:
    """Another browser at its own client address (its own cookies and throttle counters)."""
    transport = httpx.ASGITransport(app=app, client=(address, 5000))  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=transport, base_url=ORIGIN)

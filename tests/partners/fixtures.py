"""Fixtures for tests that need a partner: browsers of their own, and a library that joined
through the credit office with a live deposit-free offer and its administrator signed in.
`tests/partners/conftest.py` offers them to the partner tests; tests elsewhere that need a
partner import them by name (each test has its own database)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.partners.helpers import browser, setup_partner


@dataclass
class Library:
    officer: httpx.AsyncClient
    admin: httpx.AsyncClient
    offer_id: int
    key: dict[str, str]


@pytest.fixture
async def browsers(app: Any) -> AsyncIterator[Callable[[], httpx.AsyncClient]]:
    opened: list[httpx.AsyncClient] = []

    def open_browser() -> httpx.AsyncClient:
        http = browser(app, f"10.42.0.{len(opened) + 1}")
        opened.append(http)
        return http

    yield open_browser
    for http in opened:
        await http.aclose()


@pytest.fixture
async def library(app: Any, browsers: Callable[[], httpx.AsyncClient]) -> Library:
    officer, admin = browsers(), browsers()
    made = await setup_partner(app, officer, admin)
    return Library(officer, admin, int(made["offer_id"]), dict(made["key"]))  # type: ignore[arg-type]

"""Office console tests: officers signed in through the real passkey ceremony, and a clean
statistics cache for every test (each test has its own database)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from backend.office import figures
from tests.authenticator import SoftAuthenticator
from tests.conftest import ORIGIN
from tests.factories import make_staff


@pytest.fixture(autouse=True)
def _fresh_statistics() -> Iterator[None]:
    figures.cache.clear()
    yield
    figures.cache.clear()


@pytest.fixture
async def officer(client: httpx.AsyncClient, authenticator: SoftAuthenticator) -> httpx.AsyncClient:
    await make_staff(client, authenticator, ["officer"], name="陈信用")
    return client


@pytest.fixture
async def second_officer(other_client: httpx.AsyncClient) -> httpx.AsyncClient:
    await make_staff(other_client, SoftAuthenticator(origin=ORIGIN), ["officer"], name="李复核")
    return other_client

"""Programme tests: two independent officers and an enrolled resident, each in their own
browser (cookie jar), signed in through the real passkey ceremony."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.authenticator import SoftAuthenticator
from tests.conftest import ORIGIN
from tests.factories import RegisteredPerson, enrol, make_person, make_staff


@pytest.fixture
async def officer(client: httpx.AsyncClient, authenticator: SoftAuthenticator) -> httpx.AsyncClient:
    await make_staff(client, authenticator, ["officer"], name="陈信用")
    return client


@pytest.fixture
async def second_officer(other_client: httpx.AsyncClient) -> httpx.AsyncClient:
    await make_staff(other_client, SoftAuthenticator(origin=ORIGIN), ["officer"], name="李复核")
    return other_client


@pytest.fixture
async def anonymous(app: object) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("10.1.1.1", 1111))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url=ORIGIN) as http:
        yield http


@pytest.fixture
async def person(app: object) -> RegisteredPerson:
    return await make_person(app.state.ctx.cipher, name="王守信", area="420202")  # type: ignore[attr-defined]


@pytest.fixture
async def resident(app: object, person: RegisteredPerson) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("10.2.2.2", 2222))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url=ORIGIN) as http:
        await enrol(http, SoftAuthenticator(origin=ORIGIN), person)
        yield http

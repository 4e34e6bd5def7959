"""Fixtures of the list tests: a person the entries are about (signed in on their own phone
when a test needs to see what they see), and two officers with their own passkeys."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.authenticator import SoftAuthenticator
from tests.conftest import ORIGIN
from tests.factories import RegisteredPerson, enrol, make_person, make_staff


@pytest.fixture
async def third_client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A third browser (after `client` and `other_client`)."""
    transport = httpx.ASGITransport(app=app, client=("10.1.2.3", 5555))
    async with httpx.AsyncClient(transport=transport, base_url=ORIGIN) as http:
        yield http


@pytest.fixture
async def subject(app: Any) -> RegisteredPerson:
    """The person the list entries are about."""
    return await make_person(app.state.ctx.cipher, name="孙立新", birth=dt.date(1979, 12, 1))


@pytest.fixture
async def subject_phone(
    third_client: httpx.AsyncClient, subject: RegisteredPerson
) -> httpx.AsyncClient:
    """The subject, signed in on their own phone."""
    await enrol(third_client, SoftAuthenticator(origin=ORIGIN), subject)
    return third_client


@pytest.fixture
async def officers(
    client: httpx.AsyncClient, other_client: httpx.AsyncClient
) -> tuple[httpx.AsyncClient, httpx.AsyncClient]:
    """Officer A (client) and officer B (other_client), each with their own passkey."""
    await make_staff(client, SoftAuthenticator(origin=ORIGIN), ["officer"], name="甲")
    await make_staff(other_client, SoftAuthenticator(origin=ORIGIN), ["officer"], name="乙")
    return client, other_client

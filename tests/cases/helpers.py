"""Helpers for the case page tests: separate browsers (cookie jar and client address) for
the resident, the department and the office, staff signed in with the passkey ceremony, the
CSRF field and the message a page shows."""

from __future__ import annotations

import html
import re
from typing import Any

import httpx

from backend.auth.models import Account
from tests.authenticator import SoftAuthenticator
from tests.conftest import ORIGIN
from tests.factories import make_staff

MARKET = "黄石市市场监督管理局"  # the demo city's department submitter: market_regulation


def browser(app: Any, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 1234))
    return httpx.AsyncClient(transport=transport, base_url=ORIGIN)


def csrf(client: httpx.AsyncClient) -> str:
    return client.cookies.get("xinyi_csrf", "")


async def sign_in_staff(
    client: httpx.AsyncClient, roles: list[str], name: str, organisation: str = "黄石市信用办"
) -> Account:
    await make_staff(client, SoftAuthenticator(origin=ORIGIN), roles, name=name,
                     organisation=organisation)  # fmt: skip
    return await Account.get(display_name=name)


def field(page: str, name: str) -> str:
    """The value of a hidden field of the page."""
    match = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert match, page
    return html.unescape(match.group(1))


def alert(page: str) -> str:
    """The text of the page's error notice."""
    match = re.search(r'role="alert"[^>]*>(.*?)</div>', page, re.S)
    assert match, page
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()

"""X-Forwarded-For is believed only from TRUSTED_PROXIES (`core.context.client_address`): by
default nobody, localhost included, can pick the address the throttles count."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from backend.auth.models import Throttle
from backend.core.context import client_address
from backend.core.settings import proxy_networks
from backend.residents import idnumber
from tests import conftest
from tests.conftest import ORIGIN

START = "/api/v1/enrolment/start"
PROXY = ("10.0.0.0/24",)


@pytest.mark.parametrize(
    ("peer", "forwarded", "proxies", "expected"),
    [
        ("127.0.0.1", "1.2.3.4", (), "127.0.0.1"),  # nothing trusted: the peer, even localhost
        ("203.0.113.9", "1.2.3.4", PROXY, "203.0.113.9"),  # not from the proxy: ignored
        ("10.0.0.5", "198.51.100.7", PROXY, "198.51.100.7"),  # the proxy names the client
        ("10.0.0.5", "6.6.6.6, 198.51.100.7", PROXY, "198.51.100.7"),  # a forged hop is left
        ("10.0.0.5", "198.51.100.7, 10.0.0.9", PROXY, "198.51.100.7"),  # two proxies deep
        ("10.0.0.5", "", PROXY, "10.0.0.5"),
        ("10.0.0.5", "10.0.0.7", PROXY, "10.0.0.5"),  # only proxies: the peer
    ],
)
def test_client_address(peer, forwarded, proxies, expected) -> None:
    assert client_address(peer, forwarded, proxies) == expected


def test_the_setting_is_checked() -> None:
    assert proxy_networks("") == ()
    assert proxy_networks("10.0.0.5, 10.1.0.0/16") == ("10.0.0.5", "10.1.0.0/16")
    with pytest.raises(ValueError, match="TRUSTED_PROXIES"):
        proxy_networks("localhost")


@pytest.fixture
def settings(tmp_path, database_url):
    return dataclasses.replace(
        conftest.test_settings(tmp_path / "data", database_url), trusted_proxies=PROXY
    )


@pytest.fixture
async def peer(app) -> AsyncIterator[Callable[[str], httpx.AsyncClient]]:
    made: list[httpx.AsyncClient] = []

    def make(address: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, client=(address, 5000))  # type: ignore[arg-type]
        made.append(httpx.AsyncClient(transport=transport, base_url=ORIGIN))
        return made[-1]

    yield make
    for http in made:
        await http.aclose()


async def test_the_throttle_counts_the_address_the_trusted_proxy_names(app, peer) -> None:
    number = idnumber.make("420203", dt.date(1970, 1, 1), 501)
    body = {"name": "无此人", "id_number": number}
    await peer("10.0.0.5").post(START, json=body, headers={"X-Forwarded-For": "198.51.100.7"})
    await peer("127.0.0.1").post(START, json=body, headers={"X-Forwarded-For": "198.51.100.8"})
    keys = set(await Throttle.filter(key__startswith="match:client:").values_list("key", flat=True))
    assert keys == {"match:client:198.51.100.7", "match:client:127.0.0.1"}

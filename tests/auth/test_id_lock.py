"""A stranger who knows a resident's ID number cannot lock them out (`auth.throttle.locks`):
the per-ID counter only slows (at most a minute between tries), and recovery codes keep a
budget of their own that failed real-name matches do not spend."""

from __future__ import annotations

import datetime as dt

import httpx

from backend.auth.models import Throttle
from backend.auth.throttle import FREE_FAILURES, ID_MAX_DELAY, LOCK_AFTER, locks
from backend.core import clock as city_clock
from tests.authenticator import SoftAuthenticator
from tests.conftest import ORIGIN
from tests.factories import csrf, enrol, make_person

START = "/api/v1/enrolment/start"


def at(app, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 5000))  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=transport, base_url=ORIGIN)


def test_only_client_keys_lock() -> None:
    assert locks("match:client:1.2.3.4") and locks("recovery:client:1.2.3.4")
    assert not locks("match:id:abc") and not locks("recovery:id:abc")


async def test_a_stranger_cannot_lock_a_resident_out_of_recovery(app, client) -> None:
    who = await make_person(app.state.ctx.cipher, name="被锁")
    await enrol(client, SoftAuthenticator(origin=ORIGIN), who)
    codes = (await client.post("/api/v1/me/recovery-codes", headers=csrf(client))).json()["codes"]
    # A stranger tries wrong codes (and wrong names) for the number, from many addresses.
    for n in range(LOCK_AFTER + 5):
        async with at(app, f"10.66.{n}.1") as stranger:
            await stranger.post(
                START, json={"id_number": who.id_number, "recovery_code": "AAAA-AAAA-AAAA-AAAA"}
            )
            await stranger.post(START, json={"name": "别人", "id_number": who.id_number})
        city_clock.shift(dt.timedelta(seconds=ID_MAX_DELAY + 1))
    rows = await Throttle.filter(key__contains=":id:")
    assert len(rows) == 2 and all(r.locked_until is None for r in rows)
    assert all(r.failures > FREE_FAILURES for r in rows)
    # The resident, a minute later and from their own address, gets in with a real code.
    city_clock.shift(dt.timedelta(seconds=ID_MAX_DELAY + 1))
    async with at(app, "10.77.0.1") as owner:
        start = await owner.post(
            START, json={"id_number": who.id_number, "recovery_code": codes[0]}
        )
    assert start.status_code == 200, start.text


async def test_the_per_id_wait_is_at_most_a_minute(app) -> None:
    who = await make_person(app.state.ctx.cipher, name="慢慢")
    waits = []
    for n in range(LOCK_AFTER + 8):
        async with at(app, f"10.88.{n}.1") as stranger:
            answer = await stranger.post(START, json={"name": "别人", "id_number": who.id_number})
        if answer.status_code == 429:  # wait as told, then the next stranger tries
            waits.append(int(answer.headers["retry-after"]))
            city_clock.shift(dt.timedelta(seconds=waits[-1]))
    assert waits and max(waits) <= ID_MAX_DELAY + 1
    row = await Throttle.get(key__startswith="match:id:")
    assert row.failures >= LOCK_AFTER and row.locked_until is None

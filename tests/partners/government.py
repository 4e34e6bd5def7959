"""Helpers for the lists-in-practice tests: partners of any domain (a government service
counter, a library, a merchant) joined through the office, offers the office approves, and
residents on a list whose phones present a pass (their passkey kept, to sign commitments)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import httpx

from backend.core import clock
from backend.credit.models import ListEntry
from tests.authenticator import SoftAuthenticator
from tests.conftest import ORIGIN
from tests.factories import RegisteredPerson, csrf, enrol, make_person, make_staff
from tests.partners.helpers import give_good_tier
from tests.passes.device import Phone


@dataclass
class Counter:
    """A partner's administrator signed in on `admin` (also a counter operator), and its key."""

    admin: httpx.AsyncClient
    key: dict[str, str]
    partner_id: int


@dataclass
class Resident:
    http: httpx.AsyncClient
    auth: SoftAuthenticator
    who: RegisteredPerson
    phone: Phone

    def headers(self) -> dict[str, str]:
        return csrf(self.http)


async def office(officer: httpx.AsyncClient) -> None:
    await make_staff(officer, SoftAuthenticator(), ["officer"], name="陈信用")


async def join(
    officer: httpx.AsyncClient, admin: httpx.AsyncClient, *, name: str, domain: str
) -> Counter:
    """`name` applies with `domain`, the office approves, its administrator enrols on `admin`
    and makes a full-scope API key."""
    applied = await officer.post(
        "/api/v1/partner-applications",
        json={"name": name, "domain": domain, "contact_name": "王主任",
              "contact_phone": "0714-6200000"},
    )  # fmt: skip
    assert applied.status_code == 201, applied.text
    decided = await officer.post(
        f"/api/v1/partners/{applied.json()['id']}/decision",
        json={"approve": True},
        headers=csrf(officer),
    )
    assert decided.status_code == 200, decided.text
    auth = SoftAuthenticator()
    code = decided.json()["admin_enrolment_code"]
    start = await admin.post("/api/v1/enrolment/start", json={"enrolment_code": code})
    finish = await admin.post("/api/v1/enrolment/finish", json=auth.create(start.json()))
    assert finish.status_code == 200, finish.text
    key = await admin.post(
        "/api/v1/partner/keys",
        headers=csrf(admin),
        json={"label": "desk", "scopes": ["passes.verify", "redemptions.create",
                                          "redemptions.report", "offers.read"]},
    )  # fmt: skip
    assert key.status_code == 201, key.text
    bearer = {"Authorization": f"Bearer {key.json()['key']}"}
    return Counter(admin, bearer, int(applied.json()["id"]))


async def live_offer(officer: httpx.AsyncClient, counter: Counter, **terms: Any) -> dict[str, Any]:
    """An offer of `counter` (priority service by default) that the office approves."""
    today = clock.today()
    body = {
        "title_zh": "优先办理",
        "title_en": "Priority service",
        "kind": "priority",
        "min_tier": "none",
        "valid_from": today.isoformat(),
        "valid_until": (today + dt.timedelta(days=365)).isoformat(),
    } | terms
    made = await counter.admin.post(
        "/api/v1/partner/offers", json=body, headers=csrf(counter.admin)
    )
    assert made.status_code == 201, made.text
    approved = await officer.post(
        f"/api/v1/offers/{made.json()['id']}/decision",
        json={"approve": True},
        headers=csrf(officer),
    )
    assert approved.json()["status"] == "live", approved.text
    offer: dict[str, Any] = approved.json()
    return offer


async def on_list(person_id: int, kind: str) -> None:
    await ListEntry.create(
        person_id=person_id, kind=kind, source="manual", reason="信用状况良好" if kind == "red"
        else "重点关注", legal_basis="黄信用〔2018〕1号 五", decision_doc_no="黄信用〔2026〕7号",
        start=clock.today() - dt.timedelta(days=1), status="active",
    )  # fmt: skip


async def resident(
    app: Any, http: httpx.AsyncClient, *, name: str, lists: tuple[str, ...] = ()
) -> Resident:
    """An enrolled resident (tier good) on `lists`, signed in on `http`, with a fresh pass."""
    auth = SoftAuthenticator(origin=ORIGIN)
    who = await make_person(app.state.ctx.cipher, name=name)
    await enrol(http, auth, who)
    await give_good_tier(who.person.id)
    for kind in lists:
        await on_list(who.person.id, kind)
    phone = Phone()
    issued = await http.post(
        "/api/v1/me/pass", json={"device_key": phone.jwk()}, headers=csrf(http)
    )
    assert issued.status_code == 201, issued.text
    phone.take(issued.json())
    return Resident(http, auth, who, phone)

"""Helpers for the partner tests: browsers, a partner with a live offer, residents whose
phones present a pass, and reading what a page shows."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import httpx

from backend.core import clock
from backend.credit.models import CreditRecord, ListEntry
from backend.credit.service import rescore_person
from tests.authenticator import SoftAuthenticator
from tests.conftest import ORIGIN
from tests.factories import csrf, enrol, make_person, make_staff
from tests.passes.device import Phone


def token(http: httpx.AsyncClient) -> str:
    return http.cookies.get("xinyi_csrf", "")


def browser(app: Any, address: str) -> httpx.AsyncClient:
    """Another browser: its own cookie jar and client address."""
    transport = httpx.ASGITransport(app=app, client=(address, 5000))
    return httpx.AsyncClient(transport=transport, base_url=ORIGIN)


def text_of(page: str, element_id: str) -> str:
    """The text of the element with this id (its tags stripped; not for nested same tags)."""
    match = re.search(rf'<(\w+)[^>]*\bid="{element_id}"[^>]*>(.*?)</\1>', page, re.S)
    assert match, f"no #{element_id} in the page"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", match.group(2))).split())


def pass_text(page: str) -> str:
    """The pass text exactly as the page prints it (Base45 may hold runs of spaces)."""
    match = re.search(r'<code class="paper-code" id="pass-text">([^<]*)</code>', page)
    assert match, "no pass text in the page"
    return html.unescape(match.group(1))


def forms(page: str, action: str) -> list[dict[str, str]]:
    """The hidden fields of every form posting to `action`."""
    found = []
    for body in re.findall(
        rf'<form method="post" action="{re.escape(action)}"[^>]*>(.*?)</form>', page, re.S
    ):
        fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', body))
        found.append({k: html.unescape(v) for k, v in fields.items()})
    return found


async def enrol_with_code(http: httpx.AsyncClient, code: str) -> None:
    auth = SoftAuthenticator(origin=ORIGIN)
    start = await http.post("/api/v1/enrolment/start", json={"enrolment_code": code})
    assert start.status_code == 200, start.text
    finish = await http.post("/api/v1/enrolment/finish", json=auth.create(start.json()))
    assert finish.status_code == 200, finish.text


async def give_good_tier(person_id: int) -> None:
    """A verified-identity record: score 620, tier good (the pass is re-issued after)."""
    now = dt.datetime.now(dt.UTC)
    today = now.date()
    await CreditRecord.create(
        person_id=person_id, department="credit_office", external_id=f"ID-{person_id}",
        type_code="IDN_REALNAME_VERIFIED", dimension="identity", points=20, severity="general",
        decision_date=today, repairable_from=today, expires_on=today + dt.timedelta(days=900),
        catalog_version="2026.1", created_at=now, updated_at=now,
    )  # fmt: skip
    await rescore_person(person_id=person_id, cause="record")


async def put_on_black_list(person_id: int) -> None:
    await ListEntry.create(
        person_id=person_id, kind="black", source="manual", reason="失信被执行人",
        legal_basis="《最高人民法院关于公布失信被执行人名单信息的若干规定》",
        decision_doc_no="(2026)鄂02执1号", start=dt.date.today() - dt.timedelta(days=1),
        status="active",
    )  # fmt: skip


async def resident_phone(
    app: Any, http: httpx.AsyncClient, *, name: str, good: bool = True, black: bool = False
) -> tuple[Phone, Any]:
    """An enrolled resident (signed in on `http`) whose phone holds a fresh pass."""
    who = await make_person(app.state.ctx.cipher, name=name)
    await enrol(http, SoftAuthenticator(origin=ORIGIN), who)
    if good:
        await give_good_tier(who.person.id)
    if black:
        await put_on_black_list(who.person.id)
    phone = Phone()
    issued = await http.post(
        "/api/v1/me/pass", json={"device_key": phone.jwk()}, headers=csrf(http)
    )
    assert issued.status_code == 201, issued.text
    phone.take(issued.json())
    return phone, who


async def setup_partner(
    app: Any, officer: httpx.AsyncClient, admin: httpx.AsyncClient
) -> dict[str, object]:
    """黄石市图书馆 applies and is approved by `officer`; its administrator enrols on `admin`,
    registers a deposit-free offer that the office approves, and makes a full-scope API key."""
    await make_staff(officer, SoftAuthenticator(), ["officer"], name="陈信用")
    applied = await officer.post(
        "/api/v1/partner-applications",
        json={
            "name": "黄石市图书馆",
            "domain": "library",
            "contact_name": "郑馆长",
            "contact_phone": "0714-6222222",
        },
    )
    assert applied.status_code == 201, applied.text
    decided = await officer.post(
        f"/api/v1/partners/{applied.json()['id']}/decision",
        json={"approve": True},
        headers=csrf(officer),
    )
    assert decided.status_code == 200, decided.text
    code = decided.json()["admin_enrolment_code"]
    auth = SoftAuthenticator()
    start = await admin.post("/api/v1/enrolment/start", json={"enrolment_code": code})
    assert (
        await admin.post("/api/v1/enrolment/finish", json=auth.create(start.json()))
    ).status_code == 200
    today = clock.today()
    offer = await admin.post(
        "/api/v1/partner/offers",
        headers=csrf(admin),
        json={
            "title_zh": "免押金借阅",
            "title_en": "Deposit-free borrowing",
            "kind": "deposit_waived",
            "amount_cents": 10000,
            "limit_note_zh": "最多5册",
            "limit_note_en": "up to 5 books",
            "min_tier": "good",
            "valid_from": today.isoformat(),
            "valid_until": (today + dt.timedelta(days=365)).isoformat(),
        },
    )
    assert offer.status_code == 201, offer.text
    offer_id = offer.json()["id"]
    approved = await officer.post(
        f"/api/v1/offers/{offer_id}/decision", json={"approve": True}, headers=csrf(officer)
    )
    assert approved.json()["status"] == "live"
    key = await admin.post(
        "/api/v1/partner/keys",
        headers=csrf(admin),
        json={
            "label": "ILS",
            "scopes": ["passes.verify", "redemptions.create", "redemptions.report", "offers.read"],
        },
    )
    assert key.status_code == 201, key.text
    return {"offer_id": offer_id, "key": {"Authorization": f"Bearer {key.json()['key']}"}}

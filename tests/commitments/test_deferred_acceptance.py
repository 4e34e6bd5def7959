"""容缺受理 end to end: a red-list resident at a government counter is accepted with a document
missing; the resident signs the commitment in the app with their passkey; the counter records
the document handed in — or the sweep turns a missed due date into exactly one breached-
commitment record through the catalog. Nobody else gets it: not a resident off the red list,
not at a library or a merchant."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
from typing import Any

import httpx

from backend.audit.models import AuditEntry
from backend.commitments import deferrals
from backend.commitments.models import CommitmentSignature, DeferredAcceptance
from backend.core import clock
from backend.credit.models import CreditRecord, Score
from tests.factories import login
from tests.partners.fixtures import browsers
from tests.partners.government import Counter, Resident, join, office, resident
from tests.partners.helpers import forms, token

__all__ = ["browsers"]  # the fixture: browsers of their own for each party


async def hall(browsers: Any, domain: str = "government") -> Counter:
    officer = browsers()
    await office(officer)
    return await join(officer, browsers(), name="黄石市政务服务中心", domain=domain)


def due(days: int = 5) -> str:
    return (clock.today() + dt.timedelta(days=days)).isoformat()


async def accept(counter: Counter, person: Resident, **fields: str) -> httpx.Response:
    """What the clerk does on the counter page: scan, then fill in the 容缺受理 form."""
    scanned = await counter.admin.post(
        "/counter", data={"csrf_token": token(counter.admin), "text": person.phone.present()}
    )
    assert scanned.status_code == 200, scanned.text
    found = forms(scanned.text, "/counter/deferrals")
    assert found, "no 容缺受理 form on the counter page"
    data = found[0] | {"matter": "申请公租房资格", "document": "income_certificate",
                       "due_on": due()} | fields  # fmt: skip
    return await counter.admin.post("/counter/deferrals", data=data)


async def mine(person: Resident) -> list[dict[str, Any]]:
    answer = await person.http.get("/api/v1/me/deferred-acceptances")
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


async def sign(person: Resident, deferral_id: int) -> httpx.Response:
    started = await person.http.post(
        f"/api/v1/me/deferred-acceptances/{deferral_id}/start",
        json={"locale": "zh-CN"},
        headers=person.headers(),
    )
    assert started.status_code == 200, started.text
    assert started.json()["commitment"]["code"] == "deferred_acceptance"
    return await person.http.post(
        f"/api/v1/me/deferred-acceptances/{deferral_id}/sign",
        json={"credential": person.auth.get(started.json()["publicKey"])},
        headers=person.headers(),
    )


async def test_a_red_list_resident_is_accepted_signs_and_a_missed_date_is_one_record(
    app: Any, browsers: Any
) -> None:
    counter = await hall(browsers)
    person = await resident(app, browsers(), name="李红梅", lists=("red",))
    page = await accept(counter, person)
    assert page.status_code == 200, page.text
    row = await DeferredAcceptance.get(person_id=person.who.person.id)
    assert (row.status, row.document, row.matter) == (
        "awaiting_signature",
        "income_certificate",
        "申请公租房资格",
    )
    assert f'data-deferral-id="{row.id}"' in page.text and "请居民打开应用" in page.text
    assert 'data-status="awaiting_signature"' in page.text

    # the resident sees it in the app, with the exact commitment text to sign
    inbox = (await person.http.get("/api/v1/me/notifications")).json()["items"]
    [told] = [n for n in inbox if n["kind"] == "deferral"]
    assert told["link"] == "#/commitments" and told["params"]["matter"] == "申请公租房资格"
    [item] = await mine(person)
    assert item["status"] == "awaiting_signature" and item["counter"] == "黄石市政务服务中心"
    assert item["document_name"]["zh-CN"] == "收入证明" and item["due_on"] == due()
    assert item["commitment"]["text"].startswith("本人申请的事项因暂缺所列材料")
    signed = await sign(person, row.id)
    assert signed.status_code == 200, signed.text
    assert signed.json()["status"] == "committed" and signed.json()["commitment"] is None
    signature = await CommitmentSignature.get(person_id=person.who.person.id)
    assert (signature.template_code, signature.purpose) == ("deferred_acceptance", "deferral")

    # the counter sees it signed, with the due date and the button for the document
    desk = await counter.admin.get("/counter")
    assert (
        'data-status="committed"' in desk.text
        and f"/counter/deferrals/{row.id}/received" in desk.text
    )
    listed = (await browsers().get("/api/v1/deferred-acceptances", headers=counter.key)).json()
    assert [(i["id"], i["status"]) for i in listed["items"]] == [(row.id, "committed")]

    # the due date passes without the document: one breached-commitment record
    before = (await Score.get(person_id=person.who.person.id)).score
    assert (await deferrals.sweep()).breached == 0  # not yet due
    clock.shift(dt.timedelta(days=6))
    swept = await deferrals.sweep()
    assert swept.breached == 1
    assert (await deferrals.sweep()).breached == 0  # a second run makes nothing more
    records = await CreditRecord.filter(
        person_id=person.who.person.id, type_code="PUB_COMMITMENT_BREACHED"
    )
    assert len(records) == 1
    assert (records[0].department, records[0].external_id) == ("credit_office", f"D-{row.id}")
    assert records[0].points == -20
    row = await DeferredAcceptance.get(id=row.id)
    assert (row.status, row.record_id) == ("breached", records[0].id)
    assert (await Score.get(person_id=person.who.person.id)).score == before - 20
    assert (await login(person.http, person.auth)).status_code == 200  # days later
    [item] = await mine(person)
    assert item["status"] == "breached" and item["record_id"] == records[0].id
    actions = await AuditEntry.filter(action__startswith="deferral.").values_list(
        "action", flat=True
    )
    assert sorted(actions) == ["deferral.breached", "deferral.opened", "deferral.signed"]
    # too late to hand it in now: the commitment is already broken
    late = await browsers().post(
        f"/api/v1/deferred-acceptances/{row.id}/received", headers=counter.key
    )
    assert late.status_code == 409 and late.json()["reason"] == "already_decided"


async def test_the_document_handed_in_keeps_the_commitment_and_no_record_follows(
    app: Any, browsers: Any
) -> None:
    counter = await hall(browsers)
    person = await resident(app, browsers(), name="赵红", lists=("red",))
    assert (await accept(counter, person)).status_code == 200
    row = await DeferredAcceptance.get(person_id=person.who.person.id)
    early = await counter.admin.post(
        f"/counter/deferrals/{row.id}/received", data={"csrf_token": token(counter.admin)}
    )
    assert early.status_code == 409  # not before the resident signed
    assert (await sign(person, row.id)).status_code == 200
    twice = await person.http.post(
        f"/api/v1/me/deferred-acceptances/{row.id}/start", json={}, headers=person.headers()
    )
    assert twice.status_code == 409 and twice.json()["reason"] == "already_decided"
    done = await counter.admin.post(
        f"/counter/deferrals/{row.id}/received", data={"csrf_token": token(counter.admin)}
    )
    assert done.status_code == 303 and "document_received" in done.headers["location"]
    shown = await counter.admin.get(done.headers["location"])
    assert 'id="deferral-received"' in shown.text and f'id="deferral-{row.id}"' not in shown.text
    clock.shift(dt.timedelta(days=30))
    assert (await deferrals.sweep()).breached == 0
    assert not await CreditRecord.filter(type_code="PUB_COMMITMENT_BREACHED").exists()
    assert (await DeferredAcceptance.get(id=row.id)).status == "fulfilled"
    # …and it is in the resident's own data download (PIPL Art. 45)
    assert (await login(person.http, person.auth)).status_code == 200
    started = await person.http.post(
        "/api/v1/me/confirmations", json={"step": "export"}, headers=person.headers()
    )
    exported = await person.http.post(
        "/api/v1/me/export",
        json={"credential": person.auth.get(started.json()["publicKey"])},
        headers=person.headers(),
    )
    assert exported.status_code == 200, exported.text
    archive = json.loads(exported.content)
    assert [(d["id"], d["status"]) for d in archive["deferred_acceptances"]] == [
        (row.id, "fulfilled")
    ]


async def test_a_resident_off_the_red_list_cannot_get_it(app: Any, browsers: Any) -> None:
    counter = await hall(browsers)
    for name, lists in (("钱多", ()), ("孙灰", ("gray",))):
        person = await resident(app, browsers(), name=name, lists=lists)
        scanned = await counter.admin.post(
            "/counter", data={"csrf_token": token(counter.admin), "text": person.phone.present()}
        )
        assert 'class="verdict verdict-' in scanned.text
        assert forms(scanned.text, "/counter/deferrals") == []  # no form offered
        forced = await counter.admin.post(
            "/counter/deferrals",
            data={"csrf_token": token(counter.admin), "text": person.phone.present(),
                  "matter": "办理居住证", "document": "photo", "due_on": due()},
        )  # fmt: skip
        assert forced.status_code == 409
        assert (
            'data-reason="not_on_red_list"' in forced.text
            and "容缺受理仅适用于红名单对象" in forced.text
        )
        by_api = await browsers().post(
            "/api/v1/deferred-acceptances",
            json={"text": person.phone.present(), "matter": "办理居住证", "document": "photo",
                  "due_on": due()},
            headers=counter.key,
        )  # fmt: skip
        assert by_api.status_code == 409 and by_api.json()["reason"] == "not_on_red_list"
    assert await DeferredAcceptance.all().count() == 0


async def test_only_a_government_counter_accepts_with_a_document_missing(
    app: Any, browsers: Any
) -> None:
    for domain in ("library", "merchant"):
        counter = await hall(browsers, domain)
        person = await resident(app, browsers(), name="周红", lists=("red",))
        scanned = await counter.admin.post(
            "/counter", data={"csrf_token": token(counter.admin), "text": person.phone.present()}
        )
        assert forms(scanned.text, "/counter/deferrals") == []
        by_api = await browsers().post(
            "/api/v1/deferred-acceptances",
            json={"text": person.phone.present(), "matter": "借阅证", "document": "photo",
                  "due_on": due()},
            headers=counter.key,
        )  # fmt: skip
        assert by_api.status_code == 403 and by_api.json()["reason"] == "not_government_counter"
    assert await DeferredAcceptance.all().count() == 0


async def test_the_form_refuses_a_due_date_out_of_range_and_an_unknown_document(
    app: Any, browsers: Any
) -> None:
    counter = await hall(browsers)
    person = await resident(app, browsers(), name="吴红", lists=("red",))
    today = await accept(counter, person, due_on=clock.today().isoformat())
    assert today.status_code == 422 and 'id="defer-due-error"' in today.text
    latest = deferrals.latest_due(clock.today(), app.state.ctx.deadlines.calendar)
    too_late = await accept(counter, person, due_on=(latest + dt.timedelta(days=1)).isoformat())
    assert too_late.status_code == 422
    assert re.search(r'<input id="defer-due"[^>]*max="' + latest.isoformat(), too_late.text)
    unknown = await accept(counter, person, document="passport_of_mars")
    assert unknown.status_code == 422 and 'id="defer-document-error"' in unknown.text
    blank = await accept(counter, person, matter="   ")
    assert blank.status_code == 422 and 'id="defer-matter-error"' in blank.text
    assert await DeferredAcceptance.all().count() == 0
    ok = await accept(counter, person, due_on=latest.isoformat())
    assert ok.status_code == 200 and await DeferredAcceptance.all().count() == 1


async def test_only_the_resident_signs_and_an_unsigned_acceptance_lapses(
    app: Any, browsers: Any
) -> None:
    counter = await hall(browsers)
    person = await resident(app, browsers(), name="郑红", lists=("red",))
    other = await resident(app, browsers(), name="王五")
    assert (await accept(counter, person)).status_code == 200
    row = await DeferredAcceptance.get(person_id=person.who.person.id)
    assert await mine(other) == []
    theirs = await other.http.post(
        f"/api/v1/me/deferred-acceptances/{row.id}/start", json={}, headers=other.headers()
    )
    assert theirs.status_code == 404
    # a signature started for the standalone 告知承诺 cannot close this acceptance
    started = await person.http.post(
        "/api/v1/me/commitments/start", json={"code": "notify_commit"}, headers=person.headers()
    )
    wrong = await person.http.post(
        f"/api/v1/me/deferred-acceptances/{row.id}/sign",
        json={"credential": person.auth.get(started.json()["publicKey"])},
        headers=person.headers(),
    )
    assert wrong.status_code == 400 and wrong.json()["reason"] == "other_text"
    assert (await DeferredAcceptance.get(id=row.id)).status == "awaiting_signature"
    clock.shift(dt.timedelta(days=1))
    swept = await deferrals.sweep()
    assert (swept.lapsed, swept.breached) == (1, 0)
    assert (await DeferredAcceptance.get(id=row.id)).status == "lapsed"
    assert (await login(person.http, person.auth)).status_code == 200  # the next day
    late = await person.http.post(
        f"/api/v1/me/deferred-acceptances/{row.id}/start", json={}, headers=person.headers()
    )
    assert late.status_code == 409
    assert not await CreditRecord.filter(type_code="PUB_COMMITMENT_BREACHED").exists()


async def test_two_sweeps_at_once_make_one_breached_record(app: Any, browsers: Any) -> None:
    """Several app processes run the periodic job: the conditional move lets one of them win."""
    counter = await hall(browsers)
    person = await resident(app, browsers(), name="冯红", lists=("red",))
    assert (await accept(counter, person)).status_code == 200
    row = await DeferredAcceptance.get(person_id=person.who.person.id)
    assert (await sign(person, row.id)).status_code == 200
    clock.shift(dt.timedelta(days=6))
    first, second = await asyncio.gather(deferrals.sweep(), deferrals.sweep())
    assert first.breached + second.breached == 1
    assert await CreditRecord.filter(type_code="PUB_COMMITMENT_BREACHED").count() == 1
    assert await AuditEntry.filter(action="deferral.breached").count() == 1

"""syncOfflineRedemptions: what offline counters queued, sent when they are back online. Each
item is checked as of the moment the counter handled it; a presentation confirmed at two
offline counters is one redemption and one flag; resending changes nothing; bad items are
refused with a reason and bad requests store nothing."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
import uuid
from typing import Any

import pytest

from backend.audit.models import AuditEntry
from backend.core import clock
from backend.core.middleware import WASM_CSP
from backend.partners.models import Offer, Redemption
from backend.partners.offline_models import OfflineItem
from tests.factories import csrf
from tests.partners.helpers import resident_phone
from tests.pwa.sources import PWA, module_graph

SYNC = "/api/v1/partner/offline-redemptions"
LATER = dt.timedelta(hours=2)  # the counter comes back online this long after it used a pass


def item(text: str, offer_id: int | None, at: float, **extra: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "kind": "confirm",
        "text": text,
        "offer_id": offer_id,
        "confirmed_at": int(at),
        "lists_as_of": int(at) - 600,
        **extra,
    }


async def sync(library, counter: str, items: list[dict[str, Any]], status: int = 200) -> Any:
    answer = await library.admin.post(
        SYNC, json={"counter": counter, "items": items}, headers=library.key
    )
    assert answer.status_code == status, answer.text
    return answer.json()


async def test_a_benefit_confirmed_offline_is_recorded_once_and_a_resend_changes_nothing(
    app, library, browsers
) -> None:
    phone, who = await resident_phone(app, browsers(), name="刘欢")
    used_at = time.time()
    batch = [item(phone.present(at=used_at), library.offer_id, used_at)]
    clock.shift(LATER)  # back online two hours later
    first = await sync(library, "借还台1", batch)
    assert first["flagged"] == 0
    [done] = first["items"]
    assert done["outcome"] == "recorded" and done["reason"] == "" and not done["flagged"]
    redemption = await Redemption.get(id=done["redemption_id"])
    assert redemption.person_id == who.person.id and redemption.offer_id == library.offer_id
    assert redemption.deposit_waived_cents == 10000
    used_on = dt.datetime.fromtimestamp(used_at, clock.zone()).date()  # the day in the city
    assert redemption.due_on == used_on + dt.timedelta(days=30)
    assert (await Offer.get(id=library.offer_id)).used == 1
    entry = await AuditEntry.filter(action="redemption.created").order_by("-id").first()
    assert entry is not None and entry.details["offline"] is True
    assert entry.subject_person_id == who.person.id

    again = await sync(library, "借还台1", batch)  # the answer was lost: the counter resends
    assert again["items"] == first["items"]
    assert await Redemption.filter(offer_id=library.offer_id).count() == 1
    assert await OfflineItem.all().count() == 1
    assert (await Offer.get(id=library.offer_id)).used == 1


async def test_one_presentation_confirmed_at_two_offline_counters_is_one_redemption_and_a_flag(
    app, library, browsers
) -> None:
    phone, _ = await resident_phone(app, browsers(), name="王芳")
    used_at = time.time()
    text = phone.present(at=used_at)
    clock.shift(LATER)
    one = await sync(library, "借还台1", [item(text, library.offer_id, used_at)])
    two = await sync(library, "借还台2", [item(text, library.offer_id, used_at + 20)])
    assert one["items"][0]["outcome"] == "recorded"
    [flag] = two["items"]
    assert flag["outcome"] == "duplicate" and flag["reason"] == "already_used"
    assert flag["flagged"] is True and two["flagged"] == 1
    assert flag["redemption_id"] == one["items"][0]["redemption_id"]
    assert flag["first_counter"] == "借还台1"
    assert await Redemption.filter(offer_id=library.offer_id).count() == 1

    # The partner sees the flag in the portal: which counters, when, which redemption.
    portal = await library.admin.get("/partner")
    assert portal.status_code == 200, portal.text
    assert 'id="offline-flags"' in portal.text
    assert "借还台2" in portal.text and "already_used" in portal.text


async def test_the_same_presentation_online_then_offline_is_flagged_too(
    app, library, browsers
) -> None:
    phone, _ = await resident_phone(app, browsers(), name="周杰")
    now = time.time()
    text = phone.present(at=now)
    online = await library.admin.post(
        "/api/v1/redemptions", json={"text": text, "offer_id": library.offer_id},
        headers=library.key,
    )  # fmt: skip
    assert online.status_code == 201, online.text
    offline = await sync(library, "借还台2", [item(text, library.offer_id, now + 5)])
    assert offline["items"][0]["outcome"] == "duplicate"
    assert offline["items"][0]["redemption_id"] == online.json()["id"]
    assert offline["items"][0]["first_counter"] is None  # the first was an online redemption


@pytest.mark.parametrize(
    ("shape", "reason"),
    [
        ("lists_too_old", "lists_too_old"),  # the counter's lists were over 12 hours old
        ("too_late", "too_late"),  # sent more than 7 days after
        ("clock_ahead", "clock_ahead"),  # confirmed "in the future"
        ("replayed", "stale_presentation"),  # a presentation from well before the confirm
        ("tampered", "bad_signature"),
        ("garbage", "malformed"),
        ("foreign_offer", "not_live"),
    ],
)
async def test_items_that_were_not_valid_when_confirmed_are_refused_and_flagged(
    app, library, browsers, shape: str, reason: str
) -> None:
    phone, _ = await resident_phone(app, browsers(), name="李娜")
    used_at = time.time()
    text = phone.present(at=used_at)
    queued = item(text, library.offer_id, used_at)
    if shape == "lists_too_old":
        queued["lists_as_of"] = int(used_at) - 13 * 3600
    elif shape == "too_late":
        clock.shift(dt.timedelta(days=8))
    elif shape == "clock_ahead":
        queued["confirmed_at"] = int(used_at) + 4 * 3600  # still ahead after LATER
    elif shape == "replayed":
        queued["confirmed_at"] = int(used_at) + 600  # the screenshot shown ten minutes later
        queued["lists_as_of"] = int(used_at)
    elif shape == "tampered":
        queued["text"] = text[:40] + ("0" if text[40] != "0" else "1") + text[41:]  # sealed part
    elif shape == "garbage":
        queued["text"] = "XY2:NOT A PASS"
    elif shape == "foreign_offer":
        queued["offer_id"] = library.offer_id + 1000
    if shape != "too_late":
        clock.shift(LATER)
    answer = await sync(library, "借还台1", [queued])
    [done] = answer["items"]
    assert done["outcome"] == "refused" and done["reason"] == reason, done
    assert done["flagged"] is True and done["redemption_id"] is None
    assert await Redemption.all().count() == 0
    assert (await Offer.get(id=library.offer_id)).used == 0


async def test_a_pass_revoked_after_the_confirm_was_valid_then(app, library, browsers) -> None:
    http = browsers()
    phone, _ = await resident_phone(app, http, name="陈晨")
    used_at = time.time()
    text = phone.present(at=used_at)
    clock.shift(dt.timedelta(minutes=30))
    devices = (await http.get("/api/v1/me/devices")).json()["items"]
    removed = await http.delete(f"/api/v1/me/devices/{devices[0]['id']}", headers=csrf(http))
    assert removed.status_code == 204  # the phone is removed: its pass is revoked now
    clock.shift(LATER)
    answer = await sync(library, "借还台1", [item(text, library.offer_id, used_at)])
    assert answer["items"][0]["outcome"] == "recorded", answer


async def test_an_offline_check_without_a_confirm_is_a_logged_look(app, library, browsers) -> None:
    phone, who = await resident_phone(app, browsers(), name="赵丽")
    used_at = time.time()
    queued = item(phone.present(at=used_at), None, used_at, kind="check")
    clock.shift(LATER)
    answer = await sync(library, "借还台1", [queued])
    assert answer["items"][0]["outcome"] == "logged" and not answer["items"][0]["flagged"]
    look = await AuditEntry.filter(action="pass.verified").order_by("-id").first()
    assert look is not None and look.subject_person_id == who.person.id
    assert look.details["offline"] is True and look.details["counter"] == "借还台1"
    assert await Redemption.all().count() == 0


@pytest.mark.parametrize(
    "body",
    [
        {"counter": "借还台1", "items": []},
        {"counter": "", "items": [{}]},
        {"counter": "x" * 65, "items": []},
        {"items": []},
        {"counter": "a\nb", "items": []},
    ],
)
async def test_bad_batches_are_a_clear_422_and_store_nothing(library, body) -> None:
    answer = await library.admin.post(SYNC, json=body, headers=library.key)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert await OfflineItem.all().count() == 0


@pytest.mark.parametrize(
    "change",
    [
        {"id": "short"},
        {"id": "has spaces in it"},
        {"kind": "redeem"},
        {"offer_id": None},  # a confirm must name its offer
        {"offer_id": 0},
        {"text": ""},
        {"text": "X" * 2001},
        {"confirmed_at": -1},
        {"confirmed_at": 2**32},
        {"lists_as_of": "yesterday"},
        {"extra": 1},
    ],
)
async def test_bad_items_are_a_clear_422_and_store_nothing(library, change) -> None:
    queued = item("XY2:ABC", library.offer_id, time.time()) | change
    answer = await library.admin.post(
        SYNC, json={"counter": "借还台1", "items": [queued]}, headers=library.key
    )
    assert answer.status_code == 422, answer.text
    assert await OfflineItem.all().count() == 0


async def test_too_many_items_at_once_are_refused(library) -> None:
    many = [item("XY2:ABC", library.offer_id, time.time()) for _ in range(101)]
    answer = await library.admin.post(
        SYNC, json={"counter": "借还台1", "items": many}, headers=library.key
    )
    assert answer.status_code == 422
    assert await OfflineItem.all().count() == 0


async def test_only_a_partner_may_sync(app, library, browsers, client) -> None:
    queued = item("XY2:ABC", library.offer_id, time.time())
    body = {"counter": "借还台1", "items": [queued]}
    anonymous = await browsers().post(SYNC, json=body)
    assert anonymous.status_code == 401
    _, _ = await resident_phone(app, client, name="孙丽")
    resident = await client.post(SYNC, json=body, headers=csrf(client))
    assert resident.status_code == 403
    session = await library.admin.post(SYNC, json=body, headers=csrf(library.admin))
    assert session.status_code == 200, session.text  # the counter page signs in with a session
    assert await Redemption.all().count() == 0


async def test_the_counter_service_worker_is_served_and_the_counter_may_compile_wasm(
    library,
) -> None:
    worker = await library.admin.get("/counter-sw.js")
    assert worker.status_code == 200
    assert worker.headers["content-type"].startswith("text/javascript")
    page = await library.admin.get("/counter")
    assert page.headers["content-security-policy"] == WASM_CSP
    assert "'wasm-unsafe-eval'" in WASM_CSP and "'unsafe-eval'" not in WASM_CSP
    other = await library.admin.get("/partner")
    assert "wasm-unsafe-eval" not in other.headers["content-security-policy"]


def test_the_counter_service_worker_precaches_everything_the_counter_loads() -> None:
    """Offline, the page must find every module it imports (and the camera's decoder)."""
    source = (PWA / "counter-sw.js").read_text(encoding="utf-8")
    listed = set(re.findall(r'"(/[^"]*)"', source.split("const ASSETS = [", 1)[1].split("];")[0]))
    needed = {
        f"/app/{p.relative_to(PWA).as_posix()}" for p in module_graph(PWA / "js" / "counter.js")
    }
    vendored = {
        f"/app/{p.relative_to(PWA).as_posix()}" for p in (PWA / "vendor" / "zxing-wasm").rglob("*")
    }
    needed |= {v for v in vendored if v.endswith((".js", ".wasm"))}
    needed |= {"/app/styles.css", "/app/partner.css", "/app/counter.webmanifest"}
    needed |= {"/i18n/zh-CN.json", "/i18n/en.json"}
    assert needed <= listed, sorted(needed - listed)
    for url in listed - {"/i18n/zh-CN.json", "/i18n/en.json"}:
        assert (PWA / url.removeprefix("/app/")).is_file(), url
    manifest = json.loads((PWA / "counter.webmanifest").read_text(encoding="utf-8"))
    assert manifest["start_url"] == manifest["scope"] == "/counter"
    assert {icon["src"] for icon in manifest["icons"]} <= listed

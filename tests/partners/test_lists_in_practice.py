"""Lists in practice (seed 五): a handling hint per list comes with each verification for the
counters that may see it — 绿色通道 and 容缺受理 for the red list, 审慎办理 for the gray list at
government counters only, never at a merchant — and offers can require the red list."""

from __future__ import annotations

import copy
import json
import time
import uuid
from typing import Any

import httpx
import pytest

from backend.audit.models import AuditEntry
from backend.credit.handling import DATA, HandlingFileInvalid, load_handling, parse_handling
from backend.partners.models import Redemption
from tests.factories import csrf
from tests.partners.government import Counter, join, live_offer, office, resident
from tests.partners.helpers import token


def shipped() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DATA.read_text("utf-8"))
    return data


def test_the_shipped_hints_cite_the_seed_and_name_their_counters() -> None:
    handling = load_handling()
    by_code = {h.code.value: h for h in handling.hints}
    assert set(by_code) == {"green_channel", "deferred_acceptance", "cautious_handling"}
    assert by_code["green_channel"].title["zh-CN"] == "绿色通道"
    assert by_code["deferred_acceptance"].title["zh-CN"] == "容缺受理"
    assert by_code["cautious_handling"].title["zh-CN"] == "审慎办理"
    assert "五（一）" in by_code["deferred_acceptance"].legal_basis["zh-CN"]
    assert "五（二）" in by_code["cautious_handling"].legal_basis["zh-CN"]
    assert {c.value for c in by_code["cautious_handling"].counters} == {"government"}
    assert "household_register" in handling.documents
    assert handling.max_working_days == 20


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["hints"][2]["counters"].append("merchant"), "never shown to a merchant"),
        (lambda d: d["hints"][0]["legal_basis"].pop("en"), "needs zh-CN and en"),
        (lambda d: d["hints"][0].update(counters=["bank"]), "counters are"),
        (lambda d: d["hints"][1].update(list="purple"), "list is red, gray or black"),
        (lambda d: d["hints"].pop(), "exactly once"),
        (lambda d: d["documents"].append(d["documents"][0]), "repeated"),
        (lambda d: d["deferral"].update(max_working_days=0), "1 to 60"),
    ],
)
def test_a_hints_file_that_breaks_a_rule_is_refused(change: Any, message: str) -> None:
    data = copy.deepcopy(shipped())
    change(data)
    with pytest.raises(HandlingFileInvalid, match=message):
        parse_handling(data)


async def verify(counter: Counter, http: httpx.AsyncClient, text: str) -> dict[str, Any]:
    answer = await http.post("/api/v1/passes/verify", json={"text": text}, headers=counter.key)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


HINTS = [
    # (lists, domain, hints the counter gets)
    (("red",), "government", ["green_channel", "deferred_acceptance"]),
    (("red",), "library", ["green_channel"]),
    (("red",), "merchant", []),
    (("gray",), "government", ["cautious_handling"]),
    (("gray",), "hospital", []),
    (("gray",), "merchant", []),
    ((), "government", []),
]


@pytest.mark.parametrize(("lists", "domain", "expected"), HINTS)
async def test_each_counter_gets_the_hints_it_may_see(
    app: Any, browsers: Any, lists: tuple[str, ...], domain: str, expected: list[str]
) -> None:
    officer, admin = browsers(), browsers()
    await office(officer)
    counter = await join(officer, admin, name="黄石市服务窗口", domain=domain)
    person = await resident(app, browsers(), name="周红", lists=lists)
    answer = await verify(counter, browsers(), person.phone.present())
    assert answer["valid"] is True
    assert [h["code"] for h in answer["handling"]] == expected
    for hint in answer["handling"]:
        assert hint["list"] in lists and hint["legal_basis"]["zh-CN"].startswith(
            "黄信用〔2018〕1号"
        )


async def test_an_invalid_pass_comes_with_no_hint(app: Any, browsers: Any) -> None:
    officer, admin = browsers(), browsers()
    await office(officer)
    counter = await join(officer, admin, name="黄石市政务服务中心", domain="government")
    person = await resident(app, browsers(), name="吴丽", lists=("red",))
    stale = await verify(counter, browsers(), person.phone.present(at=0))
    assert stale["valid"] is False and stale["handling"] == []


async def test_the_counter_page_shows_gray_handling_only_at_a_government_counter(
    app: Any, browsers: Any
) -> None:
    officer = browsers()
    await office(officer)
    hall = await join(officer, browsers(), name="黄石市政务服务中心", domain="government")
    shop = await join(officer, browsers(), name="磁湖超市", domain="merchant")
    person = await resident(app, browsers(), name="郑强", lists=("gray",))
    at_hall = await hall.admin.post(
        "/counter", data={"csrf_token": token(hall.admin), "text": person.phone.present()}
    )
    assert 'data-hint="cautious_handling"' in at_hall.text and "审慎办理" in at_hall.text
    # A government counter takes no deposit: its clerk is not told to ask for one.
    assert "按常规手续办理。" in at_hall.text and "需交押金" not in at_hall.text
    english = await hall.admin.post(
        "/counter?lang=en", data={"csrf_token": token(hall.admin), "text": person.phone.present()}
    )
    assert "Handling hints" in english.text and "Handle with care" in english.text
    assert "Huangshi plan 2018-1, V(2)" in english.text
    at_shop = await shop.admin.post(
        "/counter", data={"csrf_token": token(shop.admin), "text": person.phone.present()}
    )
    assert at_shop.status_code == 200 and "verdict-" in at_shop.text
    assert "handling-hints" not in at_shop.text and "审慎办理" not in at_shop.text
    assert "按常规手续办理（需交押金）" in at_shop.text


async def test_a_red_list_only_offer_is_refused_to_others_with_a_clear_reason(
    app: Any, browsers: Any
) -> None:
    officer = browsers()
    await office(officer)
    hall = await join(officer, browsers(), name="黄石市政务服务中心", domain="government")
    offer = await live_offer(officer, hall, title_zh="绿色通道优先办理", required_lists=["red"])
    assert offer["required_lists"] == ["red"] and offer["domain"] == "government"
    plain = await resident(app, browsers(), name="钱进")
    red = await resident(app, browsers(), name="孙红", lists=("red",))
    seen = await verify(hall, browsers(), plain.phone.present())
    assert seen["eligible_offers"] == []
    assert [(o["id"], o["why_not"]) for o in seen["ineligible_offers"]] == [
        (offer["id"], "not_on_red_list")
    ]
    refused = await browsers().post(
        "/api/v1/redemptions",
        json={"text": plain.phone.present(), "offer_id": offer["id"]},
        headers=hall.key,
    )
    assert refused.status_code == 409 and refused.json()["reason"] == "not_on_red_list"
    assert await Redemption.filter(offer_id=offer["id"]).count() == 0
    redeemed = await browsers().post(
        "/api/v1/redemptions",
        json={"text": red.phone.present(), "offer_id": offer["id"]},
        headers=hall.key,
    )
    assert redeemed.status_code == 201, redeemed.text
    # the resident's own view says why in their words
    mine = (await plain.http.get("/api/v1/me/offers")).json()["items"]
    assert [o["why_not"] for o in mine if o["id"] == offer["id"]] == ["not_on_red_list"]


@pytest.mark.parametrize(
    ("required", "excluded"), [(["gray"], ["black"]), (["black"], []), (["red"], ["red"])]
)
async def test_only_the_red_list_can_be_required_and_never_also_excluded(
    app: Any, browsers: Any, required: list[str], excluded: list[str]
) -> None:
    officer = browsers()
    await office(officer)
    hall = await join(officer, browsers(), name="黄石市政务服务中心", domain="government")
    made = await hall.admin.post(
        "/api/v1/partner/offers",
        json={"title_zh": "优先", "title_en": "Priority", "kind": "priority",
              "valid_from": "2026-01-01", "valid_until": "2026-12-31",
              "required_lists": required, "excluded_lists": excluded},
        headers=csrf(hall.admin),
    )  # fmt: skip
    assert made.status_code == 422, made.text
    assert made.json()["errors"][0]["field"] == "required_lists"


async def test_the_partner_console_sets_and_shows_a_red_list_requirement(
    app: Any, browsers: Any
) -> None:
    officer = browsers()
    await office(officer)
    hall = await join(officer, browsers(), name="黄石市政务服务中心", domain="government")
    portal = await hall.admin.get("/partner")
    assert (
        'id="offer-required-lists"' in portal.text
        and 'name="required_lists" value="red"' in portal.text
    )
    form = {
        "csrf_token": token(hall.admin), "title_zh": "红名单绿色通道", "title_en": "Green channel",
        "kind": "priority", "min_tier": "none", "amount_yuan": "0", "grace_days": "30",
        "per_person_period": "ever", "valid_from": "2026-01-01", "valid_until": "2027-12-31",
        "required_lists": "red",
    }  # fmt: skip
    both = await hall.admin.post("/partner/offers", data=form | {"excluded_lists": "red"})
    assert both.status_code == 422 and 'id="required_lists-error"' in both.text
    made = await hall.admin.post("/partner/offers", data=form)
    assert made.status_code == 303, made.text
    shown = await hall.admin.get("/partner")
    assert "仅限红名单对象" in shown.text
    listed = (await hall.admin.get("/api/v1/partner/offers")).json()["items"]
    assert [o["required_lists"] for o in listed] == [["red"]]


async def test_a_merchant_offer_cannot_depend_on_the_gray_list(app: Any, browsers: Any) -> None:
    """Its why_not would tell the merchant who is on the gray list."""
    officer = browsers()
    await office(officer)
    shop = await join(officer, browsers(), name="磁湖超市", domain="merchant")
    body = {"title_zh": "九折", "title_en": "10% off", "kind": "discount", "discount_percent": 10,
            "valid_from": "2026-01-01", "valid_until": "2026-12-31"}  # fmt: skip
    gray = await shop.admin.post(
        "/api/v1/partner/offers",
        json=body | {"excluded_lists": ["black", "gray"]},
        headers=csrf(shop.admin),
    )
    assert gray.status_code == 422 and gray.json()["errors"][0]["field"] == "excluded_lists"
    black = await shop.admin.post(
        "/api/v1/partner/offers",
        json=body | {"excluded_lists": ["black"]},
        headers=csrf(shop.admin),
    )
    assert black.status_code == 201, black.text


async def test_the_check_records_the_hints_it_gave(app: Any, browsers: Any) -> None:
    """The audit entry of a verification names the hints (the joint cases roll-up reads it)."""
    officer = browsers()
    await office(officer)
    hall = await join(officer, browsers(), name="黄石市政务服务中心", domain="government")
    person = await resident(app, browsers(), name="冯红", lists=("red",))
    await verify(hall, browsers(), person.phone.present())
    entry = await AuditEntry.filter(
        action="pass.verified", subject_person_id=person.who.person.id
    ).first()
    assert entry is not None
    assert entry.details["handling"] == ["green_channel", "deferred_acceptance"]


async def test_an_offline_confirm_of_a_red_list_only_offer_is_refused_for_others(
    app: Any, browsers: Any
) -> None:
    """What an offline counter queued is checked on sync with the same rule."""
    officer = browsers()
    await office(officer)
    hall = await join(officer, browsers(), name="黄石市政务服务中心", domain="government")
    offer = await live_offer(officer, hall, required_lists=["red"])
    people = [await resident(app, browsers(), name=n, lists=x) for n, x in
              (("钱进", ()), ("孙红", ("red",)))]  # fmt: skip
    now = time.time()
    items = [
        {"id": str(uuid.uuid4()), "kind": "confirm", "text": p.phone.present(at=now),
         "offer_id": offer["id"], "confirmed_at": int(now), "lists_as_of": int(now) - 600}
        for p in people
    ]  # fmt: skip
    answer = await browsers().post(
        "/api/v1/partner/offline-redemptions",
        json={"counter": "窗口1", "items": items},
        headers=hall.key,
    )
    assert answer.status_code == 200, answer.text
    outcomes = [(i["outcome"], i["reason"]) for i in answer.json()["items"]]
    assert outcomes == [("refused", "not_on_red_list"), ("recorded", "")]

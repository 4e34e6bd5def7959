"""The partner portal (/partner): statistics, offers, counter staff, API keys and outcomes,
as the library's administrator uses it — plain forms, no JavaScript."""

from __future__ import annotations

import datetime as dt

from backend.cases import sweep
from backend.core import clock
from backend.credit.models import CreditRecord
from backend.partners.models import Offer, Redemption
from tests.factories import csrf
from tests.partners.helpers import enrol_with_code, forms, resident_phone, text_of, token


def new_offer(http, **changes: str) -> dict[str, object]:
    today = dt.date.today()
    form: dict[str, object] = {
        "csrf_token": token(http),
        "title_zh": "先诊疗后付费",
        "title_en": "Treatment first, pay later",
        "description_zh": "门诊和住院",
        "kind": "pay_later",
        "amount_yuan": "500",
        "limit_note_zh": "每次就诊",
        "limit_note_en": "per visit",
        "min_tier": "very_good",
        "excluded_lists": ["black", "gray"],
        "quota": "1000",
        "grace_days": "15",
        "valid_from": today.isoformat(),
        "valid_until": (today + dt.timedelta(days=180)).isoformat(),
    }
    form.update(changes)
    return form


async def redeem_once(app, library, browsers) -> Redemption:
    phone, _ = await resident_phone(app, browsers(), name="刘欢")
    text = phone.present()
    response = await library.admin.post(
        "/api/v1/redemptions",
        json={"text": text, "offer_id": library.offer_id},
        headers=csrf(library.admin) | {"Idempotency-Key": "portal-test-0001"},
    )
    assert response.status_code == 201, response.text
    return await Redemption.get(id=response.json()["id"])


async def test_the_overview_shows_the_partners_statistics(app, library, browsers) -> None:
    await redeem_once(app, library, browsers)
    page = await library.admin.get("/partner")
    assert page.status_code == 200, page.text
    assert '<h1>合作机构管理 <span class="org">黄石市图书馆</span></h1>' in page.text
    assert text_of(page.text, "stat-redemptions") == "1"
    assert text_of(page.text, "stat-waived") == "100 元"
    assert '<span class="status-tag status-live">已上线</span>' in page.text
    assert " style=" not in page.text


async def test_registering_an_offer_makes_it_pending(library) -> None:
    created = await library.admin.post("/partner/offers", data=new_offer(library.admin))
    assert (
        created.status_code == 303
        and created.headers["location"] == "/partner?done=offer_created#offers"
    )
    offer = await Offer.get(title_zh="先诊疗后付费")
    assert offer.status == "pending" and offer.amount_cents == 50000 and offer.kind == "pay_later"
    assert offer.excluded_lists == "black,gray" and offer.quota == 1000 and offer.grace_days == 15
    assert offer.min_tier == "very_good" and offer.domain == "library"
    page = (await library.admin.get("/partner?done=offer_created")).text
    assert "优惠已提交，信用办审核通过后上线" in page
    row = text_of(page, f"offer-{offer.id}")
    assert "先享后付，额度 500 元 · 每次就诊" in row and "待信用办审核" in row
    assert "优秀及以上" in row and "不适用：黑名单" in row and "0 / 1000" in row


async def test_an_offer_with_mistakes_is_shown_again_with_the_errors(library) -> None:
    bad = new_offer(library.admin, title_zh="", amount_yuan="lots", valid_until="2020-01-01")
    page = await library.admin.post("/partner/offers", data=bad)
    assert page.status_code == 422
    assert "优惠未提交，请修改以下栏目" in page.text
    assert 'href="#offer-title-zh"' in page.text and 'href="#offer-amount-yuan"' in page.text
    assert (
        'id="offer-title-en" name="title_en" maxlength="100" required lang="en" '
        'value="Treatment first, pay later"' in page.text
    )
    assert await Offer.filter(status="pending").count() == 0
    no_amount = await library.admin.post(
        "/partner/offers", data=new_offer(library.admin, kind="deposit_waived", amount_yuan="")
    )
    assert no_amount.status_code == 422 and "免押金和先享后付必须填写" in no_amount.text
    reversed_dates = new_offer(library.admin, valid_from="2030-01-02", valid_until="2030-01-01")
    page = await library.admin.post("/partner/offers", data=reversed_dates)
    assert page.status_code == 422 and 'href="#offer-valid-until"' in page.text


async def test_withdrawing_an_offer(library) -> None:
    [withdraw] = forms(
        (await library.admin.get("/partner")).text, f"/partner/offers/{library.offer_id}/withdraw"
    )
    done = await library.admin.post(f"/partner/offers/{library.offer_id}/withdraw", data=withdraw)
    assert done.status_code == 303
    assert (await Offer.get(id=library.offer_id)).status == "withdrawn"
    page = (await library.admin.get("/partner?done=offer_withdrawn")).text
    assert "已撤回" in page and forms(page, f"/partner/offers/{library.offer_id}/withdraw") == []


async def test_an_api_key_is_shown_once_and_revoking_it_makes_it_401(library) -> None:
    made = await library.admin.post(
        "/partner/keys",
        data={
            "csrf_token": token(library.admin),
            "label": "图书馆管理系统",
            "scopes": ["offers.read", "passes.verify"],
        },
    )
    assert made.status_code == 200, made.text
    secret = text_of(made.text, "new-key")
    assert secret.startswith("xy_ptn_") and "请立即复制并妥善保存" in made.text
    key = {"Authorization": f"Bearer {secret}"}
    assert (await library.admin.get("/api/v1/partner/offers", headers=key)).status_code == 200
    listed = (await library.admin.get("/partner")).text
    assert secret not in listed and "图书馆管理系统" in listed and "查看优惠和统计" in listed
    key_id = next(
        k["id"]
        for k in (await library.admin.get("/api/v1/partner/keys")).json()["items"]
        if k["label"] == "图书馆管理系统"
    )
    [revoke] = forms(listed, f"/partner/keys/{key_id}/revoke")
    revoked = await library.admin.post(f"/partner/keys/{key_id}/revoke", data=revoke)
    assert revoked.status_code == 303
    async_client = library.officer  # any client: the key alone decides
    assert (await async_client.get("/api/v1/partner/offers", headers=key)).status_code == 401
    assert "接口密钥已吊销" in (await library.admin.get("/partner?done=key_revoked")).text
    empty = await library.admin.post(
        "/partner/keys", data={"csrf_token": token(library.admin), "label": "X"}
    )
    assert empty.status_code == 422 and "请至少选择一项权限范围" in empty.text


async def test_adding_a_counter_operator_shows_the_code_once(library, browsers) -> None:
    added = await library.admin.post(
        "/partner/operators",
        data={
            "csrf_token": token(library.admin),
            "display_name": "周柜员",
            "role": "counter_operator",
        },
    )
    assert added.status_code == 200, added.text
    code = text_of(added.text, "operator-code")
    assert code and code not in (await library.admin.get("/partner")).text
    clerk = browsers()
    await enrol_with_code(clerk, code)
    assert (await clerk.get("/counter")).status_code == 200
    refused = await clerk.get("/partner")
    assert refused.status_code == 403
    assert "周柜员" in (await library.admin.get("/partner")).text
    nameless = await library.admin.post(
        "/partner/operators", data={"csrf_token": token(library.admin), "display_name": " "}
    )
    assert nameless.status_code == 422 and "请填写姓名" in nameless.text


async def test_reporting_outcomes(app, library, browsers) -> None:
    redemption = await redeem_once(app, library, browsers)
    page = (await library.admin.get("/partner")).text
    row = text_of(page, f"redemption-{redemption.id}")
    assert "已按时归还" in row and "到期后，系统会向居民发出催告" in row
    assert forms(page, f"/partner/redemptions/{redemption.id}/outcome")[0]["outcome"] == "fulfilled"
    assert len(forms(page, f"/partner/redemptions/{redemption.id}/outcome")) == 1  # no default yet

    early = await library.admin.post(
        f"/partner/redemptions/{redemption.id}/outcome",
        data={
            "csrf_token": token(library.admin),
            "outcome": "defaulted",
            "notice_sent_on": dt.date.today().isoformat(),
        },
    )
    assert early.status_code == 409 and "尚未过到期日" in early.text

    # After the due date the system reminds the resident; the default form is offered only
    # once the reminder's days have passed.
    redemption.due_on = clock.today() - dt.timedelta(days=2)
    await redemption.save(update_fields=["due_on"])
    page = (await library.admin.get("/partner")).text
    assert len(forms(page, f"/partner/redemptions/{redemption.id}/outcome")) == 1
    no_reminder = await library.admin.post(
        f"/partner/redemptions/{redemption.id}/outcome",
        data={"csrf_token": token(library.admin), "outcome": "defaulted"},
    )
    assert no_reminder.status_code == 409 and "系统尚未发出催告" in no_reminder.text
    await sweep.sweep()
    page = (await library.admin.get("/partner")).text
    assert "居民可以履约或提出异议" in text_of(page, f"redemption-{redemption.id}")
    assert len(forms(page, f"/partner/redemptions/{redemption.id}/outcome")) == 1
    # The reminder's days pass (the sweep and the days themselves: tests/passes/test_attacks.py).
    await Redemption.filter(id=redemption.id).update(settle_by=clock.today() - dt.timedelta(days=1))
    page = (await library.admin.get("/partner")).text
    assert len(forms(page, f"/partner/redemptions/{redemption.id}/outcome")) == 2
    defaulted = await library.admin.post(
        f"/partner/redemptions/{redemption.id}/outcome",
        data={
            "csrf_token": token(library.admin),
            "outcome": "defaulted",
        },
    )
    assert defaulted.status_code == 303 and defaulted.headers["location"].startswith(
        "/partner?done=outcome_defaulted"
    )
    record = await CreditRecord.get(id=(await Redemption.get(id=redemption.id)).record_id)
    assert record.type_code == "PUB_LIBRARY_OVERDUE"
    page = (await library.admin.get("/partner?done=outcome_defaulted")).text
    assert "已报告未履约" in page and text_of(page, "stat-redemptions") == "1"
    assert f"redemption-{redemption.id}" not in page


async def test_a_fulfilled_outcome_becomes_a_positive_record(app, library, browsers) -> None:
    redemption = await redeem_once(app, library, browsers)
    done = await library.admin.post(
        f"/partner/redemptions/{redemption.id}/outcome",
        data={"csrf_token": token(library.admin), "outcome": "fulfilled"},
    )
    assert done.status_code == 303
    record = await CreditRecord.get(id=(await Redemption.get(id=redemption.id)).record_id)
    assert record.type_code == "PUB_LIBRARY_ON_TIME"
    again = await library.admin.post(
        f"/partner/redemptions/{redemption.id}/outcome",
        data={"csrf_token": token(library.admin), "outcome": "fulfilled"},
    )
    assert again.status_code == 409 and "已经报告过了" in again.text

"""The counter page (/counter) as a library clerk uses it: a USB scanner types the pass
into a plain form that works without JavaScript; the verdict is a big panel."""

from __future__ import annotations

import time

from backend.partners.models import Redemption
from tests.factories import csrf
from tests.partners import government
from tests.partners.helpers import forms, pass_text, resident_phone, text_of, token


async def scan(clerk, text: str, **extra: str):
    return await clerk.post("/counter", data={"csrf_token": token(clerk), "text": text, **extra})


async def test_the_counter_page_is_a_plain_form_for_a_scanner(library) -> None:
    page = await library.admin.get("/counter")
    assert page.status_code == 200, page.text
    body = page.text
    assert '<form method="post" action="/counter" id="scan-form"' in body
    assert '<label for="pass-text" class="scan-label">扫描或输入通行证</label>' in body
    field = body[body.index('<input id="pass-text"') :].split(">")[0]
    assert "autofocus" in field and 'autocomplete="off"' in field and 'name="text"' in field
    assert f'name="csrf_token" value="{token(library.admin)}"' in body
    assert 'id="camera-button" class="secondary camera-button" hidden' in body  # JS shows it
    assert '<script type="module" src="/app/js/counter.js"></script>' in body
    assert 'aria-live="polite"' in body
    assert " style=" not in body  # CSP: no inline styles


async def test_a_valid_pass_gives_a_green_panel_with_the_offer_and_the_masked_name(
    app, library, browsers
) -> None:
    phone, _ = await resident_phone(app, browsers(), name="刘欢")
    page = await scan(library.admin, phone.present())
    assert page.status_code == 200, page.text
    body = page.text
    assert 'class="verdict verdict-ok"' in body
    assert text_of(body, "verdict-title").endswith("可以享受优惠")
    assert "信用等级：良好" in body
    assert "免押金借阅 · 押金 100 元免交 · 最多5册" in body
    # what the ID-card check needs: the surname, the characters, the birth year (1985)
    assert '<strong class="masked-name">刘*（2 个字，1985 年生）</strong>' in body
    assert "刘欢" not in body
    assert "<title>可以享受优惠 · 柜台核验" in body
    assert len(forms(body, "/counter/redeem")) == 1
    field = body[body.index('<input id="pass-text"') :].split(">")[0]
    assert "autofocus" in field and "value=" not in field  # empty, focused: the next resident
    english = await library.admin.post(
        "/counter?lang=en", data={"csrf_token": token(library.admin), "text": phone.present()}
    )
    assert "Benefit applies" in english.text and "Deposit-free borrowing" in english.text
    assert "no deposit (¥100 waived) · up to 5 books" in english.text


async def test_a_screenshot_of_an_old_pass_is_refused_in_plain_words(
    app, library, browsers
) -> None:
    phone, _ = await resident_phone(app, browsers(), name="王芳")
    page = await scan(library.admin, phone.present(at=time.time() - 180))
    body = page.text
    assert 'class="verdict verdict-refused"' in body and 'data-reason="stale_presentation"' in body
    assert "这是截图或过期的二维码，请居民打开实时通行证" in body
    assert "按常规手续办理（需交押金）" in body
    assert forms(body, "/counter/redeem") == []
    assert "masked-name" not in body


async def test_garbage_and_an_empty_scan(library) -> None:
    garbage = await scan(library.admin, "HELLO-WORLD")
    assert 'data-reason="malformed"' in garbage.text and "请重新扫描" in garbage.text
    empty = await scan(library.admin, "   ")
    assert empty.status_code == 422 and "请先扫描或输入通行证" in empty.text
    assert 'aria-invalid="true"' in empty.text


async def test_a_low_tier_is_never_a_refusal_only_the_normal_procedure(
    app, library, browsers
) -> None:
    phone, _ = await resident_phone(app, browsers(), name="赵强", good=False)  # no score yet
    body = (await scan(library.admin, phone.present())).text
    assert 'class="verdict verdict-normal"' in body
    assert "通行证有效 · 不适用优惠" in body
    assert 'data-why-not="tier_too_low"' in body
    assert "信用等级未达到此优惠的要求（需良好及以上）" in body
    assert "按常规手续办理（需交押金）" in body
    assert "信用分较低不影响办理业务" in body
    assert "信用等级：暂无信用分" in body
    assert forms(body, "/counter/redeem") == []


async def test_confirming_records_the_benefit_once(app, library, browsers) -> None:
    phone, who = await resident_phone(app, browsers(), name="刘欢")
    text = phone.present()
    verdict = (await scan(library.admin, text)).text
    [confirm] = forms(verdict, "/counter/redeem")
    assert confirm["text"] == text and confirm["offer_id"] == str(library.offer_id)
    assert confirm["csrf_token"] == token(library.admin) and len(confirm["idempotency_key"]) >= 16

    done = await library.admin.post("/counter/redeem", data=confirm)
    assert done.status_code == 200, done.text
    assert "已办理 · 押金已免 100 元" in done.text and 'class="verdict verdict-ok"' in done.text
    redemption = await Redemption.get(person_id=who.person.id)
    assert redemption.deposit_waived_cents == 10000 and redemption.offer_id == library.offer_id
    assert f"办理编号 #{redemption.id}" in done.text

    # The same form sent twice (a double click, a reload): the first redemption, not a second.
    again = await library.admin.post("/counter/redeem", data=confirm)
    assert again.status_code == 200 and "此前已经记录过" in again.text
    # Scanning the same presentation again: no green for a used pass, and nothing to confirm.
    rescan = (await scan(library.admin, text)).text
    assert 'class="verdict verdict-refused"' in rescan and 'data-reason="used"' in rescan
    assert "已经办理过" in rescan and forms(rescan, "/counter/redeem") == []
    # Confirming it anyway (the old form, sent from another desk): refused by name.
    refused = await library.admin.post("/counter/redeem", data=confirm | {"idempotency_key": ""})
    assert refused.status_code == 409
    assert 'data-reason="already_used"' in refused.text
    assert "不能重复办理" in refused.text and "按常规手续办理（需交押金）" in refused.text
    assert await Redemption.all().count() == 1


async def test_a_confirm_for_a_stale_pass_or_a_missing_offer_is_refused(
    app, library, browsers
) -> None:
    phone, _ = await resident_phone(app, browsers(), name="孙丽")
    stale = phone.present(at=time.time() - 180)
    refused = await library.admin.post(
        "/counter/redeem",
        data={"csrf_token": token(library.admin), "text": stale, "offer_id": str(library.offer_id)},
    )
    assert refused.status_code == 409 and "这是截图或过期的二维码" in refused.text
    missing = await library.admin.post(
        "/counter/redeem", data={"csrf_token": token(library.admin), "text": phone.present()}
    )
    assert missing.status_code == 422
    elsewhere = await library.admin.post(
        "/counter/redeem",
        data={"csrf_token": token(library.admin), "text": phone.present(), "offer_id": "999999"},
    )
    assert elsewhere.status_code == 404 and "此优惠未上线或已撤回" in elsewhere.text
    assert await Redemption.all().count() == 0


async def test_a_black_listed_resident_is_told_the_normal_procedure_applies(
    app, library, browsers
) -> None:
    phone, _ = await resident_phone(app, browsers(), name="钱进", black=True)
    body = (await scan(library.admin, phone.present())).text
    assert 'data-why-not="on_black_list"' in body and "依规不适用此优惠" in body
    assert "按常规手续办理（需交押金）" in body


async def test_a_counter_without_live_offers_says_so_once(app, browsers) -> None:
    """A new partner has no offer yet: the page says so once, under the verdict too (the
    verdict does not repeat it)."""
    officer, clerk = browsers(), browsers()
    await government.office(officer)
    await government.join(officer, clerk, name="黄石市档案馆", domain="library")
    empty = (await clerk.get("/counter")).text
    assert 'id="no-offers"' in empty and empty.count("本机构暂无上线的优惠") == 1
    phone, _ = await resident_phone(app, browsers(), name="刘欢")
    body = (await scan(clerk, phone.present())).text
    assert 'class="verdict verdict-normal"' in body and "通行证有效 · 不适用优惠" in body
    assert body.count("本机构暂无上线的优惠") == 1


async def test_a_paper_pass_asks_for_the_id_card(app, library, browsers) -> None:
    resident = browsers()
    await resident_phone(app, resident, name="欧阳建锋")
    page = await resident.post("/passes/paper", data={"csrf_token": token(resident)})
    text = pass_text(page.text)
    body = (await scan(library.admin, text)).text
    assert 'class="verdict verdict-ok"' in body
    assert '<p class="id-check" id="id-check"><strong>核对身份证</strong>' in body
    assert "这是纸质通行证：请查验居民身份证原件，姓名应为 欧阳*锋" in body


async def test_the_javascript_path_uses_the_api_with_the_session_cookie(
    app, library, browsers
) -> None:
    """counter.js calls verifyPass and createRedemption with the clerk's session cookie,
    the X-CSRF-Token header and a fresh Idempotency-Key per confirm click."""
    phone, _ = await resident_phone(app, browsers(), name="刘欢")
    clerk = library.admin
    text = phone.present()
    no_csrf = await clerk.post("/api/v1/passes/verify", json={"text": text})
    assert no_csrf.status_code == 403 and no_csrf.json()["code"] == "csrf_failed"
    checked = await clerk.post("/api/v1/passes/verify", json={"text": text}, headers=csrf(clerk))
    assert (
        checked.status_code == 200
        and checked.json()["eligible_offers"][0]["id"] == library.offer_id
    )
    headers = csrf(clerk) | {"Idempotency-Key": "0f7f4c1e-2b1d-4c55-9a0e-1c2d3e4f5a6b"}
    body = {"text": text, "offer_id": library.offer_id}
    first = await clerk.post("/api/v1/redemptions", json=body, headers=headers)
    retry = await clerk.post("/api/v1/redemptions", json=body, headers=headers)
    assert first.status_code == 201 and retry.status_code == 200
    assert first.json()["id"] == retry.json()["id"]
    other_click = csrf(clerk) | {"Idempotency-Key": "5d0b8e0a-7a43-4ed5-b1c9-6c0c7f1b2a33"}
    twice = await clerk.post("/api/v1/redemptions", json=body, headers=other_click)
    assert twice.status_code == 409 and twice.json()["reason"] == "already_used"

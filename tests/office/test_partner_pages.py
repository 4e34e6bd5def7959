"""The credit office's partner page (/office/partners): approving and rejecting applications
(the administrator's one-time code shown once), deciding pending offers with their terms, and
counting joint incentive/punishment cases per partner and domain."""

from __future__ import annotations

import datetime as dt

from backend.core import clock
from backend.partners.models import Offer, Partner
from tests.authenticator import SoftAuthenticator
from tests.conftest import ORIGIN
from tests.factories import csrf, make_staff
from tests.partners import fixtures
from tests.partners.helpers import enrol_with_code, forms, resident_phone, text_of, token

# The partner tests' fixtures, by name (tests/office/conftest.py is the console's own).
browsers = fixtures.browsers
library = fixtures.library

APPLICATION = {
    "name": "黄石市中心医院",
    "domain": "hospital",
    "contact_name": "吴主任",
    "contact_phone": "0714-6223456",
    "address": "黄石港区天津路141号",
}


async def test_the_office_approves_an_application_and_sees_the_code_once(client, browsers) -> None:
    await client.post("/partners/apply", data=APPLICATION)
    officer = browsers()
    await make_staff(officer, SoftAuthenticator(origin=ORIGIN), ["officer"], name="陈信用")
    page = await officer.get("/office/partners")
    assert page.status_code == 200, page.text
    partner = await Partner.get(name="黄石市中心医院")
    row = text_of(page.text, f"application-{partner.id}")
    assert "医疗机构" in row and "吴主任" in row and "0714-6223456" in row
    approve, reject = forms(page.text, f"/office/partners/{partner.id}/decision")
    assert approve["decision"] == "approve" and reject["decision"] == "reject"

    approved = await officer.post(f"/office/partners/{partner.id}/decision", data=approve)
    assert approved.status_code == 200, approved.text
    code = text_of(approved.text, "admin-code")
    assert "已批准 黄石市中心医院" in approved.text
    assert (await Partner.get(id=partner.id)).status == "approved"
    assert code not in (await officer.get("/office/partners")).text  # shown once
    twice = await officer.post(f"/office/partners/{partner.id}/decision", data=approve)
    assert twice.status_code == 409 and "已由其他工作人员处理" in twice.text

    admin = browsers()
    await enrol_with_code(admin, code)
    portal = await admin.get("/partner")
    assert portal.status_code == 200 and "黄石市中心医院" in portal.text


async def test_the_office_rejects_an_application(client, browsers) -> None:
    await client.post("/partners/apply", data=APPLICATION)
    officer = browsers()
    await make_staff(officer, SoftAuthenticator(origin=ORIGIN), ["officer"], name="陈信用")
    partner = await Partner.get(name="黄石市中心医院")
    rejected = await officer.post(
        f"/office/partners/{partner.id}/decision",
        data={"csrf_token": token(officer), "decision": "reject"},
    )
    assert (
        rejected.status_code == 303
        and rejected.headers["location"] == "/office/partners?done=partner_rejected"
    )
    assert (await Partner.get(id=partner.id)).status == "rejected"
    assert "已驳回该申请" in (await officer.get("/office/partners?done=partner_rejected")).text
    nonsense = await officer.post(
        f"/office/partners/{partner.id}/decision",
        data={"csrf_token": token(officer), "decision": "maybe"},
    )
    assert nonsense.status_code == 422


async def test_the_office_decides_pending_offers_with_their_terms(library) -> None:
    today = clock.today()
    created = await library.admin.post(
        "/api/v1/partner/offers",
        headers=csrf(library.admin),
        json={
            "title_zh": "优先借阅新书",
            "title_en": "Priority for new books",
            "kind": "priority",
            "min_tier": "excellent",
            "excluded_lists": ["black"],
            "quota": 50,
            "valid_from": today.isoformat(),
            "valid_until": (today + dt.timedelta(days=90)).isoformat(),
        },
    )
    offer_id = created.json()["id"]
    page = (await library.officer.get("/office/partners")).text
    row = text_of(page, f"pending-offer-{offer_id}")
    assert "优先借阅新书" in row and "黄石市图书馆" in row and "优先办理" in row
    assert "极好及以上" in row and "不适用：黑名单" in row and "名额 50" in row
    approve, _ = forms(page, f"/office/partners/offers/{offer_id}/decision")
    done = await library.officer.post(f"/office/partners/offers/{offer_id}/decision", data=approve)
    assert (
        done.status_code == 303
        and done.headers["location"] == "/office/partners?done=offer_approved"
    )
    assert (await Offer.get(id=offer_id)).status == "live"
    assert "优惠已批准，现已上线" in (await library.officer.get(done.headers["location"])).text


async def test_joint_incentive_cases_per_partner_and_domain(app, library, browsers) -> None:
    good, _ = await resident_phone(app, browsers(), name="刘欢")
    black, _ = await resident_phone(app, browsers(), name="钱进", black=True)
    text = good.present()
    verified = await library.admin.post(
        "/counter", data={"csrf_token": token(library.admin), "text": text}
    )
    [confirm] = forms(verified.text, "/counter/redeem")
    assert (await library.admin.post("/counter/redeem", data=confirm)).status_code == 200
    restricted = await library.admin.post(
        "/counter", data={"csrf_token": token(library.admin), "text": black.present()}
    )
    assert 'data-why-not="on_black_list"' in restricted.text

    page = (await library.officer.get("/office/partners")).text
    partner = await Partner.get(name="黄石市图书馆")
    row = text_of(page, f"case-partner-{partner.id}")
    # 1 benefit used, ¥100 waived; 3 checks (two scans, and the confirm checks the pass
    # again); 1 restriction applied (the black-listed resident)
    assert row.split() == ["黄石市图书馆", "图书馆", "1", "100", "元", "3", "1"], row
    domain_table = text_of(page, "table-cases-domain")
    assert "图书馆 1 100 元 3 1" in domain_table and "合计 1 100 元 3 1" in domain_table

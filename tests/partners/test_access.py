"""Who may open the partner pages, and CSRF on every form."""

from __future__ import annotations

import pytest

from backend.partners.models import Offer, Partner, Redemption
from tests.authenticator import SoftAuthenticator
from tests.conftest import ORIGIN
from tests.factories import enrol, make_person, make_staff
from tests.partners.helpers import enrol_with_code, text_of, token

PAGES = ("/counter", "/partner", "/office/partners", "/passes/paper")
ENGLISH = {"Accept-Language": "en"}


async def signed_in(app, browsers, role: str):
    http = browsers()
    if role == "resident":
        who = await make_person(app.state.ctx.cipher, name="居民甲")
        await enrol(http, SoftAuthenticator(origin=ORIGIN), who)
    else:
        await make_staff(http, SoftAuthenticator(origin=ORIGIN), [role], name=f"员工{role}")
    return http


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("resident", {"/passes/paper"}),
        ("officer", {"/office/partners"}),
        ("auditor", set()),
        ("department_submitter", set()),
    ],
)
async def test_each_role_opens_only_its_pages(app, browsers, role: str, allowed: set[str]) -> None:
    http = await signed_in(app, browsers, role)
    for path in PAGES:
        response = await http.get(path, headers=ENGLISH)  # the English page names the detail
        if path in allowed:
            assert response.status_code == 200, (role, path, response.text[:300])
        else:
            assert response.status_code == 403, (role, path, response.status_code)
            assert "your role does not allow this" in response.text


async def test_a_counter_operator_uses_the_counter_but_not_the_portal(library, browsers) -> None:
    added = await library.admin.post(
        "/partner/operators", data={"csrf_token": token(library.admin), "display_name": "周柜员"}
    )
    clerk = browsers()
    await enrol_with_code(clerk, text_of(added.text, "operator-code"))
    assert (await clerk.get("/counter")).status_code == 200
    for path in ("/partner", "/office/partners", "/passes/paper"):
        assert (await clerk.get(path)).status_code == 403, path
    refused = await clerk.post(
        "/partner/keys", data={"csrf_token": token(clerk), "label": "x", "scopes": ["offers.read"]}
    )
    assert refused.status_code == 403
    outcome = await clerk.post(
        "/partner/redemptions/1/outcome", data={"csrf_token": token(clerk), "outcome": "fulfilled"}
    )
    assert outcome.status_code == 403  # reporting outcomes is for administrators


async def test_a_counter_operator_of_no_approved_partner_is_refused(app, browsers) -> None:
    clerk = await signed_in(
        app, browsers, "counter_operator"
    )  # made by the office, not by a partner
    page = await clerk.get("/counter", headers=ENGLISH)
    assert page.status_code == 403 and "you do not act for an approved partner" in page.text


async def test_every_form_needs_the_csrf_token(app, library, client) -> None:
    application = {"name": "黄石市公交集团", "domain": "transit", "contact_name": "李经理"}
    await client.post("/partners/apply", data=application | {"contact_phone": "0714-1234567"})
    partner = await Partner.get(name="黄石市公交集团")
    posts = {
        library.admin: [
            ("/counter", {"text": "XY1:ABC"}),
            ("/counter/redeem", {"text": "XY1:ABC", "offer_id": str(library.offer_id)}),
            ("/partner/offers", {"title_zh": "x"}),
            (f"/partner/offers/{library.offer_id}/withdraw", {}),
            ("/partner/operators", {"display_name": "x"}),
            ("/partner/keys", {"label": "x", "scopes": "offers.read"}),
            ("/partner/keys/1/revoke", {}),
            ("/partner/redemptions/1/outcome", {"outcome": "fulfilled"}),
        ],
        library.officer: [
            (f"/office/partners/{partner.id}/decision", {"decision": "approve"}),
            (f"/office/partners/offers/{library.offer_id}/decision", {"decision": "reject"}),
        ],
    }
    for http, calls in posts.items():
        for path, data in calls:
            missing = await http.post(path, data=data)
            wrong = await http.post(path, data=data | {"csrf_token": "not-the-token"})
            for response in (missing, wrong):
                assert response.status_code == 403, (path, response.status_code)
                assert "页面已过期" in response.text
    assert (await Offer.get(id=library.offer_id)).status == "live"
    assert (await Partner.get(id=partner.id)).status == "applied"
    assert await Redemption.all().count() == 0
    assert await Offer.all().count() == 1


async def test_the_paper_pass_form_needs_the_csrf_token(app, browsers) -> None:
    resident = await signed_in(app, browsers, "resident")
    assert (await resident.post("/passes/paper")).status_code == 403
    assert (await resident.post("/passes/paper", data={"csrf_token": "nope"})).status_code == 403

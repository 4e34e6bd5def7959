"""Joining: the public application form (the credit office's decisions on it are in
tests/office/test_partner_pages.py)."""

from __future__ import annotations

from backend.audit.models import AuditEntry
from backend.partners.models import Partner

APPLICATION = {
    "name": "黄石市中心医院",
    "domain": "hospital",
    "contact_name": "吴主任",
    "contact_phone": "0714-6223456",
    "address": "黄石港区天津路141号",
}


async def test_anyone_can_apply_with_the_public_form(client) -> None:
    page = await client.get("/partners/apply")
    assert page.status_code == 200
    assert '<form method="post" action="/partners/apply"' in page.text
    assert '<option value="hospital">医疗机构</option>' in page.text
    thanks = await client.post("/partners/apply", data=APPLICATION)
    assert thanks.status_code == 200, thanks.text
    assert "感谢 黄石市中心医院 申请成为信用惠民合作机构" in thanks.text
    partner = await Partner.get(name="黄石市中心医院")
    assert (
        partner.status == "applied"
        and partner.domain == "hospital"
        and partner.address.startswith("黄石港区")
    )
    assert f"申请编号：{partner.id}" in thanks.text
    assert await AuditEntry.filter(action="partner.applied").count() == 1


async def test_a_wrong_application_is_shown_again_with_the_errors(client) -> None:
    bad = APPLICATION | {"name": "X", "domain": "casino", "contact_phone": "call me"}
    page = await client.post("/partners/apply", data=bad)
    assert page.status_code == 422
    for field in ("name", "domain", "contact-phone"):
        assert f'href="#apply-{field}"' in page.text
    assert (
        'id="apply-contact-name" name="contact_name" maxlength="64" required '
        'autocomplete="name" value="吴主任"' in page.text
    )
    assert 'aria-invalid="true"' in page.text
    assert await Partner.all().count() == 0

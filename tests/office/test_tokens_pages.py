"""Department API tokens from the console: the secret is shown once, it works for
submitting records, and revoking it stops it at once."""

from __future__ import annotations

import re

import httpx
import pytest

from backend.apitokens.models import ApiToken
from backend.audit.models import AuditEntry
from tests.authenticator import SoftAuthenticator
from tests.conftest import ORIGIN
from tests.dbstate import row_counts
from tests.factories import enrol, make_person, make_staff
from tests.office.helpers import record, token


def shown_secret(page: str) -> str:
    match = re.search(r'id="new-token">([^<]+)<', page)
    assert match, page
    return match.group(1)


async def create(
    officer: httpx.AsyncClient, department: str = "court", label: str = "审判系统"
) -> httpx.Response:
    return await officer.post(
        "/office/tokens",
        data={"csrf_token": token(officer), "department": department, "label": label},
    )


async def test_a_token_is_shown_once_works_and_stops_working_when_revoked(officer, app) -> None:
    page = await create(officer)
    assert page.status_code == 200, page.text
    secret = shown_secret(page.text)
    assert secret.startswith("xy_dep_") and page.text.count(secret) == 1
    assert "离开本页后将无法再次查看" in page.text and 'role="alert"' in page.text
    row = await ApiToken.get(label="审判系统")
    assert row.organisation == "court" and row.prefix in secret and row.token_hash != secret
    assert secret not in str(await AuditEntry.filter(action="api_token.created").values("details"))

    listing = await officer.get("/office/tokens")
    assert secret not in listing.text  # never again
    token_row = listing.text.split(f'id="token-{row.id}"', 1)[1].split("</tr>", 1)[0]
    assert row.prefix in token_row and "市中级人民法院" in token_row and "审判系统" in token_row
    assert "从未使用" in token_row

    who = await make_person(app.state.ctx.cipher, name="钱多多")
    headers = {"Authorization": f"Bearer {secret}"}
    used = await officer.post(
        "/api/v1/records",
        json=[record("T-1", who.id_number, "LAW_COURT_DEFAULTER")],
        headers=headers,
    )
    assert used.status_code == 200, used.text
    token_row = (
        (await officer.get("/office/tokens"))
        .text.split(f'id="token-{row.id}"', 1)[1]
        .split("</tr>", 1)[0]
    )
    assert "从未使用" not in token_row and "<time" in token_row.split("</td>", 4)[3]

    revoked = await officer.post(
        f"/office/tokens/{row.id}/revoke", data={"csrf_token": token(officer)}
    )
    assert (
        revoked.status_code == 303 and revoked.headers["location"] == "/office/tokens?done=revoked"
    )
    after = await officer.get(revoked.headers["location"])
    assert "令牌已吊销，立即失效" in after.text
    token_row = after.text.split(f'id="token-{row.id}"', 1)[1].split("</tr>", 1)[0]
    assert "已于" in token_row and f'action="/office/tokens/{row.id}/revoke"' not in token_row

    refused = await officer.post(
        "/api/v1/records",
        json=[record("T-2", who.id_number, "LAW_COURT_DEFAULTER")],
        headers=headers,
    )
    assert refused.status_code == 401
    assert await AuditEntry.filter(action="api_token.revoked").count() == 1


async def test_the_token_form_lists_every_department(officer) -> None:
    page = (await officer.get("/office/tokens")).text
    assert '<form method="post" action="/office/tokens"' in page
    assert '<label for="department">' in page and '<label for="label">' in page
    assert page.count("<option value=") == 1 + 24  # the catalog's departments
    assert '<option value="court">市中级人民法院</option>' in page
    english = (await officer.get("/office/tokens?lang=en")).text
    assert '<option value="court">Intermediate People&#39;s Court</option>' in english


@pytest.mark.parametrize(
    ("department", "label", "message"),
    [
        ("", "系统", "请选择部门。"),
        ("nasa", "系统", "请选择部门。"),
        ("court", "", "请填写用途说明。"),
    ],
)
async def test_a_token_needs_a_known_department_and_a_label(
    officer, department, label, message
) -> None:
    before = await row_counts()
    page = await create(officer, department, label)
    assert page.status_code == 422
    assert message in page.text and 'id="new-token"' not in page.text
    assert await row_counts() == before and not await ApiToken.exists()


async def test_revoking_an_unknown_token_is_a_404(officer) -> None:
    assert (
        await officer.post("/office/tokens/4242/revoke", data={"csrf_token": token(officer)})
    ).status_code == 404
    huge = await officer.post(f"/office/tokens/{2**70}/revoke", data={"csrf_token": token(officer)})
    assert huge.status_code == 404


@pytest.mark.parametrize("csrf_value", [None, "", "wrong"])
async def test_creating_and_revoking_need_the_csrf_token(officer, csrf_value) -> None:
    secret = shown_secret((await create(officer)).text)
    row = await ApiToken.get()
    form = {} if csrf_value is None else {"csrf_token": csrf_value}
    before = await row_counts()
    made = await officer.post("/office/tokens", data={**form, "department": "tax", "label": "x"})
    assert made.status_code == 403 and "xy_dep_" not in made.text
    revoke = await officer.post(f"/office/tokens/{row.id}/revoke", data=form)
    assert revoke.status_code == 403
    assert await row_counts() == before
    assert await ApiToken.all().count() == 1 and (await ApiToken.get()).revoked_at is None
    assert secret


async def test_only_token_managers_see_tokens(app, client, authenticator, other_client) -> None:
    await make_staff(client, authenticator, ["auditor"], name="周审计")
    await enrol(
        other_client, SoftAuthenticator(origin=ORIGIN), await make_person(app.state.ctx.cipher)
    )
    for http in (client, other_client):
        assert (await http.get("/office/tokens")).status_code == 403
        made = await http.post(
            "/office/tokens", data={"csrf_token": token(http), "department": "tax", "label": "x"}
        )
        assert made.status_code == 403
    assert not await ApiToken.exists()

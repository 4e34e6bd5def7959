"""Four-eyes buttons on the list review: shown only to an officer who may decide (the one
rule, auth.foureyes), and a refusal that names the real reason — the officer's own proposal,
or accounts made through one another."""

from __future__ import annotations

import pytest

from backend.auth.models import Account
from backend.core.clock import today
from backend.core.i18n import catalog
from backend.credit.models import ListEntry
from tests.factories import make_person
from tests.office.helpers import token

ZH = catalog("zh-CN")


@pytest.fixture
async def person(app):
    return await make_person(app.state.ctx.cipher, name="孙守信", area="420203")


async def propose(http, person_id: int):
    form = {
        "csrf_token": token(http), "purpose": "红黑名单认定", "list": "black",
        "reason": "拒不履行行政处罚决定", "legal_basis": "《湖北省社会信用信息管理条例》第二十五条",
        "decision_doc_no": "黄信办〔2026〕7号", "start": today().isoformat(), "end": "",
    }  # fmt: skip
    return await http.post(f"/office/people/{person_id}/list-entries", data=form)


def _row(html: str, entry_id: int) -> str:
    return html.split(f'id="proposal-{entry_id}"', 1)[1].split("</tr>", 1)[0]


async def _account_id(http) -> int:
    return int((await http.get("/api/v1/me")).json()["id"])


async def test_buttons_only_for_an_independent_officer_and_the_real_reason(
    officer, second_officer, person
) -> None:
    assert (await propose(officer, person.person.id)).status_code == 303
    entry = await ListEntry.get(person_id=person.person.id)
    decision = f'action="/office/lists/{entry.id}/decision"'

    independent = _row((await second_officer.get("/office/lists")).text, entry.id)
    assert decision in independent

    # The second officer's account was made by the proposer: not a second pair of eyes.
    first, second = await _account_id(officer), await _account_id(second_officer)
    await Account.filter(id=second).update(created_by_id=first)
    linked = _row((await second_officer.get("/office/lists")).text, entry.id)
    assert decision not in linked and ZH["office.lists.not_independent"] in linked
    refused = await second_officer.post(
        f"/office/lists/{entry.id}/decision",
        data={"csrf_token": token(second_officer), "decision": "approve"},
    )
    assert refused.status_code == 403
    assert ZH["office.lists.error.not_independent"] in refused.text
    assert ZH["office.lists.error.four_eyes"] not in refused.text  # not "your own proposal"

    own = await officer.post(
        f"/office/lists/{entry.id}/decision",
        data={"csrf_token": token(officer), "decision": "approve"},
    )
    assert own.status_code == 403 and ZH["office.lists.error.four_eyes"] in own.text
    assert (await ListEntry.get(id=entry.id)).status == "proposed"

"""Who viewed my data (谁查看了我的数据): other people's looks at me, and only mine."""

from __future__ import annotations

import pytest

from backend.audit import service as audit
from backend.core.permissions import Role
from backend.core.principal import Principal
from tests.factories import enrol, make_person

LOG = "/api/v1/me/access-log"
OFFICER = Principal.build(
    account_id=999,
    kind="staff",
    display_name="陈信用",
    roles=[Role.OFFICER],
    organisation="市信用办",
)


@pytest.fixture
async def me(client, authenticator, app):
    who = await make_person(app.state.ctx.cipher, name="马丽", male=False)
    signed = await enrol(client, authenticator, who)
    return who.person.id, signed["account_id"]


async def test_only_looks_at_my_data_by_others_are_listed(client, me, app) -> None:
    person_id, account_id = me
    other = await make_person(app.state.ctx.cipher, name="别人")
    mine = await audit.record(
        action="person.viewed", actor=OFFICER, subject_person_id=person_id, purpose="核查"
    )
    await audit.record(
        action="person.viewed", actor=OFFICER, subject_person_id=other.person.id, purpose="x"
    )
    system = await audit.record(action="record.expired", subject_person_id=person_id)
    await audit.record(
        action="me.viewed",
        actor=Principal.build(
            account_id=account_id, kind="resident", display_name="马丽", roles=[Role.RESIDENT]
        ),
        subject_person_id=person_id,
    )
    items = (await client.get(LOG)).json()["items"]
    assert [i["id"] for i in items] == [system.id, mine.id]  # newest first
    assert items[0]["who"] == "system"
    assert {k: items[1][k] for k in ("id", "at", "who", "organisation", "action", "purpose")} == {
        "id": mine.id, "at": mine.at.isoformat(), "who": "陈信用 (officer)",
        "organisation": "市信用办", "action": "person.viewed", "purpose": "核查",
    }  # fmt: skip
    # In words (backend/audit/present.py): the PWA names each part from its catalog.
    assert items[1]["actor"] == {
        "name": "陈信用", "roles": ["officer"], "organisation": "市信用办", "system": "",
    }  # fmt: skip
    assert (items[1]["action_key"], items[1]["what"], items[1]["count"]) == (
        "access.action.person.viewed", "profile", 1,
    )  # fmt: skip


async def test_the_log_pages_backwards(client, me) -> None:
    person_id, _ = me
    written = [
        await audit.record(
            action="person.viewed", actor=OFFICER, subject_person_id=person_id, purpose=str(i)
        )
        for i in range(5)
    ]
    first = (await client.get(LOG, params={"limit": 2})).json()
    assert [i["purpose"] for i in first["items"]] == ["4", "3"]
    assert first["next_before"] == written[3].id
    second = (await client.get(LOG, params={"limit": 2, "before": first["next_before"]})).json()
    assert [i["purpose"] for i in second["items"]] == ["2", "1"]
    last = (await client.get(LOG, params={"limit": 2, "before": second["next_before"]})).json()
    assert [i["purpose"] for i in last["items"]] == ["0"] and last["next_before"] is None


async def test_bad_paging_is_422(client, me) -> None:
    for query in ("limit=0", "limit=201", "limit=-5", "before=abc", "limit=1.5"):
        response = await client.get(f"{LOG}?{query}")
        assert response.status_code == 422, query
        assert response.json()["errors"][0]["field"] == query.split("=")[0]


async def test_the_log_needs_a_resident_session(other_client) -> None:
    assert (await other_client.get(LOG)).status_code == 401


async def test_an_account_without_a_register_entry_has_an_empty_log(app) -> None:
    await audit.record(action="person.viewed", actor=OFFICER, subject_person_id=None)
    assert await audit.access_log(person_id=None, account_id=1) == []

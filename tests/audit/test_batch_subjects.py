"""A department's batch of records is one audit entry, indexed under every person it is about:
each of them sees it in "who viewed my data" (issue 9), and the index is covered by the chain."""

from __future__ import annotations

import pytest

from backend.audit import service as audit
from backend.audit.models import AuditEntry, AuditSubject
from backend.audit.verification import ChainProblem
from backend.core.i18n import catalog
from tests.credit.helpers import NDJSON, ago, department, ndjson
from tests.factories import enrol, make_person

LOG = "/api/v1/me/access-log"


@pytest.fixture
async def me(client, authenticator, app):
    who = await make_person(app.state.ctx.cipher, name="马丽", male=False)
    await enrol(client, authenticator, who)
    return who


async def submit(client, headers, people, prefix: str = "M"):
    lines = [
        {"external_id": f"{prefix}-{i}", "id_number": p.id_number, "type": "LAW_PENALTY_MINOR",
         "decision_date": ago(10), "summary": "占道经营"}
        for i, p in enumerate(people)
    ]  # fmt: skip
    response = await client.post(
        "/api/v1/records", content=ndjson(lines), headers={**headers, **NDJSON}
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_departments_submission_shows_in_each_persons_access_log(client, me, app) -> None:
    others = [await make_person(app.state.ctx.cipher, name=f"别人{i}") for i in range(3)]
    headers = await department("market_regulation")
    assert (await submit(client, headers, [me, *others, me]))["created"] == 5
    entries = await AuditEntry.filter(action="records.submitted")
    assert len(entries) == 1  # one entry for the batch, not one per person
    assert entries[0].details["people"] == 4
    assert await AuditSubject.filter(entry_id=entries[0].id).count() == 4
    items = (await client.get(LOG)).json()["items"]
    mine = [i for i in items if i["action"] == "records.submitted"]
    assert len(mine) == 1
    assert mine[0]["organisation"] == "market_regulation"
    assert mine[0]["what"] == "record"
    # The PWA's words for it, in both languages.
    assert mine[0]["action_key"] == "access.action.records.submitted"
    assert catalog("zh-CN")[mine[0]["action_key"]] == "报送了信用记录"
    assert catalog("en")[mine[0]["action_key"]] == "Submitted credit records"
    # A batch about other people only is not in my log.
    await submit(client, headers, others, prefix="N")
    items = (await client.get(LOG)).json()["items"]
    assert len([i for i in items if i["action"] == "records.submitted"]) == 1
    assert (await audit.verify_chain()).ok


async def test_an_edited_index_is_found_by_the_chain_verification(client, me, app) -> None:
    other = await make_person(app.state.ctx.cipher, name="别人")
    await submit(client, await department("market_regulation"), [me, other])
    assert (await audit.verify_chain()).ok
    entry = await AuditEntry.get(action="records.submitted")
    # Someone with the database removes me from the index: I would no longer see the entry.
    await AuditSubject.filter(entry_id=entry.id, person_id=me.person.id).delete()
    report = await audit.verify_chain()
    assert (report.ok, report.problem, report.first_broken_id) == (
        False, ChainProblem.INDEX_ALTERED, entry.id,
    )  # fmt: skip
    # …or adds someone to it.
    await AuditSubject.create(entry_id=entry.id, person_id=me.person.id)
    assert (await audit.verify_chain()).ok
    await AuditSubject.create(entry_id=entry.id, person_id=other.person.id + 1000)
    assert (await audit.verify_chain()).problem == ChainProblem.INDEX_ALTERED

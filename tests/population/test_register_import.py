"""Importing the population database's feed (backend/population): people created, an import
repeated changes nothing, rejected lines reported without the ID number, moves out and deaths
end passes, sign-in and scoring, a move back in restores them; the API only for its token."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx

from backend.audit.models import AuditEntry
from backend.core import clock
from backend.credit.models import Score, ScoreHistory
from backend.credit.service import rescore_city, rescore_people
from backend.population.feed import Format
from backend.population.service import import_lines
from backend.population.stream import each
from backend.residents import register
from backend.residents.models import Person, PersonStatus, RegisterImport
from tests.credit.helpers import add_record, department
from tests.factories import csrf, enrol, login, make_person
from tests.partners.fixtures import Library
from tests.passes.device import Phone
from tests.population.helpers import CHANGES, NDJSON, line, ndjson, new_number, register_headers


async def _post(client: httpx.AsyncClient, items: list[dict[str, Any]]) -> dict[str, Any]:
    answer = await client.post(CHANGES, content=ndjson(items), headers=await register_headers())
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def test_an_export_creates_people_and_the_same_export_again_changes_nothing(
    client, app
) -> None:
    numbers = [new_number(birth=dt.date(1960 + i, 1 + i, 10 + i)) for i in range(4)]
    items = [line(10 + i, n, name=f"李{'秀英建国'[i]}", district="420281") for i, n in
             enumerate(numbers)]  # fmt: skip
    first = await _post(client, items)
    assert {k: first[k] for k in ("lines", "created", "changed", "unchanged", "rejected")} == {
        "lines": 4, "created": 4, "changed": 0, "unchanged": 0, "rejected": 0,
    }  # fmt: skip
    cipher = app.state.ctx.cipher
    for i, number in enumerate(numbers):
        person = await Person.get(id_hash=cipher.lookup_hash(number))
        assert register.id_number_of(person) == number
        assert (person.name, person.district_code, person.birth_year) == (
            f"李{'秀英建国'[i]}", "420281", 1960 + i,
        )  # fmt: skip
        assert person.status == PersonStatus.ACTIVE and person.register_seq == 10 + i
    rows_before = [
        (p.id, p.name, p.district_code, p.status, p.register_seq, bytes(p.id_encrypted))
        for p in await Person.all().order_by("id")
    ]
    entries = await AuditEntry.filter(action__startswith="register.").count()
    again = await _post(client, items)
    assert (again["created"], again["changed"], again["unchanged"]) == (0, 0, 4)
    assert rows_before == [
        (p.id, p.name, p.district_code, p.status, p.register_seq, bytes(p.id_encrypted))
        for p in await Person.all().order_by("id")
    ]
    # The run's own entry, nothing per person.
    assert await AuditEntry.filter(action__startswith="register.").count() == entries + 1
    runs = await RegisterImport.all().order_by("id")
    assert [(r.source, r.created, r.unchanged) for r in runs] == [("api", 4, 0), ("api", 0, 4)]


async def test_rejected_lines_are_reported_by_line_and_reason_never_by_id_number(
    client, app
) -> None:
    good, bad = new_number(), new_number()
    bad = bad[:17] + ("1" if bad[17] != "1" else "2")  # a wrong check character
    unknown = new_number()
    body = ndjson([
        line(1, good),
        line(2, bad),
        line(3, good, name="王" * 70),
        line(4, unknown, change="moved_out"),
        line(5, new_number(), district="999999"),
        line(6, new_number(), name=None),
    ]) + b"{broken\n"  # fmt: skip
    answer = await client.post(CHANGES, content=body, headers=await register_headers())
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert (result["created"], result["rejected"], result["lines"]) == (1, 6, 7)
    assert result["rejections"] == [
        {"line": 2, "field": "id_number", "reason": "id_number"},
        {"line": 3, "field": "name", "reason": "name"},
        {"line": 5, "field": "district", "reason": "district"},
        {"line": 7, "field": "(line)", "reason": "malformed"},
        {"line": 4, "field": "id_number", "reason": "not_in_register"},
        {"line": 6, "field": "name", "reason": "name"},
    ]
    for number in (good, bad, unknown):
        assert number[6:] not in answer.text
    run = await RegisterImport.get(id=result["run_id"])
    assert run.rejected == 6 and run.rejections == result["rejections"]
    assert await Person.all().count() == 1


async def test_an_older_change_never_overwrites_a_newer_one(client, app) -> None:
    number = new_number()
    await _post(client, [line(5, number, name="赵云")])
    stale = await _post(client, [line(4, number, name="赵子龙", district="420204")])
    assert (stale["changed"], stale["unchanged"]) == (0, 1)
    person = await Person.get(id_hash=app.state.ctx.cipher.lookup_hash(number))
    assert (person.name, person.district_code, person.register_seq) == ("赵云", "420202", 5)
    # Within one request the later of two lines for a person wins, whatever their order.
    both = await _post(client, [line(9, number, name="赵子龙"), line(7, number, name="赵将军")])
    assert (both["changed"], both["unchanged"]) == (1, 1)
    assert (await Person.get(id=person.id)).name == "赵子龙"


async def test_a_name_or_district_change_rescores_nobody(client, app) -> None:
    who = await make_person(app.state.ctx.cipher, name="钱学明")
    await add_record(who.person.id, "IDN_REALNAME_VERIFIED", clock.today())
    await rescore_city()
    score = await Score.get(person_id=who.person.id)
    history = await ScoreHistory.all().count()
    moved = await _post(client, [line(3, who.id_number, name="钱学敏", district="420205")])
    assert (moved["changed"], moved["moved_out"], moved["moved_in"]) == (1, 0, 0)
    after = await Score.get(person_id=who.person.id)
    assert (after.score, after.computed_at) == (score.score, score.computed_at)
    assert await ScoreHistory.all().count() == history
    person = await Person.get(id=who.person.id)
    assert (person.name, person.district_code) == ("钱学敏", "420205")


async def _resident_with_pass(client, app, authenticator) -> tuple[Any, Phone]:
    who = await make_person(app.state.ctx.cipher, name="孙立人")
    await enrol(client, authenticator, who)
    phone = Phone()
    issued = await client.post(
        "/api/v1/me/pass", json={"device_key": phone.jwk()}, headers=csrf(client)
    )
    assert issued.status_code == 201, issued.text
    phone.take(issued.json())
    return who, phone


async def test_a_person_who_moved_out_loses_pass_sign_in_and_scoring(
    client, app, authenticator, library: Library, other_client
) -> None:
    who, phone = await _resident_with_pass(client, app, authenticator)
    stays = await make_person(app.state.ctx.cipher, name="周留下")
    verify = "/api/v1/passes/verify"
    before = await library.admin.post(verify, json={"text": phone.present()}, headers=library.key)
    assert before.json()["valid"] is True, before.text

    left = await _post(other_client, [line(8, who.id_number, name=None, district=None,
                                           change="moved_out")])  # fmt: skip
    assert (left["moved_out"], left["passes_revoked"], left["changed"]) == (1, 1, 1)
    refused = await library.admin.post(verify, json={"text": phone.present()}, headers=library.key)
    assert refused.status_code == 200
    assert (refused.json()["valid"], refused.json()["reason"]) == (False, "revoked")
    # The session ended, and signing in again is refused with the reason the app explains.
    assert (await client.get("/api/v1/me")).status_code == 401
    again = await login(client, authenticator)
    assert again.status_code == 403 and again.json()["reason"] == "not_resident", again.text
    enrolling = await other_client.post(
        "/api/v1/enrolment/start", json={"name": who.name, "id_number": who.id_number}
    )
    assert enrolling.status_code == 403 and enrolling.json()["reason"] == "not_resident"
    assert await AuditEntry.filter(
        action="register.moved_out", subject_person_id=who.person.id
    ).exists()

    # The city rescoring leaves them out; the person still in the city is scored.
    for person in (who, stays):
        await add_record(person.person.id, "IDN_REALNAME_VERIFIED", clock.today())
    # Neither a department batch's re-scoring nor the city rescoring scores them any more.
    await rescore_people(person_ids=[who.person.id, stays.person.id], cause="record")
    assert not await Score.filter(person_id=who.person.id).exists()
    assert await Score.filter(person_id=stays.person.id).exists()
    await Score.filter(person_id=stays.person.id).delete()
    await rescore_city()
    assert not await Score.filter(person_id=who.person.id).exists()
    assert await Score.filter(person_id=stays.person.id).exists()

    back = await _post(other_client, [line(9, who.id_number, name=None, district=None,
                                           change="moved_in")])  # fmt: skip
    assert back["moved_in"] == 1
    assert await Score.filter(person_id=who.person.id).exists()  # re-scored on return
    assert (await login(client, authenticator)).status_code == 200


async def test_a_death_is_final(client, app, authenticator) -> None:
    who, _ = await _resident_with_pass(client, app, authenticator)
    died = await _post(client, [line(4, who.id_number, name=None, district=None,
                                     change="death")])  # fmt: skip
    assert (died["deceased"], died["passes_revoked"]) == (1, 1)
    person = await Person.get(id=who.person.id)
    assert person.status == PersonStatus.DECEASED
    later = await _post(client, [line(5, who.id_number, change="moved_in"),
                                 line(6, who.id_number, name="孙立仁")])  # fmt: skip
    assert later["rejected"] == 2
    assert {r["reason"] for r in later["rejections"]} == {"deceased"}
    assert (await Person.get(id=who.person.id)).name == "孙立人"
    again = await login(client, authenticator)
    assert again.status_code == 403 and again.json()["reason"] == "not_resident"


async def test_only_the_register_token_may_send_changes(client, app, authenticator) -> None:
    body = ndjson([line(1, new_number())])
    assert (await client.post(CHANGES, content=body, headers=NDJSON)).status_code == 401
    as_department = await client.post(
        CHANGES, content=body, headers={**NDJSON, **await department("court")}
    )
    assert as_department.status_code == 403, as_department.text
    await enrol(client, authenticator, await make_person(app.state.ctx.cipher))
    as_resident = await client.post(CHANGES, content=body, headers={**NDJSON, **csrf(client)})
    assert as_resident.status_code == 403
    assert await Person.all().count() == 1  # only the resident who enrolled
    headers = await register_headers()
    wrong_type = await client.post(
        CHANGES, content=body, headers={**headers, "Content-Type": "text/csv"}
    )
    assert wrong_type.status_code == 415
    too_many = ndjson([line(1, new_number())] * 20_001)
    assert (await client.post(CHANGES, content=too_many, headers=headers)).status_code == 413
    assert await Person.all().count() == 1
    assert (await client.post(CHANGES, content=body, headers=headers)).json()["created"] == 1


async def test_the_core_streams_a_large_export_in_batches(app) -> None:
    """More lines than a batch, with the same person twice across batches."""
    numbers = [new_number(birth=dt.date(1950, 1, 1) + dt.timedelta(days=i)) for i in range(5200)]
    raw = ndjson([line(1, n) for n in numbers] + [line(2, numbers[0], name="王建民")])
    run = await import_lines(
        each(raw.splitlines()),
        fmt=Format.NDJSON,
        cipher=app.state.ctx.cipher,
        districts={"420202"},
        source="file",
        label="test",
    )
    assert (run.lines, run.created, run.changed) == (5201, 5200, 1)
    assert await Person.all().count() == 5200

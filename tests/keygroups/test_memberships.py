"""The 16 key occupational groups (seed 二（二）): every group has a record type with its legal
basis, a department reports its members with `submitOccupationMemberships` (all-or-nothing,
idempotent, bounded, under the register-probing budget) and the office sees the coverage."""

from __future__ import annotations

from typing import Any

import httpx

from backend.core.city import load_city
from backend.core.clock import today
from backend.core.settings import ROOT
from backend.credit.catalog import load_catalog, load_model
from backend.keygroups.models import OccupationMembership
from backend.keygroups.service import load_groups
from backend.residents.models import PersonOccupation
from tests.authenticator import SoftAuthenticator
from tests.conftest import ORIGIN
from tests.credit.helpers import NDJSON, add_record, ago, department, ndjson, problem
from tests.credit.test_register_probing import random_ids
from tests.factories import make_person, make_staff

URL = "/api/v1/occupation-memberships"
# The 16 groups as the city's plan (黄信用〔2018〕1号, 二（二）) lists them, in its order.
SEED_GROUPS = [
    "公务员",
    "企业法定代表人及相关责任人",
    "律师",
    "教师",
    "医师",
    "执业药师",
    "评估师",
    "税务师",
    "注册消防工程师",
    "会计审计人员",
    "房地产中介从业人员",
    "认证人员",
    "金融从业人员",
    "导游",
    "快递员",
    "出租车从业人员",
]


def test_the_sixteen_groups_of_the_seed_each_have_record_types_with_a_legal_basis() -> None:
    groups, catalog, model = load_groups(), load_catalog(), load_model()
    names = [g.name["zh-CN"] for g in groups.values()]
    assert len(groups) == 16
    # the same codes as the register's groups (city.json: office statistics, person view)
    assert list(groups) == [
        code for code, _ in load_city(ROOT / "backend" / "data" / "city.json").occupation_groups
    ]
    assert names == SEED_GROUPS
    dims = {d.code for d in model.dimensions}
    for group in groups.values():
        assert group.record_types, group.code
        assert group.name["en"]
        for code in group.record_types:
            t = catalog.types[code]
            assert t.dimension == "occupational" and t.dimension in dims
            assert t.points < 0 and t.repairable, code  # a sanction, repairable like the others
            assert t.legal_basis["zh-CN"].startswith("《") and t.legal_basis["en"], code
            assert t.severity in ("minor", "general") and t.min_months <= t.max_months
            # the departments that report a group's members may submit its records
            assert group.departments & t.departments, (group.code, code)


def item(number: str, n: int, **over: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "external_id": f"M-{n}",
        "id_number": number,
        "group": "lawyer",
        "from": ago(400),
        "licence_or_registry": f"14202{n:010d}",
    }
    out.update(over)
    return {k: v for k, v in out.items() if v is not None}


async def test_submit_is_idempotent_and_may_end_a_membership(
    app: Any, client: httpx.AsyncClient
) -> None:
    cipher = app.state.ctx.cipher
    a, b = await make_person(cipher), await make_person(cipher, name="李娜")
    headers = await department("justice")
    batch = [item(a.id_number, 1), item(b.id_number, 2, until=ago(10))]
    first = await client.post(URL, json=batch, headers=headers)
    assert first.status_code == 200, first.text
    assert first.json() == {"received": 2, "created": 2, "updated": 0, "unchanged": 0}
    again = await client.post(URL, content=ndjson(batch), headers={**headers, **NDJSON})
    assert again.json() == {"received": 2, "created": 0, "updated": 0, "unchanged": 2}
    ended = await client.post(URL, json=[item(a.id_number, 1, until=ago(1))], headers=headers)
    assert ended.json()["updated"] == 1
    # the register's group column follows: a is a lawyer; b's membership had already ended
    assert await PersonOccupation.filter(group_code="lawyer").values_list(
        "person_id", flat=True
    ) == [a.person.id]
    row = await OccupationMembership.get(external_id="M-1")
    assert (row.person_id, row.department, row.valid_until.isoformat()) == (
        a.person.id,
        "justice",
        ago(1),
    )
    # anything else about a stored membership may not change under the same id
    moved = await client.post(URL, json=[item(b.id_number, 1, until=ago(1))], headers=headers)
    assert problem(moved, 422, "validation_failed")["errors"][0]["field"] == "external_id"
    assert await OccupationMembership.all().count() == 2


async def test_bad_lines_are_all_listed_and_nothing_is_stored(
    app: Any, client: httpx.AsyncClient
) -> None:
    cipher = app.state.ctx.cipher
    a = await make_person(cipher)
    headers = await department("justice")
    stranger = random_ids(1, seed=7, exclude={a.id_number})[0]
    batch = [
        item(a.id_number, 1),  # good, but the batch fails: not stored
        item(a.id_number, 2, group="teacher"),  # education reports teachers, not justice
        item(a.id_number, 3, group="astronaut"),
        item(a.id_number, 4, **{"from": ago(-3)}),
        item(a.id_number, 5, until=ago(500)),  # before from
        item("42020219850615001X", 6),
        item(a.id_number, 7, licence_or_registry=""),
        item(a.id_number, 8, colour="red"),
        item(a.id_number, 1),  # duplicate external id
        item(stranger, 10),
        item(a.id_number, 11, **{"from": "2025-02-30"}),
    ]
    response = await client.post(URL, json=batch, headers=headers)
    errors = problem(response, 422, "validation_failed")["errors"]
    lines = {(e["line"], e["field"]) for e in errors}
    assert lines == {
        (2, "group"), (3, "group"), (4, "from"), (5, "until"), (6, "id_number"),
        (7, "licence_or_registry"), (8, "colour"), (9, "external_id"), (10, "id_number"),
        (11, "from"),
    }  # fmt: skip
    assert await OccupationMembership.all().count() == 0
    bad_json = await client.post(URL, content=b'{"a":\n[1]', headers={**headers, **NDJSON})
    assert problem(bad_json, 422, "validation_failed")["errors"][0]["field"] == "(line)"
    empty = await client.post(URL, json=[], headers=headers)
    problem(empty, 422, "validation_failed")
    text = await client.post(URL, content=b"x", headers={**headers, "Content-Type": "text/csv"})
    assert text.status_code == 415
    huge = await client.post(
        URL, json=[item(a.id_number, 1, licence_or_registry="x" * 65)], headers=headers
    )
    problem(huge, 422, "validation_failed")
    assert await OccupationMembership.all().count() == 0
    resident = await client.post(URL, json=[item(a.id_number, 1)])
    assert resident.status_code in (401, 403)


async def test_the_register_budget_is_the_record_ingests(
    app: Any, client: httpx.AsyncClient
) -> None:
    """Unknown ID numbers spend the same daily budget as record batches: past it, membership
    batches and record batches of the token are both refused (429)."""
    a = await make_person(app.state.ctx.cipher)
    headers = await department("justice")
    strangers = random_ids(
        app.state.ctx.settings.register_unknown_budget + 1, seed=3, exclude={a.id_number}
    )
    probe = await client.post(
        URL, json=[item(n, i) for i, n in enumerate(strangers)], headers=headers
    )
    body = problem(probe, 429, "too_many_requests")
    assert body["reason"] == "register_budget" and "errors" not in body  # no line names an ID
    good = await client.post(URL, json=[item(a.id_number, 1)], headers=headers)
    assert good.status_code == 429
    record = {
        "external_id": "R1",
        "id_number": a.id_number,
        "type": "OCC_LAWYER_SANCTION",
        "decision_date": ago(3),
    }
    assert (await client.post("/api/v1/records", json=[record], headers=headers)).status_code == 429
    assert await OccupationMembership.all().count() == 0


async def test_the_office_sees_coverage_per_group_and_department(
    app: Any, client: httpx.AsyncClient
) -> None:
    cipher = app.state.ctx.cipher
    a, b, c = [await make_person(cipher, name=n) for n in ("甲", "乙", "丙")]
    justice, health, mr = (
        await department("justice"),
        await department("health"),
        await department("market_regulation"),
    )
    assert (
        await client.post(
            URL,
            json=[item(a.id_number, 1), item(b.id_number, 2), item(c.id_number, 3, until=ago(2))],
            headers=justice,
        )
    ).status_code == 200
    assert (
        await client.post(URL, json=[item(a.id_number, 1, group="pharmacist")], headers=health)
    ).status_code == 200
    assert (
        await client.post(URL, json=[item(b.id_number, 1, group="pharmacist")], headers=mr)
    ).status_code == 200
    await add_record(a.person.id, "OCC_LAWYER_SANCTION", today())
    await make_staff(client, SoftAuthenticator(origin=ORIGIN), ["officer"])
    response = await client.get("/api/v1/office/key-groups")
    assert response.status_code == 200, response.text
    groups = {g["code"]: g for g in response.json()["groups"]}
    assert len(groups) == 16
    lawyers = groups["lawyer"]
    assert (lawyers["members"], lawyers["members_with_records"]) == (2, 1)  # c's membership ended
    assert lawyers["departments"] == [
        {"department": "justice", "name": load_catalog().departments["justice"], "members": 2}
    ]
    assert lawyers["record_types"][0]["legal_basis"]["zh-CN"] == "《律师法》第四十七条至第四十九条"
    pharmacists = {d["department"]: d["members"] for d in groups["pharmacist"]["departments"]}
    assert pharmacists == {"health": 1, "market_regulation": 1}
    assert groups["courier"]["members"] == 0
    anonymous = await httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=ORIGIN
    ).get("/api/v1/office/key-groups")
    assert anonymous.status_code in (401, 403)

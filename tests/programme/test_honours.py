"""The honour roll: one officer nominates, an independent officer approves, the resident
decides in the app whether it is published, and can withdraw at any time; the public roll
shows only what was agreed (surname + *, district, year, title, citation)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from backend.auth.models import Account
from backend.core.clock import today
from backend.programme.honours import public_name
from backend.programme.models import HonourEntry
from tests.factories import RegisteredPerson, csrf, make_person
from tests.office.helpers import token

YEAR = today().year
CITATION = "二十年如一日照顾孤寡老人，拾金不昧"


def nomination(person_id: int, **extra: Any) -> dict[str, Any]:
    return {"person_id": person_id, "title": "integrity_star", "year": YEAR,
            "citation_zh": CITATION, "citation_en": "Cared for elderly neighbours", **extra}  # fmt: skip


async def nominate(http: httpx.AsyncClient, body: dict[str, Any]) -> httpx.Response:
    return await http.post("/api/v1/honours", json=body, headers=csrf(http))


async def decide(http: httpx.AsyncClient, entry_id: int, approve: bool = True) -> httpx.Response:
    return await http.post(
        f"/api/v1/honours/{entry_id}/decision", json={"approve": approve}, headers=csrf(http)
    )


async def consent(http: httpx.AsyncClient, entry_id: int, given: bool) -> httpx.Response:
    return await http.put(
        f"/api/v1/me/honours/{entry_id}/consent", json={"consent": given}, headers=csrf(http)
    )


async def roll(http: httpx.AsyncClient, query: str = "") -> list[dict[str, Any]]:
    response = await http.get(f"/api/v1/honour-roll{query}")
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_nominate_approve_consent_withdraw(
    officer, second_officer, resident, anonymous, person: RegisteredPerson
) -> None:
    made = await nominate(officer, nomination(person.person.id))
    assert made.status_code == 201, made.text
    entry_id = made.json()["id"]

    # The nominating officer is not the second pair of eyes.
    own = await decide(officer, entry_id)
    assert own.status_code == 403 and own.json()["reason"] == "four_eyes"
    # Not approved yet: the resident has nothing to consent to, the roll shows nothing.
    assert (await resident.get("/api/v1/me/honours")).json()["items"] == []
    assert (await consent(resident, entry_id, True)).status_code == 404

    approved = await decide(second_officer, entry_id)
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    again = await decide(second_officer, entry_id)
    assert again.status_code == 409 and again.json()["reason"] == "already_decided"

    # Approved but not consented: still not public.
    assert await roll(anonymous) == []
    notices = (await resident.get("/api/v1/me/notifications")).json()["items"]
    assert [(n["kind"], n["link"]) for n in notices] == [("honour", "#/honours")]
    mine = (await resident.get("/api/v1/me/honours")).json()["items"]
    assert [(m["id"], m["consent"], m["published"], m["shown_name"]) for m in mine] == [
        (entry_id, "pending", False, "王**")
    ]

    given = await consent(resident, entry_id, True)
    assert given.status_code == 200 and given.json()["published"] is True
    shown = await roll(anonymous)
    assert shown == [
        {
            "name": "王**",
            "title": "integrity_star",
            "year": YEAR,
            "district": "420202",
            "district_name": shown[0]["district_name"],
            "citation": {"zh-CN": CITATION, "en": "Cared for elderly neighbours"},
        }
    ]
    assert shown[0]["district_name"]["zh-CN"]
    page = await anonymous.get("/honours")
    assert page.status_code == 200 and "王**" in page.text and CITATION in page.text
    assert "王守信" not in page.text and person.id_number not in page.text
    assert len(await roll(anonymous, f"?year={YEAR}&district=420202")) == 1
    assert await roll(anonymous, "?district=420203") == []
    assert await roll(anonymous, f"?year={YEAR - 1}") == []

    # Withdrawn: gone from the next request, API and page alike.
    withdrawn = await consent(resident, entry_id, False)
    assert withdrawn.status_code == 200 and withdrawn.json()["consent"] == "withdrawn"
    assert await roll(anonymous) == []
    assert "王**" not in (await anonymous.get("/honours")).text
    # Saying the same again is a named conflict; consenting again publishes again.
    same = await consent(resident, entry_id, False)
    assert same.status_code == 409 and same.json()["reason"] == "consent_unchanged"
    assert (await consent(resident, entry_id, True)).status_code == 200
    assert len(await roll(anonymous)) == 1


async def test_declined_and_rejected_are_never_published(
    app, officer, second_officer, resident, anonymous, person: RegisteredPerson
) -> None:
    other = await make_person(app.state.ctx.cipher, name="欧阳明德", area="420203")
    first = (await nominate(officer, nomination(person.person.id))).json()["id"]
    second = (await nominate(officer, nomination(other.person.id, title="moral_model"))).json()[
        "id"
    ]
    assert (await decide(second_officer, first)).status_code == 200
    assert (await decide(second_officer, second, approve=False)).json()["status"] == "rejected"
    declined = await consent(resident, first, False)
    assert declined.status_code == 200 and declined.json()["consent"] == "declined"
    assert await roll(anonymous) == []
    # Another person's honour is not the resident's to publish.
    assert (await consent(resident, second, True)).status_code == 404
    assert await HonourEntry.filter(consent="given").count() == 0


async def test_linked_officer_is_not_independent(officer, second_officer, person) -> None:
    entry_id = (await nominate(officer, nomination(person.person.id))).json()["id"]
    first = int((await officer.get("/api/v1/me")).json()["id"])
    second = int((await second_officer.get("/api/v1/me")).json()["id"])
    await Account.filter(id=second).update(created_by_id=first)
    # The console offers the linked officer no decision buttons either.
    page = (await second_officer.get("/office/honours")).text
    assert f'action="/office/honours/{entry_id}/decision"' not in page
    refused = await decide(second_officer, entry_id)
    assert refused.status_code == 403 and refused.json()["reason"] == "four_eyes"
    assert (await HonourEntry.get(id=entry_id)).status == "proposed"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"person_id": 987654321}, "person_id"),
        ({"person_id": 0}, "person_id"),
        ({"year": 1999}, "year"),
        ({"year": 2101}, "year"),
        ({"title": "hero"}, "title"),
        ({"citation_zh": "好"}, "citation_zh"),
        ({"citation_zh": "好" * 121}, "citation_zh"),
        ({"citation_en": "x" * 201}, "citation_en"),
        ({"record_id": 424242}, "record_id"),
        ({"published": True}, "published"),
    ],
)
async def test_bad_nominations_are_refused_and_store_nothing(
    officer, person, change: dict[str, Any], field: str
) -> None:
    response = await nominate(officer, {**nomination(person.person.id), **change})
    assert response.status_code == 422, response.text
    assert field in {str(e["field"]).split(".")[0] for e in response.json()["errors"]}
    assert await HonourEntry.all().count() == 0


async def test_one_title_a_person_a_year(officer, person) -> None:
    assert (await nominate(officer, nomination(person.person.id))).status_code == 201
    twice = await nominate(officer, nomination(person.person.id))
    assert twice.status_code == 409 and twice.json()["reason"] == "already_nominated"
    assert (await nominate(officer, nomination(person.person.id, year=YEAR - 1))).status_code == 201
    assert await HonourEntry.all().count() == 2


async def test_who_may_call(resident, anonymous, person) -> None:
    assert (await nominate(anonymous, nomination(person.person.id))).status_code == 401
    assert (await nominate(resident, nomination(person.person.id))).status_code == 403
    assert (await anonymous.get("/api/v1/me/honours")).status_code == 401
    bad = await anonymous.get("/api/v1/honour-roll?district=42")
    assert bad.status_code == 422
    assert (await anonymous.get("/api/v1/honour-roll?year=abc")).status_code == 422


@pytest.mark.parametrize(
    ("name", "shown"),
    [("王守信", "王**"), ("李明", "李*"), ("欧阳明德", "欧阳**"), ("欧阳", "欧*"), ("张", "张*")],
)
def test_public_name(name: str, shown: str) -> None:
    assert public_name(name) == shown


async def test_console_nominate_and_decide(officer, second_officer, person) -> None:
    form = {"csrf_token": token(officer), "id_number": person.id_number,
            "title": "moral_model", "year": str(YEAR), "citation_zh": CITATION}  # fmt: skip
    done = await officer.post("/office/honours", data=form)
    assert done.status_code == 303, done.text
    entry = await HonourEntry.get(person_id=person.person.id)
    assert entry.title == "moral_model" and entry.proposed_by_id
    # The nominating officer sees no buttons, and a posted decision is refused.
    page = (await officer.get("/office/honours")).text
    assert f'action="/office/honours/{entry.id}/decision"' not in page
    own = await officer.post(
        f"/office/honours/{entry.id}/decision",
        data={"csrf_token": token(officer), "decision": "approve"},
    )
    assert own.status_code == 403 and 'id="honours-error"' in own.text
    review = (await second_officer.get("/office/honours")).text
    assert f'action="/office/honours/{entry.id}/decision"' in review
    approved = await second_officer.post(
        f"/office/honours/{entry.id}/decision",
        data={"csrf_token": token(second_officer), "decision": "approve"},
    )
    assert approved.status_code == 303
    assert (await HonourEntry.get(id=entry.id)).status == "approved"
    bad = await officer.post("/office/honours", data={**form, "id_number": "420202198506150110"})
    assert bad.status_code == 422 and 'id="honours-error"' in bad.text
    assert await HonourEntry.all().count() == 1

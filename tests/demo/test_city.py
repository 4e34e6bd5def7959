"""The demo city: deterministic, valid and usable."""

from __future__ import annotations

import json

from backend.core.city import load_city
from backend.core.crypto import IdCipher
from backend.credit.models import CreditRecord, Score
from backend.demo.city import _chunk, _chunk_args, seed_demo
from backend.partners.models import Partner
from backend.residents import idnumber
from backend.residents.models import Person, PersonOccupation


def _logical(rows):
    return [(r[0], r[1], *r[3:]) for r in rows]  # the ciphertext's nonce is random


def test_chunks_depend_only_on_seed(settings):
    city = load_city(settings.city_file)
    first, jobs1, records1 = _chunk(_chunk_args(settings, city, 42, 3, 1, 500, True))
    again, jobs2, records2 = _chunk(_chunk_args(settings, city, 42, 3, 1, 500, True))
    other, _, records3 = _chunk(_chunk_args(settings, city, 43, 3, 1, 500, True))
    assert _logical(first) == _logical(again) and jobs1 == jobs2 and records1 == records2
    assert _logical(first) != _logical(other) and records1 != records3
    with_records = {r[0] for r in records1}
    assert 0.6 < len(with_records) / 500 < 0.8  # about 70% of residents have credit information
    assert 7 < len(records1) / len(with_records) < 13


async def test_seed_demo_creates_a_valid_register_and_working_logins(app, settings, client):
    result = await seed_demo(settings, 400, 7)
    assert result is not None and result["summary"]["residents"] == 400
    cipher: IdCipher = app.state.ctx.cipher
    city = load_city(settings.city_file)
    people = await Person.all()
    assert len(people) == 400
    numbers = [cipher.decrypt(p.id_encrypted, bound_to=p.id_hash) for p in people]
    assert len(set(numbers)) == 400
    moved = 0
    for person, number in zip(people, numbers, strict=True):
        parsed = idnumber.parse(number)
        assert city.district(parsed.area_code) and city.district(person.district_code)
        moved += person.district_code != parsed.area_code
        assert person.birth_year == parsed.birth_date.year
        assert cipher.lookup_hash(number) == person.id_hash
        assert 2 <= len(person.name) <= 4
    assert 0.05 < moved / 400 < 0.3  # some live in another district than their number's area
    groups = set(await PersonOccupation.all().values_list("group_code", flat=True))
    assert groups <= city.occupation_codes()

    creds = json.loads((settings.data_dir / "demo-credentials.json").read_text(encoding="utf-8"))
    resident = creds["residents"][0]
    start = await client.post("/api/v1/enrolment/start", json=resident)
    assert start.status_code == 200, start.text
    staff = await client.post(
        "/api/v1/enrolment/start", json={"enrolment_code": creds["officer_code"]}
    )
    assert staff.status_code == 200 and staff.json()["user"]["displayName"] == "陈信用"

    assert creds["department_token"].startswith("xy_dep_")
    assert creds["partner_api_key"].startswith("xy_ptn_")
    offers = await client.get(
        "/api/v1/partner/offers", headers={"Authorization": f"Bearer {creds['partner_api_key']}"}
    )
    assert offers.status_code == 200 and offers.json()["items"][0]["status"] == "live"
    assert await Partner.filter(status="approved").count() == 4
    scored = await Score.all().count()
    assert scored == len(set(await CreditRecord.all().values_list("person_id", flat=True)))
    assert await seed_demo(settings, 400, 7, if_empty=True) is None
    assert await Person.all().count() == 400

"""A department token cannot test the population register (人口库比对额度): unknown ID numbers
are answered line by line only within a daily budget per token (REGISTER_UNKNOWN_BUDGET), past
it every batch and every ID-number correction is refused with 429 and the office is alerted,
and every rejected batch is audited with its counts — never its ID numbers."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from typing import Any

import httpx

from backend.audit.models import AuditEntry
from backend.core import clock
from backend.credit.models import CreditRecord, RegisterTally
from backend.residents import idnumber
from tests.authenticator import SoftAuthenticator
from tests.conftest import ORIGIN
from tests.credit.helpers import ago, department, problem
from tests.factories import make_person, make_staff

URL = "/api/v1/records"
BUDGET = 200  # the default setting
NOT_IN_REGISTER = "not in the population register"
AREAS = ("420202", "420203", "420204", "420205", "420222", "420281")


def random_ids(count: int, seed: int, exclude: set[str]) -> list[str]:
    """Well-formed ID numbers: a real area code of the city, a real birth date, the right
    check digit — what a prober enumerating the register would send."""
    rng = random.Random(seed)
    found: list[str] = []
    while len(found) < count:
        birth = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(365 * 65))
        number = idnumber.make(rng.choice(AREAS), birth, rng.randrange(1000))
        if number not in exclude and number not in found:
            assert idnumber.problem_with(number) is None
            found.append(number)
    return found


def line(number: str, n: int) -> dict[str, Any]:
    return {
        "external_id": f"P-{n}",
        "id_number": number,
        "type": "LAW_COURT_DEFAULTER",
        "decision_date": ago(3),
        "summary": "",
    }


BAD_LINE = {"external_id": "BAD", "id_number": "x", "type": "NOPE", "decision_date": "x"}


class Prober:
    """Sends candidates and writes down what each answer tells about each ID number."""

    def __init__(self, client: httpx.AsyncClient, headers: dict[str, str]) -> None:
        self.client, self.headers = client, headers
        self.members: set[str] = set()
        self.strangers: set[str] = set()
        self.statuses: list[int] = []

    async def batch(self, numbers: list[str], *, spoil: bool = True) -> httpx.Response:
        """One batch, spoiled with a bad line so that nothing is stored whatever the answer."""
        items = [line(n, i) for i, n in enumerate(numbers, start=1)] + ([BAD_LINE] if spoil else [])
        response = await self.client.post(URL, json=items, headers=self.headers)
        self.statuses.append(response.status_code)
        if response.status_code == 422:
            flagged = {
                e["line"] for e in response.json()["errors"] if e["message"] == NOT_IN_REGISTER
            }
            for i, number in enumerate(numbers, start=1):
                (self.strangers if i in flagged else self.members).add(number)
        elif response.status_code == 200:
            self.members |= set(numbers)
        else:
            assert response.status_code == 429, response.text
            assert not response.json().get("errors"), response.text  # no line is named
        return response

    @property
    def learned(self) -> int:
        return len(self.members) + len(self.strangers)


async def residents(app, count: int) -> list[str]:
    return [(await make_person(app.state.ctx.cipher)).id_number for _ in range(count)]


async def test_5000_random_id_numbers_in_one_batch_learn_nothing(client, app) -> None:
    members = await residents(app, 20)
    candidates = random_ids(4980, seed=1, exclude=set(members)) + members
    random.Random(2).shuffle(candidates)
    prober = Prober(client, await department("court"))

    response = await prober.batch(candidates)
    body = problem(response, 429, "too_many_requests")
    assert body["reason"] == "register_budget" and not body.get("errors")
    assert int(response.headers["retry-after"]) > 0
    assert prober.learned == 0
    # From now on every batch is refused, whatever it holds: a clean batch of residents too.
    assert (await prober.batch(members[:3], spoil=False)).status_code == 429
    assert (await prober.batch(candidates[:1])).status_code == 429
    assert prober.learned == 0 and await CreditRecord.all().count() == 0


async def test_5000_random_id_numbers_in_small_batches_learn_at_most_the_budget(
    client, app
) -> None:
    members = await residents(app, 30)
    candidates = random_ids(4970, seed=3, exclude=set(members)) + members
    random.Random(4).shuffle(candidates)
    prober = Prober(client, await department("court"))
    for size, upto in ((100, 1000), (50, 1000), (10, 1000), (1, 100)):  # ever smaller batches
        for start in range(0, upto, size):
            await prober.batch(candidates[start : start + size])
    await prober.batch(candidates[1000:])

    assert len(prober.strangers) <= BUDGET
    # Residents are learned only as the lines left unflagged in the same answered batches.
    answered = prober.strangers | prober.members
    assert prober.members == answered & set(members)
    assert prober.learned <= BUDGET + len(prober.members)
    assert prober.learned <= 210 and len(candidates) - prober.learned >= 4790
    assert prober.statuses[-1] == 429 and prober.statuses.count(429) >= 100
    tally = await RegisterTally.get(caller__startswith="token:")
    assert tally.unknown <= BUDGET and tally.exhausted_at is not None

    # The office was alerted once, and the refusals are audited with counts only.
    alerts = await AuditEntry.filter(action="register.budget_exhausted")
    assert len(alerts) == 1 and alerts[0].details["budget"] == BUDGET
    rejected = await AuditEntry.filter(action="records.rejected")
    assert len(rejected) == len(prober.statuses)
    assert {r.details["status"] for r in rejected} == {422, 429}
    dumped = " ".join(str(r.details) + r.purpose for r in [*rejected, *alerts])
    assert not any(number in dumped for number in candidates)


async def test_the_budget_is_per_token_and_renews_the_next_day(client, app) -> None:
    members = await residents(app, 2)
    first, second = await department("court"), await department("court")
    prober = Prober(client, first)
    await prober.batch(random_ids(BUDGET + 1, seed=5, exclude=set(members)))
    assert prober.statuses == [429]
    other = Prober(client, second)
    answered = await other.batch(random_ids(5, seed=6, exclude=set(members)))
    assert answered.status_code == 422 and len(other.strangers) == 5
    try:
        clock.shift(dt.timedelta(days=1))
        renewed = await prober.batch(random_ids(3, seed=7, exclude=set(members)))
        assert renewed.status_code == 422 and len(prober.strangers) == 3
    finally:
        clock.reset()


async def test_a_department_with_typos_is_answered_line_by_line(client, app) -> None:
    members = await residents(app, 40)
    typo = random_ids(2, seed=8, exclude=set(members))
    court = await department("court")
    items = [line(n, i) for i, n in enumerate(members, start=1)]
    items[4]["id_number"], items[30]["id_number"] = typo
    response = await client.post(URL, json=items, headers=court)
    body = problem(response, 422, "validation_failed")
    assert [(e["line"], e["message"]) for e in body["errors"]] == [
        (5, NOT_IN_REGISTER),
        (31, NOT_IN_REGISTER),
    ]
    (entry,) = await AuditEntry.filter(action="records.rejected")
    assert entry.details == {
        "department": "court", "status": 422, "code": "validation_failed", "reason": "",
        "received": 40, "errors": 2, "id_numbers_checked": 40, "unknown_id_numbers": 2,
    }  # fmt: skip
    items[4]["id_number"], items[30]["id_number"] = members[4], members[30]
    stored = await client.post(URL, json=items, headers=court)
    assert stored.status_code == 200 and stored.json()["created"] == 40
    tally = await RegisterTally.get(caller__startswith="token:")
    assert (tally.checked, tally.unknown, tally.rejected) == (80, 2, 1)


async def test_malformed_id_numbers_cost_nothing_and_keep_their_error(client, app) -> None:
    court = await department("court")
    good = random_ids(300, seed=9, exclude=set())
    broken = [n[:17] + next(c for c in "0123456789X" if c != n[17]) for n in good]
    response = await client.post(
        URL, json=[line(n, i) for i, n in enumerate(broken, start=1)], headers=court
    )
    body = problem(response, 422, "validation_failed")
    assert len(body["errors"]) == 300
    assert {e["message"] for e in body["errors"]} == {"invalid ID number (check_digit)"}
    tally = await RegisterTally.get(caller__startswith="token:")
    assert (tally.checked, tally.unknown, tally.exhausted_at) == (0, 0, None)


async def test_batches_at_once_cannot_share_out_more_than_the_budget(client, app) -> None:
    court = await department("court")
    numbers = random_ids(6 * 60, seed=10, exclude=set())
    probers = [Prober(client, court) for _ in range(6)]
    await asyncio.gather(*(p.batch(numbers[i * 60 : (i + 1) * 60]) for i, p in enumerate(probers)))
    statuses = sorted(s for p in probers for s in p.statuses)
    assert statuses == [422, 422, 422, 429, 429, 429]  # 3 × 60 fit in 200, the 4th does not
    assert sum(len(p.strangers) for p in probers) == 180
    tally = await RegisterTally.get(caller__startswith="token:")
    assert tally.unknown == 180 and tally.exhausted_at is not None


async def test_the_record_correction_path_has_the_same_budget(client, app) -> None:
    who = await make_person(app.state.ctx.cipher)
    court = await department("court")
    stored = await client.post(URL, json=[line(who.id_number, 1)], headers=court)
    assert stored.status_code == 200, stored.text
    numbers = random_ids(BUDGET + 30, seed=11, exclude={who.id_number})
    statuses = []
    for number in numbers:
        response = await client.patch(f"{URL}/P-1", json={"id_number": number}, headers=court)
        statuses.append(response.status_code)
        if response.status_code == 422:
            assert response.json()["errors"][0]["message"] == NOT_IN_REGISTER
        else:
            problem(response, 429, "too_many_requests")
    assert statuses == [422] * BUDGET + [429] * 30
    # Over budget, even a correction to a resident is refused; other corrections still work.
    again = await client.patch(f"{URL}/P-1", json={"id_number": who.id_number}, headers=court)
    assert again.status_code == 429
    summary = await client.patch(f"{URL}/P-1", json={"summary": "已更正"}, headers=court)
    assert summary.status_code == 200
    record = await CreditRecord.get(external_id="P-1")
    assert record.person_id == who.person.id
    assert await AuditEntry.filter(action="record.correction_rejected").count() == BUDGET + 31
    assert await AuditEntry.filter(action="register.budget_exhausted").count() == 1


async def test_a_correction_checks_everything_else_before_the_register(client, app) -> None:
    """A correction with a resident's number and a bad date must not say the number is fine."""
    who, other = await make_person(app.state.ctx.cipher), await make_person(app.state.ctx.cipher)
    court = await department("court")
    assert (await client.post(URL, json=[line(who.id_number, 1)], headers=court)).status_code == 200
    stranger = random_ids(1, seed=12, exclude={who.id_number, other.id_number})[0]
    answers = []
    for number in (other.id_number, stranger):
        response = await client.patch(
            f"{URL}/P-1", json={"id_number": number, "type": "NOPE"}, headers=court
        )
        answers.append((response.status_code, response.json()["errors"]))
    assert answers[0] == answers[1]  # the same answer for a resident and a stranger
    tally = await RegisterTally.get(caller__startswith="token:")
    assert (tally.checked, tally.unknown) == (1, 0)  # the submission only


async def test_the_office_dashboard_flags_unusual_tokens(client, other_client, app) -> None:
    members = await residents(app, 30)
    exhausted, curious, plain = [await department("court") for _ in range(3)]
    await Prober(client, exhausted).batch(random_ids(BUDGET + 1, seed=13, exclude=set(members)))
    # 5 unknown among 25 look-ups: a share of 20 %, well above what typos give.
    await Prober(client, curious).batch(members[:20] + random_ids(5, seed=14, exclude=set()))
    stored = await client.post(
        URL, json=[line(n, i) for i, n in enumerate(members, start=1)], headers=plain
    )
    assert stored.status_code == 200

    officer = other_client
    await make_staff(officer, SoftAuthenticator(origin=ORIGIN), ["officer"], name="陈信用")
    page = await officer.get("/office/dashboard")
    assert page.status_code == 200, page.text
    html = page.text
    assert 'id="register-alert"' in html and 'role="alert"' in html
    by_caller = {t.caller: t for t in await RegisterTally.all()}
    rows = [segment.split('"')[0] for segment in html.split('data-caller="')[1:]]
    # The exhausted token first, then the curious one; the plain department is not listed.
    assert [(by_caller[r].exhausted_at is not None, by_caller[r].unknown) for r in rows] == [
        (True, 0),
        (False, 5),
    ]
    assert "额度已用完" in html  # the city's language by default

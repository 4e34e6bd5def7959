"""An objection left unanswered past its deadline: the deadline sweep, run as the operator's
command with the clock set 45 days forward, suspends the record's effect — the resident sees
it suspended and the score without it — until the department's answer restores it."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from backend.core.settings import ROOT

from .due_process_setup import Department, Phone
from .harness import Server, catalog

ZH = catalog("zh-CN")


@pytest.fixture(scope="module")
def phone(browser: Any, server: Server) -> Iterator[Phone]:
    resident = Phone(browser, server, server.credentials["residents"][2])
    yield resident
    resident.context.close()


@pytest.fixture(scope="module")
def market(server: Server) -> Iterator[Department]:
    department = Department(server, "market_regulation")
    yield department
    department.close()


def sweep_later(server: Server, days: int) -> dict[str, int]:
    """`python -m backend.cli sweep-deadlines` against the server's database, `days` later."""
    done = subprocess.run(
        [sys.executable, "-m", "backend.cli", "sweep-deadlines"],
        cwd=ROOT, env={**server.env, "CLOCK_SHIFT_DAYS": str(days)},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, int] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_a_late_answer_suspends_the_record_until_the_department_answers(
    phone: Phone, market: Department, server: Server
) -> None:
    phone.enrol()
    before = phone.api("/api/v1/me/score")
    market.submit(phone.person["id_number"], "LAW_PENALTY_MINOR", dt.date.today(), "SJ-LATE-1")
    record = next(
        r for r in phone.api("/api/v1/me/records")["items"] if r["type"] == "LAW_PENALTY_MINOR"
    )
    counted = phone.api("/api/v1/me/score")["score"]
    assert counted < before.get("score", 10_000)

    page = phone.visit(f"records/{record['id']}", "#record-contest")
    page.click("#record-object")
    page.wait_for_selector("#objection-form")
    page.fill("#objection-form textarea[name=reason]", "当天我不在现场。")
    page.click("#objection-submit")
    page.wait_for_selector(".view-objection #case-facts")
    objection = phone.api("/api/v1/me/objections")["items"][0]
    assert page.locator("#case-suspended").count() == 0

    assert sweep_later(server, 0)["objections_suspended"] == 0  # not late today
    assert sweep_later(server, 45)["objections_suspended"] == 1  # 20 working days are gone
    assert sweep_later(server, 45)["objections_suspended"] == 0  # and only once

    now = phone.api(f"/api/v1/me/objections/{objection['id']}")
    assert (now["suspended"], now["state"]) == (True, "submitted"), now
    page.reload()  # the case page is open already: load it again
    page.wait_for_selector("#case-suspended")
    assert page.locator("#case-suspended").inner_text() == ZH["pwa.objection.suspended"]
    phone.check("objection, effect suspended")
    assert phone.api("/api/v1/me/score")["score"] > counted, "a suspended record stops counting"
    inbox = phone.api("/api/v1/me/notifications")["items"]
    assert any(n["kind"] == "deadline_passed" for n in inbox)

    market.answer(objection["id"], upheld=False, answer="现场执法记录显示为本人。")
    page.reload()
    page.wait_for_selector("#case-review")  # rejected: a human review may be asked for
    assert page.locator("#case-suspended").count() == 0
    assert phone.api("/api/v1/me/score")["score"] == counted, "the answer restores the record"
    shown = phone.api(f"/api/v1/me/records/{record['id']}")
    assert (shown["status"], shown["suspended"]) == ("active", False)

"""What anonymous callers can and cannot do to the database and the browser's cache: expired
challenges and counters are purged, partner applications are throttled and bounded, form
bodies are capped before they are parsed, pages with a pass, key or code are never stored,
and error answers carry the security headers too; an auditor's reading is itself audited."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
from starlette.requests import Request
from starlette.routing import Route

from backend.app import periodic_jobs
from backend.audit.models import AuditEntry
from backend.auth import purge, quota
from backend.auth.models import Account, Challenge, Throttle
from backend.core import clock as city_clock
from backend.partners import joining
from backend.partners.models import Partner
from tests.conftest import ORIGIN
from tests.factories import make_staff

APPLY = "/api/v1/partner-applications"


def at(app, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 5000))  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=transport, base_url=ORIGIN)


async def test_expired_challenges_and_stale_counters_are_purged(app, client) -> None:
    for _ in range(5):
        assert (await client.post("/api/v1/login/start")).status_code == 200
    now = city_clock.now()
    await Throttle.create(key="match:client:1.1.1.1", failures=4, first_failure_at=now,
                          last_failure_at=now - dt.timedelta(hours=3))  # fmt: skip
    await Throttle.create(key="match:client:2.2.2.2", failures=10, first_failure_at=now,
                          last_failure_at=now - dt.timedelta(hours=3),
                          locked_until=now + dt.timedelta(minutes=50))  # fmt: skip
    await Throttle.create(key="quota:lookup:account:1", failures=9, first_failure_at=now,
                          last_failure_at=now - dt.timedelta(days=3))  # fmt: skip
    await Throttle.create(key="quota:same-person:account:1:2", failures=9, first_failure_at=now,
                          last_failure_at=now - dt.timedelta(hours=2))  # fmt: skip
    first = await purge.purge_expired()
    assert first.challenges == 0  # nothing expired yet
    assert first.throttles == 2  # the stale failure counter and the old quota counter
    later = now + dt.timedelta(minutes=6)
    done = await purge.purge_expired(later)
    assert done.challenges == 5 and not await Challenge.exists()
    left = set(await Throttle.all().values_list("key", flat=True))
    assert left == {"match:client:2.2.2.2", "quota:same-person:account:1:2"}  # locked; in window
    assert (await purge.purge_expired(later)).challenges == 0  # a second run finds nothing


def test_the_purge_runs_periodically() -> None:
    assert "purge-expired" in {job.name for job in periodic_jobs()}


def application(n: int) -> dict[str, str]:
    return {"name": f"机构{n}", "domain": "library", "contact_name": "联系人",
            "contact_phone": "0714-6000000"}  # fmt: skip


async def test_partner_applications_are_throttled_per_client_and_bounded(app, monkeypatch) -> None:
    async with at(app, "10.50.0.1") as one, at(app, "10.50.0.2") as two:
        answers = [
            await one.post(APPLY, json=application(n))
            for n in range(quota.PARTNER_APPLICATIONS.limit + 1)
        ]
        assert [a.status_code for a in answers][-2:] == [201, 429]
        assert "retry-after" in answers[-1].headers
        assert (await two.post(APPLY, json=application(99))).status_code == 201
        monkeypatch.setattr(joining, "MAX_WAITING", await Partner.filter(status="applied").count())
        full = await two.post(APPLY, json=application(100))
        assert full.status_code == 429
    assert await Partner.filter(status="applied").count() == quota.PARTNER_APPLICATIONS.limit + 1


async def test_form_bodies_are_capped_before_parsing(app, client, authenticator) -> None:
    big = {"name": "x" * (70 * 1024), "domain": "library"}
    answer = await client.post("/partners/apply", data=big)
    assert answer.status_code == 413, answer.status_code
    assert answer.headers["content-security-policy"]
    # A signed-in officer's form too, and nothing of it is stored.
    await make_staff(client, authenticator, ["officer"], name="陈信用")
    token = client.cookies.get("xinyi_csrf", "")
    staff = await client.post(
        "/office/staff", data={"csrf_token": token, "display_name": "x" * (70 * 1024)}
    )
    assert staff.status_code == 413
    assert await Account.filter(kind="staff").count() == 1
    assert not await Partner.exists()
    # A form within the cap is read as before.
    small = await client.post("/partners/apply", data={"name": "小机构"})
    assert small.status_code == 422


@pytest.mark.parametrize("path", ["/counter", "/partner", "/passes/paper", "/office/staff"])
async def test_pages_that_show_a_pass_a_key_or_a_code_are_never_stored(client, path) -> None:
    answer = await client.get(path)
    assert answer.headers["cache-control"] == "no-store", path


async def test_a_server_error_carries_the_security_headers(app) -> None:
    async def boom(request: Request) -> None:
        raise RuntimeError("a bug")

    app.router.routes.append(Route("/boom", boom))  # type: ignore[attr-defined]
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url=ORIGIN) as http:
        answer = await http.get("/boom")
    assert answer.status_code == 500
    assert answer.headers["content-security-policy"].startswith("default-src 'self'")
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["x-content-type-options"] == "nosniff"


async def test_an_auditors_reading_is_audited(client, authenticator) -> None:
    await make_staff(client, authenticator, ["auditor"], name="周审计")
    assert (await client.get("/office/audit")).status_code == 200
    read = await AuditEntry.get(action="audit.read")
    assert read.actor_label.startswith("周审计") and read.subject_person_id is None
    assert read.details["chain_ok"] is True


async def test_an_auditors_reading_through_the_api_is_audited(client, authenticator) -> None:
    await make_staff(client, authenticator, ["auditor"], name="吴审计")
    answer = await client.get("/api/v1/audit/entries", params={"limit": 5})
    assert answer.status_code == 200, answer.text
    read = await AuditEntry.get(action="audit.read")
    assert read.actor_label.startswith("吴审计") and read.details["shown"] >= 1

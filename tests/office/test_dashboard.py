"""The programme dashboard and the key-occupation database: the figures on the page are the
figures in the database, computed by aggregate queries and cached for five minutes."""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import re

import httpx
import pytest

from backend.core import bulk
from backend.core.clock import today
from backend.credit.models import ListEntry
from backend.office import figures
from backend.platform import shell
from backend.residents.models import PersonOccupation
from tests.authenticator import SoftAuthenticator
from tests.conftest import ORIGIN
from tests.factories import enrol, make_person, make_staff
from tests.office.helpers import record, submit, token


def cell_row(page: str, table_id: str, label: str) -> list[str]:
    """The cells of the row headed `label` in the table with this id."""
    table = page.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S):
        cells = [
            html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        if cells and cells[0] == label:
            return cells[1:]
    raise AssertionError(f"no row {label!r} in {table_id}")


def figure(page: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}">([^<]+)<', page)
    assert match, element_id
    return match.group(1)


@pytest.fixture
async def city(app, client, other_client):
    """Six residents in three districts; three with records from three departments; one court
    defaulter (black list by rule) and one manual red-list entry approved by a second officer."""
    cipher = app.state.ctx.cipher
    gang = [await make_person(cipher, name=f"港{i}", area="420202") for i in range(3)]
    daye = [await make_person(cipher, name=f"冶{i}", area="420281") for i in range(2)]
    await make_person(cipher, name="阳新", area="420222")
    await submit(
        client, "public_security", [record("PS-1", gang[0].id_number, "IDN_REALNAME_VERIFIED")]
    )
    await submit(client, "court", [record("CT-1", gang[1].id_number, "LAW_COURT_DEFAULTER")])
    await submit(client, "health", [record("HE-1", daye[0].id_number, "PRO_BLOOD_DONATION")])

    await make_staff(client, SoftAuthenticator(origin=ORIGIN), ["officer"], name="陈信用")
    await make_staff(other_client, SoftAuthenticator(origin=ORIGIN), ["officer"], name="李复核")
    form = {
        "csrf_token": token(client),
        "list": "red",
        "reason": "见义勇为",
        "legal_basis": "《条例》第十条",
        "decision_doc_no": "黄信〔2026〕1号",
        "start": today().isoformat(),
    }
    proposed = await client.post(f"/office/people/{daye[0].person.id}/list-entries", data=form)
    assert proposed.status_code == 303, proposed.text
    entry = await ListEntry.get(source="manual")
    decided = await other_client.post(
        f"/office/lists/{entry.id}/decision",
        data={"csrf_token": token(other_client), "decision": "approve"},
    )
    assert decided.status_code == 303, decided.text
    # A proposal nobody has decided yet is not on any list.
    form["list"] = "gray"
    assert (
        await client.post(f"/office/people/{gang[2].person.id}/list-entries", data=form)
    ).status_code == 303
    return {"gang": gang, "daye": daye}


async def test_the_dashboard_shows_the_figures_of_the_register(city, client) -> None:
    page = await client.get("/office/dashboard")
    assert page.status_code == 200, page.text
    text = page.text
    assert figure(text, "fig-residents") == "6"
    assert figure(text, "fig-scored") == "3"
    assert figure(text, "fig-coverage") == "50.0%"
    assert figure(text, "fig-records") == "3"
    assert "距 70.0% 的目标还差 2 人" in text  # ceil(0.7 × 6) = 5 people, 3 have a score

    assert cell_row(text, "table-coverage", "黄石港区") == ["3", "2", "66.7%", "未达标"]
    assert cell_row(text, "table-coverage", "大冶市") == ["2", "1", "50.0%", "未达标"]
    assert cell_row(text, "table-coverage", "阳新县") == ["1", "0", "0.0%", "未达标"]
    assert cell_row(text, "table-coverage", "铁山区") == ["0", "0", "0.0%", "未达标"]
    assert cell_row(text, "table-coverage", "合计") == ["6", "3", "50.0%", "未达标"]

    assert cell_row(text, "table-tiers", "良好") == ["2", "66.7%"]
    assert cell_row(text, "table-tiers", "待提高") == ["1", "33.3%"]
    assert cell_row(text, "table-tiers", "极好") == ["0", "0.0%"]

    assert cell_row(text, "table-lists", "黑名单") == ["1", "0", "1"]
    assert cell_row(text, "table-lists", "红名单") == ["0", "1", "1"]
    assert cell_row(text, "table-lists", "重点关注名单") == ["0", "0", "0"]

    assert cell_row(text, "table-departments", "市中级人民法院") == ["1", "33.3%"]
    assert cell_row(text, "table-departments", "市公安局") == ["1", "33.3%"]
    assert cell_row(text, "table-departments", "市卫生健康委员会") == ["1", "33.3%"]
    day = today()
    assert cell_row(text, "table-days", f"{day.month}月{day.day}日") == ["3"]
    earlier = day - dt.timedelta(days=29)
    assert cell_row(text, "table-days", f"{earlier.month}月{earlier.day}日") == ["0"]
    assert text.count('<tr><th scope="row"><time datetime=') == 30


async def test_the_charts_are_accessible_svg_without_inline_styles_or_scripts(city, client) -> None:
    text = (await client.get("/office/dashboard")).text
    assert text.count("<svg") == 5
    assert (
        'role="img"' in text
        and '<title id="chart-coverage-title">各区县信用分覆盖率</title>' in text
    )
    assert "<title>黄石港区：覆盖率 66.7%（3 人中 2 人有信用分）</title>" in text
    assert "目标 70.0%" in text  # the target line's label
    assert " style=" not in text and "<style" not in text
    # No inline script: the one script is the external module that labels table cells.
    assert re.findall(r"<script[^>]*>", text) == [
        f'<script type="module" src="/app/v/{shell.build_id()}/js/tables.js">'
    ]
    assert f'href="/app/v/{shell.build_id()}/office.css"' in text
    assert (await client.get(f"/app/v/{shell.build_id()}/office.css")).status_code == 200


async def test_the_dashboard_in_english(city, client) -> None:
    text = (await client.get("/office/dashboard?lang=en")).text
    assert '<html lang="en">' in text
    assert cell_row(text, "table-coverage", "Huangshigang District") == [
        "3",
        "2",
        "66.7%",
        "Below target",
    ]
    assert cell_row(text, "table-tiers", "Good") == ["2", "66.7%"]
    assert cell_row(text, "table-departments", "Intermediate People's Court") == ["1", "33.3%"]
    assert "2 more people needed for the 70.0% target" in text


async def test_the_figures_are_cached_for_five_minutes(city, client, app) -> None:
    first = (await client.get("/office/dashboard")).text
    stamp = re.search(
        r'<time datetime="([^"]+)">\d{4}-\d\d-\d\d (\d\d:\d\d) 北京时间</time>', first
    )
    assert stamp, "the page says when the figures were computed"
    await make_person(app.state.ctx.cipher, name="新来的", area="420204")
    again = (await client.get("/office/dashboard")).text
    assert figure(again, "fig-residents") == "6"  # still the cached figures
    assert re.search(r'<time datetime="([^"]+)">', again).group(1) == stamp.group(1)

    # Five minutes later the old figures are still answered at once, with their time, while
    # they are computed again in the background; the next view has the new ones.
    age(figures.CACHE_SECONDS + 1)
    stale = (await client.get("/office/dashboard")).text
    assert figure(stale, "fig-residents") == "6"
    await figures.cache.settle()
    fresh = (await client.get("/office/dashboard")).text
    assert figure(fresh, "fig-residents") == "7"
    assert cell_row(fresh, "table-coverage", "下陆区") == ["1", "0", "0.0%", "未达标"]
    assert re.search(r'<time datetime="([^"]+)">', fresh).group(1) != stamp.group(1)

    # Figures older than an hour are never shown: the page waits for new ones.
    await make_person(app.state.ctx.cipher, name="又来的", area="420204")
    age(figures.STALE_SECONDS + 1)
    assert figure((await client.get("/office/dashboard")).text, "fig-residents") == "8"


def age(seconds: float) -> None:
    """Make every cached figure `seconds` older."""
    for key, (computed, item) in list(figures.cache._items.items()):
        figures.cache._items[key] = (computed - seconds, item)


async def test_yesterdays_figures_are_recomputed(city, app) -> None:
    city_config = app.state.ctx.city
    yesterday = today() - dt.timedelta(days=1)
    old = await figures.dashboard(city=city_config, as_of=yesterday)
    assert old.as_of == yesterday
    age(figures.STALE_SECONDS + 1)
    new = await figures.dashboard(city=city_config)
    assert new.as_of == today() and new.value.days[-1].code == today().isoformat()


async def test_concurrent_requests_compute_the_figures_once(city, app) -> None:
    calls = 0
    original = figures.compute_dashboard

    async def counting(**kwargs):
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.01)
        return await original(**kwargs)

    figures.cache.clear()
    try:
        figures.compute_dashboard = counting
        results = await asyncio.gather(
            *(figures.dashboard(city=app.state.ctx.city) for _ in range(5))
        )
    finally:
        figures.compute_dashboard = original
    assert calls == 1
    assert {r.value.residents for r in results} == {6}


async def test_an_empty_register_shows_zeros_not_errors(client, authenticator) -> None:
    await make_staff(client, authenticator, ["officer"])
    page = await client.get("/office/dashboard")
    assert page.status_code == 200, page.text
    assert figure(page.text, "fig-residents") == "0" and figure(page.text, "fig-coverage") == "0.0%"
    assert "尚未收到任何信用记录" in page.text
    occupations = await client.get("/office/occupations")
    assert occupations.status_code == 200 and occupations.text.count('<tr id="occ-') == 16


async def test_the_key_occupation_database(app, client, authenticator) -> None:
    cipher = app.state.ctx.cipher
    teachers = [await make_person(cipher, name=f"师{i}") for i in range(3)]
    driver = await make_person(cipher, name="司机")
    for who in teachers:
        await PersonOccupation.create(person_id=who.person.id, group_code="teacher")
    await PersonOccupation.create(person_id=driver.person.id, group_code="taxi")
    await PersonOccupation.create(person_id=teachers[0].person.id, group_code="civil_servant")
    await submit(
        client,
        "education",
        [
            record("ED-1", teachers[0].id_number, "OCC_TEACHER_ETHICS"),  # 600 - 80
            record("ED-2", teachers[1].id_number, "OCC_GOOD_PRACTICE_AWARD"),  # 600 + 20
            record(
                "ED-3", teachers[1].id_number, "OCC_TEACHER_ETHICS", days_ago=400
            ),  # expired: 12 months
        ],
    )
    await submit(client, "transport", [record("TR-1", driver.id_number, "OCC_TAXI_COMPLAINT")])
    court = await submit(
        client, "court", [record("CT-9", teachers[2].id_number, "LAW_COURT_DEFAULTER")]
    )
    assert court["created"] == 1
    await make_staff(client, authenticator, ["officer"])

    page = await client.get("/office/occupations")
    assert page.status_code == 200, page.text
    text = page.text
    assert text.count('<tr id="occ-') == 16
    # people, with a score, average score, counting occupational records
    assert cell_row(text, "table-occupations", "教师") == ["3", "3", "513.3", "2"]
    assert cell_row(text, "table-occupations", "出租车从业人员") == ["1", "1", "590.0", "1"]
    assert cell_row(text, "table-occupations", "公务员") == ["1", "1", "520.0", "1"]
    assert cell_row(text, "table-occupations", "律师") == ["0", "0", "—", "0"]
    assert " style=" not in text and not re.search(r"<script(?![^>]*\bsrc=)", text)
    english = (await client.get("/office/occupations?lang=en")).text
    assert cell_row(english, "table-occupations", "Teachers") == ["3", "3", "513.3", "2"]


async def test_the_statistics_queries_use_an_index_on_sqlite(app) -> None:
    if bulk.dialect() != "sqlite":
        pytest.skip(
            "the plan checks are SQLite's EXPLAIN QUERY PLAN; PostgreSQL plans tiny test tables as sequential scans"
        )
    as_of = today().isoformat()
    queries = {
        "people_by_district": (
            'SELECT "district_code", COUNT(*) FROM "person" GROUP BY "district_code"',
            [],
        ),
        "departments": (
            'SELECT "department", COUNT(*) FROM "credit_record" GROUP BY "department"',
            [],
        ),
        "per_day": (
            'SELECT COUNT(*) FROM "credit_record" WHERE "created_at" >= ? AND "created_at" < ?',
            [as_of, "9999-12-31"],
        ),
        "tiers": ('SELECT "tier", COUNT(*) FROM "score" GROUP BY "tier"', []),
        "occupational": (
            'SELECT "po"."group_code", COUNT(*) FROM "person_occupation" AS "po" '
            'CROSS JOIN "credit_record" AS "cr" WHERE "cr"."person_id" = "po"."person_id" '
            'AND "cr"."status" = \'active\' AND "cr"."expires_on" > ? '
            'AND "cr"."dimension" = \'occupational\' GROUP BY "po"."group_code"',
            [as_of],
        ),
    }
    for name, (sql, params) in queries.items():
        steps = [str(r["detail"]) for r in await bulk.fetch("EXPLAIN QUERY PLAN " + sql, params)]
        for step in steps:
            if step.startswith("SCAN"):
                assert " USING " in step and "INDEX" in step, (
                    name,
                    steps,
                )  # never a bare table scan
            if "credit_record" in step or " cr " in step:
                assert "COVERING INDEX" in step, (name, steps)  # records: index only
        assert not any("TEMP B-TREE" in s for s in steps if name == "per_day"), steps
        if name == "occupational":
            assert any(s.startswith("SEARCH cr USING COVERING INDEX") for s in steps), steps


@pytest.mark.parametrize("path", ["/office/dashboard", "/office/occupations"])
async def test_only_the_dashboard_permission_opens_the_statistics(
    path, app, other_client, client
) -> None:
    auditor = SoftAuthenticator(origin=ORIGIN)
    await make_staff(client, auditor, ["auditor"], name="周审计")
    assert (await client.get(path)).status_code == 403
    await enrol(
        other_client, SoftAuthenticator(origin=ORIGIN), await make_person(app.state.ctx.cipher)
    )
    assert (await other_client.get(path)).status_code == 403
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=ORIGIN
    ) as anonymous:
        response = await anonymous.get(path)
        assert response.status_code == 303 and response.headers["location"].startswith(
            "/office/login"
        )


async def test_the_home_page_links_the_office_pages_by_permission(
    client, authenticator, other_client
) -> None:
    await make_staff(client, authenticator, ["officer"])
    home = (await client.get("/office")).text
    for path in (
        "/office/dashboard",
        "/office/occupations",
        "/office/people",
        "/office/lists",
        "/office/tokens",
    ):
        assert f'href="{path}"' in home, path
    await make_staff(other_client, SoftAuthenticator(origin=ORIGIN), ["auditor"], name="周审计")
    auditor_home = (await other_client.get("/office")).text
    assert (
        'href="/office/dashboard"' not in auditor_home
        and 'href="/office/people"' not in auditor_home
    )

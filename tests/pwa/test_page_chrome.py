"""Each page wears its own chrome: public and resident pages the resident app's (a way back to
the app, no staff sign-out), each console its own name and the whole section navigation of
the signed-in role; errors tell residents what to do, not a box of English; every time on a
staff page is the city's (stored UTC)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from backend.core import clock
from backend.core.i18n import catalog
from backend.core.templating import chrome_for, city_date, city_time, templates
from tests.factories import make_staff

ZH, EN = catalog("zh-CN"), catalog("en")


def _title(html: str) -> str:
    found = re.search(r"<title>(.*?)</title>", html, re.S)
    assert found, html[:300]
    return found.group(1)


@pytest.mark.parametrize(
    ("path", "chrome"),
    [
        ("/", "resident"), ("/scoring", "resident"), ("/nowhere", "resident"),
        ("/passes/paper", "resident"), ("/cases/lookup", "resident"), ("/partners/apply", "resident"),
        ("/office", "office"), ("/office/staff", "office"), ("/department", "department"),
        ("/department/repairs/3", "department"), ("/partner", "partner"),
        ("/partner/offers", "partner"), ("/counter", "counter"), ("/counter/redeem", "counter"),
        ("/officer", "resident"), ("/counterfeit", "resident"),
    ],
)  # fmt: skip
def test_the_chrome_follows_the_path(path: str, chrome: str) -> None:
    assert chrome_for(path) == chrome


async def test_the_scoring_page_wears_the_resident_chrome_with_a_description(client) -> None:
    page = await client.get("/scoring", headers={"accept-language": "zh-CN"})
    assert page.status_code == 200
    html = page.text
    assert ZH["chrome.office.name"] not in html and "/office/logout" not in html
    assert 'class="brand" href="/"' in html and ZH["chrome.resident.open_app"] in html
    assert f'<meta name="description" content="{ZH["scoring.description"]}">' in html
    assert _title(html).endswith(ZH["chrome.resident.name"])


@pytest.mark.parametrize(("locale", "names"), [("zh-CN", ZH), ("en", EN)])
async def test_the_404_page_is_the_residents_without_a_technical_box(client, locale, names) -> None:
    page = await client.get("/no/such/page", headers={"accept-language": locale})
    assert page.status_code == 404
    html = page.text
    assert names["error.not_found"] in html and names["error.help"] in html
    assert names["error.technical_detail"] not in html and "error-detail" not in html
    assert names["chrome.office.name"] not in html and "/office/logout" not in html
    assert 'name="description"' in html


async def test_a_console_error_keeps_the_detail_for_staff(client, authenticator) -> None:
    await make_staff(client, authenticator, ["auditor"], name="审计甲")
    page = await client.get("/office/lists", headers={"accept-language": "zh-CN"})
    assert page.status_code == 403
    assert ZH["error.technical_detail"] in page.text  # staff report faults with it
    assert _title(page.text).endswith(ZH["chrome.office.name"])


async def test_an_officer_sees_every_page_of_the_role_in_the_navigation(
    client, authenticator
) -> None:
    await make_staff(client, authenticator, ["officer"], name="信用甲")
    for path in ("/office", "/office/staff", "/office/enrolment-codes", "/office/partners"):
        page = await client.get(path, headers={"accept-language": "zh-CN"})
        assert page.status_code == 200, (path, page.text[:300])
        nav = re.search(r'<nav class="subnav staff-nav.*?</nav>', page.text, re.S)
        assert nav, path
        links = re.findall(r'<a href="([^"]+)"', nav.group(0))
        for wanted in ("/office/dashboard", "/office/people", "/office/lists", "/office/cases",
                       "/office/staff", "/office/enrolment-codes", "/office/partners",
                       "/office/tokens", "/office/cases/file"):  # fmt: skip
            assert wanted in links, (path, wanted, links)
        assert "/office/audit" not in links and "/counter" not in links  # not an officer's
        assert f'<a href="{path}" aria-current="page">' in nav.group(0), path
        assert "/office/logout" in page.text
    # The case pages have it too, with the case queue current.
    page = await client.get("/office/cases", headers={"accept-language": "en"})
    assert '<a href="/office/cases" aria-current="page">' in page.text
    assert EN["time.console_note"].format(zone=EN["time.zone.Asia/Shanghai"]) in page.text


def test_times_are_shown_in_the_city_labelled_on_request() -> None:
    late = dt.datetime(2026, 3, 1, 17, 30, tzinfo=dt.UTC)  # 01:30 the next day in Huangshi
    clock.set_zone("Asia/Shanghai")
    assert city_date(late) == "2026-03-02"
    assert city_date("2026-03-01T17:30:00+00:00") == "2026-03-02"
    assert city_date(dt.date(2026, 3, 1)) == "2026-03-01"
    english = templates.env.from_string("{{ at | city_time(label=True) }}")
    assert english.render(at=late, locale="en") == "2026-03-02 01:30 Beijing time"
    assert english.render(at=late, locale="zh-CN") == "2026-03-02 01:30 北京时间"
    assert templates.env.from_string("{{ at | city_time }}").render(at=None) == "—"
    naive = dt.datetime(2026, 3, 1, 17, 30)  # a naive value is UTC as stored
    assert templates.env.from_string("{{ at | city_time }}").render(at=naive) == "2026-03-02 01:30"
    assert city_time  # the filter is the module's function

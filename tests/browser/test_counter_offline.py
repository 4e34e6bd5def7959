"""Offline counters, with the network really cut: two counter tablets of one library load the
counter page online (it keeps the offline bundle in IndexedDB and its own service worker
caches the page), then lose the network (Playwright offline emulation, and every request
that still tries to leave the browser is aborted). The page comes back from the service
worker, verifies the resident's live pass on the device — green, saying plainly that it is
offline and how old its lists are — and queues the confirmed benefit. Both counters confirm
the same presentation; back online, it is recorded once and the second is flagged to the
partner (the sync answer, the counter's status line and the partner portal). With the
tablet's clock 13 hours on, its lists are too old and it refuses."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from .counter_setup import ZH, Desk, join_library, live_pass
from .due_process_setup import Phone
from .harness import Server, assert_accessible, shoot

pytestmark = pytest.mark.browser

SYNC = "/api/v1/partner/offline-redemptions"


class Cut:
    """The network of one counter, cut: offline emulation, and any request that still tries
    to leave the browser is aborted and remembered."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.escaped: list[str] = []

    def _abort(self, route: Any) -> None:
        self.escaped.append(route.request.url)
        route.abort("internetdisconnected")

    def __enter__(self) -> Cut:
        self.desk.context.set_offline(True)
        self.desk.context.route("**/*", self._abort)
        return self

    def __exit__(self, *exc: object) -> None:
        self.desk.context.unroute("**/*", self._abort)
        self.desk.context.set_offline(False)


def ready_online(desk: Desk) -> None:
    """Online: the bundle is saved and the counter's service worker controls the page."""
    page = desk.page
    page.locator("#counter-status[data-state='online'] .status-text").wait_for()
    assert page.locator("#counter-status").inner_text().startswith("在线")
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_selector("#counter-status[data-state='online']")
    assert page.evaluate("() => Boolean(navigator.serviceWorker.controller)")
    assert page.evaluate(
        "() => navigator.serviceWorker.controller.scriptURL.endsWith('/counter-sw.js')"
    )
    manifest = page.evaluate("() => document.querySelector('link[rel=manifest]').href")
    assert manifest.endswith("/app/counter.webmanifest")
    # Chromium's own verdict on installing the page (a test profile is always "incognito").
    cdp = desk.context.new_cdp_session(page)
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert [e["errorId"] for e in errors if e["errorId"] != "in-incognito"] == [], errors
    cdp.detach()


def confirm_offline(desk: Desk, text: str) -> None:
    page = desk.page
    desk.scan(text)
    panel = page.locator("#verdict-panel[data-offline='true'].verdict-ok")
    panel.wait_for()
    assert panel.locator("#verdict-title").inner_text().strip() == ZH["counter.state.ok"]
    assert panel.locator(".offline-note").inner_text().startswith("离线核验")
    assert panel.locator(".verdict-tier").inner_text().startswith("信用等级：")
    status = page.locator("#counter-status[data-state='offline']")
    status.wait_for()
    assert status.inner_text().startswith("已离线")
    panel.locator("button.offline-confirm").click()
    page.locator("#verdict-panel .offer-result[data-queued='true']").wait_for()
    page.locator("#counter-status[data-waiting='1']").wait_for()
    assert "待上传 1 条" in page.locator("#counter-status").inner_text()


def test_two_offline_counters_confirm_one_presentation_recorded_once_and_flagged(
    browser: Any, server: Server, tmp_path: Path
) -> None:
    library = join_library(server, "黄石市西塞山区图书馆", operators=2)
    desks = [Desk(browser, server, service_workers="allow") for _ in range(2)]
    try:
        for desk, code in zip(desks, library.operator_codes, strict=True):
            desk.sign_in(code)
            ready_online(desk)
        phone = Phone(browser, server, server.credentials["residents"][0])
        text, _ = live_pass(phone, tmp_path / "qr.png")

        cuts = [Cut(desk) for desk in desks]
        for cut in cuts:
            cut.__enter__()
        one, two = desks
        one.page.reload()  # the page itself comes from the counter's service worker
        one.page.wait_for_selector("#counter-status[data-state='offline']")
        confirm_offline(one, text)
        assert_accessible(one.page, "offline counter, benefit queued")
        shoot(one.page, "counter-offline")
        confirm_offline(two, text)
        # Nothing reached the server: requests that tried (the queue's retries) were aborted.
        assert library.admin.get("/api/v1/partner/stats").json()["redemptions"] == 0

        # Back online, one after the other: recorded once, the second flagged.
        with one.page.expect_response(lambda r: r.url.endswith(SYNC), timeout=30_000) as first:
            cuts[0].__exit__()
        assert first.value.status == 200
        answer = first.value.json()
        assert [i["outcome"] for i in answer["items"]].count("recorded") == 1
        one.page.locator("#counter-status[data-waiting='0'] .status-synced").wait_for()
        with two.page.expect_response(lambda r: r.url.endswith(SYNC), timeout=30_000) as second:
            cuts[1].__exit__()
        flagged = [i for i in second.value.json()["items"] if i["flagged"]]
        assert [i["outcome"] for i in flagged] == ["duplicate"], second.value.json()
        status = two.page.locator("#counter-status[data-flagged='1'] .status-synced")
        status.wait_for()
        assert "1 条需要核查" in status.inner_text()

        stats = library.admin.get("/api/v1/partner/stats").json()
        assert stats["redemptions"] == 1, stats
        portal = library.admin.get("/partner").text
        assert 'id="offline-flags"' in portal and 'data-outcome="duplicate"' in portal

        # Offline again, 13 hours later by the tablet's clock: the lists are too old.
        with Cut(one):
            one.page.clock.install()
            later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=13)
            one.page.clock.set_system_time(later)
            one.scan(text)
            refused = one.page.locator("#verdict-panel[data-reason='lists_too_old']")
            refused.wait_for()
            assert "超过 12 小时" in refused.inner_text()
            one.page.locator("#counter-status[data-state='unusable']").wait_for()
            assert "不能核验" in one.page.locator("#counter-status").inner_text()
        for desk in desks:
            assert not desk.problems, desk.problems
        phone.context.close()
    finally:
        library.admin.close()
        for desk in desks:
            desk.context.close()

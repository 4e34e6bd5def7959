"""Camera scanning on a browser without BarcodeDetector (Debian Chromium, like Firefox and
Safari on iPhones): a resident opens the pass in the resident app, the QR on the phone's
screen is filmed into a video file, Chromium's fake camera plays that file to the counter
page, and the counter's vendored zxing-wasm reader decodes the frames; the pass verifies
green within the presentation's minute. Nothing types the pass: the camera reads it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import sync_playwright

from .counter_setup import BORROW_ZH, ZH, Desk, camera_video, join_library, live_pass
from .due_process_setup import Phone
from .harness import CHROMIUM, Server, assert_accessible, chromium_args, shoot

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def playwright() -> Iterator[Any]:
    """One Playwright for both browsers (a second sync_playwright() cannot run beside it)."""
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="module")
def browser(playwright: Any) -> Iterator[Any]:
    """The resident's phone browser (no camera)."""
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=chromium_args())
    yield chromium
    chromium.close()


def test_counter_camera_reads_a_live_pass_without_barcode_detector(
    playwright: Any, browser: Any, server: Server, tmp_path: Path
) -> None:
    library = join_library(server, "黄石市铁山区图书馆")
    library.admin.close()
    video = tmp_path / "camera.mjpeg"
    # Chromium opens the file when the camera starts; until then it shows a grey frame.
    camera_video(None, video, frames=2)
    camera = playwright.chromium.launch(
        executable_path=CHROMIUM, args=chromium_args(fake_camera=video)
    )
    try:
        desk = Desk(camera, server)
        desk.sign_in(library.operator_codes[0])
        page = desk.page
        assert page.evaluate("() => 'BarcodeDetector' in window") is False
        button = page.locator("#camera-button")
        button.wait_for()  # shown without BarcodeDetector: the vendored reader takes over
        assert button.inner_text() == ZH["counter.camera"]

        # The resident shows the pass; its QR, filmed, is what the camera will see.
        phone = Phone(browser, server, server.credentials["residents"][0])
        text, qr = live_pass(phone, tmp_path / "qr.png")
        camera_video(qr, video)

        with page.expect_response(
            lambda r: r.request.method == "POST" and r.url.endswith("/counter")
        ) as verified:
            button.click()
            page.locator("#camera[data-decoder='zxing-wasm']").wait_for(state="attached")
        assert verified.value.status == 200
        sent = verified.value.request.post_data or ""
        assert "text=XY" in sent  # the decoded pass, as the form sends it
        panel = page.locator("#verdict-panel.verdict-ok")
        panel.wait_for()
        assert panel.locator("#verdict-title").inner_text().strip() == ZH["counter.state.ok"]
        assert BORROW_ZH in panel.locator(".offer-item.eligible .offer-line").inner_text()
        assert page.locator("#camera").is_hidden()  # the camera closes after a read
        assert page.locator("#camera-video").evaluate("v => v.srcObject === null")
        assert not desk.problems, desk.problems  # the wasm compiled under the counter's CSP
        assert_accessible(page, "counter after a camera scan")
        shoot(page, "counter-camera")

        # The text the camera read is the pass the phone showed, character for character.
        assert page.locator("#verdict-panel form.redeem input[name=text]").input_value() == text
        phone.context.close()
        desk.context.close()
    finally:
        camera.close()

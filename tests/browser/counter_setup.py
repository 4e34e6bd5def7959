"""What the counter's camera and offline browser tests share: a library that joined over the
API with a live offer and counter operators, a counter desk (its own browser context and
passkey) signed in at /office/login, a resident's live pass taken from the resident app, and
a fake-camera video of that pass (MJPEG frames drawn with Pillow)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import zxingcpp
from PIL import Image

from .due_process_setup import Phone
from .harness import DESKTOP, Server, VirtualAuthenticator, catalog, watch_console
from .partner_setup import _csrf, _ok, enrol_with_code, join_partner, offer_body

ZH = catalog("zh-CN")
BORROW_ZH = "少儿图书免押金借阅"
BORROW = "Deposit-free children's books"


@dataclass
class Library:
    offer_id: int
    operator_codes: list[str]
    admin: httpx.Client  # the partner admin, signed in (closed by the caller)


def join_library(server: Server, name: str, *, operators: int = 1) -> Library:
    """Apply, approval by the credit officer, the admin enrols, one deposit-free offer approved,
    and `operators` counter operators added (their one-time codes returned)."""
    admin = httpx.Client(base_url=server.base_url, timeout=10)
    with httpx.Client(base_url=server.base_url, timeout=10) as officer:
        enrol_with_code(officer, server.credentials["officer_code"])
        join_partner(officer, admin, name=name, domain="library", contact="郑馆长",
                     phone="0714-6333333")  # fmt: skip
        body = offer_body(BORROW_ZH, BORROW, min_tier="good")
        offer = _ok(admin.post("/api/v1/partner/offers", json=body, headers=_csrf(admin)), 201)
        approved = _ok(
            officer.post(f"/api/v1/offers/{offer['id']}/decision", json={"approve": True},
                         headers=_csrf(officer))
        )  # fmt: skip
        assert approved["status"] == "live", approved
    codes = []
    for i in range(operators):
        made = _ok(
            admin.post("/api/v1/partner/operators", json={"display_name": f"柜员{i + 1}"},
                       headers=_csrf(admin)),
            201,
        )  # fmt: skip
        codes.append(made["enrolment_code"])
    return Library(offer["id"], codes, admin)


class Desk:
    """One counter: its own browser context (cookies, passkey, service workers)."""

    def __init__(self, browser: Any, server: Server, **context: Any) -> None:
        self.context = browser.new_context(
            base_url=server.base_url, viewport=DESKTOP, locale="zh-CN", **context
        )
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.problems = watch_console(self.page)
        self.authenticator = VirtualAuthenticator(self.page)

    def sign_in(self, code: str) -> None:
        """First sign-in: the one-time code, a passkey, then on to the counter page."""
        page = self.page
        page.goto("/office/login?next=/counter")
        page.fill("#staff-code", code)
        page.click("#office-enrol button[type=submit]")
        page.wait_for_url(lambda url: urlsplit(url).path in ("/office", "/counter"))
        if urlsplit(page.url).path == "/office":
            page.get_by_role("link", name=ZH["office.link_counter"]).click()
            page.wait_for_url(lambda url: urlsplit(url).path == "/counter")
        page.wait_for_selector("#scan-form")

    def scan(self, text: str) -> None:
        """A USB scanner: keystrokes into the focused scan field, then Enter."""
        self.page.wait_for_function("() => document.activeElement?.id === 'pass-text'")
        self.page.keyboard.type(text)
        self.page.keyboard.press("Enter")


def live_pass(phone: Phone, shot: Path) -> tuple[str, Image.Image]:
    """The resident opens the pass: the QR exactly as the phone shows it, and its text."""
    phone.enrol()
    page = phone.visit("pass", "#pass-qr")
    page.locator("#pass-qr").screenshot(path=str(shot))
    image = Image.open(shot).convert("RGB")
    found = zxingcpp.read_barcodes(image)
    assert len(found) == 1 and found[0].format == zxingcpp.BarcodeFormat.QRCode, found
    text = str(found[0].text)
    assert text.startswith(("XY1:", "XY2:")), text
    return text, image


def camera_video(qr: Image.Image | None, path: Path, *, frames: int = 30) -> None:
    """An MJPEG file (concatenated JPEG frames, which Chromium's fake camera plays at 30
    frames a second, looped): the phone's screen held up to a 640×480 camera, the QR a
    little off centre on a grey counter top, as a clerk would hold it (no QR: an empty
    counter top)."""
    side = 300
    shown = qr.resize((side, side), Image.Resampling.NEAREST) if qr else None
    with path.open("wb") as out:
        for i in range(frames):
            frame = Image.new("RGB", (640, 480), (128, 128, 128))
            if shown is not None:
                phone = Image.new("RGB", (side + 40, side + 80), (250, 250, 250))
                phone.paste(shown, (20, 40))
                frame.paste(phone, (130 + i % 3, 50 + i % 2))  # a hand is never quite still
            buffer = io.BytesIO()
            frame.save(buffer, format="JPEG", quality=90)
            out.write(buffer.getvalue())

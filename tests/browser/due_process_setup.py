"""What the due-process browser tests need around the PWA: a resident's phone (a browser
context with its own passkey), staff desks (the credit officer, a department submitter)
signed in at /office/login with their own passkeys, records a department's system submits
for that resident through its API token, and evidence files built in memory."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import httpx

from .harness import (
    DESKTOP,
    PHONE,
    PYTHON,
    ROOT,
    Server,
    VirtualAuthenticator,
    api_get,
    assert_accessible,
    assert_no_placeholder_text,
    watch_console,
)


def second_officer_code(server: Server, name: str = "李复核") -> str:
    """A city with one officer bootstraps a second from the server console (docs/identity.md)."""
    done = subprocess.run(
        [PYTHON, "-m", "backend.cli", "bootstrap-officer", "--name", name],
        cwd=ROOT, env=server.env, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    match = re.search(r"\(24 h\): (\S+)", done.stdout)
    assert match, done.stdout + done.stderr
    return match.group(1)


RAW_KEY = re.compile(r"\b(?:pwa|notice)\.[a-z_]+\.[a-z_.]+\b")


class Phone:
    """One resident's phone: a browser context with its own cookies and authenticator."""

    def __init__(self, browser: Any, server: Server, person: dict[str, str]) -> None:
        self.context = browser.new_context(
            base_url=server.base_url, viewport=PHONE, locale="zh-CN", service_workers="allow"
        )
        self.page = self.context.new_page()
        self.page.set_default_timeout(10_000)
        self.problems = watch_console(self.page)
        self.authenticator = VirtualAuthenticator(self.page)
        self.person = person

    def enrol(self) -> None:
        """Enrol with name and ID number and a passkey, unless already signed in."""
        page = self.page
        if api_get(page, "/api/v1/me")[0] == 200:
            return
        page.goto("/")
        if self.authenticator.credentials():  # passkey autofill signs in
            page.wait_for_selector(".view-home .profile")
            return
        page.fill("#enrol-form input[name=name]", self.person["name"])
        page.fill("#enrol-form input[name=id_number]", self.person["id_number"])
        page.click("#enrol-form button[type=submit]")
        page.wait_for_selector(".view-home .profile")

    def visit(self, route: str, ready: str) -> Any:
        self.page.goto(f"/#/{route}")
        self.page.wait_for_selector(ready)
        return self.page

    def api(self, path: str) -> Any:
        status, body = api_get(self.page, path)
        assert status == 200, (path, status, body)
        return body

    def check(self, label: str) -> None:
        """axe-core (WCAG 2.1 A/AA), no rendering slips or raw message keys, no CSP trouble."""
        assert_accessible(self.page, label)
        assert_no_placeholder_text(self.page, label)
        text = self.page.locator("body").inner_text()
        assert not RAW_KEY.findall(text), f"{label}: untranslated {RAW_KEY.findall(text)}"
        assert not self.problems, self.problems


def at(path: str) -> Callable[[str], bool]:
    return lambda url: urlsplit(url).path == path


class Desk:
    """A staff member's desktop: a browser context with its own cookies and authenticator."""

    def __init__(self, browser: Any, server: Server) -> None:
        self.context = browser.new_context(
            base_url=server.base_url, viewport=DESKTOP, locale="zh-CN"
        )
        self.page = self.context.new_page()
        self.page.set_default_timeout(10_000)
        self.problems = watch_console(self.page)
        self.authenticator = VirtualAuthenticator(self.page)

    def sign_in(self, code: str) -> None:
        """First sign-in at /office/login: the one-time code, then a new passkey."""
        page = self.page
        page.goto("/office/login")
        page.fill("#staff-code", code)
        page.click("#office-enrol button[type=submit]")
        page.wait_for_url(at("/office"))
        assert len(self.authenticator.credentials()) == 1

    def create_staff(self, name: str, organisation: str, role: str, approver: Desk) -> str:
        """As the credit officer, at /office/staff: a new account proposed; a second officer
        (`approver`) approves it and is shown its one-time code (four eyes)."""
        page = self.page
        page.goto("/office/staff")
        page.fill("#display_name", name)
        page.fill("#organisation", organisation)
        page.check(f"input[name=roles][value={role}]")
        page.click("form[action='/office/staff'] button[type=submit]")
        page.wait_for_selector("#staff-proposed")
        other = approver.page
        other.goto("/office/staff")
        row = other.locator("tr", has_text=name)
        row.locator("form[action$='/approve'] button[type=submit]").click()
        return str(other.locator("#new-code").inner_text()).strip()

    def check(self, label: str) -> None:
        """axe-core (WCAG 2.1 A/AA), no rendering slips, no CSP trouble."""
        assert_accessible(self.page, label)
        assert_no_placeholder_text(self.page, label)
        assert not self.problems, self.problems

    def close(self) -> None:
        self.context.close()


class Department:
    """A department's own system, acting through its API token."""

    def __init__(self, server: Server, code: str) -> None:
        self.code = code
        self.client = httpx.Client(
            base_url=server.base_url,
            headers={"Authorization": f"Bearer {server.credentials['department_tokens'][code]}"},
            timeout=10,
        )

    def _ok(self, response: httpx.Response, status: int = 200) -> dict[str, Any]:
        assert response.status_code == status, f"{response.request.url}: {response.text}"
        body: dict[str, Any] = response.json()
        return body

    def submit(
        self, id_number: str, type_code: str, decided: dt.date, external_id: str, **extra: str
    ) -> None:
        item = {"external_id": external_id, "id_number": id_number, "type": type_code,
                "decision_date": decided.isoformat(), **extra}  # fmt: skip
        self._ok(self.client.post("/api/v1/records", json=[item]))

    def answer(self, objection_id: int, *, upheld: bool, answer: str) -> dict[str, Any]:
        return self._ok(
            self.client.post(
                f"/api/v1/department/objections/{objection_id}/answer",
                json={"upheld": upheld, "answer": answer},
            )
        )

    def close(self) -> None:
        self.client.close()


def pdf_file(name: str = "缴款凭证.pdf") -> dict[str, Any]:
    """A small, well-formed PDF as Playwright's set_input_files takes it."""
    body = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )
    return {"name": name, "mimeType": "application/pdf", "buffer": body}


def png_file(name: str = "收据照片.png") -> dict[str, Any]:
    """The PNG signature, a header chunk and an end chunk: what the sniffers look for."""
    body = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02"
        b"\x00\x00\x00\x90wS\xde\x00\x00\x00\x00IEND\xaeB`\x82"
    )
    return {"name": name, "mimeType": "image/png", "buffer": body}


def renamed_executable() -> dict[str, Any]:
    """An executable renamed .pdf: refused by its content, not its name."""
    return {"name": "证明.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00" * 64}


def intl_date(page: Any, iso: str) -> str:
    """A YYYY-MM-DD date the way the page shows it (Intl, medium date style)."""
    return str(
        page.evaluate(
            "([iso]) => new Intl.DateTimeFormat(document.documentElement.lang, "
            "{dateStyle: 'medium'}).format(new Date(iso + 'T00:00:00'))",
            [iso],
        )
    )

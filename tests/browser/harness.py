"""Driving the real PWA: a uvicorn server with a seeded demo city, Debian Chromium through
Playwright's sync API, the DevTools virtual authenticator, axe-core and screenshots."""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from axe_playwright_python.sync_playwright import Axe

from backend.credit.catalog import load_model

ROOT = Path(__file__).resolve().parents[2]
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_args(*, fake_camera: Path | None = None) -> list[str]:
    """The launch flags; with `fake_camera`, Chromium's fake camera plays that video file
    (MJPEG or Y4M, looped) to getUserMedia and grants the camera without asking."""
    if fake_camera is None:
        return list(CHROMIUM_ARGS)
    return [
        *CHROMIUM_ARGS,
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={fake_camera}",
    ]


PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
# Set XINYI_SCREENSHOTS=docs/screenshots to write phone and desktop screenshots.
SCREENSHOT_DIR = os.environ.get("XINYI_SCREENSHOTS", "")
BASE_DATABASE_URL = os.environ.get("DATABASE_URL", "")
# The service worker's cache name (bumped with pwa/sw.js's VERSION when the shell changes).
SHELL_CACHE = "xinyi-shell-" + re.search(
    r'const VERSION = "([^"]+)"', (ROOT / "pwa" / "sw.js").read_text(encoding="utf-8")
).group(1)  # type: ignore[union-attr]
IS_PG = BASE_DATABASE_URL.startswith(("postgres://", "postgresql://"))


def catalog(locale: str) -> dict[str, str]:
    return json.loads((ROOT / "i18n" / f"{locale}.json").read_text(encoding="utf-8"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _pg_admin(sql: str) -> None:
    async def run() -> None:
        conn = await asyncpg.connect(BASE_DATABASE_URL.replace("postgres://", "postgresql://", 1))
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    # In a thread of its own: Playwright's sync API keeps an event loop running in this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, run()).result()


@dataclass
class Server:
    base_url: str
    data_dir: Path
    process: subprocess.Popen[bytes]
    log_path: Path
    credentials: dict[str, Any] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)  # what the server runs with (for CLIs)

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def _wait_healthy(url: str, process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except Exception as exc:  # not up yet
            last = exc
        time.sleep(0.2)
    raise RuntimeError(f"server not healthy after {timeout}s: {last}")


@contextmanager
def running_server(
    tmp: Path, residents: int = 50, seed: int = 7, *, access_log: bool = False
) -> Iterator[Server]:
    """Migrate a fresh database, seed the demo city, start uvicorn; stop and drop at the end.
    `access_log`: uvicorn logs every request to `server.log` (what crossed the network)."""
    port = free_port()
    data_dir = tmp / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    database_url = ""
    pg_name = ""
    if IS_PG:
        pg_name = f"xinyi_browser_{uuid.uuid4().hex[:10]}"
        _pg_admin(f'CREATE DATABASE "{pg_name}"')
        database_url = urlunsplit(urlsplit(BASE_DATABASE_URL)._replace(path=f"/{pg_name}"))
    env = {
        **os.environ,
        "DATA_DIR": str(data_dir),
        "ORIGINS": f"http://localhost:{port}",
        "RP_ID": "localhost",
        "DATABASE_URL": database_url,
        "XINYI_ENV": "development",
        "PYTHONUNBUFFERED": "1",
    }
    log_path = tmp / "server.log"
    process: subprocess.Popen[bytes] | None = None
    try:
        for command in (
            ["-m", "backend.cli", "migrate"],
            ["-m", "backend.cli", "seed-demo", "--residents", str(residents), "--seed", str(seed)],
        ):
            done = subprocess.run(
                [PYTHON, *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
            )
            if done.returncode != 0:
                raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [PYTHON, "-m", "uvicorn", "backend.app:create_app", "--factory",
                 "--host", "127.0.0.1", "--port", str(port),
                 "--log-level", "info" if access_log else "warning"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        server = Server(f"http://localhost:{port}", data_dir, process, log_path, env=env)
        try:
            _wait_healthy(f"http://127.0.0.1:{port}", process)
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}\n{server.log_tail()}") from None
        server.credentials = json.loads((data_dir / "demo-credentials.json").read_text("utf-8"))
        yield server
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if pg_name:
            _pg_admin(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')


# ---------- browser helpers ----------


class VirtualAuthenticator:
    """A CTAP2 platform authenticator from the DevTools WebAuthn domain: resident keys,
    user verification, automatic presence — so ceremonies complete without a human."""

    OPTIONS: ClassVar[dict[str, Any]] = {
        "protocol": "ctap2",
        "transport": "internal",
        "hasResidentKey": True,
        "hasUserVerification": True,
        "isUserVerified": True,
        "automaticPresenceSimulation": True,
    }

    def __init__(self, page: Any) -> None:
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("WebAuthn.enable", {"enableUI": False})
        self.id = self._add()

    def _add(self) -> str:
        return str(
            self.cdp.send("WebAuthn.addVirtualAuthenticator", {"options": self.OPTIONS})[
                "authenticatorId"
            ]
        )

    def credentials(self) -> list[dict[str, Any]]:
        return list(
            self.cdp.send("WebAuthn.getCredentials", {"authenticatorId": self.id})["credentials"]
        )

    def replace(self) -> list[dict[str, Any]]:
        """Swap in a fresh, empty authenticator (as if on another device); return the old
        one's credentials, private keys included, so they can be put back."""
        saved = self.credentials()
        self.cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": self.id})
        self.id = self._add()
        return saved

    def restore(self, credentials: list[dict[str, Any]]) -> None:
        """Back to the first device: a fresh authenticator holding `credentials`."""
        self.replace()
        for credential in credentials:
            self.cdp.send(
                "WebAuthn.addCredential", {"authenticatorId": self.id, "credential": credential}
            )


def watch_console(page: Any) -> list[str]:
    """Collect CSP violations and uncaught errors: the app must run under the strict CSP."""
    problems: list[str] = []

    def on_console(message: Any) -> None:
        text = message.text
        if message.type == "error" and ("Content Security Policy" in text or "Refused to" in text):
            problems.append(text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"pageerror: {error}"))
    return problems


def assert_accessible(page: Any, label: str) -> None:
    results = Axe().run(page, options=AXE_OPTIONS)
    if results.violations_count:
        report = results.generate_report()
        print(f"\naxe violations on {label}:\n{report}")
        raise AssertionError(
            f"{results.violations_count} WCAG A/AA violation(s) on {label}:\n{report}"
        )


def assert_no_placeholder_text(page: Any, label: str) -> None:
    """A rendering slip (a null child, a missing value) shows up as literal text."""
    text = page.locator("main").inner_text()
    slips = re.findall(r"\b(?:null|undefined|NaN)\b|\[object Object\]|\{\w+\}", text)
    assert not slips, f"{label}: {slips} in {text!r}"


def _screenshot_folder() -> Path | None:
    if not SCREENSHOT_DIR:
        return None
    folder = Path(SCREENSHOT_DIR)
    if not folder.is_absolute():
        folder = ROOT / folder
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def shoot_phone(page: Any, filename: str) -> None:
    """One phone-sized (390×844, not full page) screenshot, e.g. for the README."""
    folder = _screenshot_folder()
    if folder is None:
        return
    before = page.viewport_size
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(150)
    page.screenshot(path=str(folder / filename))
    if before:
        page.set_viewport_size(before)


def shoot(page: Any, name: str) -> None:
    """Phone and desktop screenshots into $XINYI_SCREENSHOTS (off unless set)."""
    folder = _screenshot_folder()
    if folder is None:
        return
    before = page.viewport_size
    for suffix, size in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(size)
        page.wait_for_timeout(150)
        page.screenshot(path=str(folder / f"{name}-{suffix}.png"), full_page=True)
    if before:
        page.set_viewport_size(before)


def api_get(page: Any, path: str) -> tuple[int, Any]:
    """GET an API path with the page's cookies (what the server really holds)."""
    response = page.request.get(path)
    body = response.json() if "json" in (response.headers.get("content-type") or "") else None
    return response.status, body


def tier_name(code: str, locale: str = "zh-CN") -> str:
    """A tier's name as the app shows it: from the scoring model (the one vocabulary)."""
    return load_model().tier_name(code, locale)


def list_name(kind: str, locale: str = "zh-CN") -> str:
    """A list's name as the app shows it: from the scoring model."""
    return load_model().list_name(kind, locale)

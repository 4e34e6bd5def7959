"""Static checks of the PWA sources: every message key exists in both catalogs, the service
worker precaches every shell file, and nothing inline would trip the strict CSP."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from .harness import ROOT, catalog

pytestmark = pytest.mark.browser

PWA = ROOT / "pwa"
PLACEHOLDER = re.compile(r"\{(\w+)\}")
KEY_CALL = re.compile(r"""\b(?:t|tOr|say)\(\s*["']([A-Za-z0-9_.-]+)["']""")
DYNAMIC_PREFIXES = ("pwa.id.", "pwa.problem.", "access.action.", "district.", "role.")


def _js_files() -> list[Path]:
    """The resident app's modules and the staff sign-in script (others live in pwa/js too)."""
    return sorted(_module_graph(PWA / "js" / "app.js") | _module_graph(PWA / "js" / "office.js"))


def _module_graph(entry: Path) -> set[Path]:
    """Every module reachable from `entry` through static relative imports."""
    seen: set[Path] = set()
    todo = [entry.resolve()]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for spec in re.findall(
            r'^import[^;]*?from\s+"(\.{1,2}/[^"]+)"', path.read_text("utf-8"), re.M | re.S
        ):
            todo.append((path.parent / spec).resolve())
    return seen


def test_every_message_key_is_in_both_catalogs_with_the_same_placeholders() -> None:
    zh, en = catalog("zh-CN"), catalog("en")
    used: set[str] = set()
    for path in _js_files():
        used |= set(KEY_CALL.findall(path.read_text(encoding="utf-8")))
    used |= set(
        re.findall(r'data-i18n="([^"]+)"', (PWA / "index.html").read_text(encoding="utf-8"))
    )
    used -= {"", "content-type", "retry-after"}
    missing = sorted(k for k in used if k not in zh or k not in en)
    assert not missing, missing
    for key in used | {k for k in zh if k.startswith(("pwa.", "access.action.", "district."))}:
        assert key in en, key
        assert set(PLACEHOLDER.findall(zh[key])) == set(PLACEHOLDER.findall(en[key])), key
    # Dynamic keys used with a fallback have entries for the codes the app knows.
    for problem in ("length", "area", "birth_date", "check_digit"):
        assert f"pwa.id.{problem}" in zh and f"pwa.id.{problem}" in en
    assert (
        "access.action.enrolment_code.issued" in zh and "access.action.enrolment_code.issued" in en
    )


def test_service_worker_precaches_every_shell_file() -> None:
    source = (PWA / "sw.js").read_text(encoding="utf-8")
    listed = set(re.findall(r'"(/[^"]*)"', source.split("const SHELL = [", 1)[1].split("];", 1)[0]))
    expected = {
        "/",
        "/manifest.webmanifest",
        "/app/styles.css",
        "/i18n/zh-CN.json",
        "/i18n/en.json",
    }
    expected |= {
        f"/app/{p.relative_to(PWA).as_posix()}" for p in _module_graph(PWA / "js" / "app.js")
    }
    manifest = json.loads((PWA / "manifest.webmanifest").read_text(encoding="utf-8"))
    expected |= {icon["src"] for icon in manifest["icons"]}
    assert expected <= listed, sorted(expected - listed)
    for url in listed - {"/", "/manifest.webmanifest", "/i18n/zh-CN.json", "/i18n/en.json"}:
        assert (PWA / url.removeprefix("/app/")).is_file(), url
    assert re.search(r"const CACHE = `xinyi-shell-\$\{VERSION\}`", source)


def test_no_inline_script_style_or_handlers() -> None:
    html = (PWA / "index.html").read_text(encoding="utf-8")
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>"
    assert "<style" not in html and " style=" not in html
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"
    for path in _js_files():
        text = path.read_text(encoding="utf-8")
        assert "innerHTML" not in text and "eval(" not in text and "new Function" not in text, path
        assert 'setAttribute("style"' not in text and "setAttribute('style'" not in text, path

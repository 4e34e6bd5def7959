"""Static checks of the PWA sources and of every page's scripts (the resident app, the staff
sign-in, the counter): every message key exists in both catalogs, the service worker
precaches every shell file, and nothing inline would trip the strict CSP. No browser."""

from __future__ import annotations

import json
import re

from .sources import PWA, catalog, module_graph, page_modules, pages, script_entries

PLACEHOLDER = re.compile(r"\{(\w+)\}")
KEY_CALL = re.compile(r"""\b(?:t|tOr|say)\(\s*["']([A-Za-z0-9_.-]+)["']""")


def test_every_page_script_is_found_with_its_imports() -> None:
    entries = {p.relative_to(PWA).as_posix() for p in script_entries()}
    assert {"js/app.js", "js/office.js", "js/counter.js"} <= entries, entries
    modules = {p.relative_to(PWA).as_posix() for p in page_modules()}
    # The counter uses the PWA's own helpers, not copies of them.
    assert {"js/api.js", "js/dom.js", "js/i18n.js", "js/counter/camera.js"} <= modules
    for path in page_modules():
        assert path.is_file(), path


def test_every_message_key_is_in_both_catalogs_with_the_same_placeholders() -> None:
    zh, en = catalog("zh-CN"), catalog("en")
    used: set[str] = set()
    for path in page_modules():
        used |= set(KEY_CALL.findall(path.read_text(encoding="utf-8")))
    assert {"pwa.error.offline", "counter.checking", "counter.offline"} <= used
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
        f"/app/{p.relative_to(PWA).as_posix()}" for p in module_graph(PWA / "js" / "app.js")
    }
    manifest = json.loads((PWA / "manifest.webmanifest").read_text(encoding="utf-8"))
    expected |= {icon["src"] for icon in manifest["icons"]}
    assert expected <= listed, sorted(expected - listed)
    for url in listed - {"/", "/manifest.webmanifest", "/i18n/zh-CN.json", "/i18n/en.json"}:
        assert (PWA / url.removeprefix("/app/")).is_file(), url
    assert re.search(r"const CACHE = `xinyi-shell-\$\{VERSION\}`", source)


def test_no_inline_script_style_or_handlers() -> None:
    for page in pages():
        html = page.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), f"inline <script>: {page}"
        assert "<style" not in html and " style=" not in html, page
        assert not re.search(r"\son[a-z]+=", html), f"inline event handler: {page}"
    for path in page_modules():
        text = path.read_text(encoding="utf-8")
        assert "innerHTML" not in text and "eval(" not in text and "new Function" not in text, path
        assert 'setAttribute("style"' not in text and "setAttribute('style'" not in text, path

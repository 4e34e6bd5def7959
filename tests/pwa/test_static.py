"""Static checks of the PWA sources and of every page's scripts (the resident app, the staff
sign-in, the counter): every message key exists in both catalogs, the service worker
precaches every shell file, and nothing inline would trip the strict CSP. No browser."""

from __future__ import annotations

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


def _shell(source: str) -> set[str]:
    listed = source.split("const SHELL = [", 1)[1].split("];", 1)[0]
    return set(re.findall(r'"([^"]+)"', listed))


def test_service_worker_precaches_what_the_app_needs_offline() -> None:
    source = (PWA / "sw.js").read_text(encoding="utf-8")
    listed = _shell(source)
    # The first load's modules, the pass (which signs offline) and the offline page, with
    # everything they import. Not the catalogs nor the page itself: the page names its
    # catalog in a "keep" message and the page is taken as the browser got it (no language is
    # downloaded twice, nor the one not chosen).
    needed = set()
    for entry in ("js/app.js", "js/views/home.js", "js/views/welcome.js", "js/views/pass.js",
                  "js/views/offline.js"):  # fmt: skip
        needed |= {p.relative_to(PWA).as_posix() for p in module_graph(PWA / entry, dynamic=False)}
    needed |= {"styles.css"}
    assert needed <= listed, sorted(needed - listed)
    assert "/manifest.webmanifest" in listed
    assert not {"/", "i18n/zh-CN.json", "i18n/en.json"} & listed
    assert "cache: mode" in source and '"force-cache"' in source and '"keep"' in source
    # Only that: the other views are cached when first used.
    views = {p for p in listed if p.startswith("js/views/")}
    assert views == {"js/views/home.js", "js/views/welcome.js", "js/views/pass.js",
                     "js/views/offers.js", "js/views/offline.js"}, views  # fmt: skip
    for path in listed - {"/manifest.webmanifest"}:
        assert (PWA / path).is_file(), path
    # Versioned files come from the HTTP cache the page filled (no {cache: "reload"}).
    assert 'cache: "reload"' not in source and "cache.addAll(SHELL)" in source
    assert re.search(r"const CACHE = `xinyi-shell-\$\{VERSION\}`", source)
    assert 'const BUILD = "dev";' in source  # the server writes the build id here


def test_the_app_loads_views_on_demand() -> None:
    app = (PWA / "js" / "app.js").read_text(encoding="utf-8")
    static = {
        p.relative_to(PWA).as_posix() for p in module_graph(PWA / "js" / "app.js", dynamic=False)
    }
    assert not any(p.startswith("js/views/") for p in static), static
    assert static == {"js/app.js", "js/api.js", "js/dom.js", "js/i18n.js"}, static
    every_view = {p.name for p in (PWA / "js" / "views").glob("*.js")}
    loaded = set(re.findall(r'import\("\./views/([a-z]+\.js)"\)', app))
    # Every view file is reachable (helpers imported by views, like caseform, excepted).
    helpers = {
        p.name
        for p in (PWA / "js" / "views").glob("*.js")
        if "export async function render" not in p.read_text(encoding="utf-8")
        and "export const id" not in p.read_text(encoding="utf-8")
    }
    assert every_view - helpers <= loaded | helpers, sorted(every_view - helpers - loaded)


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

"""The shell's first load: versioned URLs a browser keeps for a year, plain ones revalidated,
the page preloading the reader's catalog and first view, the worker knowing its build — and
the partner guide served as a page."""

from __future__ import annotations

import re

from backend.platform import shell

IMMUTABLE = "public, max-age=31536000, immutable"


async def test_versioned_files_are_kept_for_a_year_and_plain_ones_revalidated(client) -> None:
    build = shell.build_id()
    assert re.fullmatch(r"[0-9a-f]{12}", build)
    for path in ("js/app.js", "styles.css", "icons/icon.svg", "i18n/zh-CN.json", "i18n/en.json"):
        response = await client.get(f"/app/v/{build}/{path}")
        assert response.status_code == 200, path
        assert response.headers["cache-control"] == IMMUTABLE, path
    # Another build's URL (a page open across a deploy) gets today's file, revalidated.
    stale = await client.get("/app/v/000000000000/js/app.js")
    assert stale.status_code == 200 and stale.headers["cache-control"] == "no-cache"
    plain = await client.get("/app/js/app.js")
    assert plain.status_code == 200 and plain.headers["cache-control"] == "no-cache"
    assert (await client.get(f"/app/v/{build}/i18n/fr.json")).status_code == 404
    assert (await client.get(f"/app/v/{build}/js/nothing.js")).status_code == 404


async def test_the_page_uses_the_build_and_preloads_the_first_view(client) -> None:
    build = shell.build_id()
    page = await client.get("/", headers={"accept-language": "en-US,en;q=0.9"})
    html = page.text
    assert page.headers["cache-control"] == "no-cache"
    assert f'data-build="{build}"' in html and '<html lang="en"' in html
    assert f'<script type="module" src="/app/v/{build}/js/app.js"></script>' in html
    assert f'href="/app/v/{build}/styles.css"' in html
    assert not re.search(r'(?:href|src)="/app/(?!v/)', html), "an unversioned shell URL"
    assert f'<link rel="preload" href="/app/v/{build}/i18n/en.json" as="fetch"' in html
    assert f"/app/v/{build}/i18n/zh-CN.json" not in html  # only the reader's language
    assert f'<link rel="modulepreload" href="/app/v/{build}/js/views/welcome.js">' in html
    assert "views/home.js" not in html
    client.cookies.set("xinyi_csrf", "x")  # a session cookie: home comes first
    signed_in = (await client.get("/")).text
    assert "views/home.js" in signed_in and "views/welcome.js" not in signed_in


async def test_the_worker_knows_its_build(client) -> None:
    worker = await client.get("/sw.js")
    assert f'const BUILD = "{shell.build_id()}";' in worker.text
    assert worker.headers["cache-control"] == "no-cache"


async def test_server_pages_use_versioned_styles(client) -> None:
    html = (await client.get("/scoring")).text
    assert f'href="/app/v/{shell.build_id()}/styles.css"' in html
    assert f'src="/app/v/{shell.build_id()}/js/tables.js"' in html


async def test_the_partner_guide_is_a_page(client) -> None:
    guide = await client.get("/docs/partner-api")
    assert guide.status_code == 200
    assert "<h1>" in guide.text and "verifyPass" in guide.text
    assert "<table>" in guide.text or "<pre>" in guide.text
    assert (await client.get("/docs/nothing")).status_code == 404


def test_the_portal_links_the_guide() -> None:
    portal = (shell.ROOT / "backend" / "templates" / "partners" / "portal.html").read_text("utf-8")
    assert 'href="/docs/partner-api"' in portal

"""The PWA's shell files, versioned: a build id over pwa/ and the catalogs, the versioned URLs
(`/app/v/<build>/…`) that browsers may keep for a year, and the page and service worker
rewritten to use them.

Why a path and not `?v=`: the app's ES modules import each other relatively (`./api.js`), so
a module loaded from `/app/v/<build>/js/app.js` finds every other module under the same
build, and one id versions the whole graph. A file changes → the build id changes → every URL
changes, and the old ones are never asked for again. Restart the server after editing pwa/
(the id is computed at start)."""

from __future__ import annotations

import hashlib
import re
from functools import cache
from pathlib import Path

from starlette.datastructures import MutableHeaders
from starlette.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send

from ..core.i18n import CATALOG_DIR
from ..core.settings import ROOT

PWA_DIR = ROOT / "pwa"
PREFIX = "/app/v/"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
_STATIC_IMPORT = re.compile(r'^import[^;]*?from\s+"(\.{1,2}/[^"]+)"', re.M | re.S)
_SHELL_REF = re.compile(r'(href|src)="/app/(?!v/)')


@cache
def build_id() -> str:
    """12 hex digits over every file of pwa/ and the catalogs (names and contents)."""
    digest = hashlib.sha256()
    files = [*sorted(PWA_DIR.rglob("*")), *sorted(CATALOG_DIR.glob("*.json"))]
    for path in files:
        if path.is_file():
            digest.update(path.relative_to(ROOT).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def asset(path: str) -> str:
    """The versioned URL of a shell file (`asset("styles.css")`), for templates."""
    return f"{PREFIX}{build_id()}/{path.lstrip('/')}"


def module_graph(entry: str) -> list[str]:
    """`entry` (e.g. "js/app.js") and every module it imports statically, relative to pwa/."""
    seen: list[str] = []
    todo = [entry]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.append(name)
        path = PWA_DIR / name
        for spec in _STATIC_IMPORT.findall(path.read_text(encoding="utf-8")):
            todo.append(_normal((Path(name).parent / spec).as_posix()))
    return seen


def _normal(name: str) -> str:
    parts: list[str] = []
    for part in name.split("/"):
        if part == "..":
            parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return "/".join(parts)


@cache
def _index_template() -> str:
    return (PWA_DIR / "index.html").read_text(encoding="utf-8")


def index_html(*, locale: str, signed_in: bool) -> str:
    """index.html with versioned URLs, and preloads that flatten the first load's chain: the
    catalog of the reader's language and the modules of the first view (the app's own, then
    the welcome page or home), so they download together instead of one after another."""
    base = f"{PREFIX}{build_id()}/"
    html = _SHELL_REF.sub(lambda m: f'{m.group(1)}="{base}', _index_template())
    first = "js/views/home.js" if signed_in else "js/views/welcome.js"
    modules = dict.fromkeys([*module_graph("js/app.js")[1:], *module_graph(first)])
    links = [
        f'<link rel="preload" href="{base}i18n/{locale}.json" as="fetch" crossorigin="anonymous">',
        *(f'<link rel="modulepreload" href="{base}{m}">' for m in modules),
    ]
    head = "\n  ".join(links)
    return html.replace(
        '<html lang="zh-CN">', f'<html lang="{locale}" data-build="{build_id()}">', 1
    ).replace("</head>", f"  {head}\n</head>", 1)


def service_worker_js() -> str:
    """sw.js with the build it caches (the worker changes when the build does, so browsers
    install the new one and it drops the old build's files)."""
    source = (PWA_DIR / "sw.js").read_text(encoding="utf-8")
    return source.replace('const BUILD = "dev";', f'const BUILD = "{build_id()}";', 1)


class VersionedFiles:
    """pwa/ under `/app/v/<build>/`: the current build's files may be kept for a year
    (immutable); a request for another build (a page open across a deploy) still gets the
    current file, but revalidated, so a stale mix is never cached under the wrong id."""

    def __init__(self) -> None:
        self.files = StaticFiles(directory=PWA_DIR)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        current = scope.get("path_params", {}).get("build") == build_id()

        async def send_cached(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                headers = MutableHeaders(scope=message)
                headers["cache-control"] = IMMUTABLE if current else REVALIDATE
            await send(message)

        await self.files(scope, receive, send_cached)


class RevalidatedFiles:
    """pwa/ under its plain `/app/` URLs (server pages, the counter): always revalidated, so a
    change shows at once (a 304 when nothing changed)."""

    def __init__(self) -> None:
        self.files = StaticFiles(directory=PWA_DIR)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_revalidated(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).setdefault("cache-control", REVALIDATE)
            await send(message)

        await self.files(scope, receive, send_revalidated)

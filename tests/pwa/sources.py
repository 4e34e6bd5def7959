"""Reading the PWA's sources for static checks: the repository's files, the message
catalogs, every page's module scripts and the modules they import."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PWA = ROOT / "pwa"
TEMPLATES = ROOT / "backend" / "templates"
MODULE_SCRIPT = re.compile(r'<script type="module" src="/app/([^"]+)"></script>')
STATIC_IMPORT = re.compile(r'^import[^;]*?from\s+"(\.{1,2}/[^"]+)"', re.M | re.S)
DYNAMIC_IMPORT = re.compile(r'\bimport\(\s*"(\.{1,2}/[^"]+)"\s*\)')


def catalog(locale: str) -> dict[str, str]:
    messages: dict[str, str] = json.loads(
        (ROOT / "i18n" / f"{locale}.json").read_text(encoding="utf-8")
    )
    return messages


def pages() -> list[Path]:
    """The PWA's shell page and every server-rendered template."""
    return [PWA / "index.html", *sorted(TEMPLATES.rglob("*.html"))]


def script_entries() -> set[Path]:
    """Every module a page loads with <script type="module" src="/app/…">."""
    return {
        (PWA / src).resolve()
        for page in pages()
        for src in MODULE_SCRIPT.findall(page.read_text(encoding="utf-8"))
    }


def module_graph(entry: Path, *, dynamic: bool = True) -> set[Path]:
    """Every module reachable from `entry` through relative imports: static ones, and (unless
    `dynamic` is false) the views the app loads with `import("./views/….js")`."""
    seen: set[Path] = set()
    todo = [entry.resolve()]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        text = path.read_text(encoding="utf-8")
        specs = STATIC_IMPORT.findall(text) + (DYNAMIC_IMPORT.findall(text) if dynamic else [])
        for spec in specs:
            todo.append((path.parent / spec).resolve())
    return seen


def page_modules() -> set[Path]:
    """The modules of every page: the resident app, the staff sign-in, the counter…"""
    return set().union(*(module_graph(entry) for entry in script_entries()))

"""Guides from docs/ served as pages of the app (the partner guide, linked from the portal), so
a partner reads the one text the repository keeps — rendered, with its own headings."""

from __future__ import annotations

from functools import cache

from markdown_it import MarkdownIt

from ..core.settings import ROOT

GUIDES = {"partner-api": ROOT / "docs" / "partner-api.md"}


@cache
def rendered(name: str) -> tuple[str, str]:
    """(title, HTML) of a guide. Raw HTML in the Markdown is not passed through."""
    text = GUIDES[name].read_text(encoding="utf-8")
    title = next((line[2:].strip() for line in text.splitlines() if line.startswith("# ")), name)
    html = MarkdownIt("commonmark", {"html": False}).enable("table").render(text)
    return title, html

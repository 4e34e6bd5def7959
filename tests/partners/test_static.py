"""Static checks of the partner pages' sources: the counter script's messages exist in both
catalogs, and nothing inline would trip the strict CSP (no inline scripts, styles, handlers)."""

from __future__ import annotations

import json
import re

from backend.core.i18n import CATALOG_DIR
from backend.core.settings import ROOT
from backend.passes.verify import REASONS

JS = [ROOT / "pwa" / "js" / "counter.js", *sorted((ROOT / "pwa" / "js" / "counter").glob("*.js"))]
TEMPLATES = [
    ROOT / "backend" / "templates" / "counter.html",
    *sorted((ROOT / "backend" / "templates" / "partners").glob("*.html")),
]
LITERAL = re.compile(r"""\bt(?:\.has)?\(\s*["']([\w.]+)["']""")
WHY_NOT = ("tier_too_low", "on_black_list", "on_gray_list", "on_red_list", "quota_exhausted",
           "not_started", "ended", "pass_invalid", "not_live")  # fmt: skip
PREFIX = re.compile(r"""\bt(?:\.has)?\(\s*`([\w.]+)\$\{""")


def catalogs() -> list[dict[str, str]]:
    return [json.loads((CATALOG_DIR / f"{loc}.json").read_text("utf-8")) for loc in ("zh-CN", "en")]


def test_every_message_the_counter_script_uses_is_in_both_catalogs() -> None:
    literal: set[str] = set()
    prefixes: set[str] = set()
    for path in JS:
        source = path.read_text("utf-8")
        literal |= set(LITERAL.findall(source))
        prefixes |= set(PREFIX.findall(source))
    assert {"counter.confirm", "counter.normal_procedure", "counter.offline"} <= literal
    assert {"pass.reason.", "pass.why_not.", "offer.terms.", "counter.state."} <= prefixes
    for messages in catalogs():
        assert sorted(literal - messages.keys()) == []
        for prefix in prefixes:
            assert any(k.startswith(prefix) for k in messages), prefix
    # Every reason and outcome the API can answer has words on the counter.
    for messages in catalogs():
        for reason in set(REASONS) - {"valid"}:
            assert f"pass.reason.{reason}" in messages
        for why in WHY_NOT:
            assert f"pass.why_not.{why}" in messages
        for state in ("ok", "normal", "refused"):
            assert f"counter.state.{state}" in messages


def test_nothing_inline_that_the_csp_forbids() -> None:
    for path in TEMPLATES:
        source = path.read_text("utf-8")
        assert " style=" not in source, path
        assert not re.search(r"<script(?![^>]*\bsrc=)", source), path
        assert not re.search(r"\son[a-z]+=", source), path
    for path in JS:
        source = path.read_text("utf-8")
        assert "innerHTML" not in source and ".style." not in source, path

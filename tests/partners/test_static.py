"""Static checks of the partner pages' sources: every reason the counter shows has words in
both catalogs, and nothing inline would trip the strict CSP (no inline scripts, styles, handlers)."""

from __future__ import annotations

import json
import re

from backend.core.i18n import CATALOG_DIR
from backend.core.settings import ROOT
from backend.passes.verify import REASONS

JS = [ROOT / "pwa" / "js" / "counter.js"]
TEMPLATES = [
    ROOT / "backend" / "templates" / "counter.html",
    *sorted((ROOT / "backend" / "templates" / "partners").glob("*.html")),
]
WHY_NOT = ("tier_too_low", "on_black_list", "on_gray_list", "on_red_list", "quota_exhausted",
           "not_started", "ended", "pass_invalid", "not_live")  # fmt: skip


def catalogs() -> list[dict[str, str]]:
    return [json.loads((CATALOG_DIR / f"{loc}.json").read_text("utf-8")) for loc in ("zh-CN", "en")]


def test_every_reason_the_counter_can_show_has_words_in_both_catalogs() -> None:
    """The counter's verdict is rendered by the server: every reason and outcome the pass
    checks can answer has a message in both catalogs (the script only swaps that markup in;
    tests/pwa checks the keys scripts use)."""
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

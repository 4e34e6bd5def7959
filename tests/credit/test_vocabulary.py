"""One vocabulary: tier and list names live in the scoring model, are served by
getScoringRules, and are copied nowhere else (not in the catalogs, not in the pass format)."""

from __future__ import annotations

import json
from typing import Any

import httpx

from backend.core.i18n import CATALOG_DIR
from backend.credit.catalog import load_model
from backend.passes.format import TIERS


def test_the_pass_formats_tier_table_is_the_models() -> None:
    assert load_model().tier_codes() == TIERS  # the byte in the pass indexes the model's tiers


def test_no_catalog_copies_a_tier_or_list_name() -> None:
    for locale in ("zh-CN", "en"):
        keys = json.loads((CATALOG_DIR / f"{locale}.json").read_text("utf-8"))
        copies = [k for k in keys if k.startswith(("pass.tier.", "pwa.lists.meaning."))
                  or k in ("list.red", "list.gray", "list.black")]  # fmt: skip
        assert copies == []


async def test_the_rules_serve_every_tier_and_list_with_names(client: httpx.AsyncClient) -> None:
    model: dict[str, Any] = (await client.get("/api/v1/scoring-rules")).json()["model"]
    assert [t["code"] for t in model["tiers"]] + [model["no_tier"]["code"]] == list(TIERS)
    assert [(k["code"], k["name"]["zh-CN"]) for k in model["lists"]] == [
        ("red", "红名单"),
        ("gray", "重点关注名单"),
        ("black", "黑名单"),
    ]
    assert all(k["meaning"]["en"] for k in model["lists"])
    page = (await client.get("/scoring?lang=en")).text
    assert "Black list" in page and "Red list" in page

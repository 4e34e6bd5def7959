"""The public JSON shapes of the partner and department APIs are pinned: every operation a
partner key or a department token may call — its path, parameters, request body, responses
and security, with every schema they reference — is compared with the committed snapshot
`partner_department_api.json`. A change to them must be deliberate: regenerate the snapshot
with `UPDATE_CONTRACT=1 .venv/bin/python -m pytest tests/contract/test_public_shapes.py`,
review its diff, note the change in docs/api.md's changelog, and commit both."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from backend.app import create_app
from tests.conftest import test_settings as settings_for

SNAPSHOT = Path(__file__).with_name("partner_department_api.json")
MACHINE_SCHEMES = {"partnerKey", "departmentToken"}
PINNED_KEYS = ("operationId", "parameters", "requestBody", "responses", "security")


def _refs(node: Any) -> set[str]:
    found: set[str] = set()
    pending = [node]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str):
                found.add(ref.rsplit("/", 1)[-1])
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return found


def public_contract(document: dict[str, Any]) -> dict[str, Any]:
    operations: dict[str, Any] = {}
    for path, methods in document["paths"].items():
        for method, op in methods.items():
            if any(MACHINE_SCHEMES & set(way) for way in op.get("security", [])):
                operations[f"{method.upper()} {path}"] = {k: op[k] for k in PINNED_KEYS if k in op}
    schemas = document["components"]["schemas"]
    needed: set[str] = set()
    pending = _refs(operations)
    while pending:
        name = pending.pop()
        if name not in needed:
            needed.add(name)
            pending |= _refs(schemas[name]) - needed
    return {
        "operations": operations,
        "schemas": {name: schemas[name] for name in sorted(needed)},
        "securitySchemes": {
            k: v for k, v in document["components"]["securitySchemes"].items()
            if k in MACHINE_SCHEMES
        },
    }  # fmt: skip


def test_the_partner_and_department_api_match_the_snapshot(tmp_path: Path) -> None:
    app = create_app(settings_for(tmp_path, f"sqlite://{tmp_path / 'unused.sqlite3'}"))
    current = json.loads(json.dumps(public_contract(app.state.openapi)))
    text = json.dumps(current, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    if os.environ.get("UPDATE_CONTRACT") == "1":
        SNAPSHOT.write_text(text)
    pinned = json.loads(SNAPSHOT.read_text())
    changed = sorted(
        k for k in set(pinned["operations"]) | set(current["operations"])
        if pinned["operations"].get(k) != current["operations"].get(k)
    ) + sorted(
        k for k in set(pinned["schemas"]) | set(current["schemas"])
        if pinned["schemas"].get(k) != current["schemas"].get(k)
    )  # fmt: skip
    assert current == pinned, (
        f"the partner/department API changed: {changed}. If deliberate: UPDATE_CONTRACT=1 "
        "(see this module's docstring) and a line in docs/api.md's changelog"
    )


def test_the_snapshot_covers_the_calls_partners_and_departments_make() -> None:
    pinned = json.loads(SNAPSHOT.read_text())
    ids = {op["operationId"] for op in pinned["operations"].values()}
    assert {"submitRecords", "correctRecord", "withdrawRecord", "verifyPass",
            "createRedemption", "reportRedemptionOutcome", "listOffers"} <= ids  # fmt: skip

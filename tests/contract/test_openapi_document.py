"""What /openapi.json declares for every operation (docs/api.md, "The contract"): every
integer a request carries is bounded to fit its column and every text has a maximum length,
path ids are integers, query parameters are declared with types, every operation names its
security scheme and its 2xx response schema."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from backend.app import create_app
from backend.core.http import ID_MAX
from backend.core.openapi_responses import GENERIC, MEDIA, OPEN
from tests.conftest import test_settings as settings_for


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp: Path = tmp_path_factory.mktemp("openapi")
    return create_app(settings_for(tmp, f"sqlite://{tmp / 'unused.sqlite3'}")).state.openapi


def _operations(document: dict[str, Any]):
    for path, methods in document["paths"].items():
        for method, op in methods.items():
            yield f"{method.upper()} {path}", op


def _bounded(pattern: str | None) -> bool:
    """An anchored pattern without an open-ended repeat (`^(a|b)$`, `^[0-9]{8,64}$`)."""
    if not pattern or not (pattern.startswith("^") and pattern.endswith("$")):
        return False
    return not re.search(r"(?<!\\)[*+]|\{\d+,\}", pattern)


def _unbounded(schema: Any, schemas: dict[str, Any], where: str, seen: set[str]) -> list[str]:
    """Every integer without minimum and maximum ≤ 2^63−1, every free text without maxLength,
    every array without maxItems, in a request schema (following $refs)."""
    found: list[str] = []
    pending = [(schema, where)]
    while pending:
        node, at = pending.pop()
        if not isinstance(node, dict):
            continue
        ref = node.get("$ref")
        if isinstance(ref, str):
            name = ref.rsplit("/", 1)[-1]
            if name not in seen:
                seen.add(name)
                pending.append((schemas[name], at))
            continue
        kind = node.get("type")
        if kind == "integer" and (
            not ("minimum" in node or "exclusiveMinimum" in node)
            or node.get("maximum", ID_MAX + 1) > ID_MAX
        ):
            found.append(f"{at}: integer without bounds")
        if kind == "string" and not (
            {"maxLength", "enum", "const", "format"} & set(node) or _bounded(node.get("pattern"))
        ):
            found.append(f"{at}: text without maxLength")
        if kind == "array" and "maxItems" not in node:
            found.append(f"{at}: array without maxItems")
        for name, sub in node.get("properties", {}).items():
            pending.append((sub, f"{at}.{name}"))
        for key in ("items",):
            pending.append((node.get(key), f"{at}[]"))
        for key in ("anyOf", "oneOf", "allOf"):
            pending.extend((sub, at) for sub in node.get(key, []))
    return found


def test_every_request_integer_text_and_list_is_bounded(document) -> None:
    schemas = document["components"]["schemas"]
    problems: list[str] = []
    for name, op in _operations(document):
        for media, content in op.get("requestBody", {}).get("content", {}).items():
            if media == "application/x-ndjson":  # lines of SubmittedRecord, bounded per line
                continue
            problems += _unbounded(content["schema"], schemas, f"{name} body", set())
        for param in op.get("parameters", []):
            problems += _unbounded(param["schema"], schemas, f"{name} {param['name']}", set())
    assert problems == []


def test_path_ids_are_bounded_integers_and_query_parameters_are_declared(document) -> None:
    for name, op in _operations(document):
        for param in op.get("parameters", []):
            if (
                param["in"] == "path"
                and param["name"].endswith("_id")
                and param["name"] != "external_id"
            ):
                assert param["schema"] == {"type": "integer", "minimum": 1, "maximum": ID_MAX}
        declared = {p["name"] for p in op.get("parameters", []) if p["in"] == "query"}
        if op["operationId"] in ("listMyAccessLog", "listAuditEntries"):
            assert {"limit", "before"} <= declared, name
    audit = document["paths"]["/api/v1/audit/entries"]["get"]["parameters"]
    assert {p["name"]: p["schema"]["maximum"] for p in audit if "maximum" in p["schema"]} == {
        "limit": 500,
        "before": ID_MAX,
    }


def test_every_operation_names_its_security_and_its_response(document) -> None:
    schemes = set(document["components"]["securitySchemes"])
    assert schemes == {"session", "csrf", "departmentToken", "partnerKey"}
    generic = []
    for name, op in _operations(document):
        assert "security" in op, name
        for way in op["security"]:
            assert set(way) <= schemes, name
            if "session" in way and not name.startswith(("GET", "HEAD")):
                assert "csrf" in way, name
        if op["x-access"] != "public":
            assert op["security"], name
        success = [code for code in op["responses"] if code.startswith("2")]
        assert success, name
        for code in success:
            if code == "204" or op["operationId"] in MEDIA:
                continue
            schema = op["responses"][code]["content"]["application/json"]["schema"]
            if schema == GENERIC:
                generic.append(op["operationId"])
            if op["operationId"] not in OPEN:
                assert schema.get("properties") or "$ref" in schema, op["operationId"]
    assert generic == [], "declare their 2xx schema in backend/core/openapi_responses.py"
    ids = {op["operationId"] for _, op in _operations(document)}
    assert ids >= OPEN and MEDIA.keys() <= ids  # no stale names


def test_machine_callers_are_declared_where_they_may_call(document) -> None:
    paths = document["paths"]
    assert {"partnerKey": []} in paths["/api/v1/passes/verify"]["post"]["security"]
    assert {"departmentToken": []} in paths["/api/v1/records"]["post"]["security"]
    assert {"session": [], "csrf": []} in paths["/api/v1/passes/verify"]["post"]["security"]
    records = paths["/api/v1/records"]["post"]["requestBody"]["content"]
    assert set(records) == {"application/json", "application/x-ndjson"}
    assert records["application/json"]["schema"]["type"] == "array"

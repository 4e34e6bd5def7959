"""The OpenAPI 3.1 document, built from the declared API operations: request bodies and
media types, typed and bounded query and path parameters, security schemes per operation
(who can hold the permission), and the 2xx response schemas of `openapi_responses`."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from .http import ID_MAX
from .openapi_responses import response_content
from .permissions import ROLE_PERMISSIONS, Role
from .routing import SAFE_METHODS, Operation

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "code": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
    "required": ["type", "title", "status"],
}
SECURITY_SCHEMES: dict[str, Any] = {
    "session": {"type": "apiKey", "in": "cookie", "name": "xinyi_session"},
    "csrf": {
        "type": "apiKey",
        "in": "header",
        "name": "X-CSRF-Token",
        "description": "with the session cookie, on every write: the value of the xinyi_csrf cookie",
    },
    "departmentToken": {
        "type": "http",
        "scheme": "bearer",
        "description": "a department API token (createDepartmentToken)",
    },
    "partnerKey": {
        "type": "http",
        "scheme": "bearer",
        "description": "a partner API key (createPartnerKey), scoped",
    },
}
ID_PARAM: dict[str, Any] = {"type": "integer", "minimum": 1, "maximum": ID_MAX}
TEXT_PARAM: dict[str, Any] = {"type": "string", "minLength": 1, "maxLength": 64}


def _schema_ref(model: type[BaseModel], components: dict[str, Any]) -> dict[str, Any]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, sub in schema.pop("$defs", {}).items():
        components[name] = sub
    components[model.__name__] = schema
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _security(op: Operation) -> list[dict[str, list[str]]]:
    """Every way a caller can hold the operation's permission: a staff or resident session
    (with the CSRF header on writes), a department token, a partner key."""
    if op.access.public:
        return []
    permission = op.access.permission
    session: dict[str, list[str]] = (
        {"session": []} if op.method in SAFE_METHODS else {"session": [], "csrf": []}
    )
    ways: list[dict[str, list[str]]] = []
    if permission is None or any(
        permission in granted
        for role, granted in ROLE_PERMISSIONS.items()
        if role not in (Role.DEPARTMENT_SYSTEM, Role.PARTNER_SYSTEM)
    ):
        ways.append(session)
    if permission in ROLE_PERMISSIONS[Role.DEPARTMENT_SYSTEM]:
        ways.append({"departmentToken": []})
    if permission in ROLE_PERMISSIONS[Role.PARTNER_SYSTEM]:
        ways.append({"partnerKey": []})
    return ways


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema()
    required = set(schema.get("required", []))
    params = []
    for name, prop in schema.get("properties", {}).items():
        prop = dict(prop)
        options = [s for s in prop.pop("anyOf", []) if s.get("type") != "null"]
        if options:  # `x | None`: absent means None, so the parameter itself is the x
            prop |= options[0]
        prop.pop("title", None)
        if prop.get("default", 0) is None:
            del prop["default"]
        params.append(
            {
                "name": name,
                "in": "query",
                "required": name in required,
                "schema": prop,
                **({"description": prop["description"]} if "description" in prop else {}),
            }
        )
    return params


def _path_parameters(op: Operation) -> list[dict[str, Any]]:
    declared = op.path_params or {}
    names = [seg[1:-1] for seg in op.path.split("/") if seg.startswith("{")]
    return [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": declared.get(name, ID_PARAM if name.endswith("_id") else TEXT_PARAM),
        }
        for name in names
    ]


def build_openapi(operations: list[Operation], *, title: str, version: str) -> dict[str, Any]:
    components: dict[str, Any] = {"Problem": PROBLEM_SCHEMA}
    paths: dict[str, Any] = {}
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for op in operations:
        success: dict[str, Any] = {"description": "Success"}
        if op.status != 204:
            success["content"] = (
                {"application/json": {"schema": _schema_ref(op.response, components)}}
                if op.response is not None
                else response_content(op.operation_id)
            )
        also: dict[str, Any] = {}
        if op.operation_id == "createRedemption":  # a retry with the same Idempotency-Key
            also["200"] = {"description": "The first redemption (a retry)", **success}
        entry: dict[str, Any] = {
            "operationId": op.operation_id,
            "summary": op.summary,
            "tags": [op.tag],
            "responses": {
                str(op.status): success,
                **also,
                "4XX": {"description": "Problem", "content": problem},
                "503": {
                    "description": "Storage unavailable: nothing was stored, resend after Retry-After",
                    "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                    "content": problem,
                },
            },
        }
        if op.body is not None:
            entry["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": _schema_ref(op.body, components)}},
            }
        if op.form is not None:
            entry["requestBody"] = {
                "required": True,
                "content": {"multipart/form-data": {"schema": _schema_ref(op.form, components)}},
            }
        if op.media is not None:
            content = {}
            for media_type, schema in op.media.items():
                if "model" in schema:  # a pydantic model named by the route
                    model: type[BaseModel] = schema["model"]
                    ref = _schema_ref(model, components)
                    schema = {k: v for k, v in schema.items() if k != "model"}
                    schema = {**schema, "items": ref} if schema.get("type") == "array" else ref
                content[media_type] = {"schema": schema}
            entry["requestBody"] = {"required": True, "content": content}
        params = _path_parameters(op) + (_query_parameters(op.query) if op.query else [])
        if params:
            entry["parameters"] = params
        entry["security"] = _security(op)
        entry["x-access"] = op.access.describe()
        paths.setdefault(op.path, {})[op.method.lower()] = entry
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "paths": paths,
        "components": {"schemas": components, "securitySchemes": SECURITY_SCHEMES},
    }

"""Fuzz the whole OpenAPI document with schemathesis, in-process over ASGI: a bounded number
of generated requests per operation, sent as every principal (anonymous, a resident with
cookie and CSRF header, each staff role, a department token, a partner key). No answer may be
a server error, and every answer must match the document (status, media type, schema)."""

from __future__ import annotations

import contextlib
import itertools
import json
import os
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from tests.authenticator import SoftAuthenticator
from tests.conftest import ORIGIN
from tests.factories import csrf, enrol, make_person, make_staff
from tests.partners.fixtures import browsers, library
from tests.partners.helpers import browser

__all__ = ["browsers", "library"]
# Per operation: valid requests, then as many invalid ones (wrong types, out of bounds,
# missing fields) that must be 4xx. CI keeps the defaults (about 90 s on two cores).
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "4"))
NEGATIVE_EXAMPLES = int(os.environ.get("FUZZ_NEGATIVE_EXAMPLES", "3"))
# Operations that end the caller's own session or credentials run after all the others.
LAST = ("logout", "logoutEverywhere", "removePasskey", "revokePartnerKey",
        "revokeDepartmentToken", "removeMyDevice")  # fmt: skip


def _cases(operation: Any, mode: GenerationMode, count: int) -> list[Any]:
    drawn: list[Any] = []
    if count == 0:
        return drawn

    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def draw(case: Any) -> None:
        drawn.append(case)

    with contextlib.suppress(Unsatisfiable):  # no invalid request exists (no input at all)
        draw()
    return drawn[:count]


@schemathesis.serializer("application/x-ndjson")
def _ndjson(_ctx: Any, value: Any) -> bytes:
    """NDJSON bodies (submitRecords, importRegisterChanges) are declared as text: sent as it is
    (a generated object: one JSON line)."""
    return value.encode() if isinstance(value, str) else json.dumps(value, default=repr).encode()


def _request(case: Any) -> dict[str, Any]:
    headers = {
        k: str(v)
        for k, v in (case.headers or {}).items()
        if k.lower() not in ("authorization", "x-csrf-token", "cookie", "content-length")
    }
    kwargs: dict[str, Any] = {"params": case.query or None, "headers": headers}
    body = case.body
    media = case.media_type
    if media is not None and not isinstance(body, schemathesis.core.NotSet):
        if media == "multipart/form-data" and isinstance(body, dict):
            kwargs["data"] = {k: str(v) for k, v in body.items() if not isinstance(v, bytes | list)}
            files = [v for v in body.get("evidence", []) or [] if isinstance(v, bytes)]
            kwargs["files"] = [("evidence", ("e.pdf", f, "application/pdf")) for f in files] or None
        elif media == "application/x-ndjson" or isinstance(body, bytes | str):
            kwargs["content"] = (
                body.encode()
                if isinstance(body, str)
                else bytes(body)
                if isinstance(body, bytes)
                else json.dumps(body, default=repr).encode()  # a negative case: any JSON value
            )
            headers["content-type"] = media
        else:
            kwargs["content"] = json.dumps(body, default=repr).encode()
            headers["content-type"] = media
    return kwargs


async def _principals(
    app: Any, library: Any
) -> dict[str, tuple[httpx.AsyncClient, dict[str, str]]]:
    """name → (a client with its cookies, the headers it sends)."""
    made: dict[str, tuple[httpx.AsyncClient, dict[str, str]]] = {}
    made["anonymous"] = (browser(app, "10.9.0.1"), {})
    resident = browser(app, "10.9.0.2")
    await enrol(resident, SoftAuthenticator(origin=ORIGIN), await make_person(app.state.ctx.cipher))
    made["resident"] = (resident, csrf(resident))
    for i, role in enumerate(("auditor", "department_submitter", "counter_operator")):
        http = browser(app, f"10.9.0.{10 + i}")
        await make_staff(http, SoftAuthenticator(), [role], name=role, organisation="court")
        made[role] = (http, csrf(http))
    made["officer"] = (library.officer, csrf(library.officer))
    made["partner_admin"] = (library.admin, csrf(library.admin))
    token = await library.officer.post(
        "/api/v1/department-tokens", json={"department": "court"}, headers=csrf(library.officer)
    )
    assert token.status_code == 201, token.text
    made["department_token"] = (
        browser(app, "10.9.0.30"),
        {"Authorization": f"Bearer {token.json()['token']}"},
    )
    made["partner_key"] = (browser(app, "10.9.0.31"), dict(library.key))
    return made


@pytest.mark.fuzz  # not excluded anywhere: it runs in ./scripts/test and so in CI
async def test_no_server_error_and_no_schema_violation(app, library) -> None:
    app.state.api_key_limiter.rate = 1e9  # the fuzz is not a client to throttle
    app.state.api_key_limiter.burst = 1e9
    principals = await _principals(app, library)
    schema = schemathesis.openapi.from_dict(app.state.openapi)
    operations = sorted(
        (result.ok() for result in schema.get_all_operations()),
        key=lambda op: (op.definition.raw.get("operationId") in LAST, op.label),
    )
    names = list(principals)
    requests = 0
    server_errors: list[str] = []
    violations: list[str] = []
    rotation = itertools.count()
    for operation in operations:
        cases = _cases(operation, GenerationMode.POSITIVE, EXAMPLES)
        cases += _cases(operation, GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES)
        # Every principal once with the first case, then the rest of the cases in rotation.
        plan = [(cases[0], n) for n in names] + [
            (c, names[next(rotation) % len(names)]) for c in cases[1:]
        ]
        for case, name in plan:
            http, headers = principals[name]
            kwargs = _request(case)
            kwargs["headers"] = kwargs["headers"] | headers
            response = await http.request(case.method, case.formatted_path, **kwargs)
            requests += 1
            label = f"{operation.label} as {name}: {response.status_code}"
            if response.status_code >= 500:
                server_errors.append(f"{label} {response.text[:200]}")
                continue
            try:
                operation.validate_response(response, case=case)
            except Exception as exc:  # a schemathesis failure names the violation
                violations.append(f"{label} {str(exc)[:300]}")
    for http, _ in principals.values():
        await http.aclose()
    print(  # the figures the issue asks for (pytest -s shows them)
        f"fuzz: {len(operations)} operations, {requests} requests, "
        f"{len(server_errors)} server errors, {len(violations)} schema violations"
    )
    assert not server_errors, "\n".join(server_errors[:20])
    assert not violations, "\n".join(violations[:20])

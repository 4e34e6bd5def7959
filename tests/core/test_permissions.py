"""Every route is authenticated unless it is on the public allow-list, and a role × endpoint
matrix proves that each role gets exactly what its permissions allow."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.routing import Mount

from backend.app import declared_routes
from backend.core.permissions import (
    PUBLIC_ALLOW_LIST,
    ROLE_PERMISSIONS,
    STAFF_ROLES,
    Permission,
    Role,
    permissions_for,
)
from backend.core.routing import DeclaredRoute
from tests.authenticator import SoftAuthenticator
from tests.conftest import ORIGIN
from tests.factories import csrf, enrol, login, make_person, make_staff

SESSION_ENDING = {"/api/v1/logout", "/api/v1/me/sessions/revoke-all", "/office/logout"}


def guarded_routes(app) -> list[DeclaredRoute]:
    return [r for r in app.routes if isinstance(r, DeclaredRoute) and not r.access.public]


def public_routes(app) -> list[DeclaredRoute]:
    return [r for r in app.routes if isinstance(r, DeclaredRoute) and r.access.public]


def calls(route: DeclaredRoute) -> list[tuple[str, str]]:
    path = re.sub(r"\{[^}]+\}", "0", route.path)
    return [(m, path) for m in sorted(route.methods or ()) if m != "HEAD"]


async def call(http: httpx.AsyncClient, method: str, path: str) -> httpx.Response:
    headers = csrf(http)
    if method == "GET":
        return await http.get(path, headers=headers)
    if path.startswith("/office"):
        token = headers["X-CSRF-Token"]
        return await http.request(method, path, data={"csrf_token": token}, headers=headers)
    # A harmless body: enough to get past the guard, never enough to change anything real.
    return await http.request(method, path, json={}, headers=headers)


ROLE_DENIAL = "your role does not allow this"  # what the route guard says


def is_role_denial(response: httpx.Response) -> bool:
    if response.status_code != 403:
        return False
    if response.headers["content-type"] == "application/problem+json":
        body = response.json()
        return body["code"] == "forbidden" and body["detail"] == ROLE_DENIAL
    return ROLE_DENIAL in response.text  # the HTML error page shows the same detail


def test_every_route_is_declared_with_an_access_rule(app) -> None:
    for route in app.routes:
        assert isinstance(route, DeclaredRoute | Mount), route
        if isinstance(route, DeclaredRoute):
            assert route.access.public or route.access.permission is not None, route.path
    assert [r.path for r in app.routes] == [r.path for r in declared_routes()]


def test_the_public_routes_are_exactly_the_allow_list(app) -> None:
    declared_public = {r.path for r in public_routes(app)}
    mounts = {r.path for r in app.routes if isinstance(r, Mount)}  # static files: no guard
    assert declared_public | mounts == PUBLIC_ALLOW_LIST
    assert not declared_public & mounts


def test_every_api_route_has_an_operation_and_every_page_does_not(app) -> None:
    for route in app.routes:
        if isinstance(route, DeclaredRoute) and route.path.startswith("/api/"):
            assert route.operation is not None, route.path
            assert route.operation.access == route.access
        elif isinstance(route, DeclaredRoute) and route.path.startswith("/office"):
            assert route.operation is None


async def test_anonymous_callers_are_refused_everywhere_but_the_public_routes(client, app) -> None:
    checked = 0
    for route in guarded_routes(app):
        for method, path in calls(route):
            response = await call(client, method, path)
            checked += 1
            where = (method, path, response.status_code)
            if path.startswith("/api/"):
                assert response.status_code == 401, where
                assert response.headers["content-type"] == "application/problem+json"
                assert response.json()["code"] == "unauthenticated"
            elif path.startswith(("/office", "/counter", "/partner", "/department")):  # staff
                assert response.status_code == 303, where
                assert response.headers["location"].startswith("/office/login"), where
            else:  # resident pages: back to the app, where residents sign in
                assert response.status_code == 303, where
                assert response.headers["location"] == "/", where
    assert checked >= 20


async def test_public_routes_answer_anonymous_callers(client, app) -> None:
    for route in public_routes(app):
        for method, path in calls(route):
            response = await call(client, method, path)
            assert response.status_code not in (401, 403, 500), (method, path, response.status_code)
    assert (await client.get("/app/styles.css")).status_code == 200


def test_permissions_for_combines_roles() -> None:
    assert permissions_for([]) == frozenset()
    both = permissions_for([Role.OFFICER, Role.AUDITOR])
    assert both == ROLE_PERMISSIONS[Role.OFFICER] | ROLE_PERMISSIONS[Role.AUDITOR]
    assert Permission.AUDIT_READ in both and Permission.RESIDENT_SELF not in both


@pytest.fixture
async def fresh(app) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("10.66.0.1", 66))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url=ORIGIN) as http:
        yield http


@pytest.mark.parametrize("role", [Role.RESIDENT, *STAFF_ROLES], ids=str)
async def test_role_endpoint_matrix(role: Role, fresh: httpx.AsyncClient, app) -> None:
    auth = SoftAuthenticator(origin=ORIGIN)
    if role is Role.RESIDENT:
        await enrol(fresh, auth, await make_person(app.state.ctx.cipher, name="矩阵居民"))
    else:
        await make_staff(fresh, auth, [role.value], name=f"矩阵{role.value}")
    granted = ROLE_PERMISSIONS[role]

    checked = 0
    for route in guarded_routes(app):
        for method, path in calls(route):
            response = await call(fresh, method, path)
            allowed = route.access.permission in granted
            where = (role.value, method, path, response.status_code, response.text[:200])
            if allowed:
                # A service may still refuse for a reason of its own (e.g. "you do not act
                # for an approved partner"), but never with the guard's role denial.
                assert not is_role_denial(response), where
                assert response.status_code < 500, where
            else:
                assert is_role_denial(response), where
            checked += 1
            if path in SESSION_ENDING and allowed:
                assert (await fresh.get("/api/v1/me")).status_code == 401
                assert (await login(fresh, auth)).status_code == 200
            assert (await fresh.get("/api/v1/me")).status_code == 200, where
    assert checked == sum(len(calls(r)) for r in guarded_routes(app))


def test_residents_and_staff_share_only_the_self_permission() -> None:
    for role in STAFF_ROLES:
        assert ROLE_PERMISSIONS[Role.RESIDENT] & ROLE_PERMISSIONS[role] == {Permission.SELF}
        assert Permission.STAFF_CONSOLE in ROLE_PERMISSIONS[role]
    assert Permission.STAFF_CONSOLE not in ROLE_PERMISSIONS[Role.RESIDENT]

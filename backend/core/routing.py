"""Declared routes with their access rule and OpenAPI metadata.

`api(...)` and `page(...)` build ordinary Starlette `Route`s whose endpoint is wrapped by a
guard that enforces the declared access (public, signed in, or a permission) and CSRF for
cookie-authenticated writes. The app is assembled from lists of these.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Route, Router
from starlette.types import Receive, Scope, Send

from .errors import BadRequest, CsrfFailed, Forbidden, Unauthenticated
from .http import has_nul, parse_query
from .permissions import Permission
from .principal import Principal

Endpoint = Callable[[Request], Awaitable[Response]]
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Access:
    public: bool = False
    permission: Permission | None = None

    def describe(self) -> str:
        if self.public:
            return "public"
        return self.permission.value if self.permission else "signed-in"


PUBLIC = Access(public=True)
SIGNED_IN = Access(permission=Permission.SELF)


def requires(permission: Permission) -> Access:
    return Access(permission=permission)


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    path: str
    summary: str
    tag: str
    access: Access
    body: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    form: type[BaseModel] | None = None  # a multipart/form-data body (with file fields)
    query: type[BaseModel] | None = None  # typed query parameters (core.http.parse_query)
    # Path parameters that are not ids (an `{x_id}` is an integer 1..2^63−1): name → schema.
    path_params: dict[str, dict[str, Any]] | None = None
    # A body that is not one JSON object: media type → schema (submitRecords' NDJSON).
    media: dict[str, dict[str, Any]] | None = None


class DeclaredRoute(Route):
    """A Route that knows its access rule (and, for the API, its operation)."""

    access: Access
    operation: Operation | None


def current_principal(request: Request) -> Principal | None:
    return getattr(request.state, "principal", None)


def principal_of(request: Request) -> Principal:
    principal = current_principal(request)
    if principal is None:
        raise Unauthenticated("sign in first")
    return principal


async def _check_csrf(request: Request, principal: Principal) -> None:
    if request.method in SAFE_METHODS or not principal.via_cookie:
        return
    sent = request.headers.get("x-csrf-token", "")
    ctype = request.headers.get("content-type", "")
    if not sent and ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get("csrf_token", "")
        sent = value if isinstance(value, str) else ""
    if not sent or not hmac.compare_digest(sent, principal.csrf_token):
        raise CsrfFailed("missing or wrong CSRF token")


def _refuse_nul(request: Request) -> None:
    if has_nul(request):
        raise BadRequest("the address may not contain NUL characters (%00)")


def guard(endpoint: Endpoint, access: Access, query: type[BaseModel] | None = None) -> Endpoint:
    if access.public:

        async def checked(request: Request) -> Response:
            _refuse_nul(request)
            if query is not None:
                request.state.query = parse_query(request, query)
            return await endpoint(request)

        checked.__name__ = getattr(endpoint, "__name__", "checked")
        return checked

    async def guarded(request: Request) -> Response:
        _refuse_nul(request)
        principal = current_principal(request)
        if principal is None:
            raise Unauthenticated("sign in first")
        if access.permission is not None and not principal.can(access.permission):
            raise Forbidden("your role does not allow this")
        await _check_csrf(request, principal)
        if query is not None:  # the declared query parameters, typed and bounded (422)
            request.state.query = parse_query(request, query)
        return await endpoint(request)

    guarded.__name__ = getattr(endpoint, "__name__", "guarded")
    return guarded


def _declared(
    path: str,
    endpoint: Endpoint,
    methods: Sequence[str],
    name: str,
    access: Access,
    operation: Operation | None,
) -> DeclaredRoute:
    query = operation.query if operation else None
    route = DeclaredRoute(path, guard(endpoint, access, query), methods=list(methods), name=name)
    route.access = access
    route.operation = operation
    return route


def api(
    method: str,
    path: str,
    endpoint: Endpoint,
    *,
    operation_id: str,
    summary: str,
    tag: str,
    access: Access,
    body: type[BaseModel] | None = None,
    response: type[BaseModel] | None = None,
    status: int = 200,
    form: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    path_params: dict[str, dict[str, Any]] | None = None,
    media: dict[str, dict[str, Any]] | None = None,
) -> DeclaredRoute:
    op = Operation(
        operation_id,
        method.upper(),
        path,
        summary,
        tag,
        access,
        body,
        response,
        status,
        form,
        query,
        path_params,
        media,
    )
    return _declared(path, endpoint, [method.upper()], operation_id, access, op)


def page(
    path: str,
    endpoint: Endpoint,
    *,
    name: str,
    access: Access,
    methods: Sequence[str] = ("GET",),
) -> DeclaredRoute:
    return _declared(path, endpoint, methods, name, access, None)


def operations(routes: Sequence[Any]) -> list[Operation]:
    return [r.operation for r in routes if isinstance(r, DeclaredRoute) and r.operation]


def exact_routes(routes: Sequence[BaseRoute]) -> dict[tuple[str, str], Route]:
    """(path, method) → the route the ordered walk would pick, for paths without parameters
    that no earlier route could also match fully (those are left to the walk)."""
    found: dict[tuple[str, str], Route] = {}
    for i, route in enumerate(routes):
        if not isinstance(route, Route) or route.param_convertors or route.methods is None:
            continue
        for method in route.methods:
            key = (route.path, method)
            earlier = any(_could_match(other, route.path, method) for other in routes[:i])
            if not earlier and key not in found:
                found[key] = route
    return found


def _could_match(route: BaseRoute, path: str, method: str) -> bool:
    pattern = getattr(route, "path_regex", None)
    if pattern is None:
        return True  # not a plain route (a host, a custom route): assume it might
    methods = getattr(route, "methods", None)
    return bool(pattern.match(path)) and (methods is None or method in methods)


class ExactPathRouter(Router):
    """Starlette's router with one shortcut: a request for a declared route's exact path (no
    parameters) goes to that route at once instead of being tried against every route before
    it (verifyPass came after ~60 regular expressions). Only routes no earlier route could also
    match are taken (`exact_routes`), so every request reaches the route the walk would pick;
    anything else takes the walk, with its 405s and redirects."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.exact = exact_routes(self.routes)

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope.get("root_path"):  # not mounted elsewhere
            route = self.exact.get((scope["path"], scope["method"]))
            if route is not None:
                match, child_scope = route.matches(scope)
                if match is Match.FULL:
                    scope.setdefault("router", self)
                    scope["route"] = route
                    scope.update(child_scope)
                    await route.handle(scope, receive, send)
                    return
        await super().app(scope, receive, send)

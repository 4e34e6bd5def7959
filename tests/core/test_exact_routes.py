"""The router's shortcut for exact paths (`core.routing.ExactPathRouter`) picks, for every
request, the route Starlette's ordered walk would pick, and leaves everything else to the walk."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Match, Route

from backend.app import declared_routes
from backend.core.routing import ExactPathRouter, exact_routes


async def _answer(request: Request) -> Response:
    return PlainTextResponse(request.scope["route"].name)


def _walk(routes: list[Route], path: str, method: str) -> Route | None:
    scope = {"type": "http", "path": path, "method": method, "root_path": ""}
    for route in routes:
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return route
    return None


def test_every_shortcut_of_the_app_is_the_route_the_walk_picks() -> None:
    routes = declared_routes()
    found = exact_routes(routes)
    assert ("/api/v1/passes/verify", "POST") in found
    assert len(found) > 50
    for (path, method), route in found.items():
        assert _walk(routes, path, method) is route, (path, method)  # type: ignore[arg-type]


def test_a_path_an_earlier_route_could_take_is_left_to_the_walk() -> None:
    routes = [
        Route("/items/{item}", _answer, methods=["GET"], name="item"),
        Route("/items/new", _answer, methods=["GET", "POST"], name="new"),
    ]
    found = exact_routes(routes)
    assert ("/items/new", "GET") not in found  # the parameterised route comes first
    assert found[("/items/new", "POST")].name == "new"  # it serves no POST


async def _call(router: ExactPathRouter, path: str, method: str) -> tuple[int, bytes]:
    sent: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    scope = {
        "type": "http", "path": path, "method": method, "root_path": "", "headers": [],
        "query_string": b"", "scheme": "http", "server": ("x", 80),
    }  # fmt: skip
    await router(scope, receive, send)  # type: ignore[arg-type]
    return int(sent[0]["status"]), b"".join(bytes(m.get("body", b"")) for m in sent[1:])  # type: ignore[arg-type]


async def test_the_router_answers_as_the_walk_would() -> None:
    router = ExactPathRouter(
        [
            Route("/items/{item}", _answer, methods=["GET"], name="item"),
            Route("/items/new", _answer, methods=["GET", "POST"], name="new"),
            Route("/plain", _answer, methods=["POST"], name="plain"),
        ]
    )
    assert await _call(router, "/items/new", "GET") == (200, b"item")
    assert await _call(router, "/items/new", "POST") == (200, b"new")
    assert await _call(router, "/plain", "POST") == (200, b"plain")
    assert (await _call(router, "/plain", "GET"))[0] == 405
    assert (await _call(router, "/nowhere", "GET"))[0] == 404

"""Rendering errors: problem+json (RFC 9457) under /api/, a localised page elsewhere."""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

from asyncpg import PostgresError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Match
from tortoise.exceptions import BaseORMException

from .errors import MethodNotAllowed, NotFound, StorageUnavailable, XinyiError
from .i18n import translate
from .middleware import security_headers
from .templating import render, request_locale

log = logging.getLogger("xinyi.errors")
PROBLEM = "application/problem+json"
STAFF_PAGES = ("/office", "/counter", "/partner", "/department")
RETRY_AFTER_SECONDS = 5
# What the drivers say when the database refuses a write it would otherwise take: SQLite's
# messages (SQLITE_BUSY/LOCKED, READONLY, FULL, IOERR, CANTOPEN) and PostgreSQL's SQLSTATE
# classes (read-only transaction, insufficient resources, lock not available, statement
# timeout, serialization failure and deadlock, connection exceptions, shutting down).
SQLITE_FAULTS = ("locked", "readonly", "read-only", "full", "disk i/o", "unable to open")
PG_FAULT_STATES = ("25006", "53", "55P03", "57014", "40001", "40P01", "08", "57P")


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return (
        path.startswith("/api/")
        or path in ("/openapi.json", "/healthz")
        or path.startswith("/.well-known/")
    )


def problem_body(request: Request, exc: XinyiError) -> dict[str, Any]:
    locale = request_locale(request)
    body: dict[str, Any] = {
        "type": f"urn:xinyi:problem:{exc.code}",
        "title": translate(locale, exc.title_key),
        "status": exc.status,
        "detail": exc.detail or translate(locale, exc.title_key),
        "instance": request.url.path,
        "code": exc.code,
    }
    if exc.errors:
        body["errors"] = exc.errors
    body.update(exc.extra)
    return body


def render_error(request: Request, exc: XinyiError) -> Response:
    if _wants_json(request):
        return JSONResponse(
            problem_body(request, exc),
            status_code=exc.status,
            media_type=PROBLEM,
            headers=exc.headers,
        )
    if exc.status == 401 and request.url.path.startswith(STAFF_PAGES):
        return RedirectResponse(f"/office/login?next={request.url.path}", status_code=303)
    if exc.status == 401 and request.url.path.startswith("/passes/"):
        return RedirectResponse("/", status_code=303)  # residents sign in in the app
    return render(request, "error.html", {"error": exc}, status=exc.status)


async def domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, XinyiError)
    return render_error(request, exc)


def _allowed_methods(request: Request) -> str:
    """Every method some route takes at this path (one declared route per method, so the
    route that raised the 405 knows only its own)."""
    methods: set[str] = set()
    for route in getattr(request.app, "routes", []):
        match, _ = route.matches({**request.scope, "method": "\x00"})
        if match is not Match.NONE and getattr(route, "methods", None):
            methods |= set(route.methods)
    return ", ".join(sorted(methods))


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    mapped: XinyiError
    if exc.status_code == 404:
        mapped = NotFound("no such resource")
    elif exc.status_code == 405:
        mapped = MethodNotAllowed(
            "this method is not allowed here", headers={"Allow": _allowed_methods(request)}
        )
    else:
        mapped = XinyiError(str(exc.detail))
        mapped.status = exc.status_code
    return render_error(request, mapped)


def is_storage_fault(exc: BaseException) -> bool:
    """Whether the database refused the work for a reason that passes (disk full, locked past
    the timeout, read-only, unreachable), through Tortoise's wrapping of the driver's error."""
    seen: set[int] = set()
    pending: list[object] = [exc]
    while pending:
        item = pending.pop()
        if not isinstance(item, BaseException) or id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, sqlite3.Error) and any(f in str(item).lower() for f in SQLITE_FAULTS):
            return True
        state = getattr(item, "sqlstate", None)
        if isinstance(state, str) and state.startswith(PG_FAULT_STATES):
            return True
        if isinstance(item, ConnectionError | TimeoutError):
            return True
        pending.extend([item.__cause__, item.__context__, *item.args])
    return False


def storage_unavailable() -> StorageUnavailable:
    return StorageUnavailable(
        "the database cannot store this now; nothing of this request was stored: "
        f"send it again in {RETRY_AFTER_SECONDS} seconds",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        retry_after=RETRY_AFTER_SECONDS,
    )


async def database_error(request: Request, exc: Exception) -> Response:
    """A driver or ORM error that reached the app: a storage fault is a 503 the client
    resends; anything else is the server's fault (500)."""
    if is_storage_fault(exc):
        log.warning("storage fault on %s %s: %r", request.method, request.url.path, exc)
        return render_error(request, storage_unavailable())
    return await server_error(request, exc)


async def server_error(request: Request, exc: Exception) -> Response:
    if is_storage_fault(exc):  # raised in a middleware (the session look-up), before routing
        log.warning("storage fault on %s %s: %r", request.method, request.url.path, exc)
        return _with_security_headers(request, render_error(request, storage_unavailable()))
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    error = XinyiError("an internal error occurred; nothing you sent was lost")
    error.status = 500
    error.code = "internal_error"
    error.title_key = "error.internal"
    return _with_security_headers(request, render_error(request, error))


def _with_security_headers(request: Request, response: Response) -> Response:
    """Starlette's outermost middleware sends this answer, outside SecurityHeadersMiddleware:
    the headers every answer carries are added here."""
    settings = getattr(getattr(request.app.state, "ctx", None), "settings", None)
    hsts = bool(settings and settings.is_production)
    for name, value in security_headers(request.url.path, hsts=hsts).items():
        response.headers.setdefault(name, value)
    return response


exception_handlers = {
    XinyiError: domain_error,
    HTTPException: http_error,
    BaseORMException: database_error,
    sqlite3.Error: database_error,
    PostgresError: database_error,
    ConnectionError: database_error,
    Exception: server_error,
}

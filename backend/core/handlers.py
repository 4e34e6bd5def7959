"""Rendering errors: problem+json (RFC 9457) under /api/, a localised page elsewhere."""

from __future__ import annotations

import logging
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from .errors import MethodNotAllowed, NotFound, XinyiError
from .i18n import translate
from .templating import render, request_locale

log = logging.getLogger("xinyi.errors")
PROBLEM = "application/problem+json"
STAFF_PAGES = ("/office", "/counter", "/partner", "/department")


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


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    mapped: XinyiError
    if exc.status_code == 404:
        mapped = NotFound("no such resource")
    elif exc.status_code == 405:
        mapped = MethodNotAllowed("this method is not allowed here")
    else:
        mapped = XinyiError(str(exc.detail))
        mapped.status = exc.status_code
    return render_error(request, mapped)


async def server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    error = XinyiError("an internal error occurred; nothing you sent was lost")
    error.status = 500
    error.code = "internal_error"
    error.title_key = "error.internal"
    return render_error(request, error)


exception_handlers = {
    XinyiError: domain_error,
    HTTPException: http_error,
    Exception: server_error,
}

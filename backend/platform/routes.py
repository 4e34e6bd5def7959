"""Health, OpenAPI, JWKS, i18n catalogs and the PWA entry points."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from ..core.errors import NotFound
from ..core.i18n import CATALOG_DIR, LOCALES
from ..core.routing import PUBLIC, page
from ..core.templating import render, request_locale
from . import docs, health, shell
from .shell import PWA_DIR

__all__ = ["PWA_DIR", "routes"]


async def healthz(request: Request) -> Response:
    database = await health.database_status()
    status = 200 if database == "ok" else 503
    return JSONResponse(
        {"status": "ok" if status == 200 else "degraded", "database": database}, status_code=status
    )


async def openapi(request: Request) -> Response:
    return JSONResponse(request.app.state.openapi)


async def jwks(request: Request) -> Response:
    return Response(
        request.app.state.keyring.jwks(),
        media_type="application/jwk-set+json",
        headers={"cache-control": "public, max-age=300"},
    )


async def catalog(request: Request) -> Response:
    locale = request.path_params["locale"]
    if locale not in LOCALES:
        raise NotFound("no catalog for this language")
    return FileResponse(
        CATALOG_DIR / f"{locale}.json",
        media_type="application/json",
        headers={"cache-control": "no-cache"},
    )


async def versioned_catalog(request: Request) -> Response:
    """A catalog under the build's URL: kept for a year when it is the current build's."""
    locale = request.path_params["locale"]
    if locale not in LOCALES:
        raise NotFound("no catalog for this language")
    current = request.path_params["build"] == shell.build_id()
    return FileResponse(
        CATALOG_DIR / f"{locale}.json",
        media_type="application/json",
        headers={"cache-control": shell.IMMUTABLE if current else shell.REVALIDATE},
    )


async def guide(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in docs.GUIDES:
        raise NotFound("no such guide")
    title, html = docs.rendered(name)
    return render(request, "guide.html", {"title": title, "html": html})


async def pwa_index(request: Request) -> Response:
    # The CSRF cookie (readable, set with the session) says a session probably exists: the
    # first view's modules are preloaded accordingly. Nothing here trusts it.
    html = shell.index_html(
        locale=request_locale(request), signed_in=bool(request.cookies.get("xinyi_csrf"))
    )
    return Response(
        html,
        media_type="text/html; charset=utf-8",
        headers={"cache-control": "no-cache", "vary": "cookie, accept-language"},
    )


async def service_worker(request: Request) -> Response:
    return Response(
        shell.service_worker_js(),
        media_type="text/javascript",
        headers={"cache-control": "no-cache", "service-worker-allowed": "/"},
    )


async def manifest(request: Request) -> Response:
    data = json.loads((PWA_DIR / "manifest.webmanifest").read_text(encoding="utf-8"))
    return JSONResponse(data, media_type="application/manifest+json")


routes = [
    page("/healthz", healthz, name="healthz", access=PUBLIC),
    page("/openapi.json", openapi, name="openapi", access=PUBLIC),
    page("/.well-known/jwks.json", jwks, name="jwks", access=PUBLIC),
    page("/i18n/{locale}.json", catalog, name="catalog", access=PUBLIC),
    page(
        "/app/v/{build}/i18n/{locale}.json",
        versioned_catalog,
        name="versioned_catalog",
        access=PUBLIC,
    ),
    page("/docs/{name}", guide, name="guide", access=PUBLIC),
    page("/", pwa_index, name="pwa", access=PUBLIC),
    page("/sw.js", service_worker, name="service_worker", access=PUBLIC),
    page("/manifest.webmanifest", manifest, name="manifest", access=PUBLIC),
]

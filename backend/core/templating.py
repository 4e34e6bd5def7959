"""Jinja2 for server-rendered pages, with the i18n catalog as `t(...)`."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from .i18n import negotiate, translate
from .settings import ROOT

LOCALE_COOKIE = "xinyi_locale"
templates = Jinja2Templates(directory=str(ROOT / "backend" / "templates"))


def add_globals(**functions: Any) -> None:
    """Functions every template may call, handed in by the app factory (core knows no
    feature): the vocabulary of tiers and lists comes from the scoring model this way."""
    templates.env.globals.update(functions)


def request_locale(request: Request) -> str:
    chosen = request.query_params.get("lang") or request.cookies.get(LOCALE_COOKIE)
    return negotiate(request.headers.get("accept-language"), chosen)


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> HTMLResponse:
    locale = request_locale(request)

    def t(key: str, **values: Any) -> str:
        return translate(locale, key, **values)

    data = {
        "locale": locale,
        "t": t,
        "principal": getattr(request.state, "principal", None),
        "elder": request.cookies.get("xinyi_elder") == "1",
        **(context or {}),
    }
    response = templates.TemplateResponse(request, template, data, status_code=status)
    if request.query_params.get("lang") in ("zh-CN", "en"):
        response.set_cookie(LOCALE_COOKIE, locale, max_age=365 * 86400, samesite="lax")
    return response

"""Jinja2 for server-rendered pages, with the i18n catalog as `t(...)`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from . import clock
from .i18n import negotiate, translate
from .permissions import Permission
from .settings import ROOT

LOCALE_COOKIE = "xinyi_locale"
templates = Jinja2Templates(directory=str(ROOT / "backend" / "templates"))


def add_globals(**functions: Any) -> None:
    """Functions every template may call, handed in by the app factory (core knows no
    feature): the vocabulary of tiers and lists comes from the scoring model this way."""
    templates.env.globals.update(functions)


# Which chrome a page wears (templates/base.html): each console its own, every other page —
# public pages, the resident's printable pages, errors — the resident app's.
CONSOLES = (
    ("/office", "office"),
    ("/department", "department"),
    ("/partner/", "partner"),
    ("/counter", "counter"),
)


def chrome_for(path: str) -> str:
    if path == "/partner":
        return "partner"
    for prefix, chrome in CONSOLES:
        if path == prefix or path.startswith(prefix.rstrip("/") + "/"):
            return chrome
    return "resident"


def _moment(value: dt.datetime | str | None) -> dt.datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:  # stored UTC (SQLite hands some back naive)
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(clock.zone())


@pass_context
def city_time(context: Context, value: dt.datetime | str | None, label: bool = False) -> str:
    """One rule for times on every page: stored UTC, shown in the city's time zone
    ("2026-12-02 08:17"), labelled with the zone's name where it is asked for."""
    moment = _moment(value)
    if moment is None:
        return "—"
    text = moment.strftime("%Y-%m-%d %H:%M")
    return f"{text} {zone_label(context.get('locale'))}" if label else text


def city_date(value: dt.datetime | dt.date | str | None) -> str:
    """The date in the city (a UTC timestamp late in the evening is the next day here)."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    moment = _moment(value)
    return moment.date().isoformat() if moment else "—"


def zone_label(locale: str | None = None) -> str:
    """ "北京时间" / "Beijing time" for Asia/Shanghai; otherwise the zone's own name."""
    zone = clock.zone().key
    key = f"time.zone.{zone}"
    name = translate(locale or "zh-CN", key)
    return name if name != key else translate(locale or "zh-CN", "time.zone.other", zone=zone)


templates.env.filters.update(city_time=city_time, city_date=city_date)
templates.env.globals.update(chrome_for=chrome_for, Permission=Permission)


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
        "zone_name": lambda: zone_label(locale),
        "principal": getattr(request.state, "principal", None),
        "elder": request.cookies.get("xinyi_elder") == "1",
        **(context or {}),
    }
    response = templates.TemplateResponse(request, template, data, status_code=status)
    if request.query_params.get("lang") in ("zh-CN", "en"):
        response.set_cookie(LOCALE_COOKIE, locale, max_age=365 * 86400, samesite="lax")
    return response

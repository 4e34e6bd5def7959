"""The credit office's console pages: the programme dashboard, the key-occupation database,
the audited person look-up and department tokens. HTTP only: parse the form, call one use
case, render (list review is in `list_pages.py`)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..apitokens import service as token_service
from ..core.clock import today
from ..core.context import ctx
from ..core.errors import XinyiError
from ..core.forms import path_id, redirect, text
from ..core.permissions import Permission
from ..core.routing import page, principal_of, requires
from ..core.templating import request_locale
from ..credit import register_budget
from ..credit.catalog import load_catalog
from ..credit.lists import KINDS
from . import figures, people, present, service, watch
from .pages import office_page


async def dashboard_page(request: Request) -> Response:
    cached = await figures.dashboard(city=ctx(request).city)
    return office_page(
        request,
        "office/dashboard.html",
        {
            "d": cached.value,
            "computed_at": cached.computed_at,
            "c": present.dashboard_charts(cached.value, request_locale(request)),
            # Live, not cached with the figures: an exhausted budget is an alert.
            "use": await watch.cached(rules=watch.WatchRules.of(ctx(request).settings)),
            "probing": await register_budget.unusual_callers(),
            "probing_rule": {
                "days": register_budget.WINDOW_DAYS,
                "share": register_budget.UNUSUAL_SHARE,
                "min": register_budget.UNUSUAL_MIN_CHECKED,
                "budget": ctx(request).settings.register_unknown_budget,
            },
        },
    )


async def occupations_page(request: Request) -> Response:
    cached = await figures.occupations(city=ctx(request).city)
    return office_page(
        request,
        "office/occupations.html",
        {"groups": cached.value, "computed_at": cached.computed_at},
    )


async def people_page(request: Request) -> Response:
    context: dict[str, Any] = {"purposes": people.PURPOSES, "errors": {}, "form": {}}
    status = 200
    if request.method == "POST":
        form = await request.form()
        code, detail = text(form, "purpose", 32), text(form, "purpose_detail")
        context["form"] = {"purpose": code, "purpose_detail": detail}
        try:
            found = await people.look_up(
                officer=principal_of(request),
                cipher=ctx(request).cipher,
                city=ctx(request).city,
                id_number=text(form, "id_number", 40),
                code=code,
                detail=detail,
            )
            return office_page(
                request,
                "office/person.html",
                {
                    "view": found.view,
                    "purpose": found.purpose,
                    "today": today(),
                    "kinds": KINDS,
                    "form": {},
                    "errors": {},
                },
            )
        except XinyiError as exc:
            context["errors"] = present.lookup_errors(exc)
            status = exc.status
    return office_page(request, "office/people.html", context, status=status)


async def tokens_page(request: Request) -> Response:
    context: dict[str, Any] = {
        "departments": load_catalog().departments,
        "created": None,
        "error": None,
        "form": {},
    }
    status = 200
    if request.method == "POST":
        form = await request.form()
        department, label = text(form, "department", 32), text(form, "label", 100)
        context["form"] = {"department": department, "label": label}
        try:
            row, secret = await service.create_department_token(
                officer=principal_of(request), department=department, label=label
            )
            context["created"] = {"row": row, "secret": secret}
            context["form"] = {}
        except XinyiError as exc:
            context["error"] = {"field": exc.errors[0]["field"] if exc.errors else "department"}
            status = exc.status
    context["tokens"] = await token_service.list_tokens(kind=token_service.TokenKind.DEPARTMENT)
    context["done"] = request.query_params.get("done") == "revoked"
    return office_page(request, "office/tokens.html", context, status=status)


async def revoke_token_page(request: Request) -> Response:
    await token_service.revoke_token(
        officer=principal_of(request),
        token_id=path_id(request, "token_id"),
        kind=token_service.TokenKind.DEPARTMENT,  # the tokens page never revokes a partner key
    )
    return redirect("/office/tokens?done=revoked")


routes = [
    page(
        "/office/dashboard",
        dashboard_page,
        name="office_dashboard",
        access=requires(Permission.DASHBOARD),
    ),
    page(
        "/office/occupations",
        occupations_page,
        name="office_occupations",
        access=requires(Permission.DASHBOARD),
    ),
    page(
        "/office/people",
        people_page,
        name="office_people",
        methods=("GET", "POST"),
        access=requires(Permission.PERSON_LOOKUP),
    ),
    page(
        "/office/tokens",
        tokens_page,
        name="office_tokens",
        methods=("GET", "POST"),
        access=requires(Permission.TOKENS_MANAGE),
    ),
    page(
        "/office/tokens/{token_id:int}/revoke",
        revoke_token_page,
        name="office_token_revoke",
        methods=("POST",),
        access=requires(Permission.TOKENS_MANAGE),
    ),
]

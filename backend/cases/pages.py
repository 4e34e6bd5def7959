"""Server-rendered case pages (no JavaScript needed): the department console (its queue, a
case, and the accept / return / decide / answer forms), the credit office's queue with its
figures and objection reviews, and the public case look-up. HTTP only: parse the form, call
one use case, render; a refused step shows the page again with its named reason."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..core import clock
from ..core.context import client_key, ctx
from ..core.errors import XinyiError
from ..core.forms import path_id, redirect, text
from ..core.permissions import Permission
from ..core.routing import PUBLIC, page, principal_of, requires
from ..core.templating import render
from ..core.workdays import WorkCalendar
from ..credit.catalog import department_for, load_catalog
from ..objections import service as objections
from ..objections import views as objection_views
from ..repairs import decisions as repairs
from ..repairs import views as repair_views
from . import service
from .present import problem_key, problem_of

DONE = ("accepted", "returned", "approved", "rejected", "answered", "reviewed")


def _page(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Response:
    names = load_catalog().departments
    return render(
        request,
        template,
        {
            "Permission": Permission,
            "departments": names,
            "current": "cases",
            "problem": problem_key,
            **context,
        },
        status=status,
    )


def _reason(exc: XinyiError) -> str:
    return problem_of(exc)


# ---- the department console -----------------------------------------------------------


async def department_page(request: Request) -> Response:
    actor = principal_of(request)
    rows = await service.department_queue(actor=actor, open_only=True)
    done = request.query_params.get("done", "")
    return _page(
        request,
        "cases/department.html",
        {"rows": rows, "department": department_for(actor), "done": done if done in DONE else ""},
    )


async def _repair_page(request: Request, error: str | None = None, status: int = 200) -> Response:
    case = await repair_views.department_view(
        actor=principal_of(request), request_id=path_id(request, "request_id")
    )
    return _page(request, "cases/repair.html", {"case": case, "error": error}, status)


async def repair_page(request: Request) -> Response:
    return await _repair_page(request)


async def repair_step(request: Request) -> Response:
    """accept / return / decision, named by the form's `step` field."""
    actor = principal_of(request)
    form = await request.form()
    step = text(form, "step", 16)
    request_id = path_id(request, "request_id")
    department = department_for(actor)
    try:
        if step == "accept":
            await repairs.accept(actor=actor, department=department,
                                 deadlines=ctx(request).deadlines, request_id=request_id)  # fmt: skip
        elif step == "return":
            missing = text(form, "missing", 1000)
            if not missing:
                return await _repair_page(request, "missing", 422)
            await repairs.return_for_more(
                actor=actor, department=department, request_id=request_id, missing=missing
            )
        elif step in ("approve", "reject"):
            reason = text(form, "reason", 1000)
            if not reason:
                return await _repair_page(request, "reason", 422)
            await repairs.decide(
                actor=actor, department=department, request_id=request_id,
                approve=step == "approve", reason=reason,
                legal_basis=text(form, "legal_basis", 300),
            )  # fmt: skip
        else:
            return await _repair_page(request, "step", 422)
    except XinyiError as exc:
        if exc.status == 404:
            raise
        return await _repair_page(request, _reason(exc), exc.status)
    done = {"accept": "accepted", "return": "returned", "approve": "approved", "reject": "rejected"}
    return redirect(f"/department?done={done[step]}")


async def _objection_page(
    request: Request, error: str | None = None, status: int = 200
) -> Response:
    case = await objection_views.department_view(
        actor=principal_of(request), objection_id=path_id(request, "objection_id")
    )
    return _page(request, "cases/objection.html", {"case": case, "error": error}, status)


async def objection_page(request: Request) -> Response:
    return await _objection_page(request)


async def objection_answer(request: Request) -> Response:
    actor = principal_of(request)
    form = await request.form()
    choice = text(form, "outcome", 16)
    answer = text(form, "answer", 1000)
    if choice not in ("upheld", "corrected", "rejected") or not answer:
        return await _objection_page(request, "answer", 422)
    try:
        await objections.answer(
            actor=actor, department=department_for(actor),
            objection_id=path_id(request, "objection_id"), upheld=choice != "rejected",
            answer_text=answer, corrected=choice == "corrected",
        )  # fmt: skip
    except XinyiError as exc:
        if exc.status == 404:
            raise
        return await _objection_page(request, _reason(exc), exc.status)
    return redirect("/department?done=answered")


# ---- the credit office --------------------------------------------------------------------


async def office_cases_page(
    request: Request, error: str | None = None, status: int = 200
) -> Response:
    calendar: WorkCalendar = ctx(request).deadlines.calendar
    figures = await service.figures(calendar=calendar)
    done = request.query_params.get("done", "")
    year = clock.today().year
    return _page(
        request,
        "cases/office.html",
        {"rows": await service.open_cases(), "figures": figures, "error": error,
         "calendar_covers": calendar.covers(year), "year": year,
         "done": done if done in DONE else ""},
        status,
    )  # fmt: skip


async def office_cases(request: Request) -> Response:
    return await office_cases_page(request)


async def review_decision(request: Request) -> Response:
    form = await request.form()
    choice = text(form, "outcome", 16)
    answer = text(form, "answer", 1000)
    if choice not in ("upheld", "rejected") or not answer:
        return await office_cases_page(request, "answer", 422)
    try:
        await objections.decide_review(
            officer=principal_of(request), objection_id=path_id(request, "objection_id"),
            upheld=choice == "upheld", answer_text=answer,
        )  # fmt: skip
    except XinyiError as exc:
        return await office_cases_page(request, _reason(exc), exc.status)
    return redirect("/office/cases?done=reviewed")


# ---- the public look-up -----------------------------------------------------------------------


async def lookup_page(request: Request) -> Response:
    """GET: the form. POST: the case's state and dates, for its number and the name."""
    context: dict[str, Any] = {"found": None, "error": None, "form": {}}
    status = 200
    if request.method == "POST":
        form = await request.form()
        context["form"] = {"case_no": text(form, "case_no", 24)}
        try:
            context["found"] = await service.look_up(
                case_no=text(form, "case_no", 24), name=text(form, "name", 64),
                client_key=client_key(request),
            )  # fmt: skip
        except XinyiError as exc:
            context["error"], status = _reason(exc), exc.status
    return _page(request, "cases/lookup.html", context, status)


S = Permission
routes = [
    page("/department", department_page, name="department_cases", access=requires(S.CASES_DECIDE)),
    page("/department/repairs/{request_id:int}", repair_page, name="department_repair",
         access=requires(S.CASES_DECIDE)),
    page("/department/repairs/{request_id:int}/step", repair_step, name="department_repair_step",
         methods=("POST",), access=requires(S.CASES_DECIDE)),
    page("/department/objections/{objection_id:int}", objection_page,
         name="department_objection", access=requires(S.CASES_DECIDE)),
    page("/department/objections/{objection_id:int}/answer", objection_answer,
         name="department_objection_answer", methods=("POST",),
         access=requires(S.CASES_DECIDE)),
    page("/office/cases", office_cases, name="office_cases", access=requires(S.CASES_OVERSEE)),
    page("/office/cases/objections/{objection_id:int}/review", review_decision,
         name="office_objection_review", methods=("POST",), access=requires(S.CASES_OVERSEE)),
    page("/cases/lookup", lookup_page, name="case_lookup", methods=("GET", "POST"),
         access=PUBLIC),
]  # fmt: skip

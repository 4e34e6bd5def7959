"""Staff console pages: sign-in, staff accounts, counter enrolment codes, audit trail, and the
credit office's dashboard, key-occupation database, person look-up, list review and tokens."""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..apitokens import service as token_service
from ..audit import service as audit_service
from ..auth import service as auth_service
from ..auth import sessions
from ..core.clock import today
from ..core.context import ctx
from ..core.errors import NotFound, ValidationFailed, XinyiError
from ..core.i18n import DEFAULT_LOCALE, translate
from ..core.permissions import STAFF_ROLES, Permission
from ..core.routing import PUBLIC, page, principal_of, requires
from ..core.templating import render, request_locale
from ..credit import lists as lists_service
from ..credit.catalog import load_catalog
from . import present, service


async def login_page(request: Request) -> Response:
    # Without JavaScript the code form posts here: the passkey ceremony needs the browser's
    # WebAuthn API, so say so instead of putting the code in a URL.
    return render(request, "office/login.html", {"needs_js": request.method == "POST"})


async def home(request: Request) -> Response:
    return render(request, "office/home.html", {"Permission": Permission})


def _form_text(form: object, name: str, limit: int = 200) -> str:
    value = form.get(name, "") if hasattr(form, "get") else ""
    # NUL cannot be stored in PostgreSQL text, and never belongs in a form field.
    return value.replace("\x00", "").strip()[:limit] if isinstance(value, str) else ""


async def staff_page(request: Request) -> Response:
    context: dict[str, object] = {"roles": STAFF_ROLES, "created": None, "error": None, "form": {}}
    status = 200
    if request.method == "POST":
        form = await request.form()
        context["form"] = {k: _form_text(form, k) for k in ("display_name", "organisation")}
        try:
            account, code = await auth_service.create_staff_account(
                officer=principal_of(request),
                display_name=_form_text(form, "display_name", 64),
                organisation=_form_text(form, "organisation", 128),
                roles=[r for r in form.getlist("roles") if isinstance(r, str)],
            )
            context["created"] = {"account": account, "code": code}
        except XinyiError as exc:
            context["error"] = exc
            status = exc.status
    context["staff"] = await auth_service.list_staff()
    return render(request, "office/staff.html", context, status=status)


async def enrolment_code_page(request: Request) -> Response:
    context: dict[str, object] = {"issued": None, "error": None, "form": {}}
    status = 200
    if request.method == "POST":
        form = await request.form()
        context["form"] = {k: _form_text(form, k) for k in ("name", "purpose")}
        try:
            if form.get("id_card_checked") != "yes":
                raise ValidationFailed("check the ID card in person first")
            code, row, person = await auth_service.issue_resident_code(
                officer=principal_of(request),
                cipher=ctx(request).cipher,
                name=_form_text(form, "name", 64),
                id_number=_form_text(form, "id_number", 32),
                purpose=_form_text(form, "purpose") or "in-person identity check",
            )
            context["issued"] = {
                "code": code,
                "expires_at": row.expires_at,
                "masked": person.id_masked,
            }
        except XinyiError as exc:
            context["error"] = exc
            status = exc.status
    return render(request, "office/enrolment_code.html", context, status=status)


async def audit_page(request: Request) -> Response:
    entries = await audit_service.list_entries(limit=100)
    report = await audit_service.verify_chain()
    return render(request, "office/audit.html", {"entries": entries, "report": report})


async def logout(request: Request) -> Response:
    await auth_service.logout(principal=principal_of(request))
    response = RedirectResponse("/office/login", status_code=303)
    response.delete_cookie(sessions.COOKIE)
    response.delete_cookie(sessions.CSRF_COOKIE)
    return response


# ---------- the credit office: statistics, look-up, lists, tokens ----------


def _page(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Response:
    return render(
        request, template, {"Permission": Permission, "fmt": present, **context}, status=status
    )


def _form_date(form: Any, name: str) -> dt.date | None:
    raw = _form_text(form, name, 10)
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _id(request: Request, name: str) -> int:
    value = int(request.path_params[name])
    if value > 2**62:  # beyond any stored id (and beyond a BIGINT)
        raise NotFound("no such item")
    return value


def _redirect(path: str) -> Response:
    return RedirectResponse(path, status_code=303)


async def dashboard_page(request: Request) -> Response:
    cached = await service.dashboard(city=ctx(request).city)
    return _page(
        request,
        "office/dashboard.html",
        {
            "d": cached.value,
            "computed_at": cached.computed_at,
            "c": present.dashboard_charts(cached.value, request_locale(request)),
        },
    )


async def occupations_page(request: Request) -> Response:
    cached = await service.occupations(city=ctx(request).city)
    return _page(
        request,
        "office/occupations.html",
        {
            "groups": cached.value,
            "computed_at": cached.computed_at,
        },
    )


# Which message a refused look-up shows, per field: never anything about who is in the register.
LOOKUP_MESSAGES = {
    ("id_number", "missing"): "office.people.id_required",
    ("id_number", "value"): "office.people.id_invalid",
    ("id_number", "not-found"): "office.people.not_found",
    ("purpose", "value"): "office.people.purpose_required",
    ("purpose_detail", "value"): "office.people.purpose_detail_required",
}


def _lookup_errors(exc: XinyiError) -> dict[str, str]:
    if isinstance(exc, NotFound):
        return {"id_number": LOOKUP_MESSAGES[("id_number", "not-found")]}
    errors: dict[str, str] = {}
    for e in exc.errors:
        key = LOOKUP_MESSAGES.get((e.get("field", ""), e.get("type", "")), exc.title_key)
        errors.setdefault(str(e.get("field", "id_number")), key)
    return errors or {"id_number": exc.title_key}


async def people_page(request: Request) -> Response:
    context: dict[str, Any] = {"purposes": service.PURPOSES, "errors": {}, "form": {}}
    status = 200
    if request.method == "POST":
        form = await request.form()
        number = _form_text(form, "id_number", 40)
        code, detail = _form_text(form, "purpose", 32), _form_text(form, "purpose_detail")
        context["form"] = {"purpose": code, "purpose_detail": detail}
        try:
            names = {c: translate(DEFAULT_LOCALE, f"office.purpose.{c}") for c in service.PURPOSES}
            purpose = service.check_look_up(id_number=number, code=code, detail=detail, names=names)
            view = await service.view_person(
                officer=principal_of(request),
                cipher=ctx(request).cipher,
                city=ctx(request).city,
                id_number=number,
                purpose=purpose,
            )
            return _page(
                request,
                "office/person.html",
                {
                    "view": view,
                    "purpose": purpose,
                    "today": today(),
                    "kinds": lists_service.KINDS,
                    "form": {},
                    "errors": {},
                },
            )
        except XinyiError as exc:
            context["errors"] = _lookup_errors(exc)
            status = exc.status
    return _page(request, "office/people.html", context, status=status)


async def propose_page(request: Request) -> Response:
    form = await request.form()
    person_id = _id(request, "person_id")
    values = {
        k: _form_text(form, k, 500)
        for k in ("list", "reason", "legal_basis", "decision_doc_no", "start", "end", "purpose")
    }
    try:
        entry = await service.propose_entry(
            officer=principal_of(request),
            person_id=person_id,
            kind=values["list"],
            reason=values["reason"],
            legal_basis=values["legal_basis"][:300],
            decision_doc_no=values["decision_doc_no"][:64],
            start=_form_date(form, "start"),
            end=_form_date(form, "end"),
        )
    except ValidationFailed as exc:
        person = await service.proposal_person(
            officer=principal_of(request), person_id=person_id, purpose=values["purpose"][:200]
        )
        errors = {e["field"]: e["type"] for e in exc.errors}
        return _page(
            request,
            "office/propose.html",
            {
                "person": person,
                "form": values,
                "errors": errors,
                "today": today(),
                "kinds": lists_service.KINDS,
                "purpose": values["purpose"],
            },
            status=exc.status,
        )
    return _redirect(f"/office/lists?done=proposed&entry={entry.id}")


LIST_OUTCOMES = ("proposed", "approved", "rejected", "lift_proposed", "lifted")


async def _lists(request: Request, error: XinyiError | None = None) -> Response:
    review = await service.review_lists(officer=principal_of(request))
    done = request.query_params.get("done", "")
    entry = request.query_params.get("entry", "")
    message = None
    if error is not None:
        reason = str(error.extra.get("reason", "")).replace("-", "_")
        message = f"office.lists.error.{reason}" if reason else error.title_key
    return _page(
        request,
        "office/lists.html",
        {
            "review": review,
            "done": done if done in LIST_OUTCOMES else "",
            "entry": entry if entry.isdigit() else "",
            "message": message,
            "limit": service.REVIEW_LIMIT,
        },
        status=error.status if error else 200,
    )


async def lists_page(request: Request) -> Response:
    return await _lists(request)


async def decide_page(request: Request) -> Response:
    form = await request.form()
    decision = _form_text(form, "decision", 16)
    try:
        if decision not in ("approve", "reject"):
            raise ValidationFailed("approve or reject")
        await lists_service.decide(
            officer=principal_of(request),
            entry_id=_id(request, "entry_id"),
            approve=decision == "approve",
        )
    except XinyiError as exc:
        return await _lists(request, exc)
    return _redirect("/office/lists?done=" + ("approved" if decision == "approve" else "rejected"))


async def lift_page(request: Request) -> Response:
    form = await request.form()
    try:
        reason = _form_text(form, "reason", 500)
        if not reason:
            raise ValidationFailed("give the reason for lifting", reason="lift-reason")
        await lists_service.propose_lift(
            officer=principal_of(request), entry_id=_id(request, "entry_id"), reason=reason
        )
    except XinyiError as exc:
        return await _lists(request, exc)
    return _redirect("/office/lists?done=lift_proposed")


async def approve_lift_page(request: Request) -> Response:
    try:
        await lists_service.approve_lift(
            officer=principal_of(request), entry_id=_id(request, "entry_id")
        )
    except XinyiError as exc:
        return await _lists(request, exc)
    return _redirect("/office/lists?done=lifted")


async def tokens_page(request: Request) -> Response:
    departments = load_catalog().departments
    context: dict[str, Any] = {
        "departments": departments,
        "created": None,
        "error": None,
        "form": {},
    }
    status = 200
    if request.method == "POST":
        form = await request.form()
        department, label = _form_text(form, "department", 32), _form_text(form, "label", 100)
        context["form"] = {"department": department, "label": label}
        try:
            if department not in departments:
                raise ValidationFailed("choose a department", errors=[{"field": "department"}])
            if not label:
                raise ValidationFailed("give the token a label", errors=[{"field": "label"}])
            row, secret = await token_service.create_token(
                officer=principal_of(request),
                kind="department",
                organisation=department,
                label=label,
                scopes=["records.submit"],
            )
            context["created"] = {"row": row, "secret": secret}
            context["form"] = {}
        except XinyiError as exc:
            context["error"] = {"field": exc.errors[0]["field"] if exc.errors else "department"}
            status = exc.status
    context["tokens"] = await token_service.list_tokens(kind="department")
    context["done"] = request.query_params.get("done") == "revoked"
    return _page(request, "office/tokens.html", context, status=status)


async def revoke_token_page(request: Request) -> Response:
    await token_service.revoke_token(
        officer=principal_of(request), token_id=_id(request, "token_id")
    )
    return _redirect("/office/tokens?done=revoked")


routes = [
    page("/office/login", login_page, name="office_login", access=PUBLIC, methods=("GET", "POST")),
    page("/office", home, name="office_home", access=requires(Permission.STAFF_CONSOLE)),
    page(
        "/office/staff",
        staff_page,
        name="office_staff",
        methods=("GET", "POST"),
        access=requires(Permission.STAFF_MANAGE),
    ),
    page(
        "/office/enrolment-codes",
        enrolment_code_page,
        name="office_enrolment_codes",
        methods=("GET", "POST"),
        access=requires(Permission.ENROLMENT_CODE_ISSUE),
    ),
    page("/office/audit", audit_page, name="office_audit", access=requires(Permission.AUDIT_READ)),
    page(
        "/office/logout",
        logout,
        name="office_logout",
        methods=("POST",),
        access=requires(Permission.SELF),
    ),
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
        "/office/people/{person_id:int}/list-entries",
        propose_page,
        name="office_propose",
        methods=("POST",),
        access=requires(Permission.LISTS_MANAGE),
    ),
    page(
        "/office/lists", lists_page, name="office_lists", access=requires(Permission.LISTS_MANAGE)
    ),
    page(
        "/office/lists/{entry_id:int}/decision",
        decide_page,
        name="office_list_decision",
        methods=("POST",),
        access=requires(Permission.LISTS_MANAGE),
    ),
    page(
        "/office/lists/{entry_id:int}/lift",
        lift_page,
        name="office_list_lift",
        methods=("POST",),
        access=requires(Permission.LISTS_MANAGE),
    ),
    page(
        "/office/lists/{entry_id:int}/lift/approve",
        approve_lift_page,
        name="office_list_lift_approve",
        methods=("POST",),
        access=requires(Permission.LISTS_MANAGE),
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

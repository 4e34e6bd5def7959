"""Staff console pages: sign-in, staff accounts, counter enrolment codes, audit trail."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..audit import service as audit_service
from ..auth import service as auth_service
from ..auth import sessions
from ..core.context import ctx
from ..core.errors import ValidationFailed, XinyiError
from ..core.permissions import STAFF_ROLES, Permission
from ..core.routing import PUBLIC, page, principal_of, requires
from ..core.templating import render


async def login_page(request: Request) -> Response:
    return render(request, "office/login.html")


async def home(request: Request) -> Response:
    return render(request, "office/home.html", {"Permission": Permission})


def _form_text(form: object, name: str, limit: int = 200) -> str:
    value = form.get(name, "") if hasattr(form, "get") else ""
    return value.strip()[:limit] if isinstance(value, str) else ""


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
            context["issued"] = {"code": code, "expires_at": row.expires_at, "masked": person.id_masked}
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


routes = [
    page("/office/login", login_page, name="office_login", access=PUBLIC),
    page("/office", home, name="office_home", access=requires(Permission.STAFF_CONSOLE)),
    page("/office/staff", staff_page, name="office_staff", methods=("GET", "POST"),
         access=requires(Permission.STAFF_MANAGE)),
    page("/office/enrolment-codes", enrolment_code_page, name="office_enrolment_codes",
         methods=("GET", "POST"), access=requires(Permission.ENROLMENT_CODE_ISSUE)),
    page("/office/audit", audit_page, name="office_audit", access=requires(Permission.AUDIT_READ)),
    page("/office/logout", logout, name="office_logout", methods=("POST",),
         access=requires(Permission.SELF)),
]

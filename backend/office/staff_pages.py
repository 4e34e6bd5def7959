"""Staff accounts in the console, four eyes throughout (`auth.staff`, `auth.staffchanges`):
propose an account, approve another officer's proposal (and hand its code over in person),
propose new roles, disable (an officer or auditor: proposed), decide open changes. HTTP only."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..auth import staff, staffchanges
from ..auth.models import Account, AccountStatus
from ..core.errors import XinyiError
from ..core.forms import decision, path_id, redirect, text, texts
from ..core.permissions import STAFF_ROLES, Permission
from ..core.routing import page, principal_of, requires
from ..core.templating import render

NO_STORE = {"Cache-Control": "no-store"}  # a page that shows a one-time code


async def _staff_page(request: Request, *, status: int = 200, **context: Any) -> Response:
    accounts = await staff.list_staff()
    names = {a.id: a.display_name for a in accounts}
    me = principal_of(request).account_id
    page_context: dict[str, Any] = {
        "roles": STAFF_ROLES,
        "error": None,
        "form": {},
        "proposed": None,
        "staff": accounts,
        "names": names,
        "me": me,
        "changes": await staffchanges.open_changes(),
        "Status": AccountStatus,
        **context,
    }
    return render(request, "office/staff.html", page_context, status=status)


async def staff_page(request: Request) -> Response:
    if request.method != "POST":
        return await _staff_page(request)
    form = await request.form()
    kept = {k: text(form, k) for k in ("display_name", "organisation")}
    try:
        account = await staff.propose_staff_account(
            officer=principal_of(request),
            display_name=text(form, "display_name", 64),
            organisation=text(form, "organisation", 128),
            roles=texts(form, "roles"),
        )
    except XinyiError as exc:
        return await _staff_page(request, status=exc.status, error=exc, form=kept)
    return await _staff_page(request, proposed=account)


def _code_page(request: Request, account: Account, code: str) -> Response:
    response = render(request, "office/staff_code.html", {"account": account, "code": code})
    response.headers.update(NO_STORE)
    return response


async def approve(request: Request) -> Response:
    try:
        account, code = await staff.approve_staff_account(
            officer=principal_of(request), account_id=path_id(request, "account_id")
        )
    except XinyiError as exc:
        return await _staff_page(request, status=exc.status, error=exc)
    return _code_page(request, account, code)


async def new_code(request: Request) -> Response:
    account_id = path_id(request, "account_id")
    try:
        code = await staff.hand_over_new_code(officer=principal_of(request), account_id=account_id)
    except XinyiError as exc:
        return await _staff_page(request, status=exc.status, error=exc)
    return _code_page(request, await Account.get(id=account_id), code)


async def reject(request: Request) -> Response:
    try:
        await staff.reject_staff_account(
            officer=principal_of(request), account_id=path_id(request, "account_id")
        )
    except XinyiError as exc:
        return await _staff_page(request, status=exc.status, error=exc)
    return redirect("/office/staff")


async def change_roles(request: Request) -> Response:
    form = await request.form()
    try:
        await staffchanges.propose_roles(
            officer=principal_of(request),
            account_id=path_id(request, "account_id"),
            roles=texts(form, "roles"),
            reason=text(form, "reason"),
        )
    except XinyiError as exc:
        return await _staff_page(request, status=exc.status, error=exc)
    return redirect("/office/staff")


async def disable(request: Request) -> Response:
    form = await request.form()
    try:
        await staffchanges.disable_staff(
            officer=principal_of(request),
            account_id=path_id(request, "account_id"),
            reason=text(form, "reason"),
        )
    except XinyiError as exc:
        return await _staff_page(request, status=exc.status, error=exc)
    return redirect("/office/staff")


async def decide_change(request: Request) -> Response:
    form = await request.form()
    try:
        await staffchanges.decide_change(
            officer=principal_of(request),
            change_id=path_id(request, "change_id"),
            approve=decision(form),
        )
    except XinyiError as exc:
        return await _staff_page(request, status=exc.status, error=exc)
    return redirect("/office/staff")


MANAGE = requires(Permission.STAFF_MANAGE)
routes = [
    page("/office/staff", staff_page, name="office_staff", methods=("GET", "POST"), access=MANAGE),
    page("/office/staff/{account_id:int}/approve", approve, name="office_staff_approve",
         methods=("POST",), access=MANAGE),
    page("/office/staff/{account_id:int}/reject", reject, name="office_staff_reject",
         methods=("POST",), access=MANAGE),
    page("/office/staff/{account_id:int}/new-code", new_code, name="office_staff_new_code",
         methods=("POST",), access=MANAGE),
    page("/office/staff/{account_id:int}/roles", change_roles, name="office_staff_roles",
         methods=("POST",), access=MANAGE),
    page("/office/staff/{account_id:int}/disable", disable, name="office_staff_disable",
         methods=("POST",), access=MANAGE),
    page("/office/staff-changes/{change_id:int}", decide_change, name="office_staff_change",
         methods=("POST",), access=MANAGE),
]  # fmt: skip

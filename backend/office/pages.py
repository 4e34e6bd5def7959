"""Staff console pages: sign-in, the console's home, counter enrolment codes, the audit trail
and signing out (staff accounts are `staff_pages.py`), and the frame the credit office's pages render in. HTTP
only: parse the form, call one use case, render."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..audit import checkpoints as audit_checkpoints
from ..audit import service as audit_service
from ..auth import sessions, signin
from ..core.context import ctx
from ..core.errors import XinyiError
from ..core.forms import redirect, text
from ..core.permissions import Permission
from ..core.routing import PUBLIC, page, principal_of, requires
from ..core.templating import render
from ..residents import register
from . import present, service


def office_page(
    request: Request, template: str, context: dict[str, Any], status: int = 200
) -> Response:
    """A credit-office page: its templates format with `present` and check permissions."""
    return render(
        request, template, {"Permission": Permission, "fmt": present, **context}, status=status
    )


async def login_page(request: Request) -> Response:
    # Without JavaScript the code form posts here: the passkey ceremony needs the browser's
    # WebAuthn API, so say so instead of putting the code in a URL.
    return render(request, "office/login.html", {"needs_js": request.method == "POST"})


async def home(request: Request) -> Response:
    return render(request, "office/home.html", {"Permission": Permission})


async def enrolment_code_page(request: Request) -> Response:
    context: dict[str, object] = {"issued": None, "error": None, "form": {}}
    status = 200
    if request.method == "POST":
        form = await request.form()
        context["form"] = {k: text(form, k) for k in ("name", "purpose", "counter")}
        try:
            issued = await service.issue_enrolment_code(
                officer=principal_of(request),
                cipher=ctx(request).cipher,
                name=text(form, "name", 64),
                id_number=text(form, "id_number", 32),
                purpose=text(form, "purpose"),
                id_card_checked=form.get("id_card_checked") == "yes",
                counter=text(form, "counter", 120),
            )
            context["issued"] = {
                "code": issued.code,
                "expires_at": issued.row.expires_at,
                "masked": register.shown_id(issued.person),
            }
        except XinyiError as exc:
            context["error"] = exc
            status = exc.status
    return render(request, "office/enrolment_code.html", context, status=status)


async def audit_page(request: Request) -> Response:
    entries = await audit_service.list_entries(limit=100)
    report = await audit_service.verify_chain()
    pin = audit_checkpoints.for_auditors()  # the latest signed checkpoint, to pin
    # Who reads the trail is itself on the trail: an auditor's reading is not invisible.
    await audit_service.record(
        action="audit.read",
        actor=principal_of(request),
        details={"shown": len(entries), "verified": report.entries, "chain_ok": report.ok},
    )
    return render(
        request,
        "office/audit.html",
        {"entries": entries, "report": report, "pin": pin, "pin_json": _line(pin)},
    )


def _line(pin: dict[str, Any]) -> str:
    """The checkpoint exactly as the server's file holds it: what an auditor saves."""
    if not pin["checkpoint"]:
        return ""
    return json.dumps(pin["checkpoint"], sort_keys=True, separators=(",", ":"))


async def logout(request: Request) -> Response:
    await signin.logout(principal=principal_of(request))
    response = redirect("/office/login")
    response.delete_cookie(sessions.COOKIE)
    response.delete_cookie(sessions.CSRF_COOKIE)
    return response


routes = [
    page("/office/login", login_page, name="office_login", access=PUBLIC, methods=("GET", "POST")),
    page("/office", home, name="office_home", access=requires(Permission.STAFF_CONSOLE)),
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
]

"""Server-rendered family help pages: a helper prints the paper pass of the person they help,
and a counter officer sets up family help in person (after checking the resident's ID card)
for someone without a phone. HTTP only."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ..consent.service import ensure_consent
from ..core.context import ctx
from ..core.errors import XinyiError
from ..core.forms import text
from ..core.http import path_int
from ..core.i18n import translate
from ..core.keys import KeyRing
from ..core.permissions import Permission
from ..core.routing import page, principal_of, requires
from ..core.templating import render, request_locale
from ..passes import present
from ..passes import service as passes
from . import service


async def helper_paper_pass(request: Request) -> Response:
    """GET explains; POST prints the resident's 30-day paper pass (logged for both)."""
    person_id = path_int(request, "person_id")
    acting = await service.acting_for(principal=principal_of(request), person_id=person_id)
    if request.method != "POST":
        return render(request, "family/paper_intro.html", {"person_id": person_id})
    await ensure_consent(person_id)
    keyring: KeyRing = request.app.state.keyring
    paper = await passes.print_paper_pass(principal=acting.principal, keyring=keyring)
    await service.log_action(acting, "paper_pass")
    label = translate(request_locale(request), "paper.qr_label")
    return render(request, "partners/paper_pass.html", {
        "fmt": present, "row": paper.row, "text": paper.text,
        "qr": present.qr_svg(paper.text, label=label), "masked_name": paper.masked_name,
    })  # fmt: skip


async def counter_setup(request: Request) -> Response:
    """The officer types both ID cards' names and numbers; the helper then accepts in the app."""
    done, error, status = None, None, 200
    if request.method == "POST":
        form = await request.form()
        try:
            grant = await service.invite_at_counter(
                officer=principal_of(request), cipher=ctx(request).cipher,
                resident_name=text(form, "resident_name", 64),
                resident_id_number=text(form, "resident_id_number", 24),
                helper_name=text(form, "helper_name", 64),
                helper_id_number=text(form, "helper_id_number", 24),
                relation=service.check_relation(text(form, "relation", 16) or "family"),
            )  # fmt: skip
            done = grant.id
        except XinyiError as exc:
            error, status = str(exc.extra.get("reason") or exc.code), exc.status
    return render(request, "family/counter.html",
                  {"done": done, "error": error, "Permission": Permission, "current": "helpers",
                   "relations": service.RELATIONS}, status=status)  # fmt: skip


routes = [
    page("/passes/paper/for/{person_id}", helper_paper_pass, name="helper_paper_pass",
         methods=("GET", "POST"), access=requires(Permission.RESIDENT_SELF)),
    page("/office/helpers", counter_setup, name="helper_counter_setup", methods=("GET", "POST"),
         access=requires(Permission.CASES_FILE)),
]  # fmt: skip

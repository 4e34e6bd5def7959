"""The paper pass page (纸质通行证): a resident, often for a parent without a smartphone,
prints a 7-day pass whose QR the counter scans with an ID-card check (at most two at once,
each listed and removable under "My devices")."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ..core.errors import Conflict
from ..core.i18n import translate
from ..core.permissions import Permission
from ..core.routing import page, principal_of, requires
from ..core.templating import render, request_locale
from . import present, service
from .routes import keyring_of


async def paper_page(request: Request) -> Response:
    """GET explains; POST issues a 7-day paper certificate and shows it ready to print.
    Issuing is a POST so that a prefetch or a reload of a link never mints passes."""
    intro = {"fmt": present, "limit_count": service.PAPER_PASS_LIMIT}
    if request.method != "POST":
        return render(request, "partners/paper_intro.html", intro)
    try:
        paper = await service.print_paper_pass(
            principal=principal_of(request), keyring=keyring_of(request)
        )
    except Conflict:  # two valid paper passes already: remove one under "My devices"
        limited = intro | {"limit": service.PAPER_PASS_LIMIT}
        return render(request, "partners/paper_intro.html", limited, status=409)
    label = translate(request_locale(request), "paper.qr_label")
    return render(
        request,
        "partners/paper_pass.html",
        {
            "fmt": present,
            "row": paper.row,
            "text": paper.text,
            "qr": present.qr_svg(paper.text, label=label),
            "masked_name": paper.masked_name,
            "birth_year": paper.birth_year,
            "id_check": paper.id_check.text(request_locale(request)),
        },
    )


routes = [
    page("/passes/paper", paper_page, name="paper_pass", methods=("GET", "POST"),
         access=requires(Permission.PASS_SELF)),
]  # fmt: skip

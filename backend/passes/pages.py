"""The paper pass page (纸质通行证): a resident, often for a parent without a smartphone,
prints a 30-day pass whose QR the counter scans with an ID-card check."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ..core.i18n import translate
from ..core.permissions import Permission
from ..core.routing import page, principal_of, requires
from ..core.templating import render, request_locale
from . import present, service
from .routes import keyring_of


async def paper_page(request: Request) -> Response:
    """GET explains; POST issues a 30-day paper certificate and shows it ready to print.
    Issuing is a POST so that a prefetch or a reload of a link never mints passes."""
    if request.method != "POST":
        return render(request, "partners/paper_intro.html", {"fmt": present})
    paper = await service.print_paper_pass(
        principal=principal_of(request), keyring=keyring_of(request)
    )
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
        },
    )


routes = [
    page("/passes/paper", paper_page, name="paper_pass", methods=("GET", "POST"),
         access=requires(Permission.PASS_SELF)),
]  # fmt: skip

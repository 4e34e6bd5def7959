"""Server-rendered rights pages (no JavaScript needed): the public report check that the QR
on a credit report leads to, and the credit office's queue of misuse reports and review
requests with the answer form."""

from __future__ import annotations

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from ..core.errors import XinyiError, invalid
from ..core.forms import path_id, redirect, text
from ..core.http import path_str
from ..core.permissions import Permission
from ..core.routing import PUBLIC, page, principal_of, requires
from ..core.templating import render
from . import cases, reports
from .routes import keyring_of, throttle_checks


async def check_page(request: Request) -> Response:
    """GET checks the code; POST also compares the uploaded file with the one issued."""
    code = path_str(request, "code", max_length=16)
    throttle_checks(request)
    pdf = None
    if request.method == "POST":
        form = await request.form(max_files=1, max_fields=4, max_part_size=reports.MAX_PDF_BYTES)
        try:
            upload = form.get("file")
            if isinstance(upload, UploadFile):
                pdf = await upload.read(reports.MAX_PDF_BYTES + 1)
        finally:
            await form.close()
        if pdf is not None and len(pdf) > reports.MAX_PDF_BYTES:
            pdf = b""  # too large to be the file issued: it cannot match
    check = await reports.verify(code=code, pdf=pdf, keyring=keyring_of(request))
    return render(request, "rights/check.html", {"view": reports.public_view(check), "code": code})


async def office_queue(request: Request, error: str | None = None, status: int = 200) -> Response:
    rows = [cases.describe(c) for c in await cases.queue(open_only=True)]
    done = request.query_params.get("done", "") == "answered"
    return render(request, "rights/office.html",
                  {"rows": rows, "error": error, "done": done, "Permission": Permission,
                   "current": "rights"}, status=status)  # fmt: skip


async def office_answer(request: Request) -> Response:
    form = await request.form()
    answer = text(form, "answer", limit=2000)
    try:
        if len(answer) < 2:
            raise invalid("answer", "write the answer for the resident", "missing")
        await cases.answer(officer=principal_of(request), case_id=path_id(request, "case_id"),
                           answer_text=answer)  # fmt: skip
    except XinyiError as exc:
        return await office_queue(request, error=str(exc.extra.get("reason") or exc.code),
                                  status=exc.status)  # fmt: skip
    return redirect("/office/rights?done=answered")


OVERSEE = requires(Permission.CASES_OVERSEE)
routes = [
    page("/reports/{code}", check_page, name="report_check", methods=("GET", "POST"),
         access=PUBLIC),
    page("/office/rights", office_queue, name="rights_queue", access=OVERSEE),
    page("/office/rights/{case_id:int}/answer", office_answer, name="rights_answer",
         methods=("POST",), access=OVERSEE),
]  # fmt: skip

"""Counter-assisted filing pages (no JavaScript needed): the officer identifies the resident
after the ID-card check, files a repair request (commitment on paper) or an objection with
evidence, and prints the receipt with the case number. HTTP only: parse the form, call one use
case, render; a refused filing shows the resident's page again with its named reason."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import Response

from ..core.context import ctx
from ..core.errors import XinyiError
from ..core.forms import path_id, positive, redirect, text
from ..core.permissions import Permission
from ..core.routing import page, principal_of, requires
from ..core.templating import render
from ..credit.catalog import load_catalog
from ..evidence.service import MAX_BYTES, MAX_FILES, Upload
from . import counter
from .present import problem_key, problem_of


def _page(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Response:
    return render(
        request,
        template,
        {"Permission": Permission, "departments": load_catalog().departments,
         "current": "counter_filing", "problem": problem_key, **context},
        status=status,
    )  # fmt: skip


async def _filing_form(request: Request) -> tuple[FormData, list[Upload]]:
    """The text fields and the chosen evidence files (a file input left empty sends a nameless
    empty part); the spooled files are closed once read."""
    form = await request.form(max_files=MAX_FILES + 1, max_fields=32)
    try:
        files = [f for f in form.getlist("evidence")
                 if isinstance(f, UploadFile) and (f.filename or f.size)]  # fmt: skip
        uploads = [
            # evidence.check refuses anything longer than MAX_BYTES
            Upload(f.filename or "evidence", await f.read(MAX_BYTES + 1))
            for f in files[: MAX_FILES + 1]
        ]
    finally:
        await form.close()
    return form, uploads


async def _desk(request: Request, ticket: str, problem: str, status: int) -> Response:
    """The resident's page again after a refused filing; the identify form if the visit ended."""
    try:
        visit = await counter.resume(
            officer=principal_of(request), secret=ctx(request).settings.secret_key, ticket=ticket
        )
    except XinyiError as exc:
        return _page(request, "cases/counter.html",
                     {"visit": None, "error": problem_of(exc), "form": {}}, exc.status)  # fmt: skip
    return _page(request, "cases/counter.html",
                 {"visit": visit, "error": problem, "form": {}}, status)  # fmt: skip


async def filing_page(request: Request) -> Response:
    """GET: the identify form. POST: the resident identified (a logged look)."""
    context: dict[str, Any] = {"visit": None, "error": None, "form": {}}
    status = 200
    if request.method == "POST":
        form = await request.form()
        context["form"] = {"name": text(form, "name", 64)}
        try:
            context["visit"] = await counter.identify(
                officer=principal_of(request), cipher=ctx(request).cipher,
                secret=ctx(request).settings.secret_key, name=text(form, "name", 64),
                id_number=text(form, "id_number", 32),
                id_card_checked=form.get("id_card_checked") == "yes",
            )  # fmt: skip
        except XinyiError as exc:
            context["error"], status = problem_of(exc), exc.status
    return _page(request, "cases/counter.html", context, status)


async def file_repair(request: Request) -> Response:
    form, uploads = await _filing_form(request)
    ticket = text(form, "ticket", 200)
    try:
        created = await counter.file_repair(
            officer=principal_of(request), deadlines=ctx(request).deadlines,
            secret=ctx(request).settings.secret_key, ticket=ticket,
            record_id=positive(text(form, "record_id", 20)),
            statement=text(form, "statement", 2000), uploads=uploads,
            paper_commitment=form.get("paper_commitment") == "yes",
        )  # fmt: skip
    except XinyiError as exc:
        return await _desk(request, ticket, problem_of(exc), exc.status)
    return redirect(f"/office/cases/file/repairs/{created.id}")


async def file_objection(request: Request) -> Response:
    form, uploads = await _filing_form(request)
    ticket = text(form, "ticket", 200)
    try:
        created = await counter.file_objection(
            officer=principal_of(request), deadlines=ctx(request).deadlines,
            secret=ctx(request).settings.secret_key, ticket=ticket,
            target=text(form, "target", 40), reason=text(form, "reason", 2000),
            uploads=uploads,
        )  # fmt: skip
    except XinyiError as exc:
        return await _desk(request, ticket, problem_of(exc), exc.status)
    return redirect(f"/office/cases/file/objections/{created.id}")


async def commitment_page(request: Request) -> Response:
    """The repair commitment to print, for the resident to sign on paper."""
    return _page(request, "cases/paper_commitment.html", {"text": counter.paper_commitment()})


def _receipt(request: Request, found: dict[str, Any]) -> Response:
    lookup_url = str(request.url_for("case_lookup"))
    return _page(request, "cases/receipt.html", {"case": found, "lookup_url": lookup_url})


async def repair_receipt(request: Request) -> Response:
    found = await counter.receipt(
        officer=principal_of(request), kind="repair", case_id=path_id(request, "case_id")
    )
    return _receipt(request, found)


async def objection_receipt(request: Request) -> Response:
    found = await counter.receipt(
        officer=principal_of(request), kind="objection", case_id=path_id(request, "case_id")
    )
    return _receipt(request, found)


FILE = requires(Permission.CASES_FILE)
routes = [
    page("/office/cases/file", filing_page, name="counter_filing", methods=("GET", "POST"),
         access=FILE),
    page("/office/cases/file/repair", file_repair, name="counter_file_repair", methods=("POST",),
         access=FILE),
    page("/office/cases/file/objection", file_objection, name="counter_file_objection",
         methods=("POST",), access=FILE),
    page("/office/cases/file/commitment", commitment_page, name="counter_paper_commitment",
         access=FILE),
    page("/office/cases/file/repairs/{case_id:int}", repair_receipt, name="counter_repair_receipt",
         access=FILE),
    page("/office/cases/file/objections/{case_id:int}", objection_receipt,
         name="counter_objection_receipt", access=FILE),
]  # fmt: skip

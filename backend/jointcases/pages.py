"""The joint-case pages: a department reports a case and sees its own (/department/joint-cases);
the credit office counts them by list, measure, department and month, with the export links
(/office/joint-cases). HTTP only: the form is read into the API's schema, one use case runs."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response

from ..core import clock
from ..core.context import ctx
from ..core.errors import ValidationFailed, XinyiError
from ..core.forms import redirect, text
from ..core.http import pydantic_errors, query_of
from ..core.permissions import Permission
from ..core.routing import page, principal_of, requires
from ..credit.catalog import department_for, load_catalog
from ..office.pages import office_page
from . import measures, office, schemas, service, views

FIELDS = ("external_id", "id_number", "case_reference", "list", "measure", "date", "summary")


def _report(form: dict[str, str]) -> service.Report:
    values = {k: v for k, v in form.items() if v != ""}
    try:
        body = schemas.ReportJointCase.model_validate(values)
    except ValidationError as exc:
        raise ValidationFailed("the form has invalid fields", errors=pydantic_errors(exc)) from None
    return service.Report(
        external_id=body.external_id, list_kind=body.list, measure=body.measure,
        occurred_on=body.date, summary=body.summary, id_number=body.id_number,
        case_reference=body.case_reference,
    )  # fmt: skip


async def department_page(request: Request) -> Response:
    actor = principal_of(request)
    form: dict[str, str] = {}
    error: XinyiError | None = None
    if request.method == "POST":
        raw = await request.form()
        form = {k: text(raw, k, 500 if k == "summary" else 64) for k in FIELDS}
        try:
            _, created = await service.report_case(
                actor=actor, cipher=ctx(request).cipher, report=_report(form),
                unknown_budget=ctx(request).settings.register_unknown_budget,
            )  # fmt: skip
            return redirect(f"/department/joint-cases?done={'reported' if created else 'same'}")
        except XinyiError as exc:
            error = exc
    query = query_of(request, schemas.MineQuery)
    rows, total = await service.department_cases(actor=actor, offset=query.offset)
    done = request.query_params.get("done", "")
    return office_page(
        request,
        "jointcases/department.html",
        {
            "department": department_for(actor),
            "departments": load_catalog().departments,
            "measures": measures.MEASURES,
            "lists": measures.LISTS,
            "form": form,
            "error": error,
            "reason": service.reason_of(error) if error else "",
            "problems": sorted({str(e.get("field", "")) for e in error.errors}) if error else [],
            "done": done if done in ("reported", "same") else "",
            "rows": await views.describe_all(rows),
            "total": total,
            "today": clock.today(),
        },
        status=error.status if error else 200,
    )


async def office_joint_cases_page(request: Request) -> Response:
    query = query_of(request, schemas.JointCaseQuery)
    filters = service.filters_of(
        list_kind=query.list or "", measure=query.measure or "",
        organisation=query.organisation or "", month=query.month or "",
    )  # fmt: skip
    summary = await office.summary(filters=filters, offset=query.offset)
    codes = {c.organisation for c in summary.counts}
    by_list: dict[str, int] = {}
    for c in summary.counts:
        by_list[c.list_kind] = by_list.get(c.list_kind, 0) + c.cases
    params = {k: v for k, v in {"list": query.list, "measure": query.measure,
              "organisation": query.organisation, "month": query.month}.items() if v}  # fmt: skip
    all_codes = codes | ({filters.organisation} if filters.organisation else set())
    context: dict[str, Any] = {
        "counts": summary.counts,
        "total": summary.total,
        "by_list": by_list,
        "items": await views.describe_all(summary.items),
        "names": await office.organisation_names(all_codes | set(load_catalog().departments)),
        "departments": load_catalog().departments,
        "measures": measures.MEASURES,
        "lists": measures.LISTS,
        "filters": params,
        "query": urlencode(params),
    }
    return office_page(request, "jointcases/office.html", context)


routes = [
    page("/department/joint-cases", department_page, name="department_joint_cases",
         methods=("GET", "POST"), access=requires(Permission.JOINT_CASES_REPORT)),
    page("/office/joint-cases", office_joint_cases_page, name="office_joint_cases",
         access=requires(Permission.DASHBOARD)),
]  # fmt: skip

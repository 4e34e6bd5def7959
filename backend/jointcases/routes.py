"""HTTP for joint cases: a department reports one and lists its own; the office counts, lists
and exports them (CSV or XLSX). HTTP only."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from ..core.context import ctx
from ..core.http import json_ok, parse_json, query_of
from ..core.permissions import Permission
from ..core.routing import api, principal_of, requires
from ..core.templating import request_locale
from . import export, office, schemas, service, views

REPORT = requires(Permission.JOINT_CASES_REPORT)
OFFICE = requires(Permission.DASHBOARD)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def report_joint_case(request: Request) -> Response:
    body = await parse_json(request, schemas.ReportJointCase)
    case, created = await service.report_case(
        actor=principal_of(request),
        cipher=ctx(request).cipher,
        report=service.Report(
            external_id=body.external_id,
            list_kind=body.list,
            measure=body.measure,
            occurred_on=body.date,
            summary=body.summary,
            id_number=body.id_number,
            case_reference=body.case_reference,
        ),
        unknown_budget=ctx(request).settings.register_unknown_budget,
    )
    described = (await views.describe_all([case]))[0]
    return json_ok({**described, "created": created})


async def list_my_joint_cases(request: Request) -> Response:
    query = query_of(request, schemas.MineQuery)
    rows, total = await service.department_cases(actor=principal_of(request), offset=query.offset)
    return json_ok({"items": await views.describe_all(rows), "total": total})


def _filters(query: schemas.JointCaseQuery) -> service.Filters:
    return service.filters_of(
        list_kind=query.list or "",
        measure=query.measure or "",
        organisation=query.organisation or "",
        month=query.month or "",
    )


async def list_joint_cases(request: Request) -> Response:
    query = query_of(request, schemas.JointCaseQuery)
    summary = await office.summary(filters=_filters(query), offset=query.offset)
    return json_ok(
        {
            "counts": [
                {"list": c.list_kind, "measure": c.measure, "organisation": c.organisation,
                 "month": c.month, "cases": c.cases}
                for c in summary.counts
            ],
            "total": summary.total,
            "items": await views.describe_all(summary.items),
        }
    )  # fmt: skip


async def export_joint_cases(request: Request) -> Response:
    query = query_of(request, schemas.ExportQuery)
    filters = _filters(query)
    locale = request_locale(request)
    await office.exported(officer=principal_of(request), filters=filters, form=query.format)
    if query.format == "xlsx":
        path = await export.xlsx_file(filters=filters, locale=locale)
        return StreamingResponse(
            export.read_and_delete(path),
            media_type=XLSX,
            headers={"content-disposition": 'attachment; filename="joint-cases.xlsx"',
                     "cache-control": "no-store"},
        )  # fmt: skip
    return StreamingResponse(
        export.csv_chunks(filters=filters, locale=locale),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="joint-cases.csv"',
                 "cache-control": "no-store"},
    )  # fmt: skip


routes = [
    api("POST", "/api/v1/joint-cases", report_joint_case, operation_id="reportJointCase",
        summary="Report a joint incentive or punishment case (向市信用办反馈报送); idempotent "
        "on external_id", tag="departments", access=REPORT, body=schemas.ReportJointCase,
        response=schemas.ReportedJointCase),
    api("GET", "/api/v1/joint-cases", list_my_joint_cases, operation_id="listMyJointCases",
        summary="The joint cases this department reported, newest first", tag="departments",
        access=REPORT, query=schemas.MineQuery, response=schemas.JointCasePage),
    api("GET", "/api/v1/office/joint-cases", list_joint_cases, operation_id="listJointCases",
        summary="Joint cases counted by list, measure, department or partner and month, "
        "with the matching cases", tag="office", access=OFFICE, query=schemas.JointCaseQuery,
        response=schemas.JointCaseSummary),
    api("GET", "/api/v1/office/joint-cases/export", export_joint_cases,
        operation_id="exportJointCases",
        summary="The matching joint cases as CSV or XLSX for the provincial platform "
        "(ID numbers masked)", tag="office", access=OFFICE, query=schemas.ExportQuery),
]  # fmt: skip

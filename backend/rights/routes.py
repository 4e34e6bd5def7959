"""HTTP for residents' rights: download my data, credit reports (and their public check),
consent, closing the account, misuse reports, human reviews, the privacy notice and help."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from ..auth import sessions
from ..core import clock
from ..core.context import client_key, ctx
from ..core.errors import invalid
from ..core.http import json_ok, media_type, parse_json, path_int, path_str, read_body
from ..core.keys import KeyRing
from ..core.permissions import Permission
from ..core.ratelimit import RateLimiter
from ..core.routing import PUBLIC, api, principal_of, requires
from ..core.templating import request_locale
from . import cases, closure, confirm, consent, export, reports, schemas
from .models import CreditReport
from .notice import help_contacts, privacy_notice


def keyring_of(request: Request) -> KeyRing:
    ring: KeyRing = request.app.state.keyring
    return ring


CHECKS_PER_SECOND, CHECK_BURST = 0.5, 30  # per client address: a person checks a few reports


def throttle_checks(request: Request) -> None:
    """Public report checks, throttled per client (each check writes a look in its owner's
    log: a flood would bury the real ones). Per process, like the API-key limiter."""
    limiter = getattr(request.app.state, "report_check_limiter", None)
    if limiter is None:
        limiter = request.app.state.report_check_limiter = RateLimiter(
            CHECKS_PER_SECOND, CHECK_BURST
        )
    limiter.take(f"report-check:{client_key(request)}")


def origin_of(request: Request) -> str:
    return ctx(request).settings.origins[0]


async def start_confirmation(request: Request) -> Response:
    body = await parse_json(request, schemas.StartConfirmation)
    options = await confirm.start(
        principal=principal_of(request), rp=ctx(request).rp, step=body.step
    )
    return json_ok({"publicKey": options})


async def export_my_data(request: Request) -> Response:
    body = await parse_json(request, schemas.Confirmed)
    principal = principal_of(request)
    await confirm.confirmed(principal=principal, rp=ctx(request).rp, credential=body.credential,
                            step=confirm.Step.EXPORT)  # fmt: skip
    chunks = await export.archive(principal=principal, cipher=ctx(request).cipher)
    name = f"xinyi-my-data-{clock.today():%Y%m%d}.json"
    return StreamingResponse(chunks, media_type="application/json",
                             headers={"Content-Disposition": f'attachment; filename="{name}"',
                                      "Cache-Control": "no-store"})  # fmt: skip


def _pdf_response(report: CreditReport, pdf: bytes) -> Response:
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="credit-report-{report.code}.pdf"',
        "X-Report-Code": report.code, "Cache-Control": "no-store",
    })  # fmt: skip


async def create_report(request: Request) -> Response:
    """JSON (the report's code, state and hashes); the file itself is getMyCreditReportPdf."""
    body = await parse_json(request, schemas.NewReport)
    context = ctx(request)
    made = await reports.create(
        principal=principal_of(request), cipher=context.cipher, keyring=keyring_of(request),
        origin=origin_of(request), locale=body.locale,
        days=context.settings.credit_report_days, issuer=context.city.credit_office[body.locale],
    )  # fmt: skip
    shown = reports.describe(made.report, clock.now())
    return json_ok(shown | {"pdf_url": f"/api/v1/me/credit-reports/{made.report.code}/pdf"}, 201)


async def list_reports(request: Request) -> Response:
    now = clock.now()
    rows = await reports.mine(principal=principal_of(request))
    return json_ok({"items": [reports.describe(r, now) for r in rows]})


async def report_pdf(request: Request) -> Response:
    report, pdf = await reports.my_pdf(principal=principal_of(request),
                                       code=path_str(request, "code", max_length=16),
                                       origin=origin_of(request))  # fmt: skip
    return _pdf_response(report, pdf)


async def revoke_report(request: Request) -> Response:
    report = await reports.revoke(principal=principal_of(request),
                                  code=path_str(request, "code", max_length=16))  # fmt: skip
    return json_ok(reports.describe(report, clock.now()))


async def verify_report(request: Request) -> Response:
    """The code alone, or the code and the PDF itself (application/pdf body) to compare."""
    code = path_str(request, "code", max_length=16)
    throttle_checks(request)
    pdf = None
    if request.method == "POST":
        if media_type(request) != "application/pdf":
            raise invalid("(body)", "send the report file as application/pdf", "type")
        pdf = await read_body(request, reports.MAX_PDF_BYTES)
    check = await reports.verify(code=code, pdf=pdf, keyring=keyring_of(request))
    return json_ok(reports.public_view(check))


async def get_consent(request: Request) -> Response:
    return json_ok(await consent.my_consent(principal=principal_of(request)))


async def set_consent(request: Request) -> Response:
    body = await parse_json(request, schemas.ConsentChoice)
    return json_ok(await consent.set_consent(principal=principal_of(request), given=body.given))


async def close_account(request: Request) -> Response:
    body = await parse_json(request, schemas.Confirmed)
    principal = principal_of(request)
    await confirm.confirmed(principal=principal, rp=ctx(request).rp, credential=body.credential,
                            step=confirm.Step.CLOSE)  # fmt: skip
    response = json_ok(await closure.close(principal=principal))
    for cookie in (sessions.COOKIE, sessions.CSRF_COOKIE):
        response.delete_cookie(cookie, path="/")
    return response


async def report_misuse(request: Request) -> Response:
    body = await parse_json(request, schemas.MisuseReport)
    case = await cases.report_misuse(principal=principal_of(request),
                                     entry_id=path_int(request, "entry_id"),
                                     statement=body.statement)  # fmt: skip
    return json_ok(cases.describe(case), status=201)


async def request_review(request: Request) -> Response:
    body = await parse_json(request, schemas.ReviewRequest)
    case = await cases.request_review(principal=principal_of(request), subject=body.subject,
                                      subject_id=body.subject_id, statement=body.statement)  # fmt: skip
    return json_ok(cases.describe(case), status=201)


async def list_cases(request: Request) -> Response:
    return json_ok(
        {"items": [cases.describe(c) for c in await cases.mine(principal=principal_of(request))]}
    )


async def get_privacy_notice(request: Request) -> Response:
    return json_ok(privacy_notice())


async def get_help(request: Request) -> Response:
    return json_ok(help_contacts(ctx(request).city) | {"locale": request_locale(request)})


P = Permission
MINE = requires(P.RESIDENT_SELF)
routes = [
    api("POST", "/api/v1/me/confirmations", start_confirmation,
        operation_id="startRightsConfirmation",
        summary="Passkey options to confirm downloading my data or closing my account",
        tag="rights", access=MINE, body=schemas.StartConfirmation),
    api("POST", "/api/v1/me/export", export_my_data, operation_id="exportMyData",
        summary="Download everything the city holds about me (JSON, streamed; a logged event)",
        tag="rights", access=MINE, body=schemas.Confirmed),
    api("POST", "/api/v1/me/credit-reports", create_report, operation_id="createCreditReport",
        summary="Make a signed credit report (zh-CN or English); its PDF: getMyCreditReportPdf", tag="rights",
        access=MINE, body=schemas.NewReport, status=201),
    api("GET", "/api/v1/me/credit-reports", list_reports, operation_id="listMyCreditReports",
        summary="My credit reports: current, expired or revoked, and how often checked",
        tag="rights", access=MINE),
    api("GET", "/api/v1/me/credit-reports/{code}/pdf", report_pdf,
        operation_id="getMyCreditReportPdf", summary="Download one of my reports again",
        tag="rights", access=MINE),
    api("POST", "/api/v1/me/credit-reports/{code}/revoke", revoke_report,
        operation_id="revokeCreditReport", summary="Revoke a report: checks say revoked",
        tag="rights", access=MINE),
    api("GET", "/api/v1/credit-reports/{code}", verify_report, operation_id="verifyCreditReport",
        summary="Check a credit report by its code (public; a look in its owner's log)",
        tag="rights", access=PUBLIC),
    api("POST", "/api/v1/credit-reports/{code}", verify_report,
        operation_id="verifyCreditReportFile",
        summary="Check a credit report file (application/pdf) against what was issued",
        tag="rights", access=PUBLIC),
    api("GET", "/api/v1/me/consent", get_consent, operation_id="getMyConsent",
        summary="My consent to the score and the pass", tag="rights", access=MINE),
    api("PUT", "/api/v1/me/consent", set_consent, operation_id="setMyConsent",
        summary="Give or withdraw consent (withdrawing revokes passes; records are kept)",
        tag="rights", access=MINE, body=schemas.ConsentChoice),
    api("POST", "/api/v1/me/close", close_account, operation_id="closeMyAccount",
        summary="Close my account (passkey confirmation): what is removed, what is kept",
        tag="rights", access=MINE, body=schemas.Confirmed),
    api("POST", "/api/v1/me/access-log/{entry_id}/misuse", report_misuse,
        operation_id="reportMisuse", summary="This wasn't me: report a look at my data",
        tag="rights", access=MINE, body=schemas.MisuseReport, status=201),
    api("POST", "/api/v1/me/reviews", request_review, operation_id="requestHumanReview",
        summary="Ask a person to review my score or a rule-derived list entry (PIPL Art. 24)",
        tag="rights", access=MINE, body=schemas.ReviewRequest, status=201),
    api("GET", "/api/v1/me/rights-cases", list_cases, operation_id="listMyRightsCases",
        summary="My misuse reports and review requests with the office's answers",
        tag="rights", access=MINE),
    api("GET", "/api/v1/privacy-notice", get_privacy_notice, operation_id="getPrivacyNotice",
        summary="The privacy notice in force (versioned)", tag="rights", access=PUBLIC),
    api("GET", "/api/v1/help", get_help, operation_id="getHelp",
        summary="The credit office's service hall: address, phone, hours", tag="rights",
        access=PUBLIC),
]  # fmt: skip

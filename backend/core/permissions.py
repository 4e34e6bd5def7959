"""Who may do what: the one place that maps roles to permissions.

Every route declares either `PUBLIC` (and then must be on `PUBLIC_ALLOW_LIST`) or the
permission it needs; `backend.core.routing` enforces it and a test walks every route.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    RESIDENT = "resident"  # 居民
    OFFICER = "officer"  # 信用办工作人员
    AUDITOR = "auditor"  # 审计员
    DEPARTMENT = "department_submitter"  # 部门报送员
    PARTNER_ADMIN = "partner_admin"  # 合作机构管理员
    COUNTER = "counter_operator"  # 柜台操作员
    DEPARTMENT_SYSTEM = "department_system"  # 部门系统（接口令牌）
    PARTNER_SYSTEM = "partner_system"  # 合作机构系统（接口密钥）


STAFF_ROLES = (Role.OFFICER, Role.AUDITOR, Role.DEPARTMENT, Role.PARTNER_ADMIN, Role.COUNTER)


class Permission(StrEnum):
    SELF = "self"  # read and manage one's own account and data
    RESIDENT_SELF = "resident.self"  # resident-only views (who viewed my data)
    STAFF_CONSOLE = "staff.console"  # open the staff console
    STAFF_MANAGE = "staff.manage"  # create staff accounts, issue staff enrolment codes
    ENROLMENT_CODE_ISSUE = "enrolment_code.issue"  # in-person ID check → one-time code
    AUDIT_READ = "audit.read"  # read the audit trail and verify the chain
    SCORE_SELF = "score.self"  # my score, records and lists
    RECORDS_SUBMIT = "records.submit"  # submit, correct, withdraw a department's records
    PERSON_LOOKUP = "person.lookup"  # look a person up (audited, with a purpose)
    LISTS_MANAGE = "lists.manage"  # propose and decide manual list entries
    DASHBOARD = "dashboard.view"  # programme statistics
    TOKENS_MANAGE = "tokens.manage"  # create and revoke organisation API tokens
    PASS_SELF = "pass.self"  # my pass, devices, paper pass, offers and benefit history
    PASS_VERIFY = "passes.verify"  # check a scanned pass at a partner
    REDEMPTION_CREATE = "redemptions.create"  # record a benefit use
    REDEMPTION_REPORT = "redemptions.report"  # report a redemption's outcome
    OFFERS_READ = "offers.read"  # a partner's own offers and statistics
    PARTNER_MANAGE = "partner.manage"  # a partner's offers, operators and API keys
    PARTNERS_APPROVE = "partners.approve"  # approve partners and offers
    CASES_SELF = "cases.self"  # my repair requests, objections, commitments and notices
    CASES_DECIDE = "cases.decide"  # a department's repair and objection cases: accept, decide
    CASES_OVERSEE = "cases.oversee"  # every open case and its deadline; objection reviews
    CASES_FILE = "cases.file"  # file a repair or objection for a resident at a counter
    PROGRAMME_MANAGE = "programme.manage"  # nominate and approve honours, edit campaigns
    REGISTER_IMPORT = "register.import"  # the population database's changes (register feed)
    JOINT_CASES_REPORT = "jointcases.report"  # a department reports its joint cases (联合奖惩案例)


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.RESIDENT: frozenset(
        {
            Permission.SELF,
            Permission.RESIDENT_SELF,
            Permission.SCORE_SELF,
            Permission.PASS_SELF,
            Permission.CASES_SELF,
        }
    ),
    Role.OFFICER: frozenset(
        {
            Permission.SELF,
            Permission.STAFF_CONSOLE,
            Permission.STAFF_MANAGE,
            Permission.ENROLMENT_CODE_ISSUE,
            Permission.PERSON_LOOKUP,
            Permission.LISTS_MANAGE,
            Permission.DASHBOARD,
            Permission.TOKENS_MANAGE,
            Permission.PARTNERS_APPROVE,
            Permission.CASES_OVERSEE,
            Permission.CASES_FILE,
            Permission.PROGRAMME_MANAGE,
        }
    ),
    Role.AUDITOR: frozenset({Permission.SELF, Permission.STAFF_CONSOLE, Permission.AUDIT_READ}),
    Role.DEPARTMENT: frozenset(
        {
            Permission.SELF,
            Permission.STAFF_CONSOLE,
            Permission.CASES_DECIDE,
            Permission.JOINT_CASES_REPORT,
        }
    ),
    Role.PARTNER_ADMIN: frozenset(
        {
            Permission.SELF,
            Permission.STAFF_CONSOLE,
            Permission.PARTNER_MANAGE,
            Permission.PASS_VERIFY,
            Permission.REDEMPTION_CREATE,
            Permission.REDEMPTION_REPORT,
            Permission.OFFERS_READ,
        }
    ),
    Role.COUNTER: frozenset(
        {
            Permission.SELF,
            Permission.STAFF_CONSOLE,
            Permission.PASS_VERIFY,
            Permission.REDEMPTION_CREATE,
            Permission.OFFERS_READ,
        }
    ),
    Role.DEPARTMENT_SYSTEM: frozenset(
        {
            Permission.RECORDS_SUBMIT,
            Permission.CASES_DECIDE,
            Permission.JOINT_CASES_REPORT,
            # Only a token whose scopes name it (population.service.create_register_token).
            Permission.REGISTER_IMPORT,
        }
    ),
    Role.PARTNER_SYSTEM: frozenset(
        {
            Permission.PASS_VERIFY,
            Permission.REDEMPTION_CREATE,
            Permission.REDEMPTION_REPORT,
            Permission.OFFERS_READ,
        }
    ),
}


def permissions_for(roles: frozenset[Role] | set[Role] | list[Role]) -> frozenset[Permission]:
    granted: set[Permission] = set()
    for role in roles:
        granted |= ROLE_PERMISSIONS.get(role, frozenset())
    return frozenset(granted)


# Routes anyone may call without signing in. A test asserts this list matches the routes
# declared PUBLIC, and that every other route answers 401 to an anonymous caller.
PUBLIC_ALLOW_LIST: frozenset[str] = frozenset(
    {
        "/healthz",
        "/openapi.json",
        "/.well-known/jwks.json",
        "/api/v1/enrolment/start",
        "/api/v1/enrolment/finish",
        "/api/v1/login/start",
        "/api/v1/login/finish",
        "/",
        "/manifest.webmanifest",
        "/sw.js",
        "/counter-sw.js",  # the counter page's service worker (offline counters)
        "/app",  # static PWA assets (Mount)
        "/app/v/{build}",  # the same, versioned: kept a year (Mount)
        "/app/v/{build}/i18n/{locale}.json",  # a catalog of a build, kept a year
        "/docs/{name}",  # the partner guide (docs/partner-api.md) as a page
        "/i18n/{locale}.json",
        "/office/login",
        "/scoring",
        "/api/v1/scoring-rules",
        "/api/v1/partner-applications",
        "/partners/apply",  # the public partner application form
        "/api/v1/cases/lookup",  # a case by its number and the resident's name (throttled)
        "/cases/lookup",  # the same as a page, for family and residents without the app
        "/api/v1/credit-reports/{code}",  # check a credit report someone was given
        "/reports/{code}",  # the same as a page: where a report's QR leads
        "/api/v1/privacy-notice",
        "/api/v1/help",
        "/api/v1/honour-roll",  # the public honour roll (consented entries only)
        "/honours",
        "/api/v1/campaigns",  # the campaigns calendar and the measures in force
        "/campaigns",
        "/credit",  # the public credit portal
        "/api/v1/statistics",  # published statistics (small cells suppressed)
        "/statistics",
    }
)

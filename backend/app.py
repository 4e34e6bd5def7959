"""The application factory: assembled from declared routes, middleware and handlers."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import logging
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.routing import BaseRoute, Mount
from tortoise.contrib.starlette import RegisterTortoise

from .apitokens import routes as token_routes
from .audit import chain as audit_chain
from .audit import checkpoints as audit_checkpoints
from .audit import routes as audit_routes
from .audit import service as audit_service
from .auth import purge as auth_purge
from .auth import routes as auth_routes
from .auth import sessions
from .cases import counter_pages as case_counter_pages
from .cases import pages as case_pages
from .cases import routes as case_routes
from .cases import sweep as case_sweep
from .commitments import deferrals as commitment_deferrals
from .commitments import routes as commitment_routes
from .core import clock, events, templating, wal
from .core.bodylimit import BodyLimitMiddleware
from .core.city import City, load_city
from .core.context import AppContext, RelyingParty
from .core.crypto import IdCipher
from .core.deadlines import Deadlines
from .core.handlers import exception_handlers
from .core.keys import KeyRing
from .core.middleware import SecurityHeadersMiddleware, SessionMiddleware
from .core.openapi import build_openapi
from .core.periodic import Job, background
from .core.private import prepare_storage
from .core.ratelimit import SharedRateLimiter
from .core.routing import ExactPathRouter, operations
from .core.settings import Settings, load_settings
from .core.ttlcache import GENERATIONS
from .core.workdays import city_calendar
from .credit import expiry, list_routes
from .credit import routes as credit_routes
from .credit.catalog import department_codes, load_model
from .credit.handling import load_handling
from .db import tortoise_config
from .evidence import service as evidence_limits
from .family import pages as family_pages
from .family import routes as family_routes
from .jointcases import pages as joint_case_pages
from .jointcases import rollup as joint_case_rollup
from .jointcases import routes as joint_case_routes
from .keygroups import routes as keygroup_routes
from .notices import routes as notice_routes
from .objections import routes as objection_routes
from .office import partner_pages as office_partner_pages
from .office import routes as office_routes
from .partners import approval_routes as partner_approval_routes
from .partners import bundle_routes as partner_bundle_routes
from .partners import deferred_routes as partner_deferred_routes
from .partners import offboarding_pages as partner_offboarding_pages
from .partners import offline_routes as partner_offline_routes
from .partners import pages as partner_pages
from .partners import routes as partner_routes
from .partners.principals import token_principal
from .passes import pages as pass_pages
from .passes import routes as pass_routes
from .passes import service as passes_service
from .platform import routes as platform_routes
from .platform.shared import DatabaseGenerations, DatabaseLeases
from .platform.shell import RevalidatedFiles, VersionedFiles, asset
from .population import routes as population_routes
from .programme import pages as programme_pages
from .programme import routes as programme_routes
from .repairs import routes as repair_routes
from .residents import register
from .rights import pages as rights_pages
from .rights import routes as rights_routes

log = logging.getLogger("xinyi")
VERSION = "0.1.0"


def declared_routes() -> list[BaseRoute]:
    return [
        *platform_routes.routes,
        *auth_routes.routes,
        *audit_routes.routes,
        *credit_routes.routes,
        *token_routes.routes(departments=department_codes),
        *list_routes.routes,
        *pass_routes.routes,
        *pass_pages.routes,
        *partner_routes.routes,
        *partner_approval_routes.routes,
        *partner_bundle_routes.routes,
        *partner_deferred_routes.routes,
        *partner_offline_routes.routes,
        *partner_pages.routes,
        *partner_offboarding_pages.routes,
        *office_partner_pages.routes,
        *office_routes.routes,
        *notice_routes.routes,
        *commitment_routes.routes,
        *repair_routes.routes,
        *objection_routes.routes,
        *case_routes.routes,
        *case_pages.routes,
        *case_counter_pages.routes,
        *rights_routes.routes,
        *rights_pages.routes,
        *family_routes.routes,
        *family_pages.routes,
        *keygroup_routes.routes,
        *population_routes.routes,
        *joint_case_routes.routes,
        *joint_case_pages.routes,
        *programme_routes.routes,
        *programme_pages.routes,
        # Versioned shell files may be kept for a year; plain /app/ URLs are revalidated.
        Mount("/app/v/{build}", app=VersionedFiles(), name="app_versioned"),
        Mount("/app", app=RevalidatedFiles(), name="app"),
    ]


def wire(settings: Settings) -> None:
    """Process-wide set-up shared by the app and the command line: the city's clock, and what
    a lower layer announces connected to the higher layer that acts on it (a change of a
    person's standing revokes the passes that carry the old one)."""
    clock.set_zone(settings.time_zone)
    clock.reset()
    if settings.clock_shift_days:  # a drill (refused in production by Settings.check)
        clock.shift(dt.timedelta(days=settings.clock_shift_days))
    model = load_model()
    load_handling()  # the list handling hints: a bad file fails at start-up
    templating.add_globals(tier_name=model.tier_name, list_name=model.list_name, asset=asset)
    events.standing_changed.connect(passes_service.revoke_people)
    audit_chain.configure(keys_dir=settings.keys_dir, data_dir=settings.data_dir)
    prepare_storage(settings)  # owner-only DATA_DIR, keys and SQLite file
    register.use_cipher(IdCipher.from_settings(settings))  # masked forms come from it
    templating.add_globals(shown_id=register.shown_id)


def periodic_jobs() -> list[Job]:
    """Records that reach the end of their period; cases whose deadline passed; the signed
    checkpoint of the audit trail's head (at least every minute); expired challenges and
    throttle counters anonymous callers left behind."""
    return [
        Job("expiry", expiry.sweep, every_seconds=3600),
        Job("deadlines", case_sweep.sweep, every_seconds=600),
        Job("deferrals", commitment_deferrals.sweep, every_seconds=3600),  # 容缺受理 due dates
        Job("audit-checkpoint", audit_checkpoints.checkpoint_job, audit_checkpoints.EVERY_SECONDS),
        Job("purge-expired", auth_purge.purge_expired, every_seconds=auth_purge.EVERY_SECONDS),
        Job(
            "joint-cases", joint_case_rollup.roll_up, every_seconds=joint_case_rollup.EVERY_SECONDS
        ),
    ]


def deadlines_for(settings: Settings, city: City) -> Deadlines:
    """The due-process deadlines of this deployment: a bad calendar file fails at start-up."""
    return Deadlines(
        calendar=city_calendar(city),
        repair_decision_days=settings.repair_decision_days,
        repair_feedback_days=settings.repair_feedback_days,
        objection_answer_days=settings.objection_answer_days,
        objection_suspends_at_filing=settings.objection_suspends_at_filing,
    )


# The collector's young generation is collected every 700 allocations by default: under load
# a server allocates that in a fraction of a request, and each full collection walks every
# object the process holds (the modules, the catalogs, the keys). Once the app has started,
# what it holds is moved out of the collector's sight (gc.freeze) and the young generation is
# larger: 5% less CPU per verification and a shorter tail, measured (docs/benchmarks.md).
# Once per process (tests start many apps in one).
GC_THRESHOLDS = (20_000, 20, 50)
_GC_TUNED: list[bool] = []


def tune_gc() -> None:
    if _GC_TUNED:
        return
    _GC_TUNED.append(True)
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or load_settings()
    settings.check()
    wire(settings)
    routes = declared_routes()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        async with (
            RegisterTortoise(app, config=tortoise_config(settings)),
            wal.checkpoints_beside_writer() as checkpointer,
        ):
            app.state.wal_checkpointer = checkpointer
            await audit_service.ensure_head()
            async with background(settings.background_tasks, periodic_jobs()):
                tune_gc()
                yield {}

    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(SecurityHeadersMiddleware, hsts=settings.is_production),
            Middleware(GZipMiddleware, minimum_size=1024),
            Middleware(BodyLimitMiddleware, multipart_bytes=evidence_limits.UPLOAD_BYTES),
            Middleware(
                SessionMiddleware,
                secret_key=settings.secret_key,
                cookie_name=sessions.COOKIE,
                from_cookie=sessions.principal_from_cookie,
                from_token=token_principal,
            ),
        ],
        exception_handlers=exception_handlers,
        lifespan=lifespan,
    )
    # Exact paths (verifyPass among them) straight to their route, the ordered walk for the rest.
    app.router = ExactPathRouter(app.router.routes, lifespan=lifespan)
    city = load_city(settings.city_file)
    app.state.ctx = AppContext(
        settings=settings,
        cipher=IdCipher.from_settings(settings),
        rp=RelyingParty.from_settings(settings),
        city=city,
        deadlines=deadlines_for(settings, city),
    )
    app.state.max_json_bytes = settings.max_json_bytes
    # One bucket per key for all the app's processes, and access caches that hear of a
    # revocation in another process within GENERATIONS.every (docs/operations.md).
    app.state.api_key_limiter = SharedRateLimiter(
        rate=settings.api_key_rate, burst=settings.api_key_burst, store=DatabaseLeases()
    )
    GENERATIONS.use(DatabaseGenerations())
    app.state.openapi = build_openapi(operations(routes), title="Xinyi API", version=VERSION)
    app.state.keyring = KeyRing(settings.keys_dir)
    return app

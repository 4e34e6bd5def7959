"""HTTP for identity: parse, call one service function, answer."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..core.context import client_key, ctx, device_label
from ..core.http import json_ok, parse_json, path_int
from ..core.permissions import Permission
from ..core.routing import PUBLIC, SIGNED_IN, api, current_principal, principal_of, requires
from ..residents import register
from . import accounts, enrolment, passkeys, schemas, sessions, signin, staff, staffchanges


def _signed_in_response(request: Request, signed: sessions.SignedIn) -> JSONResponse:
    settings = ctx(request).settings
    response = json_ok(
        {
            "account_id": signed.account.id,
            "kind": signed.account.kind,
            "display_name": signed.account.display_name,
            "csrf_token": signed.session.csrf_token,
        }
    )
    max_age = settings.session_hours * 3600
    response.set_cookie(
        sessions.COOKIE,
        signed.session.cookie_value,
        max_age=max_age,
        httponly=True,
        secure=settings.cookie_secure,
        samesite="lax",
    )
    response.set_cookie(
        sessions.CSRF_COOKIE,
        signed.session.csrf_token,
        max_age=max_age,
        httponly=False,
        secure=settings.cookie_secure,
        samesite="strict",
    )
    return response


def _signed_out(response: Response) -> Response:
    response.delete_cookie(sessions.COOKIE)
    response.delete_cookie(sessions.CSRF_COOKIE)
    return response


async def start_enrolment(request: Request) -> Response:
    body = await parse_json(request, schemas.StartEnrolment)
    app = ctx(request)
    options = await enrolment.start_enrolment(
        rp=app.rp, cipher=app.cipher, client_key=client_key(request), **body.model_dump()
    )
    return json_ok(options)


async def finish_enrolment(request: Request) -> Response:
    body = await parse_json(request, schemas.FinishEnrolment)
    app = ctx(request)
    signed = await enrolment.finish_enrolment(
        rp=app.rp,
        credential=body.model_dump(exclude={"keep_passkeys"}),
        secret_key=app.settings.secret_key,
        session_hours=app.settings.session_hours,
        device_label=device_label(request),
        principal=current_principal(request),
        keep_passkeys=body.keep_passkeys,
    )
    return _signed_in_response(request, signed)


async def start_login(request: Request) -> Response:
    return json_ok(await signin.start_login(rp=ctx(request).rp))


async def finish_login(request: Request) -> Response:
    body = await parse_json(request, schemas.WebAuthnCredential)
    app = ctx(request)
    signed = await signin.finish_login(
        rp=app.rp,
        credential=body.model_dump(),
        secret_key=app.settings.secret_key,
        session_hours=app.settings.session_hours,
        device_label=device_label(request),
    )
    return _signed_in_response(request, signed)


async def logout(request: Request) -> Response:
    await signin.logout(principal=principal_of(request))
    return _signed_out(Response(status_code=204))


async def logout_everywhere(request: Request) -> Response:
    count = await signin.logout_everywhere(principal=principal_of(request))
    return _signed_out(json_ok({"revoked_sessions": count}))


async def get_me(request: Request) -> Response:
    return json_ok(
        await accounts.describe_me(principal=principal_of(request), cipher=ctx(request).cipher)
    )


async def update_preferences(request: Request) -> Response:
    body = await parse_json(request, schemas.Preferences)
    account = await accounts.update_preferences(
        principal=principal_of(request), locale=body.locale, elder_mode=body.elder_mode
    )
    return json_ok({"locale": account.locale, "elder_mode": account.elder_mode})


async def list_passkeys(request: Request) -> Response:
    rows = await passkeys.list_passkeys(principal=principal_of(request))
    return json_ok(
        {
            "items": [
                {
                    "id": p.id,
                    "nickname": p.nickname,
                    "created_at": p.created_at.isoformat(),
                    "last_used_at": p.last_used_at.isoformat() if p.last_used_at else None,
                    "backed_up": p.backed_up,
                }
                for p in rows
            ]
        }
    )


async def start_add_passkey(request: Request) -> Response:
    return json_ok(
        await passkeys.start_adding_passkey(rp=ctx(request).rp, principal=principal_of(request))
    )


async def finish_add_passkey(request: Request) -> Response:
    body = await parse_json(request, schemas.WebAuthnCredential)
    account, count = await passkeys.finish_adding_passkey(
        rp=ctx(request).rp,
        credential=body.model_dump(),
        device_label=device_label(request),
        principal=principal_of(request),
    )
    return json_ok({"account_id": account.id, "passkeys": count})


async def remove_passkey(request: Request) -> Response:
    await passkeys.remove_passkey(
        principal=principal_of(request), passkey_id=path_int(request, "passkey_id")
    )
    return Response(status_code=204)


async def rename_passkey(request: Request) -> Response:
    body = await parse_json(request, schemas.RenamePasskey)
    passkey_id = path_int(request, "passkey_id")
    passkey = await passkeys.rename_passkey(
        principal=principal_of(request), passkey_id=passkey_id, nickname=body.nickname
    )
    return json_ok({"id": passkey.id, "nickname": passkey.nickname})


async def new_recovery_codes(request: Request) -> Response:
    codes = await passkeys.new_recovery_codes(principal=principal_of(request))
    return json_ok({"codes": codes}, status=201)


async def issue_enrolment_code(request: Request) -> Response:
    body = await parse_json(request, schemas.IssueEnrolmentCode)
    code, row, person = await enrolment.issue_resident_code(
        officer=principal_of(request),
        cipher=ctx(request).cipher,
        name=body.name,
        id_number=body.id_number,
        purpose=body.purpose,
        id_card_checked=body.id_card_checked,
        counter=body.counter,
    )
    return json_ok(
        {
            "code": code,
            "expires_at": row.expires_at.isoformat(),
            "id_number_masked": register.shown_id(person),
        },
        status=201,
    )


async def create_staff(request: Request) -> Response:
    body = await parse_json(request, schemas.CreateStaff)
    account = await staff.propose_staff_account(
        officer=principal_of(request),
        display_name=body.display_name,
        roles=body.roles,
        organisation=body.organisation,
    )
    return json_ok(
        {
            "id": account.id,
            "display_name": account.display_name,
            "roles": account.roles.split(","),
            "status": str(account.status),
        },
        status=201,
    )


async def approve_staff(request: Request) -> Response:
    account, code = await staff.approve_staff_account(
        officer=principal_of(request), account_id=path_int(request, "account_id")
    )
    return json_ok(
        {"id": account.id, "status": str(account.status), "enrolment_code": code},
        headers={"Cache-Control": "no-store"},
    )


async def disable_staff(request: Request) -> Response:
    body = await parse_json(request, schemas.DisableStaff)
    step = await staffchanges.disable_staff(
        officer=principal_of(request),
        account_id=path_int(request, "account_id"),
        reason=body.reason,
    )
    return json_ok(
        {
            "id": step.account.id,
            "outcome": step.outcome.value,
            "change_id": step.change.id if step.change else None,
        }
    )


async def list_staff(request: Request) -> Response:
    rows = await staff.list_staff()
    return json_ok(
        {
            "items": [
                {
                    "id": a.id,
                    "display_name": a.display_name,
                    "organisation": a.organisation,
                    "roles": a.roles.split(","),
                    "status": str(a.status),
                    "created_at": a.created_at.isoformat(),
                }
                for a in rows
            ]
        }
    )


TAG = "identity"
routes = [
    api(
        "POST",
        "/api/v1/enrolment/start",
        start_enrolment,
        operation_id="startEnrolment",
        summary="Real-name match (or one-time/recovery code) → PublicKeyCredentialCreationOptionsJSON",
        tag=TAG,
        access=PUBLIC,
        body=schemas.StartEnrolment,
    ),
    api(
        "POST",
        "/api/v1/enrolment/finish",
        finish_enrolment,
        operation_id="finishEnrolment",
        summary="RegistrationResponseJSON → account, passkey and session",
        tag=TAG,
        access=PUBLIC,
        body=schemas.FinishEnrolment,
    ),
    api(
        "POST",
        "/api/v1/login/start",
        start_login,
        operation_id="startLogin",
        summary="PublicKeyCredentialRequestOptionsJSON for a discoverable passkey",
        tag=TAG,
        access=PUBLIC,
    ),
    api(
        "POST",
        "/api/v1/login/finish",
        finish_login,
        operation_id="finishLogin",
        summary="AuthenticationResponseJSON → session cookie",
        tag=TAG,
        access=PUBLIC,
        body=schemas.WebAuthnCredential,
    ),
    api(
        "POST",
        "/api/v1/logout",
        logout,
        operation_id="logout",
        summary="End this session",
        tag=TAG,
        access=SIGNED_IN,
        status=204,
    ),
    api(
        "POST",
        "/api/v1/me/sessions/revoke-all",
        logout_everywhere,
        operation_id="logoutEverywhere",
        summary="Sign out on every device",
        tag=TAG,
        access=SIGNED_IN,
    ),
    api(
        "GET",
        "/api/v1/me",
        get_me,
        operation_id="getMe",
        summary="The signed-in account",
        tag=TAG,
        access=SIGNED_IN,
        response=schemas.Me,
    ),
    api(
        "PATCH",
        "/api/v1/me/preferences",
        update_preferences,
        operation_id="updatePreferences",
        summary="Language and elder mode",
        tag=TAG,
        access=SIGNED_IN,
        body=schemas.Preferences,
    ),
    api(
        "GET",
        "/api/v1/me/passkeys",
        list_passkeys,
        operation_id="listMyPasskeys",
        summary="My passkeys",
        tag=TAG,
        access=SIGNED_IN,
    ),
    api(
        "POST",
        "/api/v1/me/passkeys/start",
        start_add_passkey,
        operation_id="startAddPasskey",
        summary="Options to register another passkey",
        tag=TAG,
        access=SIGNED_IN,
    ),
    api(
        "POST",
        "/api/v1/me/passkeys/finish",
        finish_add_passkey,
        operation_id="finishAddPasskey",
        summary="RegistrationResponseJSON → another passkey",
        tag=TAG,
        access=SIGNED_IN,
        body=schemas.WebAuthnCredential,
    ),
    api(
        "PATCH",
        "/api/v1/me/passkeys/{passkey_id}",
        rename_passkey,
        operation_id="renamePasskey",
        summary="Rename one of my passkeys",
        tag=TAG,
        access=SIGNED_IN,
        body=schemas.RenamePasskey,
    ),
    api(
        "DELETE",
        "/api/v1/me/passkeys/{passkey_id}",
        remove_passkey,
        operation_id="removePasskey",
        summary="Remove one of my passkeys (not the last)",
        tag=TAG,
        access=SIGNED_IN,
        status=204,
    ),
    api(
        "POST",
        "/api/v1/me/recovery-codes",
        new_recovery_codes,
        operation_id="createRecoveryCodes",
        summary="Replace my recovery codes (shown once)",
        tag=TAG,
        access=SIGNED_IN,
        status=201,
    ),
    api(
        "POST",
        "/api/v1/enrolment-codes",
        issue_enrolment_code,
        operation_id="issueEnrolmentCode",
        summary="After an in-person ID check, a one-time code (24 h) to register a passkey",
        tag="staff",
        access=requires(Permission.ENROLMENT_CODE_ISSUE),
        body=schemas.IssueEnrolmentCode,
        status=201,
    ),
    api(
        "POST",
        "/api/v1/staff",
        create_staff,
        operation_id="createStaffAccount",
        summary="Propose a staff account with roles; a second officer approves it",
        tag="staff",
        access=requires(Permission.STAFF_MANAGE),
        body=schemas.CreateStaff,
        status=201,
    ),
    api(
        "POST",
        "/api/v1/staff/{account_id}/approve",
        approve_staff,
        operation_id="approveStaffAccount",
        summary="A second, independent officer approves; returns the code to hand over (once)",
        tag="staff",
        access=requires(Permission.STAFF_MANAGE),
    ),
    api(
        "POST",
        "/api/v1/staff/{account_id}/disable",
        disable_staff,
        operation_id="disableStaffAccount",
        summary="Offboard a staff account (an officer or auditor: a four-eyes proposal)",
        tag="staff",
        access=requires(Permission.STAFF_MANAGE),
        body=schemas.DisableStaff,
    ),
    api(
        "GET",
        "/api/v1/staff",
        list_staff,
        operation_id="listStaffAccounts",
        summary="Staff accounts",
        tag="staff",
        access=requires(Permission.STAFF_MANAGE),
    ),
]

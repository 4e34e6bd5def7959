"""Pure ASGI middleware: who is calling (session cookie), and security headers (CSP etc.)."""

from __future__ import annotations

from http.cookies import SimpleCookie

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..auth import sessions
from .permissions import Role
from .principal import Principal

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; manifest-src 'self'; worker-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "permissions-policy": "camera=(self), microphone=(), geolocation=(), payment=()",
    "cross-origin-opener-policy": "same-origin",
}


class SessionMiddleware:
    """Loads the principal for the session cookie into `request.state.principal`."""

    def __init__(self, app: ASGIApp, secret_key: str) -> None:
        self.app = app
        self.secret_key = secret_key

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope.setdefault("state", {})
            scope["state"]["principal"] = None
            headers = dict(scope.get("headers", []))
            bearer = headers.get(b"authorization", b"")
            raw = headers.get(b"cookie")
            if bearer[:7].lower() == b"bearer ":
                scope["state"]["principal"] = await token_principal(
                    bearer[7:].decode("latin-1").strip()
                )
            elif raw:
                cookie: SimpleCookie = SimpleCookie()
                try:
                    cookie.load(raw.decode("latin-1"))
                except Exception:  # a malformed Cookie header is just "no session"
                    cookie = SimpleCookie()
                morsel = cookie.get(sessions.COOKIE)
                if morsel is not None and morsel.value:
                    scope["state"]["principal"] = await sessions.principal_from_cookie(
                        morsel.value, self.secret_key
                    )
        await self.app(scope, receive, send)


async def token_principal(secret: str) -> Principal | None:
    """An organisation's system calling with an API token (no cookie, so no CSRF)."""
    from ..apitokens.service import authenticate

    token = await authenticate(secret)
    if token is None:
        return None
    organisation = token.organisation
    role = Role.DEPARTMENT_SYSTEM
    if token.kind == "partner":
        from ..partners.service import cached_partner

        partner = await cached_partner(int(token.organisation))
        if partner is None or partner.status != "approved":
            return None
        organisation, role = partner.name, Role.PARTNER_SYSTEM
    return Principal.build(
        account_id=0,
        kind=token.kind,
        display_name=f"API {token.prefix} {token.label}".strip(),
        roles={role},
        organisation=organisation,
        org_ref=token.organisation,
        via_cookie=False,
        token_id=token.id,
        scopes=frozenset(token.scopes.split(",")),
    )


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, hsts: bool = False) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if self.hsts:
                    headers.setdefault("strict-transport-security", "max-age=31536000")
                if scope["path"].startswith(("/api/", "/office")):
                    headers.setdefault("cache-control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)

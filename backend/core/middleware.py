"""Pure ASGI middleware: who is calling (session cookie), and security headers (CSP etc.)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from http.cookies import SimpleCookie

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .principal import Principal

# How a request's credentials become a principal: the app factory hands these in (core knows
# no feature). A cookie resolver gets the cookie value and the secret key; a token resolver
# gets the bearer token.
CookieResolver = Callable[[str, str], Awaitable[Principal | None]]
TokenResolver = Callable[[str], Awaitable[Principal | None]]

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; manifest-src 'self'; worker-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
# The counter decodes camera frames with a vendored WebAssembly QR reader (zxing-wasm) where
# the browser has no BarcodeDetector; compiling WebAssembly needs 'wasm-unsafe-eval' (it
# allows no JavaScript eval). Only the counter's pages get it.
WASM_PAGES = ("/counter", "/counter/redeem")
WASM_CSP = CSP.replace("script-src 'self'", "script-src 'self' 'wasm-unsafe-eval'")
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "permissions-policy": "camera=(self), microphone=(), geolocation=(), payment=()",
    "cross-origin-opener-policy": "same-origin",
}


# Pages that show a pass, a key or a one-time code, and every API answer: never kept by a
# browser or a proxy cache (a shared counter PC's back button must not show the last pass).
NO_STORE_PREFIXES = ("/api/", "/office", "/counter", "/partner", "/passes/paper")


def security_headers(path: str, *, hsts: bool) -> dict[str, str]:
    """The headers every answer carries, error pages included (`handlers.server_error` adds
    them to the 500s the outermost middleware renders, which this middleware never sees)."""
    headers = dict(SECURITY_HEADERS)
    if hsts:
        headers["strict-transport-security"] = "max-age=31536000"
    if path.startswith(NO_STORE_PREFIXES):
        headers["cache-control"] = "no-store"
    return headers


def _credentials(scope: Scope) -> tuple[bytes, bytes | None]:
    """The Authorization and Cookie headers (the last of each, as a dict of them would keep),
    in one pass over the raw headers."""
    bearer, cookie = b"", None
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            bearer = value
        elif name == b"cookie":
            cookie = value
    return bearer, cookie


class SessionMiddleware:
    """Loads the principal for the session cookie or bearer token into
    `request.state.principal`."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        secret_key: str,
        cookie_name: str,
        from_cookie: CookieResolver,
        from_token: TokenResolver,
    ) -> None:
        self.app = app
        self.secret_key = secret_key
        self.cookie_name = cookie_name
        self.from_cookie = from_cookie
        self.from_token = from_token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope.setdefault("state", {})
            scope["state"]["principal"] = None
            bearer, raw = _credentials(scope)
            if bearer[:7].lower() == b"bearer ":
                scope["state"]["principal"] = await self.from_token(
                    bearer[7:].decode("latin-1").strip()
                )
            elif raw:
                cookie: SimpleCookie = SimpleCookie()
                try:
                    cookie.load(raw.decode("latin-1"))
                except Exception:  # a malformed Cookie header is just "no session"
                    cookie = SimpleCookie()
                morsel = cookie.get(self.cookie_name)
                if morsel is not None and morsel.value:
                    scope["state"]["principal"] = await self.from_cookie(
                        morsel.value, self.secret_key
                    )
        await self.app(scope, receive, send)


def _raw(headers: dict[str, str]) -> tuple[tuple[bytes, bytes], ...]:
    return tuple(
        (name.encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()
    )


class SecurityHeadersMiddleware:
    """`security_headers` on every answer, each unless the answer set it already. They depend
    only on the kind of path (no-store or not, WebAssembly or not), so they are encoded once
    per kind, not built and parsed again on every answer."""

    def __init__(self, app: ASGIApp, hsts: bool = False) -> None:
        self.app = app
        self.hsts = hsts
        self._kinds: dict[tuple[bool, bool], tuple[tuple[bytes, bytes], ...]] = {}

    def _headers(self, path: str) -> tuple[tuple[bytes, bytes], ...]:
        kind = (path in WASM_PAGES, path.startswith(NO_STORE_PREFIXES))
        found = self._kinds.get(kind)
        if found is None:
            headers = security_headers(path, hsts=self.hsts)
            if kind[0]:
                headers["content-security-policy"] = WASM_CSP
            found = self._kinds[kind] = _raw(headers)
        return found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw = list(message.get("headers", ()))
                present = {name.lower() for name, _ in raw}
                raw.extend(h for h in self._headers(scope["path"]) if h[0] not in present)
                message["headers"] = raw
            await send(message)

        await self.app(scope, receive, send_with_headers)

"""Form bodies are bounded before anything parses them (a 30 MB urlencoded body was parsed).

Pages read forms with `request.form()` and uploads with `http.parse_form`; both read the body
through ASGI `receive`, which this middleware counts. A declared `Content-Length` over the cap
is refused at the first read, a body that streams past it as soon as it does: `413` through the
usual error rendering (problem+json under /api/, a page elsewhere), nothing stored. JSON bodies
have their own cap in `http.read_body`; multipart bodies (evidence uploads) get the larger cap
the app factory hands in from the evidence limits.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import PayloadTooLarge

FORM_BYTES = 64 * 1024  # a urlencoded form: dozens of fields, never more


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, *, form_bytes: int = FORM_BYTES, multipart_bytes: int) -> None:
        self.app = app
        self.form_bytes = form_bytes
        self.multipart_bytes = multipart_bytes

    def _cap(self, scope: Scope) -> int | None:
        ctype = b""
        for name, value in scope.get("headers", ()):
            if name == b"content-type":
                ctype = value.split(b";", 1)[0].strip().lower()
        if ctype == b"application/x-www-form-urlencoded":
            return self.form_bytes
        if ctype == b"multipart/form-data":
            return self.multipart_bytes
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        cap = self._cap(scope) if scope["type"] == "http" else None
        if cap is None:
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length", b"")
        too_big = declared.isdigit() and int(declared) > cap
        seen = 0

        async def bounded() -> Message:
            nonlocal seen
            if too_big:
                raise PayloadTooLarge(f"the form is larger than {cap // 1024} KiB")
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > cap:
                    raise PayloadTooLarge(f"the form is larger than {cap // 1024} KiB")
            return message

        await self.app(scope, bounded, send)

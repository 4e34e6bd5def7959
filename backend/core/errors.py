"""One domain error hierarchy.

Services raise these; `backend.core.handlers` renders them as `application/problem+json`
(RFC 9457) under `/api/` and as a localised page elsewhere. `title_key` names an i18n
message so the same error reads well in every language.
"""

from __future__ import annotations

from typing import Any


class XinyiError(Exception):
    status = 400
    code = "bad_request"
    title_key = "error.bad_request"

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail or self.code)
        self.detail = detail
        self.errors = errors or []
        self.headers = headers or {}
        self.extra = extra


class BadRequest(XinyiError):
    pass


class MalformedJSON(BadRequest):
    code = "malformed_json"
    title_key = "error.malformed_json"


class ValidationFailed(XinyiError):
    status = 422
    code = "validation_failed"
    title_key = "error.validation_failed"


class InvalidIdNumber(ValidationFailed):
    code = "invalid_id_number"
    title_key = "error.invalid_id_number"


def invalid(field: str, message: str, kind: str = "value") -> ValidationFailed:
    """A 422 about one field: the one way services name the field a request got wrong."""
    return ValidationFailed(message, errors=[{"field": field, "message": message, "type": kind}])


class Unauthenticated(XinyiError):
    status = 401
    code = "unauthenticated"
    title_key = "error.unauthenticated"


class CsrfFailed(XinyiError):
    status = 403
    code = "csrf_failed"
    title_key = "error.csrf_failed"


class Forbidden(XinyiError):
    status = 403
    code = "forbidden"
    title_key = "error.forbidden"


class NotFound(XinyiError):
    status = 404
    code = "not_found"
    title_key = "error.not_found"


class MethodNotAllowed(XinyiError):
    status = 405
    code = "method_not_allowed"
    title_key = "error.method_not_allowed"


class Conflict(XinyiError):
    status = 409
    code = "conflict"
    title_key = "error.conflict"


class PayloadTooLarge(XinyiError):
    status = 413
    code = "payload_too_large"
    title_key = "error.payload_too_large"


class UnsupportedMediaType(XinyiError):
    status = 415
    code = "unsupported_media_type"
    title_key = "error.unsupported_media_type"


class StorageUnavailable(XinyiError):
    """The database refused the write (disk full, locked past the timeout, read-only):
    nothing of the request was stored, so the client resends it later (`Retry-After`)."""

    status = 503
    code = "storage_unavailable"
    title_key = "error.storage_unavailable"


class TooManyRequests(XinyiError):
    status = 429
    code = "too_many_requests"
    title_key = "error.too_many_requests"


# Identity-specific outcomes: distinct codes so clients can react, generic wording so
# nothing about the register leaks.
class IdentityNotMatched(XinyiError):
    status = 422
    code = "identity_not_matched"
    title_key = "error.identity_not_matched"


class CeremonyFailed(XinyiError):
    status = 400
    code = "webauthn_failed"
    title_key = "error.webauthn_failed"


class ChallengeExpired(CeremonyFailed):
    code = "challenge_expired"
    title_key = "error.challenge_expired"


class CodeInvalid(XinyiError):
    status = 400
    code = "code_invalid"
    title_key = "error.code_invalid"

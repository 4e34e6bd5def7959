"""HTTP helpers for routes: bounded JSON bodies and typed query parameters validated by
pydantic, path parameters, JSON responses. Every failure is a 4xx, never a 500."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse

from .errors import (
    BadRequest,
    MalformedJSON,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
)
from .redact import scrub_fields

M = TypeVar("M", bound=BaseModel)
DEFAULT_MAX_BYTES = 64 * 1024

# The columns' ranges: every integer a request carries is bounded by the column it reaches.
ID_MAX = 2**63 - 1  # BigIntField (ids)
INT_MAX = 2**31 - 1  # IntField (quotas, counts, cents)


def loads_json(raw: bytes | str) -> Any:
    """`json.loads`, with every way it can fail as a 400 (`malformed_json`): bad syntax or
    encoding, nesting deeper than the interpreter allows, and an integer longer than
    Python's int-string limit (4,300 digits), which `json` raises as a bare ValueError."""
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise MalformedJSON(f"the body is not valid JSON: {exc}") from None
    except RecursionError:
        raise MalformedJSON("the body is nested too deeply") from None
    except ValueError:
        raise MalformedJSON("the body holds a number with too many digits") from None


def _is_int_field(model: type[BaseModel], name: str) -> bool:
    annotation = model.model_fields[name].annotation
    return annotation is int or int in getattr(annotation, "__args__", ())


def media_type(request: Request) -> str:
    """The request's media type without parameters, lower case ("" when none is sent)."""
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def declared_length(request: Request) -> int | None:
    """Content-Length when it is plain ASCII digits (str.isdigit alone accepts "²")."""
    declared = request.headers.get("content-length", "")
    return int(declared) if declared.isascii() and declared.isdigit() else None


async def read_body(request: Request, max_bytes: int) -> bytes:
    declared = declared_length(request)
    if declared is not None and declared > max_bytes:
        raise PayloadTooLarge(f"request body is larger than {max_bytes} bytes")
    chunks = bytearray()
    try:
        async for chunk in request.stream():
            chunks += chunk
            if len(chunks) > max_bytes:
                raise PayloadTooLarge(f"request body is larger than {max_bytes} bytes")
    except ClientDisconnect:
        raise BadRequest("the client went away before sending the whole body") from None
    return bytes(chunks)


def pydantic_errors(exc: ValidationError) -> list[dict[str, Any]]:
    return [
        {
            "field": ".".join(str(p) for p in err["loc"]) or "(body)",
            "message": err["msg"],
            "type": err["type"],
        }
        for err in exc.errors(include_url=False, include_input=False)
    ]


def _has_nul(data: Any) -> bool:
    pending = [data]  # a loop, not recursion: the JSON may be nested deeply
    while pending:
        value = pending.pop()
        if isinstance(value, str) and "\x00" in value:
            return True
        if isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return False


async def parse_json(request: Request, model: type[M], max_bytes: int | None = None) -> M:
    """Parse and validate a JSON body; every failure is a clear 4xx, never a 500."""
    limit = int(
        max_bytes or getattr(request.app.state, "max_json_bytes", None) or DEFAULT_MAX_BYTES
    )
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/json":
        raise UnsupportedMediaType("send the body as application/json")
    raw = await read_body(request, limit)
    data = loads_json(raw) if raw else None
    if not isinstance(data, dict):
        raise ValidationFailed(
            "the body must be a JSON object",
            errors=[{"field": "(body)", "message": "expected a JSON object", "type": "type"}],
        )
    if _has_nul(data):  # PostgreSQL text cannot hold U+0000: refuse it here, not with a 500
        raise ValidationFailed(
            "text may not contain NUL characters",
            errors=[{"field": "(body)", "message": "a string holds U+0000", "type": "string_nul"}],
        )
    try:  # free text (statements, reasons, purposes, …) never keeps an ID number
        return model.model_validate(scrub_fields(data))
    except ValidationError as exc:
        raise ValidationFailed(
            "the request has invalid fields", errors=pydantic_errors(exc)
        ) from None


@dataclass(frozen=True)
class FormUpload:
    """One uploaded file of a multipart form: the name the client gave and the bytes."""

    filename: str
    content: bytes


async def parse_form(
    request: Request,
    model: type[M],
    *,
    files: str,
    max_files: int,
    max_file_bytes: int,
) -> tuple[M, list[FormUpload]]:
    """Parse and validate a multipart/form-data body (or a urlencoded one, which carries no
    files): the text fields by `model`, and up to
    `max_files` files of at most `max_file_bytes` each under the field `files`. Every failure
    is a clear 4xx; nothing is kept of a refused body."""
    ctype = media_type(request)
    if ctype not in ("multipart/form-data", "application/x-www-form-urlencoded"):
        raise UnsupportedMediaType("send the body as multipart/form-data")
    limit = max_files * max_file_bytes + 256 * 1024
    declared = declared_length(request)
    if declared is not None and declared > limit:
        raise PayloadTooLarge(f"request body is larger than {limit} bytes")
    try:
        form = await request.form(max_files=max_files, max_fields=32, max_part_size=64 * 1024)
    except HTTPException as exc:  # Starlette's multipart limits and parse errors
        raise BadRequest(f"the form could not be read: {exc.detail}") from None
    uploads: list[FormUpload] = []
    values: dict[str, Any] = {}
    try:  # the spooled upload files are closed whatever happens
        for name, value in form.multi_items():
            if isinstance(value, UploadFile):
                if name != files:
                    raise ValidationFailed(
                        "unexpected file", errors=[{"field": name, "type": "file"}]
                    )
                content = await value.read(max_file_bytes + 1)
                if len(content) > max_file_bytes:
                    raise PayloadTooLarge(f"each file may be at most {max_file_bytes} bytes")
                uploads.append(FormUpload(value.filename or "file", content))
            elif "\x00" in value:
                raise ValidationFailed(
                    "text may not contain NUL characters",
                    errors=[{"field": name, "type": "string_nul"}],
                )
            else:
                values[name] = value
    finally:
        await form.close()
    try:
        return model.model_validate(scrub_fields(values)), uploads
    except ValidationError as exc:
        raise ValidationFailed(
            "the request has invalid fields", errors=pydantic_errors(exc)
        ) from None


def json_ok(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(data, status_code=status, headers=headers)


def to_json(model: BaseModel, status: int = 200) -> JSONResponse:
    return JSONResponse(model.model_dump(mode="json"), status_code=status)


def path_int(request: Request, name: str) -> int:
    """A positive integer path parameter (an id: 1 to 2^63−1, ASCII digits), or a 422
    naming it (never a 500)."""
    raw = str(request.path_params[name])
    if not raw.isascii() or not raw.isdigit() or len(raw) > 19 or not 1 <= int(raw) <= ID_MAX:
        raise ValidationFailed(
            f"{name} must be a positive integer",
            errors=[{"field": name, "message": f"an integer 1..{ID_MAX}", "type": "int"}],
        )
    return int(raw)


def path_str(request: Request, name: str, *, max_length: int) -> str:
    """A text path parameter of at most `max_length` characters, or a 422 naming it."""
    raw = str(request.path_params[name])
    if not 1 <= len(raw) <= max_length:
        raise ValidationFailed(
            f"{name} must be 1 to {max_length} characters",
            errors=[{"field": name, "message": f"1..{max_length} characters", "type": "string"}],
        )
    return raw


def has_nul(request: Request) -> bool:
    """Whether the path or a query value holds U+0000 (`%00`): PostgreSQL text cannot hold
    it, so it is refused before any handler (400) instead of failing in the driver (500)."""
    path = request.scope["path"]  # already %-decoded (what `request.url` would rebuild)
    if "\x00" in path or any("\x00" in str(v) for v in request.path_params.values()):
        return True
    if not request.scope.get("query_string"):
        return False
    return any("\x00" in k or "\x00" in v for k, v in request.query_params.multi_items())


def query_of(request: Request, model: type[M]) -> M:
    """The query parameters the route declared (`api(..., query=model)`), which the route's
    guard already parsed and checked; parsed here when called from elsewhere."""
    parsed = getattr(request.state, "query", None)
    return parsed if isinstance(parsed, model) else parse_query(request, model)


def parse_query(request: Request, model: type[M]) -> M:
    """Typed query parameters through one parser: `model`'s fields with their declared
    bounds; parameters it does not name are ignored (`lang` is read by every page), an empty
    one is absent. An integer is ASCII digits only (int() and pydantic also take "²", "٣",
    " 5", "5_0", "+5"); a parameter given twice is refused; every failure is a 422 naming
    the parameter."""
    values: dict[str, str] = {}
    for name, value in request.query_params.multi_items():
        if name not in model.model_fields or value == "":  # `?status=` means no filter
            continue
        if name in values:
            raise ValidationFailed(
                f"{name} was given more than once",
                errors=[{"field": name, "message": "given more than once", "type": "repeated"}],
            )
        if _is_int_field(model, name) and not (
            value.isascii() and value.isdigit() and len(value) <= 19
        ):
            raise ValidationFailed(
                f"{name} must be a whole number written with the digits 0-9",
                errors=[{"field": name, "message": "ASCII digits only", "type": "int_parsing"}],
            )
        values[name] = value
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise ValidationFailed(
            "the query has invalid parameters", errors=pydantic_errors(exc)
        ) from None

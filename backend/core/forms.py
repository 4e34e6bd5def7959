"""Reading server-rendered forms and path parameters: every page module uses these, so a
field is read, trimmed, bounded and cleaned the same way everywhere."""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from .errors import NotFound, ValidationFailed
from .redact import is_free_text, scrub_id_numbers


def text(form: Any, name: str, limit: int = 200) -> str:
    """One text field, trimmed and cut to `limit` characters ("" when absent or a file)."""
    value = form.get(name, "") if hasattr(form, "get") else ""
    if not isinstance(value, str):
        return ""
    # NUL cannot be stored in PostgreSQL text, and never belongs in a form field.
    value = value.replace("\x00", "").strip()
    if is_free_text(name):  # a statement or purpose never keeps an ID number (core.redact)
        value = scrub_id_numbers(value)
    return value[:limit]


def required_reason(reason: str, limit: int = 200) -> str:
    """The reason a decision must give (disabling an account or a partner): whitespace folded,
    required (422 on the field `reason`), cut to `limit` characters."""
    folded = " ".join(reason.split())
    if not folded:
        raise ValidationFailed(
            "give the reason",
            errors=[{"field": "reason", "message": "required", "type": "missing"}],
        )
    return folded[:limit]


def texts(form: Any, name: str) -> list[str]:
    """Every value of a repeated field (checkboxes, multi-selects), files left out."""
    return [v for v in form.getlist(name) if isinstance(v, str)] if hasattr(form, "getlist") else []


def positive(raw: str) -> int | None:
    """A positive integer typed into a field, or None."""
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < len(raw) <= 18 else None


def date(form: Any, name: str) -> dt.date | None:
    """An ISO date field (YYYY-MM-DD), or None when empty or not a date."""
    raw = text(form, name, 10)
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def decision(form: Any) -> bool:
    """The approve / reject buttons of a decision form."""
    chosen = text(form, "decision", 16)
    if chosen not in ("approve", "reject"):
        raise ValidationFailed("approve or reject", errors=[{"field": "decision"}])
    return chosen == "approve"


def path_id(request: Request, name: str) -> int:
    """An `{name:int}` path parameter as an id: beyond any stored id is simply not found."""
    value = int(request.path_params[name])
    if value > 2**62:  # beyond any stored id (and beyond a BIGINT)
        raise NotFound("no such item")
    return value


def redirect(path: str) -> Response:
    """Post/redirect/get: 303 so a reload never repeats the POST."""
    return RedirectResponse(path, status_code=303)

"""Which message a refused case step shows: every named reason of the case workflows, the
evidence checks and the page forms has its own sentence in the catalogs (`case.error.*`);
anything else shows the generic one. Pure functions."""

from __future__ import annotations

from ..core.errors import XinyiError

# Reasons of repairs, objections, evidence and the counter, and the form fields a page asks
# for, each with a `case.error.<name>` message.
PROBLEMS = frozenset(
    {
        # the workflows (core.transitions and the services)
        "case_closed", "not_submitted", "not_returned", "not_accepted", "not_rejected",
        "no_review_requested", "already_open", "not_active", "not_negative", "not_repairable",
        "too_early", "expired", "no_department",
        # evidence
        "evidence_type", "evidence_empty", "evidence_too_many", "payload_too_large",
        # the counter
        "visit_expired", "identity_not_matched",
        # fields a form left empty or got wrong
        "missing", "reason", "answer", "step", "id_card_checked", "name", "id_number",
        "record_id", "statement", "evidence", "paper_commitment", "target",
    }
)  # fmt: skip


def problem_key(problem: str | None) -> str:
    """The message key of a problem named by a page (a reason or a field)."""
    return f"case.error.{problem}" if problem in PROBLEMS else "case.error.other"


def problem_of(exc: XinyiError) -> str:
    """What went wrong, by name: the reason, else the field of a refused form, else the code."""
    reason = exc.extra.get("reason")
    if reason:
        return str(reason)
    if exc.errors and exc.errors[0].get("field"):
        return str(exc.errors[0]["field"])
    return exc.code

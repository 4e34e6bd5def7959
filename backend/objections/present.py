"""The JSON shape of an objection."""

from __future__ import annotations

from typing import Any

from ..core import clock
from ..evidence.models import EvidenceFile
from .models import OPEN, Objection, ObjectionStatus


def objection(o: Objection, *, files: list[EvidenceFile], base: str) -> dict[str, Any]:
    return {
        "id": o.id,
        "case_no": o.case_no,
        "kind": "objection",
        "state": o.status,
        "open": o.status in OPEN,
        "subject": o.subject,
        "subject_id": o.subject_id,
        "record_id": o.record_id,
        "department": o.department,
        "reason": o.reason,
        "answer": o.answer,
        "review_reason": o.review_reason,
        "review_answer": o.review_answer,
        "submitted_at": o.submitted_at.isoformat(),
        "answer_due": o.answer_due.isoformat(),
        "answered_at": o.answered_at.isoformat() if o.answered_at else None,
        "overdue": o.status == ObjectionStatus.SUBMITTED and o.answer_due < clock.today(),
        "suspended": o.suspended_at is not None and o.status in OPEN,
        "can_request_review": o.status == ObjectionStatus.REJECTED,
        "filed_at_counter": o.filed_by_id is not None,
        "evidence": [
            {"id": f.id, "filename": f.filename, "media_type": f.media_type, "size": f.size,
             "sha256": f.sha256, "href": f"{base}/{o.id}/evidence/{f.id}"}
            for f in files
        ],
        "timeline": o.history,
    }  # fmt: skip

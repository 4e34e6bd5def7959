"""The JSON shape of a repair request, the same for the resident, the department and the
office (the department and the office also see who the resident is, masked)."""

from __future__ import annotations

from typing import Any

from ..commitments.models import CommitmentSignature
from ..commitments.service import summary as commitment_summary
from ..core import clock
from ..credit.catalog import load_catalog
from ..credit.models import CreditRecord
from ..credit.records import describe_record
from ..evidence.models import EvidenceFile
from .models import OPEN, RepairRequest


def evidence_item(f: EvidenceFile, base: str) -> dict[str, Any]:
    return {
        "id": f.id,
        "filename": f.filename,
        "media_type": f.media_type,
        "size": f.size,
        "sha256": f.sha256,
        "created_at": f.created_at.isoformat(),
        "href": f"{base}/evidence/{f.id}",
    }


def repair(
    r: RepairRequest,
    *,
    record: CreditRecord | None,
    files: list[EvidenceFile],
    commitment: CommitmentSignature | None,
    base: str,
) -> dict[str, Any]:
    today = clock.today()
    due = r.decision_due or r.feedback_due
    return {
        "id": r.id,
        "case_no": r.case_no,
        "kind": "repair",
        "state": r.status,
        "open": r.status in OPEN,
        "record_id": r.record_id,
        "record": describe_record(record, load_catalog(), today) if record else None,
        "department": r.department,
        "statement": r.statement,
        "missing": r.missing,
        "decision_reason": r.decision_reason,
        "legal_basis": r.legal_basis,
        "submitted_at": r.submitted_at.isoformat(),
        "accepted_at": r.accepted_at.isoformat() if r.accepted_at else None,
        "decided_at": r.decided_at.isoformat() if r.decided_at else None,
        "feedback_due": r.feedback_due.isoformat(),
        "decision_due": r.decision_due.isoformat() if r.decision_due else None,
        "overdue": r.status in OPEN and due < today,
        "filed_at_counter": r.filed_by_id is not None,
        "evidence": [evidence_item(f, base) for f in files],
        "commitment": commitment_summary(commitment) if commitment else None,
        "timeline": r.history,
    }

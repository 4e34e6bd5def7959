"""Accepting evidence: PDF, JPEG or PNG by content (never by file name), at most
`MAX_BYTES` a file and `MAX_FILES` a case. Reading it is for the resident, the deciding
department and the credit office; the callers log every look by someone else."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from ..core import clock
from ..core.errors import Conflict, NotFound, PayloadTooLarge, UnsupportedMediaType
from .models import CaseKind, EvidenceFile

MAX_BYTES = 10 * 1024 * 1024
MAX_FILES = 5
# The largest multipart body the app reads (`core.bodylimit`): a case's files and its fields.
UPLOAD_BYTES = MAX_FILES * MAX_BYTES + 256 * 1024
TYPES = ("application/pdf", "image/jpeg", "image/png")
EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


def sniff(content: bytes) -> str | None:
    """The evidence type the bytes really are, or None. A PDF starts with `%PDF-` and has an
    end-of-file marker; JPEG and PNG by their signatures and end markers."""
    if content.startswith(b"%PDF-") and b"%%EOF" in content[-2048:]:
        return "application/pdf"
    if content.startswith(b"\xff\xd8\xff") and content.rstrip(b"\x00\r\n").endswith(b"\xff\xd9"):
        return "image/jpeg"
    if content.startswith(b"\x89PNG\r\n\x1a\n") and b"IEND" in content[-16:]:
        return "image/png"
    return None


_UNSAFE = re.compile(r"[^\w.\- ()\u3000-\u9fff]+")


def safe_filename(name: str, media_type: str) -> str:
    """A display name without paths or control characters, ending in its real type."""
    base = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    base = _UNSAFE.sub("_", base).strip(" ._")[:80] or "evidence"
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return f"{stem}.{EXTENSIONS[media_type]}"


@dataclass(frozen=True)
class Upload:
    filename: str
    content: bytes


def check(upload: Upload) -> str:
    """The sniffed type of an acceptable upload; a clear 4xx otherwise (nothing stored)."""
    if len(upload.content) > MAX_BYTES:
        raise PayloadTooLarge(f"evidence files are at most {MAX_BYTES // (1024 * 1024)} MB")
    if not upload.content:
        raise UnsupportedMediaType("the file is empty", reason="evidence_empty")
    media_type = sniff(upload.content)
    if media_type is None:
        raise UnsupportedMediaType(
            "evidence must be a PDF, JPEG or PNG file", reason="evidence_type"
        )
    return media_type


async def store(
    *,
    case_kind: CaseKind,
    case_id: int,
    person_id: int,
    uploads: list[Upload],
    uploaded_by: int | None,
) -> list[EvidenceFile]:
    """Add files to a case (call inside the case's transaction: all or nothing)."""
    types = [check(u) for u in uploads]
    have = await EvidenceFile.filter(case_kind=case_kind.value, case_id=case_id).count()
    if have + len(uploads) > MAX_FILES:
        raise Conflict(f"a case holds at most {MAX_FILES} files", reason="evidence_too_many")
    now = clock.now()
    stored = []
    for upload, media_type in zip(uploads, types, strict=True):
        stored.append(
            await EvidenceFile.create(
                case_kind=case_kind.value,
                case_id=case_id,
                person_id=person_id,
                filename=safe_filename(upload.filename, media_type),
                media_type=media_type,
                size=len(upload.content),
                sha256=hashlib.sha256(upload.content).hexdigest(),
                content=upload.content,
                uploaded_by_id=uploaded_by,
                created_at=now,
            )
        )
    return stored


async def listing(*, case_kind: CaseKind, case_id: int) -> list[EvidenceFile]:
    """The files of a case without their bytes."""
    return (
        await EvidenceFile.filter(case_kind=case_kind.value, case_id=case_id)
        .only("id", "case_kind", "case_id", "person_id", "filename", "media_type", "size",
              "sha256", "created_at")
        .order_by("id")
    )  # fmt: skip


async def one(*, case_kind: CaseKind, case_id: int, file_id: int) -> EvidenceFile:
    found = await EvidenceFile.get_or_none(id=file_id, case_kind=case_kind.value, case_id=case_id)
    if found is None:
        raise NotFound("no such evidence file in this case")
    return found

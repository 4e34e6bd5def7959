"""Serving an evidence file: a download with its sniffed type, never rendered inline."""

from __future__ import annotations

from urllib.parse import quote

from starlette.responses import Response

from .models import EvidenceFile


def download(found: EvidenceFile) -> Response:
    return Response(
        bytes(found.content),
        media_type=found.media_type,
        headers={
            "content-disposition": f"attachment; filename*=UTF-8''{quote(found.filename)}",
            "x-content-type-options": "nosniff",
            "cache-control": "private, no-store",
        },
    )

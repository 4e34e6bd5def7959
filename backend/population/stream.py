"""Lines of an export as they arrive from a file (the script), or of a request body (the API,
read whole first: its size is bounded, so a request is refused or applied, never cut)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import BinaryIO

from ..core.errors import PayloadTooLarge


async def file_lines(handle: BinaryIO) -> AsyncIterator[bytes]:
    """The lines of an open binary file (or stdin), without their line ends: one line and
    the file's read buffer in memory, whatever the file's size."""
    for raw in handle:
        yield raw.rstrip(b"\r\n")


def body_lines(body: bytes, *, max_lines: int) -> list[bytes]:
    lines = body.split(b"\n")
    if lines and not lines[-1].strip():
        lines.pop()
    if len(lines) > max_lines:
        raise PayloadTooLarge(f"at most {max_lines} lines per request")
    return [raw.rstrip(b"\r") for raw in lines]


async def each(lines: list[bytes]) -> AsyncIterator[bytes]:
    for raw in lines:
        yield raw

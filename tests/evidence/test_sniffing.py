"""Evidence is accepted by what the bytes are, never by the name a client gives them."""

from __future__ import annotations

import pytest

from backend.core.errors import PayloadTooLarge, UnsupportedMediaType
from backend.evidence.service import MAX_BYTES, Upload, check, safe_filename, sniff
from tests.due_process import EXE, JPEG, PDF, PNG

CASES = [
    (PDF, "application/pdf"),
    (JPEG, "image/jpeg"),
    (PNG, "image/png"),
    (EXE, None),  # a Windows program
    (b"\x7fELF" + b"\x00" * 60, None),  # a Linux program
    (b"%PDF-1.7\nno end marker", None),  # a truncated PDF
    (b"<html><script>alert(1)</script></html>", None),
    (b"GIF89a" + b"\x00" * 20, None),  # an image type the rules do not list
]


@pytest.mark.parametrize(("content", "expected"), CASES)
def test_the_type_comes_from_the_content(content: bytes, expected: str | None) -> None:
    assert sniff(content) == expected


def test_a_renamed_program_is_refused_and_a_large_file_too() -> None:
    with pytest.raises(UnsupportedMediaType):
        check(Upload("receipt.pdf", EXE))
    with pytest.raises(PayloadTooLarge):
        check(Upload("big.pdf", PDF + b"0" * MAX_BYTES))
    assert check(Upload("scan", PNG)) == "image/png"


@pytest.mark.parametrize(
    ("given", "media_type", "stored"),
    [
        ("收据.pdf", "application/pdf", "收据.pdf"),
        ("../../etc/passwd", "image/png", "passwd.png"),
        ("C:\\Users\\me\\scan.exe", "image/jpeg", "scan.jpg"),
        ("", "application/pdf", "evidence.pdf"),
        ("a\x00b<script>.pdf", "application/pdf", "a_b_script_.pdf"),
    ],
)
def test_stored_names_carry_no_path_and_end_in_the_real_type(
    given: str, media_type: str, stored: str
) -> None:
    assert safe_filename(given, media_type) == stored

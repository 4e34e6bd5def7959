"""Free text never stores an ID number: statements, reasons, purposes, summaries, answers and
comments are scrubbed of anything shaped like one before they are kept.

People paste their ID number into a statement ("my number is 4202…"), officers type one into a
look-up purpose: stored in clear it would undo the register's encryption. The shared validation
layers call `scrub_id_numbers` — `core.http.parse_json` for JSON bodies and `core.forms.text`
for forms, on the fields `is_free_text` names — and ingest calls it for record summaries.
"""

from __future__ import annotations

import re

_DIGIT = "0-9\uff10-\uff19"  # ASCII and full-width (０-９, typed with a Chinese input method)
_CHECK = f"{_DIGIT}Xx\uff38\uff58"  # …and X, x, Ｘ, ｘ
_SEP = "[ \u3000\\-]?"  # one space, ideographic space or hyphen between the groups
# 6 + 8 + 3 digits and a check character: 420202 19850615 011X, grouped or not. Not part of a
# longer run of digits (a bank card or a long reference is not an ID number).
ID_SHAPE = re.compile(
    f"(?<![{_DIGIT}])[{_DIGIT}]{{6}}{_SEP}[{_DIGIT}]{{8}}{_SEP}[{_DIGIT}]{{3}}[{_CHECK}]"
    f"(?![{_DIGIT}])"
)
REPLACEMENT = "*" * 18

# Field names that hold free text, as the schemas and forms name them (a name made of these
# words joined by "_" counts too: purpose_detail, decision_note, reason_zh, …). Not "text":
# a scanned pass is text, and its digits must reach the verifier as scanned.
FREE_TEXT_WORDS = frozenset(
    {"answer", "comment", "comments", "description", "detail", "note", "purpose", "reason",
     "statement", "summary"}
)  # fmt: skip


def scrub_id_numbers(text: str) -> str:
    """The text with every ID-number-shaped run replaced by 18 asterisks."""
    if len(text) < 18:
        return text
    return ID_SHAPE.sub(REPLACEMENT, text)


def is_free_text(field: str) -> bool:
    return any(word in FREE_TEXT_WORDS for word in field.lower().split("_"))


def scrub_fields(data: object) -> object:
    """A parsed JSON value with its free-text fields scrubbed (nested objects and lists too)."""
    if isinstance(data, dict):
        return {
            key: scrub_id_numbers(value)
            if isinstance(value, str) and isinstance(key, str) and is_free_text(key)
            else scrub_fields(value)
            for key, value in data.items()
        }
    if isinstance(data, list):
        return [scrub_fields(item) for item in data]
    return data

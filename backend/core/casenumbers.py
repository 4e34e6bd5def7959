"""Case numbers (案件编号) residents write down and read out at a counter: a letter for the
workflow, the date, and six random digits (not a counter, so numbers say nothing about how
many cases there are; the public look-up also needs the name and is throttled)."""

from __future__ import annotations

import secrets

from . import clock


def new_case_no(prefix: str) -> str:
    """E.g. R20261201-482913 (repair) or O20261201-075531 (objection)."""
    return f"{prefix}{clock.today():%Y%m%d}-{secrets.randbelow(10**6):06d}"


def looks_like_case_no(value: str) -> bool:
    value = value.strip().upper()
    return (
        len(value) == 16
        and value[0] in "RO"
        and value[1:9].isdigit()
        and value[9] == "-"
        and value[10:].isdigit()
    )

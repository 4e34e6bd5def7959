"""The privacy notice (个人信息保护告知书), versioned as a data file, and the help contacts
from the city's configuration (the credit office's service hall)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..core.city import City

NOTICE_FILE = Path(__file__).resolve().parents[1] / "data" / "privacy" / "notice.json"


@lru_cache(maxsize=1)
def privacy_notice() -> dict[str, Any]:
    """getPrivacyNotice: the notice in force, both languages."""
    data: dict[str, Any] = json.loads(NOTICE_FILE.read_text(encoding="utf-8"))
    return data


NOTICE_VERSION: str = privacy_notice()["version"]


def help_contacts(city: City) -> dict[str, Any]:
    """getHelp: where to go in person and whom to call."""
    return {
        "office": city.credit_office,
        "programme": city.programme,
        "service_hall": dict(city.service_hall),
        "notice_version": NOTICE_VERSION,
    }

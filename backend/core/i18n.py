"""Message catalogs (one JSON file per language in `i18n/`), shared by Jinja and the PWA."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from .settings import ROOT

CATALOG_DIR = ROOT / "i18n"
DEFAULT_LOCALE = "zh-CN"
LOCALES = ("zh-CN", "en")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@cache
def catalog(locale: str) -> dict[str, str]:
    path = CATALOG_DIR / f"{locale}.json"
    data: dict[str, str] = json.loads(Path(path).read_text(encoding="utf-8"))
    return data


def placeholders(message: str) -> set[str]:
    return set(_PLACEHOLDER.findall(message))


def translate(locale: str, key: str, **values: Any) -> str:
    messages = catalog(locale if locale in LOCALES else DEFAULT_LOCALE)
    message = messages.get(key) or catalog(DEFAULT_LOCALE).get(key) or key
    if values:
        return _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), message)
    return message


def negotiate(accept_language: str | None, chosen: str | None = None) -> str:
    """The user's own choice first, then the browser's Accept-Language, then zh-CN."""
    if chosen in LOCALES:
        return str(chosen)
    if accept_language:
        ranked = []
        for part in accept_language.split(","):
            lang, *params = part.split(";")
            weight = 1.0
            for param in params:
                name, _, value = param.partition("=")
                if name.strip().lower() == "q":
                    try:
                        weight = float(value)
                    except ValueError:
                        weight = 0.0
            if weight > 0:  # q=0 means "not this language" (RFC 9110 §12.4.2)
                ranked.append((weight, lang.strip().lower()))
        for _, lang in sorted(ranked, key=lambda r: -r[0]):
            if lang.startswith("zh"):
                return "zh-CN"
            if lang.startswith("en"):
                return "en"
    return DEFAULT_LOCALE

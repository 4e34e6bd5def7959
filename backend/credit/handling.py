"""Handling hints per list (守信激励 / 重点关注): 绿色通道 and 容缺受理 for the red list, 审慎办理
for the gray list — each defined as data with its legal basis and the kinds of counter that may
see it (backend/data/lists/handling.json, checked at start-up by `load_handling`).

verifyPass hands a resident's hints to a counter with `hints_for`: a pure filter over the lists
the verification already read, so it costs no query. A gray or black hint is never for a
merchant: the file is refused if one names merchants."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

from .models import ListKind

DATA = Path(__file__).resolve().parents[1] / "data" / "lists" / "handling.json"
LOCALES = ("zh-CN", "en")


class CounterKind(StrEnum):
    """Who sits at a counter, which decides the hints it sees (docs/programme.md)."""

    GOVERNMENT = "government"  # 政务服务窗口: a department's service counter (partner domain)
    PUBLIC_SERVICE = "public_service"  # library, hospital, transit, utilities, culture …
    MERCHANT = "merchant"  # a business: never sees a gray or black hint


class HintCode(StrEnum):
    """The hints the file defines (the code a counter's software may act on)."""

    GREEN_CHANNEL = "green_channel"  # 绿色通道
    DEFERRED_ACCEPTANCE = "deferred_acceptance"  # 容缺受理
    CAUTIOUS_HANDLING = "cautious_handling"  # 审慎办理


class HandlingFileInvalid(ValueError):
    """The handling-hints file breaks one of its rules (the app refuses to start)."""


@dataclass(frozen=True)
class Hint:
    code: HintCode
    list: ListKind
    counters: frozenset[CounterKind]
    title: dict[str, str]
    text: dict[str, str]
    legal_basis: dict[str, str]

    def shape(self) -> dict[str, object]:
        """The hint as verifyPass returns it (docs/partner-api.md)."""
        return {
            "code": self.code.value,
            "list": self.list.value,
            "title": self.title,
            "text": self.text,
            "legal_basis": self.legal_basis,
        }


@dataclass(frozen=True)
class Document:
    """A document a clerk may accept as missing under 容缺受理."""

    code: str
    name: dict[str, str]


@dataclass(frozen=True)
class Handling:
    version: str
    hints: tuple[Hint, ...]
    documents: dict[str, Document]
    max_working_days: int

    def hints_for(self, lists: Iterable[str], counter: CounterKind) -> list[Hint]:
        """The hints for a resident on `lists`, as a counter of this kind may see them."""
        on = set(lists)
        return [h for h in self.hints if h.list in on and counter in h.counters]

    def allows(self, code: HintCode, lists: Iterable[str], counter: CounterKind) -> bool:
        return any(h.code == code for h in self.hints_for(lists, counter))


def _texts(raw: object, where: str) -> dict[str, str]:
    if not isinstance(raw, dict) or set(raw) != set(LOCALES):
        raise HandlingFileInvalid(f"{where}: needs zh-CN and en")
    if not all(isinstance(v, str) and v.strip() for v in raw.values()):
        raise HandlingFileInvalid(f"{where}: an empty text")
    return {k: str(v) for k, v in raw.items()}


def _hint(raw: dict[str, Any]) -> Hint:
    code = str(raw.get("code"))
    if code not in set(HintCode):
        raise HandlingFileInvalid(f"unknown hint {code}")
    if raw.get("list") not in set(ListKind):
        raise HandlingFileInvalid(f"{code}: list is red, gray or black")
    counters = raw.get("counters")
    if not isinstance(counters, list) or not counters:
        raise HandlingFileInvalid(f"{code}: names no counter kind")
    if any(c not in set(CounterKind) for c in counters):
        raise HandlingFileInvalid(f"{code}: counters are {', '.join(CounterKind)}")
    hint = Hint(
        code=HintCode(code),
        list=ListKind(str(raw["list"])),
        counters=frozenset(CounterKind(c) for c in counters),
        title=_texts(raw.get("title"), f"{code}.title"),
        text=_texts(raw.get("text"), f"{code}.text"),
        legal_basis=_texts(raw.get("legal_basis"), f"{code}.legal_basis"),
    )
    if hint.list != ListKind.RED and CounterKind.MERCHANT in hint.counters:
        raise HandlingFileInvalid(f"{code}: a {hint.list} hint is never shown to a merchant")
    return hint


def parse_handling(data: dict[str, Any]) -> Handling:
    """The file's content checked: every hint known, once, both languages, a legal basis."""
    hints = tuple(_hint(h) for h in data.get("hints", []))
    if sorted(h.code for h in hints) != sorted(HintCode):
        raise HandlingFileInvalid("every hint is defined exactly once")
    documents: dict[str, Document] = {}
    for raw in data.get("documents", []):
        code = str(raw.get("code", ""))
        if not code or code in documents or len(code) > 32:
            raise HandlingFileInvalid(f"document code {code!r} missing, repeated or too long")
        documents[code] = Document(code, _texts(raw.get("name"), f"document {code}"))
    if not documents:
        raise HandlingFileInvalid("容缺受理 needs at least one document a clerk may defer")
    days = data.get("deferral", {}).get("max_working_days")
    if not isinstance(days, int) or not 1 <= days <= 60:
        raise HandlingFileInvalid("deferral.max_working_days is 1 to 60")
    return Handling(str(data.get("version", "")), hints, documents, days)


@lru_cache(maxsize=4)
def load_handling(path: Path = DATA) -> Handling:
    """The hints file, read and checked once per process (the app calls it at start)."""
    data = json.loads(path.read_text("utf-8"))
    if not isinstance(data, dict):
        raise HandlingFileInvalid("the file holds one object")
    return parse_handling(data)

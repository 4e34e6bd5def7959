"""The published commitment texts (backend/data/commitments/templates.json), and the exact
bytes a signature binds: the SHA-256 of one version's text in one locale."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..core.errors import NotFound

DATA = Path(__file__).resolve().parents[1] / "data" / "commitments" / "templates.json"
LOCALES = ("zh-CN", "en")
DOMAIN = b"xinyi/commitment/v1"


@dataclass(frozen=True)
class Template:
    code: str
    version: str
    published: str
    purpose: str  # "repair" (signed within a repair request) or "standalone"
    title: dict[str, str]
    text: dict[str, str]
    record_type: str | None

    def text_sha256(self, locale: str) -> str:
        return hashlib.sha256(self.text[locale].encode("utf-8")).hexdigest()


def challenge_for(template: Template, locale: str, nonce: bytes) -> bytes:
    """What the passkey signs: SHA-256 over a domain tag, the template's code and version,
    the SHA-256 of the exact text shown and a fresh nonce (so no two signings share one)."""
    parts = [DOMAIN, template.code.encode(), template.version.encode(), locale.encode(),
             template.text_sha256(locale).encode(), nonce.hex().encode()]  # fmt: skip
    return hashlib.sha256(b"\n".join(parts)).digest()


@lru_cache(maxsize=2)
def load_templates(path: Path = DATA) -> dict[tuple[str, str], Template]:
    data = json.loads(path.read_text("utf-8"))
    out = {}
    for t in data["templates"]:
        template = Template(
            code=t["code"],
            version=t["version"],
            published=t["published"],
            purpose=t["purpose"],
            title=t["title"],
            text=t["text"],
            record_type=t.get("record_type"),
        )
        assert set(template.text) == set(LOCALES), template.code
        out[(template.code, template.version)] = template
    return out


def current(code: str) -> Template:
    """The newest version of a template."""
    versions = [t for (c, _), t in load_templates().items() if c == code]
    if not versions:
        raise NotFound("no such commitment text")
    return max(versions, key=lambda t: t.published)


def exact(code: str, version: str) -> Template:
    found = load_templates().get((code, version))
    if found is None:
        raise NotFound("no such commitment text or version")
    return found


def published() -> list[Template]:
    """The newest version of every template, in file order."""
    codes = dict.fromkeys(c for c, _ in load_templates())
    return [current(c) for c in codes]

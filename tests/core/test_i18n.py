"""Message catalogs: the same keys and placeholders in every language, every key the
templates and errors use exists, and language negotiation."""

from __future__ import annotations

import json
import re

import pytest

from backend.core import errors
from backend.core.i18n import (
    CATALOG_DIR,
    DEFAULT_LOCALE,
    LOCALES,
    negotiate,
    placeholders,
    translate,
)
from backend.core.permissions import STAFF_ROLES, Role
from backend.core.settings import ROOT

TEMPLATES = ROOT / "backend" / "templates"
LITERAL_KEY = re.compile(r"""\bt\(\s*(["'])([\w.]+)\1""")
DYNAMIC_PREFIX = re.compile(r"""\bt\(\s*(["'])([\w.]+)\1\s*~""")


def load(locale: str) -> dict[str, str]:
    return json.loads((CATALOG_DIR / f"{locale}.json").read_text(encoding="utf-8"))


def template_keys() -> tuple[set[str], set[str]]:
    literal: set[str] = set()
    prefixes: set[str] = set()
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        prefixes |= {m.group(2) for m in DYNAMIC_PREFIX.finditer(text)}
        literal |= {m.group(2) for m in LITERAL_KEY.finditer(text)} - prefixes
    return literal, prefixes


def test_the_catalogs_are_valid_flat_string_maps() -> None:
    for locale in LOCALES:
        data = load(locale)
        assert data and all(
            isinstance(k, str) and isinstance(v, str) and v for k, v in data.items()
        )


def test_both_catalogs_have_exactly_the_same_keys() -> None:
    zh, en = load("zh-CN"), load("en")
    assert sorted(set(zh) - set(en)) == []
    assert sorted(set(en) - set(zh)) == []


def test_both_catalogs_have_the_same_placeholders_per_key() -> None:
    zh, en = load("zh-CN"), load("en")
    mismatched = {k for k in zh.keys() & en.keys() if placeholders(zh[k]) != placeholders(en[k])}
    assert mismatched == set()


def test_the_template_scan_finds_keys() -> None:
    literal, prefixes = template_keys()
    assert {"app.name", "office.title", "audit.chain_ok", "error.back_home"} <= literal
    assert "role." in prefixes


def test_every_dynamic_key_prefix_names_a_family_of_keys() -> None:
    _, prefixes = template_keys()
    for locale in LOCALES:
        keys = load(locale).keys()
        for prefix in prefixes:
            assert any(k.startswith(prefix) for k in keys), (locale, prefix)


def test_every_key_used_in_the_templates_exists_in_both_catalogs() -> None:
    literal, _ = template_keys()
    for locale in LOCALES:
        assert sorted(literal - load(locale).keys()) == [], locale


def test_every_role_a_page_can_show_has_a_name_in_both_catalogs() -> None:
    # Templates build role keys dynamically, t("role." ~ r), for people's roles.
    shown = {Role.RESIDENT, *STAFF_ROLES}
    for locale in LOCALES:
        assert {f"role.{r.value}" for r in shown} <= load(locale).keys(), locale


def _error_classes() -> list[type[errors.XinyiError]]:
    found = [errors.XinyiError]
    queue = [errors.XinyiError]
    while queue:
        for sub in queue.pop().__subclasses__():
            found.append(sub)
            queue.append(sub)
    return found


def test_every_error_title_exists_in_both_catalogs() -> None:
    keys = {cls.title_key for cls in _error_classes()} | {"error.internal"}
    for locale in LOCALES:
        assert sorted(keys - load(locale).keys()) == [], locale


@pytest.mark.parametrize(
    ("accept_language", "chosen", "expected"),
    [
        (None, None, "zh-CN"),
        ("", None, "zh-CN"),
        ("en", None, "en"),
        ("en-US,en;q=0.9", None, "en"),
        ("EN-gb", None, "en"),
        ("zh-TW", None, "zh-CN"),
        ("zh-Hans-CN,zh;q=0.9,en;q=0.8", None, "zh-CN"),
        ("en;q=0.5,zh;q=0.9", None, "zh-CN"),
        ("zh;q=0.2, en;q=0.8", None, "en"),
        ("fr-FR,fr;q=0.9,en;q=0.7", None, "en"),
        ("fr-FR,de", None, "zh-CN"),
        ("*", None, "zh-CN"),
        ("en;q=abc", None, "zh-CN"),  # an unreadable weight counts for nothing
        ("en;q=abc,zh;q=0.1", None, "zh-CN"),
        (";;,,", None, "zh-CN"),
        ("en;q=0,zh;q=0.1", None, "zh-CN"),  # q=0: not acceptable
        ("zh;q=0, en;q=0", None, "zh-CN"),
        ("zh; q=0.2, en; q=0.8", None, "en"),  # spaces around the parameter
        ("zh;Q=0.2,en;level=1;q=0.8", None, "en"),
        ("en;q=nan,zh", None, "zh-CN"),
        ("en", "zh-CN", "zh-CN"),  # the user's own choice wins
        ("zh-CN", "en", "en"),
        ("en", "fr", "en"),  # an unsupported choice is ignored
        (None, "EN", "zh-CN"),
    ],
)
def test_negotiate(accept_language, chosen, expected) -> None:
    assert negotiate(accept_language, chosen) == expected


def test_translate_fills_placeholders_and_falls_back() -> None:
    assert translate("en", "office.welcome", name="Li") == "Hello, Li"
    assert translate("zh-CN", "office.welcome", name="李") == "您好，李"
    assert translate("fr", "app.name") == translate(DEFAULT_LOCALE, "app.name")
    assert translate("en", "no.such.key") == "no.such.key"
    assert translate("en", "office.welcome") == "Hello, {name}"

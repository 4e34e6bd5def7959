"""Production mode refuses development secrets and plain-http origins."""

from __future__ import annotations

import base64
import os

import pytest

from backend.app import create_app
from backend.core.settings import (
    DEV_ID_ENCRYPTION_KEY,
    DEV_ID_HASH_KEY,
    DEV_SECRET_KEY,
    InsecureSettings,
    Settings,
    load_settings,
)

STRONG = {
    "secret_key": "s" * 20 + base64.urlsafe_b64encode(os.urandom(24)).decode(),
    "id_encryption_key": base64.urlsafe_b64encode(os.urandom(32)).decode(),
    "id_hash_key": base64.urlsafe_b64encode(os.urandom(24)).decode(),
    "origins": ("https://xinyi.example.cn",),
    "rp_id": "xinyi.example.cn",
}


def production(**changes: object) -> Settings:
    return Settings(env="production", **{**STRONG, **changes})  # type: ignore[arg-type]


def test_strong_settings_with_https_origins_are_accepted() -> None:
    production().check()
    production(origins=("https://a.example", "https://b.example")).check()


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"secret_key": DEV_SECRET_KEY}, "SECRET_KEY"),
        ({"secret_key": "short-but-not-dev"}, "SECRET_KEY"),
        ({"id_encryption_key": DEV_ID_ENCRYPTION_KEY}, "ID_ENCRYPTION_KEY"),
        ({"id_hash_key": DEV_ID_HASH_KEY}, "ID_HASH_KEY"),
        ({"id_hash_key": "tooshort"}, "ID_HASH_KEY"),
        ({"origins": ("http://xinyi.example.cn",)}, "ORIGINS"),
        ({"origins": ("https://ok.example", "http://not.example")}, "ORIGINS"),
    ],
)
def test_production_refuses_weak_settings(changes, named) -> None:
    with pytest.raises(InsecureSettings, match=named):
        production(**changes).check()


def test_production_defaults_are_refused_naming_every_problem() -> None:
    with pytest.raises(InsecureSettings) as raised:
        Settings(env="production").check()
    for name in ("SECRET_KEY", "ID_ENCRYPTION_KEY", "ID_HASH_KEY", "ORIGINS"):
        assert name in str(raised.value)


def test_the_app_will_not_start_in_production_with_development_secrets(tmp_path) -> None:
    with pytest.raises(InsecureSettings):
        create_app(Settings(env="production", data_dir=tmp_path))


def test_development_accepts_the_defaults() -> None:
    Settings().check()
    assert not Settings().is_production and Settings(env="production").is_production


def test_load_settings_reads_the_environment(tmp_path, monkeypatch) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("XINYI_ENV=production\nSESSION_HOURS=3\n")
    monkeypatch.setenv("ORIGINS", "https://a.example, https://b.example")
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("COOKIE_SECURE", raising=False)
    settings = load_settings(env_file)
    assert settings.env == "production"
    assert settings.session_hours == 3
    assert settings.origins == ("https://a.example", "https://b.example")
    assert settings.cookie_secure is True  # secure cookies by default in production
    assert settings.data_dir == tmp_path / "data"
    with pytest.raises(InsecureSettings):
        settings.check()

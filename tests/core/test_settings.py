"""Production mode refuses development secrets, weak keys, insecure cookies and plain-http
origins; an unknown environment refuses to start at all."""

from __future__ import annotations

import base64
import os

import pytest

from backend.app import create_app
from backend.cli import main as cli_main
from backend.core.settings import (
    DEV_ID_ENCRYPTION_KEY,
    DEV_ID_HASH_KEY,
    DEV_SECRET_KEY,
    InsecureSettings,
    Settings,
    load_settings,
)
from backend.demo.city import seed_demo
from backend.residents.models import Person


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


STRONG = {
    "secret_key": "s" * 20 + base64.urlsafe_b64encode(os.urandom(24)).decode(),
    "id_encryption_key": base64.urlsafe_b64encode(os.urandom(32)).decode(),
    "id_hash_key": base64.urlsafe_b64encode(os.urandom(24)).decode(),
    "origins": ("https://xinyi.example.cn",),
    "rp_id": "xinyi.example.cn",
    "cookie_secure": True,
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


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"id_encryption_key": b64(bytes(32))}, "ID_ENCRYPTION_KEY"),  # all zero
        ({"id_encryption_key": b64(b"\x5a" * 32)}, "ID_ENCRYPTION_KEY"),  # one byte repeated
        ({"id_encryption_key": b64(b"0123456789abcdef" * 2)}, "ID_ENCRYPTION_KEY"),  # a pattern
        ({"id_encryption_key": b64(os.urandom(16))}, "ID_ENCRYPTION_KEY"),  # too short
        ({"id_encryption_key": "not base64 at all!"}, "ID_ENCRYPTION_KEY"),
        ({"secret_key": "0" * 64}, "SECRET_KEY"),
        ({"secret_key": "ab" * 32}, "SECRET_KEY"),
        ({"id_hash_key": "x" * 40}, "ID_HASH_KEY"),
        ({"id_hash_key": "abcdefg" * 6}, "ID_HASH_KEY"),
    ],
)
def test_production_refuses_low_entropy_keys(changes, named) -> None:
    with pytest.raises(InsecureSettings, match=named):
        production(**changes).check()


def test_production_refuses_insecure_cookies() -> None:
    with pytest.raises(InsecureSettings, match="COOKIE_SECURE"):
        production(cookie_secure=False).check()


def test_cookie_secure_false_in_the_environment_is_refused_in_production(
    tmp_path, monkeypatch
) -> None:
    for name, value in {**STRONG, "origins": STRONG["origins"][0]}.items():
        monkeypatch.setenv(name.upper(), str(value))
    monkeypatch.setenv("XINYI_ENV", "production")
    monkeypatch.setenv("COOKIE_SECURE", "false")
    settings = load_settings(tmp_path / "none.env")
    assert settings.cookie_secure is False
    with pytest.raises(InsecureSettings, match="COOKIE_SECURE"):
        settings.check()
    monkeypatch.setenv("COOKIE_SECURE", "true")
    load_settings(tmp_path / "none.env").check()


@pytest.mark.parametrize("env", ["prod", "Production", "staging", ""])
def test_an_unknown_environment_fails_closed(env, tmp_path, monkeypatch) -> None:
    with pytest.raises(InsecureSettings, match="XINYI_ENV"):
        Settings(env=env).check()
    with pytest.raises(InsecureSettings, match="XINYI_ENV"):
        create_app(Settings(env=env, data_dir=tmp_path))
    monkeypatch.setenv("XINYI_ENV", env)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    with pytest.raises(InsecureSettings, match="XINYI_ENV"):
        cli_main(["ensure-keys"])
    assert not (tmp_path / "data" / "keys").exists()  # refused before doing anything


@pytest.mark.parametrize("env", ["development", "test"])
def test_the_known_non_production_environments_start(env) -> None:
    Settings(env=env).check()


async def test_production_refuses_to_seed_a_demo_city(app, settings) -> None:
    strong = settings.with_overrides(env="production", **STRONG)
    with pytest.raises(InsecureSettings, match="demo"):
        await seed_demo(strong, 50, 1)
    assert await Person.all().count() == 0
    assert not (settings.data_dir / "demo-credentials.json").exists()

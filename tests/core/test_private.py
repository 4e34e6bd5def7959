"""DATA_DIR, the key folder, the SQLite database and the demo credentials are owner-only, and
keys are 0600 from the first byte, whatever umask the process was started with."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from backend.cli import migrate
from backend.core.keys import create_key
from backend.core.private import prepare_storage, sqlite_file, write_private
from backend.demo.city import seed_demo
from tests.conftest import IS_PG
from tests.conftest import test_settings as settings_for

ROOT = Path(__file__).resolve().parents[2]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def lax_umask() -> Iterator[None]:
    """The usual 022 umask, under which files are world-readable unless made otherwise."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.mark.skipif(IS_PG, reason="the SQLite file is what is checked; PostgreSQL has none")
async def test_migrating_a_fresh_install_makes_an_owner_only_data_folder_and_database(
    tmp_path: Path, lax_umask: None
) -> None:
    data = tmp_path / "var"
    settings = settings_for(data, "")  # the default: var/xinyi.sqlite3
    await migrate(settings)
    database = sqlite_file(settings.resolved_database_url)
    assert database is not None and database.exists()
    assert mode(data) == 0o700 and mode(settings.keys_dir) == 0o700
    for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
        if path.exists():
            assert mode(path) == 0o600, path


def test_existing_folders_and_files_are_narrowed(tmp_path: Path, lax_umask: None) -> None:
    data = tmp_path / "var"
    data.mkdir(mode=0o755)
    (data / "xinyi.sqlite3").write_bytes(b"")
    (data / "xinyi.sqlite3").chmod(0o644)
    prepare_storage(settings_for(data, ""))
    assert mode(data) == 0o700 and mode(data / "xinyi.sqlite3") == 0o600


def test_a_new_signing_key_is_owner_only_from_the_first_byte(
    tmp_path: Path, lax_umask: None
) -> None:
    keys = tmp_path / "keys"
    key = create_key(keys)
    assert mode(keys) == 0o700
    assert mode(keys / f"{key.kid}.pem") == 0o600


def test_write_private_narrows_a_file_that_was_readable(tmp_path: Path, lax_umask: None) -> None:
    target = tmp_path / "secret.json"
    target.write_text("old")
    target.chmod(0o644)
    write_private(target, "new")
    assert target.read_text() == "new" and mode(target) == 0o600


async def test_the_demo_credentials_file_is_owner_only(app, settings, lax_umask: None) -> None:
    await seed_demo(settings, 60, 3, score=False)
    path = settings.data_dir / "demo-credentials.json"
    assert mode(path) == 0o600 and mode(settings.data_dir) == 0o700


@pytest.mark.parametrize("script", ["run", "seed_demo"])
def test_the_scripts_set_an_owner_only_umask_before_creating_anything(script: str) -> None:
    lines = (ROOT / "scripts" / script).read_text().splitlines()
    umask = next(i for i, line in enumerate(lines) if line.startswith("umask 077"))
    first_write = next(
        i for i, line in enumerate(lines) if "backend.cli" in line or line.startswith("mkdir")
    )
    assert umask < first_write

"""Key rotation (scripts/rotate_keys): a new signing key is published at once and signs only
after its lead time (default 48 h), so a counter with yesterday's bundle knows it before any
pass carries it; the previous key keeps signing until then."""

from __future__ import annotations

import base64
import json
import subprocess
import time
from pathlib import Path

import pytest

from backend.core.keys import DEFAULT_PUBLISH_LEAD, KeyRing, create_key, signing_schedule
from backend.core.settings import ROOT
from backend.passes import base45
from backend.passes.format import PREFIX
from tests.partners.helpers import resident_phone


def test_a_new_key_is_published_first_and_signs_after_its_lead(tmp_path: Path, monkeypatch) -> None:
    first = create_key(tmp_path)
    ring = KeyRing(tmp_path)
    assert ring.active.kid == first.kid
    now = time.time()
    second = create_key(tmp_path, signs_from=int(now + DEFAULT_PUBLISH_LEAD))
    ring._next_check = 0  # look at the folder again now (it is read at most once a second)
    ring.reload_if_changed()
    published = [k["kid"] for k in json.loads(ring.jwks())["keys"]]
    assert second.kid in published and first.kid in published
    assert ring.active.kid == first.kid  # published, not signing yet
    monkeypatch.setattr(time, "time", lambda: now + DEFAULT_PUBLISH_LEAD + 1)
    assert ring.active.kid == second.kid  # its time came: it signs, no restart needed
    assert signing_schedule(tmp_path)[second.kid] == int(now + DEFAULT_PUBLISH_LEAD)


def test_the_script_schedules_with_the_default_or_the_given_lead(tmp_path: Path) -> None:
    env = {"DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin", "XINYI_ENV": "test"}
    runs = []
    for extra in ([], ["--lead-hours", "1"]):
        done = subprocess.run(
            [str(ROOT / ".venv" / "bin" / "python"), "-m", "backend.passes.rotation", *extra],
            cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=60,
        )  # fmt: skip
        runs.append(json.loads(done.stdout))
    now = time.time()
    assert abs(runs[0]["signs_from"] - (now + 48 * 3600)) < 120
    assert abs(runs[1]["signs_from"] - (now + 3600)) < 120
    assert (tmp_path / "keys" / f"{runs[0]['new_kid']}.pem").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize("lead", [-1])
def test_a_negative_lead_is_refused(tmp_path: Path, lead: int) -> None:
    env = {"DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin", "XINYI_ENV": "test"}
    done = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "-m", "backend.passes.rotation",
         "--lead-hours", str(lead)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2 and "must not be negative" in done.stderr


async def test_passes_keep_the_old_key_until_the_new_one_signs(app, library, browsers) -> None:
    ring: KeyRing = app.state.keyring
    before = ring.active.kid
    create_key(ring.keys_dir, signs_from=int(time.time() + DEFAULT_PUBLISH_LEAD))
    ring._next_check = 0
    bundle = (
        await library.officer.get("/api/v1/passes/offline-bundle", headers=library.key)
    ).json()
    assert len(bundle["jwks"]["keys"]) == 2  # the counter already knows the next key
    phone, _ = await resident_phone(app, browsers(), name="刘欢")
    kid = base45.decode(phone.present()[len(PREFIX) :])[1:9]
    assert base64.urlsafe_b64encode(kid).rstrip(b"=").decode() == before

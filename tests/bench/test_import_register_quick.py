"""scripts/bench/import_register.py cannot rot: it runs as committed, in its quick mode, as a
subprocess from another directory, and its answers are right (nothing here is about speed)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_import_register_quick_creates_then_changes_nothing_then_applies_the_changes(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DATA_DIR", "DATABASE_URL")}
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "bench" / "import_register.py"), "--quick"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout)
    first, again, delta = result["first"], result["again"], result["changes"]
    assert result["people"] == 3000
    assert (first["created"], first["rejected"], first["lines"]) == (3000, 0, 3000)
    assert (again["created"], again["changed"], again["unchanged"]) == (0, 0, 3000)
    want = result["changes_expected"]
    assert delta["created"] == want["created"] and delta["rejected"] == 0
    assert (delta["moved_out"], delta["deceased"]) == (want["moved_out"], want["deceased"])
    assert delta["changed"] == want["changed"] + want["moved_out"] + want["deceased"]
    assert result["statuses"] == {
        "active": 3000 + want["created"] - want["moved_out"] - want["deceased"],
        "moved_out": want["moved_out"],
        "deceased": want["deceased"],
    }
    for run in (first, again, delta):
        assert run["lines_per_s"] > 0 and run["peak_rss_mb"] > 0 and len(run["load_avg"]) == 3

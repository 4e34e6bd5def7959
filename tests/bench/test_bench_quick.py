"""The benchmark scripts cannot rot: each runs as committed, in its quick mode on a small city,
as a subprocess from a fresh directory, and its answers are right. Nothing here is about speed.
The three run side by side to keep the wall time down."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ("verify", "ingest", "rescore")


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, dict[str, Any]]]:
    elsewhere = tmp_path_factory.mktemp("bench-cwd")  # not the project root: paths must hold
    env = {k: v for k, v in os.environ.items() if k not in ("DATA_DIR", "DATABASE_URL")}
    procs = {
        name: subprocess.Popen(
            [sys.executable, str(ROOT / "scripts" / "bench" / f"{name}.py"), "--quick"],
            cwd=elsewhere,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in SCRIPTS
    }
    results: dict[str, dict[str, Any]] = {}
    try:
        for name, proc in procs.items():
            out, err = proc.communicate(timeout=600)
            assert proc.returncode == 0, f"{name}.py --quick failed:\n{err[-3000:]}"
            results[name] = json.loads(out)
        yield results
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def test_verify_quick_counts_only_valid_answers(runs: dict[str, dict[str, Any]]) -> None:
    result = runs["verify"]
    assert result["residents"] == 300 and result["distinct_passes"] == 300
    assert result["live_offers"] == 2  # a partner with offers: every answer weighs both
    assert result["rounds"] == 3 and len(result["per_round"]) == 3
    for rnd in result["per_round"]:
        assert sorted(rnd["order"]) == ["bare_starlette", "floor", "verifyPass"]
        for name in ("verifyPass", "floor", "bare_starlette"):
            assert rnd[name]["answers"] > 0 and rnd[name]["invalid"] == 0
            assert rnd[name]["rps"] > 0
    assert result["verifyPass"]["answers_checked"] > 0
    assert result["ratio_verifyPass_to_floor"]["median"] > 0
    assert result["load_average"]["median"] >= 0


def test_ingest_quick_alternates_with_the_bare_insert(runs: dict[str, dict[str, Any]]) -> None:
    result = runs["ingest"]
    assert result["records"] == 3 * 2 * 500
    assert result["sqlite_pragmas_both"]["cache_size"] == "-65536"  # 64 MB on both sides
    assert len(result["per_round"]) == 3
    for rnd in result["per_round"]:
        assert rnd["api_records_per_s"] > 0 and rnd["bare_rows_per_s"] > 0
    assert result["ratio_api_to_bare"]["median"] > 0


def test_rescore_quick_scores_everyone_and_nightly_changes_nothing(
    runs: dict[str, dict[str, Any]],
) -> None:
    result = runs["rescore"]
    assert result["people_in_register"] == 500
    assert 0 < result["people_scored"] <= 500
    assert len(result["per_round"]) == 3
    for rnd in result["per_round"]:
        assert rnd["scores_written"] == result["people_scored"]  # from scratch: every score
        assert rnd["bare_aggregation_s"] > 0
    assert result["ratio_scratch_to_bare"]["median"] > 0
    # Memory while rescoring, apart from the seeding's high-water mark of the same process.
    peak = result["peak_rss_mb_while_rescoring"]
    assert result["rss_mb_before_rounds"] <= peak <= result["peak_rss_mb_process_incl_seeding"]


def _bench_module(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / "bench" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def test_the_answer_check_counts_a_pass_that_is_not_valid(tmp_path: Path) -> None:
    """The floor answers `"valid": false` for text that is not a pass: wrk's response hook must
    count every such answer (and none of the bare endpoint's), or the check proves nothing."""
    sys.path.insert(0, str(ROOT / "scripts" / "bench"))
    sys.path.insert(0, str(ROOT / "tests" / "passes"))
    server = _bench_module("_server")
    verify = _bench_module("verify")
    proc = None
    try:
        proc, url = server.start(
            {"DATA_DIR": str(tmp_path)}, app="bare_app:app", factory=False, app_dir=server.HERE
        )
        garbage = verify.wrk(f"{url}/floor", "Bearer x", ['{"text": "NOT A PASS"}'], 1, 2)
        echoed = verify.wrk(f"{url}/verify", "Bearer x", ['{"text": "x"}'], 1, 2)
    finally:
        server.stop(proc)
    assert garbage["answers"] > 0 and garbage["invalid"] == garbage["answers"]
    assert echoed["answers"] > 0 and echoed["invalid"] == 0
    assert proc is not None and proc.poll() is not None  # stopped, process group and all

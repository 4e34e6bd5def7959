"""scripts/import_register as an operator runs it (`python -m backend.cli import-register`, what
the script execs): a CSV export from a file, its rejected lines in a report file without any
ID number, the same file again changing nothing, NDJSON changes from stdin."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from backend.residents.models import Person, PersonStatus, RegisterImport
from tests.population.helpers import new_number

ROOT = Path(__file__).resolve().parents[2]


async def _run(
    settings: Any, tmp_path: Path, *args: str, stdin: bytes | None = None
) -> dict[str, Any]:
    env = {
        "DATABASE_URL": settings.database_url,
        "DATA_DIR": str(tmp_path / "cli"),
        "BACKGROUND_TASKS": "false",
        "PYTHONPATH": str(ROOT),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "backend.cli", "import-register", "--quiet", *args,
        cwd=ROOT, env=env, stdin=asyncio.subprocess.PIPE if stdin is not None else None,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(stdin), timeout=120)
    assert process.returncode == 0, err.decode()
    return dict(json.loads(out.decode().strip().splitlines()[-1]))


async def test_the_script_imports_a_csv_export_reports_rejections_and_is_idempotent(
    app, settings, tmp_path
) -> None:
    good = [new_number() for _ in range(3)]
    bad = new_number()
    bad = bad[:17] + ("3" if bad[17] != "3" else "4")
    export = tmp_path / "export-2026-12-01.csv"
    export.write_text(
        "seq,id_number,name,district,change\n"
        + "".join(f"{i + 1},{n},居民{i},420203,\n" for i, n in enumerate(good))
        + f"4,{bad},错号,420203,\n"
        + f"5,{new_number()},外地,110101,\n",
        encoding="utf-8",
    )
    rejects = tmp_path / "rejected.ndjson"
    first = await _run(settings, tmp_path, str(export), "--rejects", str(rejects))
    assert (first["lines"], first["created"], first["rejected"]) == (5, 3, 2)
    report = [json.loads(x) for x in rejects.read_text().splitlines()]
    assert report == [
        {"line": 5, "field": "id_number", "reason": "id_number"},
        {"line": 6, "field": "district", "reason": "district"},
    ]
    assert bad[6:] not in rejects.read_text() and bad[6:] not in json.dumps(first)
    assert await Person.filter(district_code="420203").count() == 3

    again = await _run(settings, tmp_path, str(export))
    assert (again["created"], again["changed"], again["unchanged"]) == (0, 0, 3)

    changes = (json.dumps({"seq": 9, "id_number": good[0], "change": "moved_out"}) + "\n").encode()
    moved = await _run(settings, tmp_path, "-", "--format", "ndjson", stdin=changes)
    assert (moved["moved_out"], moved["changed"]) == (1, 1)
    statuses = sorted(await Person.all().values_list("status", flat=True))
    assert statuses == [PersonStatus.ACTIVE, PersonStatus.ACTIVE, PersonStatus.MOVED_OUT]
    runs = await RegisterImport.all().order_by("id").values_list("source", "label")
    assert runs == [
        ("file", "scripts/import_register export-2026-12-01.csv"),
        ("file", "scripts/import_register export-2026-12-01.csv"),
        ("file", "scripts/import_register stdin"),
    ]

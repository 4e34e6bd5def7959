"""scripts/import_register: one export file (or stdin) into the register, with a report.

Rejected lines go to `--rejects` as NDJSON (line, field, reason: never the ID number) as they
are found, so the report of a large file costs no memory; the run row keeps the first 1,000.
"""

from __future__ import annotations

import contextlib
import json
import sys
import time
from pathlib import Path
from typing import Any, BinaryIO

from tqdm import tqdm

from ..core.crypto import IdCipher
from ..core.settings import Settings
from .feed import Format, Rejection, format_of
from .service import FILE_ACTOR, create_register_token, district_codes, import_lines, run_answer
from .stream import file_lines


async def import_file(
    settings: Settings,
    path: str,
    *,
    fmt: Format | None = None,
    rejects: Path | None = None,
    progress: bool = True,
) -> dict[str, Any]:
    if path != "-" and not Path(path).is_file():
        raise SystemExit(f"no such file: {path}")
    chosen = fmt or format_of(path)
    started = time.perf_counter()
    with contextlib.ExitStack() as stack:
        handle: BinaryIO = (
            sys.stdin.buffer if path == "-" else stack.enter_context(Path(path).open("rb"))
        )
        sink = stack.enter_context(rejects.open("w", encoding="utf-8")) if rejects else None
        bar = stack.enter_context(
            tqdm(unit="lines", unit_scale=True, desc="register", disable=not progress)
        )

        def on_rejection(rejection: Rejection) -> None:
            if sink is not None:
                sink.write(json.dumps(rejection.as_dict()) + "\n")

        def moved(line_no: int) -> None:
            bar.n = line_no
            bar.refresh()

        run = await import_lines(
            file_lines(handle),
            fmt=chosen,
            cipher=IdCipher.from_settings(settings),
            districts=district_codes(settings.city_file),
            source="file",
            label=f"{FILE_ACTOR} {'stdin' if path == '-' else Path(path).name}",
            on_rejection=on_rejection,
            progress=moved,
        )
    answer = run_answer(run)
    answer["rejections"] = answer["rejections"][:20]  # the whole report is in --rejects
    answer["seconds"] = round(time.perf_counter() - started, 1)
    return answer


async def register_token(label: str) -> str:
    _, secret = await create_register_token(officer=None, label=label)
    return secret

"""Browser tests: one server (fresh database, seeded demo city) and one Chromium per module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import sync_playwright

from .harness import CHROMIUM, CHROMIUM_ARGS, Server, running_server


@pytest.fixture(autouse=True)
def _close_orm() -> Iterator[None]:
    """Overrides the async ORM clean-up of tests/conftest.py: these tests never open the
    ORM in-process, and an asyncio fixture must not run beside Playwright's sync loop."""
    yield


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("browser")) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: ./scripts/test installs it (apt-get install -y chromium)"
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()

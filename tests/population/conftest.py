"""Register feed tests: each has its own database; the pass tests scan at a library's counter
(`tests/partners/fixtures.py`)."""

from __future__ import annotations

from tests.partners.fixtures import browsers, library

__all__ = ["browsers", "library"]

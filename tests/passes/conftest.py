"""Pass tests: each has its own database; tests that scan a pass at a partner's counter ask for
the partner tests' fixtures (`tests/partners/fixtures.py`)."""

from __future__ import annotations

from tests.partners.fixtures import browsers, library

__all__ = ["browsers", "library"]

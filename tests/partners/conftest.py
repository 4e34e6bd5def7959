"""Partner tests: each has its own database, browsers of its own, and (when it asks) a library
that joined through the credit office with a live offer (see `fixtures.py`)."""

from __future__ import annotations

from tests.partners.fixtures import browsers, library

__all__ = ["browsers", "library"]

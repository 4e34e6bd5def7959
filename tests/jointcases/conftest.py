"""Joint-case tests: each has its own database; the partner fixtures give a library with a
live deposit-free offer for the counter uses."""

from __future__ import annotations

from tests.partners.fixtures import browsers, library

__all__ = ["browsers", "library"]

"""The office console's pages, assembled: sign-in and the audit trail (`pages.py`), staff
accounts (`staff_pages.py`), the credit office's dashboard, look-up and tokens
(`credit_pages.py`), the key groups' coverage (`keygroup_pages.py`) and list review
(`list_pages.py`)."""

from __future__ import annotations

from . import (
    credit_pages,
    keygroup_pages,
    list_pages,
    pages,
    published_pages,
    staff_pages,
    watch_pages,
)

routes = [
    *pages.routes,
    *staff_pages.routes,
    *credit_pages.routes,
    *keygroup_pages.routes,
    *watch_pages.routes,
    *published_pages.routes,
    *list_pages.routes,
]

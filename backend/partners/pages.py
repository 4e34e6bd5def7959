"""Server-rendered pages for partners: the counter, the partner portal, joining, the
paper pass, and the credit office's approvals."""

from __future__ import annotations

from ..core.routing import DeclaredRoute

routes: list[DeclaredRoute] = []

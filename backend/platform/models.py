"""The health check's own table: `/healthz` proves the database takes writes by updating it."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class HealthProbe(Model):
    """Never holds a row: the health check's UPDATE matches nothing, but a database that
    cannot write (read-only, locked past the timeout, disk full) refuses it all the same."""

    id = fields.BigIntField(primary_key=True)
    checked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "health_probe"

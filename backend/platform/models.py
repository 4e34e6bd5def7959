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


class RateBucket(Model):
    """One API key's token bucket, shared by every app process (`platform.shared`). Tokens
    are counted in thousandths and time in microseconds since the epoch, both integers, so a
    lease is a compare-and-set on exact values."""

    key = fields.CharField(max_length=100, primary_key=True)
    tokens_milli = fields.BigIntField()
    updated_us = fields.BigIntField()

    class Meta:
        table = "rate_bucket"


class SharedGeneration(Model):
    """How often a channel of access caches (tokens, partners, offers) was invalidated: every
    process empties its caches of a channel when this number moves (`core.ttlcache`)."""

    name = fields.CharField(max_length=40, primary_key=True)
    value = fields.BigIntField(default=0)

    class Meta:
        table = "shared_generation"

"""Issue 10, the API contract: offers' per-person limits, the fingerprint of an idempotent
redemption request, and the health check's probe table. New columns are nullable or have a
default and the probe is a new table, so no existing table is rebuilt."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("xinyi", "0006_privacy_register")]

    initial = False

    operations = [
        ops.AddField(model_name="Offer", name="per_person_limit", field=fields.IntField(null=True)),
        ops.AddField(
            model_name="Offer",
            name="per_person_period",
            field=fields.CharField(default="ever", max_length=8),
        ),
        ops.AddField(
            model_name="Redemption",
            name="request_fingerprint",
            field=fields.CharField(max_length=64, null=True),
        ),
        ops.CreateModel(
            name="HealthProbe",
            fields=[
                ("id", fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("checked_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={"table": "health_probe", "app": "xinyi", "pk_attr": "id", "table_description": "Never holds a row: the health check's UPDATE matches nothing, but a database that\n    cannot write (read-only, locked past the timeout, disk full) refuses it all the same."},
            bases=["Model"],
        ),
    ]

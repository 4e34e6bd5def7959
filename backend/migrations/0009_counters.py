"""Pass format version 2 (paper passes as devices) and issue 11 (offline counter
confirmations). Adding columns never rebuilds a table."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index  # offline counters' table


class Migration(migrations.Migration):
    dependencies = [("xinyi", "0008_residents_rights")]

    initial = False

    operations: list[object] = [
        # ---- passes (pass format v2): a paper pass is listed and removed like a device ----
        ops.AddField(
            model_name="DeviceKey",
            name="kind",
            field=fields.CharField(default="phone", db_default="phone", max_length=8),
        ),
        ops.AddField(
            model_name="DeviceKey",
            name="expires_at",
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        # ---- end of passes ----
        # ---- offline counters (issue 11): what offline counters sent back, once per item ----
        ops.CreateModel(
            name='OfflineItem',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('partner_id', fields.BigIntField()),
                ('item_id', fields.CharField(max_length=64)),
                ('kind', fields.CharField(max_length=8)),
                ('counter', fields.CharField(max_length=64)),
                ('operator', fields.CharField(default='', max_length=120)),
                ('offer_id', fields.BigIntField(null=True)),
                ('identity', fields.CharField(default='', max_length=64)),
                ('confirmed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('lists_as_of', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('received_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('outcome', fields.CharField(max_length=12)),
                ('reason', fields.CharField(default='', max_length=32)),
                ('redemption_id', fields.BigIntField(null=True)),
                ('person_id', fields.BigIntField(null=True)),
            ],
            options={'table': 'offline_item', 'app': 'xinyi', 'unique_together': (('partner_id', 'item_id'),), 'indexes': [Index(fields=['partner_id', 'outcome'])], 'pk_attr': 'id', 'table_description': 'One item an offline counter queued: a check or a confirmed benefit.'},
            bases=['Model'],
        ),
        # ---- end of offline counters ----
    ]

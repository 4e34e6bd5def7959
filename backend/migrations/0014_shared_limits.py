"""Issue 14, several processes: the partner API's rate-limit buckets and the generations of
the access caches (tokens, partners, offers), shared by every app process
(backend/platform/models.py, backend/platform/shared.py)."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("xinyi", "0013_joint_cases")]

    initial = False

    operations: list[object] = [
        ops.CreateModel(
            name='RateBucket',
            fields=[
                ('key', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=100)),
                ('tokens_milli', fields.BigIntField()),
                ('updated_us', fields.BigIntField()),
            ],
            options={'table': 'rate_bucket', 'app': 'xinyi', 'pk_attr': 'key', 'table_description': "One API key's token bucket, shared by every app process (`platform.shared`). Tokens"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SharedGeneration',
            fields=[
                ('name', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=40)),
                ('value', fields.BigIntField(default=0)),
            ],
            options={'table': 'shared_generation', 'app': 'xinyi', 'pk_attr': 'name', 'table_description': 'How often a channel of access caches (tokens, partners, offers) was invalidated: every'},
            bases=['Model'],
        ),
    ]

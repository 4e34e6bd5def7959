"""Issue 13, the register feed: a person's standing in the register (active / moved out /
deceased) and the population database's sequence number of the last change applied to them,
and one row per import run with its counts and first rejected lines (docs/register-feed.md).

The file keeps the name it was reserved under, so the migrations after it find it."""

import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from backend.residents.models import PersonStatus


class Migration(migrations.Migration):
    dependencies = [("xinyi", "0010_programme")]

    initial = False

    operations: list[object] = [
        ops.AddField(
            model_name="Person",
            name="status",
            field=fields.CharEnumField(default=PersonStatus.ACTIVE, description="PersonStatus", db_default=PersonStatus.ACTIVE, enum_type=PersonStatus, max_length=12),
        ),
        ops.AddField(
            model_name="Person",
            name="register_seq",
            field=fields.BigIntField(default=0, db_default=0),
        ),
        ops.AddIndex(model_name="Person", index=Index(fields=["status"])),
        ops.CreateModel(
            name="RegisterImport",
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('source', fields.CharField(max_length=8)),
                ('label', fields.CharField(default='', max_length=200)),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('lines', fields.IntField(default=0)),
                ('created', fields.IntField(default=0)),
                ('changed', fields.IntField(default=0)),
                ('unchanged', fields.IntField(default=0)),
                ('rejected', fields.IntField(default=0)),
                ('moved_out', fields.IntField(default=0)),
                ('deceased', fields.IntField(default=0)),
                ('moved_in', fields.IntField(default=0)),
                ('passes_revoked', fields.IntField(default=0)),
                ('rejections', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'register_import', 'app': 'xinyi', 'pk_attr': 'id', 'table_description': 'One import of the population database\'s feed (人口库数据导入): a file through'},
            bases=['Model'],
        ),
    ]

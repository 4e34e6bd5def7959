"""Issue 13, joint cases (联合激励/惩戒案例): the cases departments report and the counter uses
the roll-up finds, and the roll-up's cursor per source (backend/jointcases/models.py)."""

from tortoise import fields, migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("xinyi", "0012_lists_in_practice")]

    initial = False

    operations: list[object] = [
        ops.CreateModel(
            name='JointCase',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('origin', fields.CharField(max_length=40)),
                ('external_id', fields.CharField(max_length=64)),
                ('source', fields.CharField(max_length=12)),
                ('list_kind', fields.CharField(max_length=8)),
                ('measure', fields.CharField(max_length=40)),
                ('department', fields.CharField(default='', max_length=32)),
                ('partner_id', fields.BigIntField(null=True)),
                ('person_id', fields.BigIntField(null=True, db_index=True)),
                ('case_reference', fields.CharField(default='', max_length=64)),
                ('occurred_on', fields.DateField()),
                ('month', fields.CharField(max_length=7)),
                ('summary', fields.CharField(default='', max_length=500)),
                ('reported_by_id', fields.BigIntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'joint_case', 'app': 'xinyi', 'unique_together': (('origin', 'external_id'),), 'indexes': [Index(fields=['month', 'list_kind', 'measure']), Index(fields=['department', 'occurred_on'])], 'pk_attr': 'id', 'table_description': 'One joint incentive or punishment case (联合激励/惩戒案例): a list used for a person by a'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RollupCursor',
            fields=[
                ('source', fields.CharField(max_length=16, primary_key=True, unique=True, db_index=True)),
                ('last_id', fields.BigIntField(default=0)),
            ],
            options={'table': 'joint_case_cursor', 'app': 'xinyi', 'pk_attr': 'source', 'table_description': 'The last row of one source the roll-up has turned into cases (its id).'},
            bases=['Model'],
        ),
    ]

"""Reserved for issue 13 (joint cases, honour roll, campaigns, key groups, register feed); operations are added by that work."""

from tortoise import fields, migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("xinyi", "0009_counters")]

    initial = False

    operations: list[object] = [
        # --- honour roll and campaigns (issue 13, part A: backend/programme/models.py) ---
        ops.CreateModel(
            name='HonourEntry',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('person_id', fields.BigIntField(db_index=True)),
                ('title', fields.CharField(max_length=16)),
                ('year', fields.SmallIntField()),
                ('district_code', fields.CharField(max_length=6)),
                ('citation_zh', fields.CharField(max_length=120)),
                ('citation_en', fields.CharField(default='', max_length=200)),
                ('record_id', fields.BigIntField(null=True)),
                ('status', fields.CharField(default='proposed', max_length=12)),
                ('consent', fields.CharField(default='pending', max_length=12)),
                ('proposed_by_id', fields.BigIntField()),
                ('decided_by_id', fields.BigIntField(null=True)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('consent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'honour_entry', 'app': 'xinyi', 'unique_together': (('person_id', 'title', 'year'),), 'indexes': [Index(fields=['status', 'consent', 'year'])], 'pk_attr': 'id', 'table_description': 'One nomination to the honour roll (诚信之星 / 道德模范) for one year. It is shown on the'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Campaign',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('title_zh', fields.CharField(max_length=60)),
                ('title_en', fields.CharField(max_length=120)),
                ('description_zh', fields.CharField(default='', max_length=500)),
                ('description_en', fields.CharField(default='', max_length=1000)),
                ('starts_on', fields.DateField()),
                ('ends_on', fields.DateField()),
                ('departments', fields.CharField(default='', max_length=300)),
                ('status', fields.CharField(default='scheduled', max_length=12)),
                ('created_by_id', fields.BigIntField()),
                ('updated_by_id', fields.BigIntField()),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'campaign', 'app': 'xinyi', 'indexes': [Index(fields=['starts_on'])], 'pk_attr': 'id', 'table_description': 'One campaign on the public calendar (食品安全宣传周, 3·15 …), edited by the office.'},
            bases=['Model'],
        ),
        # --- end of issue 13 part A ---
        # --- key groups (issue 13, part B: backend/keygroups/models.py) ---
        ops.CreateModel(
            name='OccupationMembership',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('person_id', fields.BigIntField(db_index=True)),
                ('department', fields.CharField(max_length=32)),
                ('external_id', fields.CharField(max_length=64)),
                ('group_code', fields.CharField(max_length=32)),
                ('valid_from', fields.DateField()),
                ('valid_until', fields.DateField(null=True)),
                ('licence', fields.CharField(max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'occupation_membership', 'app': 'xinyi', 'unique_together': (('department', 'external_id'),), 'indexes': [Index(fields=['group_code', 'department'])], 'pk_attr': 'id', 'table_description': 'A person in a key group (律师, 教师, …) from `valid_from` until `valid_until` (open when'},
            bases=['Model'],
        ),
        # --- end of issue 13 part B ---
    ]

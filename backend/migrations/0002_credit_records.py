from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('xinyi', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ApiToken',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(max_length=16)),
                ('organisation', fields.CharField(max_length=32)),
                ('label', fields.CharField(default='', max_length=100)),
                ('prefix', fields.CharField(max_length=16)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('scopes', fields.CharField(max_length=200)),
                ('created_by_id', fields.BigIntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'api_token', 'app': 'xinyi', 'pk_attr': 'id', 'table_description': "An organisation's API token (接口令牌). Only a SHA-256 hash and a short prefix are kept."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CreditRecord',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('person_id', fields.BigIntField()),
                ('department', fields.CharField(max_length=32)),
                ('external_id', fields.CharField(max_length=64)),
                ('type_code', fields.CharField(max_length=48)),
                ('dimension', fields.CharField(max_length=16)),
                ('points', fields.SmallIntField()),
                ('severity', fields.CharField(max_length=8)),
                ('decision_date', fields.DateField()),
                ('repairable_from', fields.DateField()),
                ('expires_on', fields.DateField()),
                ('status', fields.CharField(default='active', max_length=12)),
                ('suspended', fields.BooleanField(default=False)),
                ('summary', fields.CharField(default='', max_length=500)),
                ('decision_doc_no', fields.CharField(default='', max_length=64)),
                ('catalog_version', fields.CharField(max_length=16)),
                ('revision', fields.IntField(default=1)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'credit_record', 'app': 'xinyi', 'unique_together': (('department', 'external_id'),), 'indexes': [Index(fields=['person_id', 'dimension', 'status', 'suspended', 'decision_date', 'expires_on', 'points']), Index(fields=['type_code', 'person_id', 'status', 'suspended', 'decision_date', 'expires_on']), Index(fields=['created_at']), Index(fields=['expires_on'])], 'pk_attr': 'id', 'table_description': 'A credit record (信用记录) submitted by a department. Catalog facts (dimension,'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ExpirySweep',
            fields=[
                ('key', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=32)),
                ('day', fields.DateField()),
            ],
            options={'table': 'expiry_sweep', 'app': 'xinyi', 'pk_attr': 'key', 'table_description': 'The last day whose expiries were applied (so restarts neither skip nor repeat work).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ListEntry',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('person_id', fields.BigIntField(db_index=True)),
                ('kind', fields.CharField(max_length=8)),
                ('source', fields.CharField(max_length=8)),
                ('rule_code', fields.CharField(default='', max_length=48)),
                ('record_ids', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('reason', fields.CharField(default='', max_length=500)),
                ('legal_basis', fields.CharField(default='', max_length=300)),
                ('decision_doc_no', fields.CharField(default='', max_length=64)),
                ('start', fields.DateField()),
                ('end', fields.DateField(null=True)),
                ('status', fields.CharField(max_length=12)),
                ('proposed_by_id', fields.BigIntField(null=True)),
                ('decided_by_id', fields.BigIntField(null=True)),
                ('lift_proposed_by_id', fields.BigIntField(null=True)),
                ('lift_reason', fields.CharField(default='', max_length=500)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('lifted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'list_entry', 'app': 'xinyi', 'indexes': [Index(fields=['kind', 'status']), Index(fields=['source', 'rule_code', 'status'])], 'pk_attr': 'id', 'table_description': 'One person on one list, with source, legal basis, decision document, start and end.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RescoreRun',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('as_of', fields.DateField()),
                ('model_version', fields.CharField(max_length=16)),
                ('last_person_id', fields.BigIntField(default=0)),
                ('people', fields.BigIntField(default=0)),
                ('changed', fields.BigIntField(default=0)),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'rescore_run', 'app': 'xinyi', 'pk_attr': 'id', 'table_description': 'Progress of a whole-city rescoring, so an interrupted run resumes where it stopped.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Score',
            fields=[
                ('person_id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('score', fields.SmallIntField()),
                ('tier', fields.CharField(max_length=16)),
                ('model_version', fields.CharField(max_length=16)),
                ('breakdown', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('as_of', fields.DateField()),
                ('computed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'score', 'app': 'xinyi', 'indexes': [Index(fields=['tier'])], 'pk_attr': 'person_id', 'table_description': 'The current score of a person with credit information (one row per person).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ScoreHistory',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('person_id', fields.BigIntField(db_index=True)),
                ('score', fields.SmallIntField()),
                ('tier', fields.CharField(max_length=16)),
                ('model_version', fields.CharField(max_length=16)),
                ('as_of', fields.DateField()),
                ('cause', fields.CharField(max_length=16)),
                ('computed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'score_history', 'app': 'xinyi', 'pk_attr': 'id', 'table_description': 'A score change: written only when the score or tier moves.'},
            bases=['Model'],
        ),
    ]

"""Residents' rights (issue 12): consent decisions, signed credit reports, the office cases
residents open (misuse reports, human reviews) and helper grants (亲情账号). New tables only."""

import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

JSON = functools.partial(dumps, separators=(",", ":"))


class Migration(migrations.Migration):
    dependencies = [("xinyi", "0007_api_contract")]

    initial = False

    operations = [
        ops.CreateModel(
            name='ConsentDecision',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('person_id', fields.BigIntField(db_index=True)),
                ('given', fields.BooleanField()),
                ('notice_version', fields.CharField(max_length=16)),
                ('decided_by_id', fields.BigIntField(null=True)),
                ('via', fields.CharField(default='app', max_length=16)),
                ('decided_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'consent_decision', 'app': 'xinyi', 'pk_attr': 'id', 'table_description': 'One decision of a person about the score and pass service: given or withdrawn, with'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CreditReport',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('person_id', fields.BigIntField(db_index=True)),
                ('code', fields.CharField(unique=True, max_length=16)),
                ('locale', fields.CharField(max_length=8)),
                ('content', fields.JSONField(encoder=JSON, decoder=loads)),
                ('content_sha256', fields.CharField(max_length=64)),
                ('signature', fields.CharField(max_length=100)),
                ('kid', fields.CharField(max_length=64)),
                ('pdf_sha256', fields.CharField(max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('checks', fields.IntField(default=0)),
            ],
            options={'table': 'credit_report', 'app': 'xinyi', 'pk_attr': 'id', 'table_description': 'One signed report a resident made. `content` is the canonical content that was signed'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RightsCase',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('case_no', fields.CharField(unique=True, max_length=20)),
                ('kind', fields.CharField(max_length=8)),
                ('person_id', fields.BigIntField(db_index=True)),
                ('subject', fields.CharField(max_length=12)),
                ('subject_id', fields.BigIntField(null=True)),
                ('open_subject', fields.CharField(null=True, unique=True, max_length=64)),
                ('snapshot', fields.JSONField(default=dict, encoder=JSON, decoder=loads)),
                ('statement', fields.TextField()),
                ('filed_by_id', fields.BigIntField(null=True)),
                ('status', fields.CharField(default='open', max_length=12)),
                ('answer', fields.TextField(null=True)),
                ('answered_by', fields.CharField(null=True, max_length=200)),
                ('answered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('history', fields.JSONField(default=list, encoder=JSON, decoder=loads)),
            ],
            options={'table': 'rights_case', 'app': 'xinyi', 'pk_attr': 'id', 'table_description': 'A case a resident opened in the credit office\'s queue, with what it is about and, once'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='HelperGrant',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('person_id', fields.BigIntField(db_index=True)),
                ('helper_person_id', fields.BigIntField(db_index=True)),
                ('helper_account_id', fields.BigIntField(db_index=True)),
                ('relation', fields.CharField(default='family', max_length=16)),
                ('status', fields.CharField(default='invited', max_length=12)),
                ('open_pair', fields.CharField(null=True, unique=True, max_length=48)),
                ('invited_via', fields.CharField(default='app', max_length=12)),
                ('invited_by_id', fields.BigIntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('accepted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('ended_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('ended_by', fields.CharField(null=True, max_length=12)),
                ('history', fields.JSONField(default=list, encoder=JSON, decoder=loads)),
            ],
            options={'table': 'helper_grant', 'app': 'xinyi', 'pk_attr': 'id', 'table_description': 'A resident (`person_id`) lets an enrolled family member (`helper_person_id`, signed in'},
            bases=['Model'],
        ),
    ]

from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('xinyi', '0004_account_status')]

    initial = False

    # Department tokens now also answer the repair and objection cases of their records.
    operations = [
        ops.RunSQL(
            ["UPDATE \"api_token\" SET \"scopes\" = \"scopes\" || ',cases.decide' "
             "WHERE \"kind\" = 'department' AND \"scopes\" NOT LIKE '%cases.decide%'"],
            reverse_sql=ops.RunSQL.noop,
        ),
        ops.CreateModel(
            name='CommitmentSignature',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('person_id', fields.BigIntField(db_index=True)),
                ('account_id', fields.BigIntField()),
                ('template_code', fields.CharField(max_length=32)),
                ('version', fields.CharField(max_length=16)),
                ('locale', fields.CharField(max_length=8)),
                ('text_sha256', fields.CharField(max_length=64)),
                ('nonce', fields.CharField(max_length=32)),
                ('credential_id', fields.CharField(max_length=512)),
                ('public_key', fields.BinaryField()),
                ('assertion', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('purpose', fields.CharField(max_length=16)),
                ('signed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'commitment_signature', 'app': 'xinyi', 'pk_attr': 'id', 'table_description': "One person's signature over one version of a commitment text (信用承诺书)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='EvidenceFile',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('case_kind', fields.CharField(max_length=12)),
                ('case_id', fields.BigIntField()),
                ('person_id', fields.BigIntField()),
                ('filename', fields.CharField(max_length=120)),
                ('media_type', fields.CharField(max_length=32)),
                ('size', fields.IntField()),
                ('sha256', fields.CharField(max_length=64)),
                ('content', fields.BinaryField()),
                ('uploaded_by_id', fields.BigIntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'evidence_file', 'app': 'xinyi', 'indexes': [Index(fields=['case_kind', 'case_id'])], 'pk_attr': 'id', 'table_description': 'One uploaded file of a case: its sniffed type, size and SHA-256, and the bytes.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Notice',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('person_id', fields.BigIntField()),
                ('kind', fields.CharField(max_length=24)),
                ('key', fields.CharField(unique=True, max_length=96)),
                ('params', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('link', fields.CharField(default='', max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('read_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'notice', 'app': 'xinyi', 'indexes': [Index(fields=['person_id', 'read_at']), Index(fields=['person_id', 'id'])], 'pk_attr': 'id', 'table_description': 'One notice (通知) to one person. `key` makes sending idempotent: the same event never'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Objection',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('case_no', fields.CharField(unique=True, max_length=20)),
                ('person_id', fields.BigIntField(db_index=True)),
                ('subject', fields.CharField(max_length=12)),
                ('subject_id', fields.BigIntField()),
                ('record_id', fields.BigIntField(null=True)),
                ('department', fields.CharField(db_index=True, max_length=32)),
                ('open_subject', fields.CharField(null=True, unique=True, max_length=40)),
                ('status', fields.CharField(default='submitted', max_length=20)),
                ('reason', fields.TextField(unique=False)),
                ('answer', fields.CharField(default='', max_length=1000)),
                ('review_reason', fields.CharField(default='', max_length=1000)),
                ('review_answer', fields.CharField(default='', max_length=1000)),
                ('filed_by_id', fields.BigIntField(null=True)),
                ('submitted_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('answer_due', fields.DateField()),
                ('answered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('answered_by', fields.CharField(default='', max_length=200)),
                ('suspended_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('overdue_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('reviewed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('reviewed_by', fields.CharField(default='', max_length=200)),
                ('history', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'objection', 'app': 'xinyi', 'indexes': [Index(fields=['status', 'department']), Index(fields=['subject', 'subject_id'])], 'pk_attr': 'id', 'table_description': '异议申请: one resident disputes one record, list entry or reported default.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RepairRequest',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('case_no', fields.CharField(unique=True, max_length=20)),
                ('person_id', fields.BigIntField(db_index=True)),
                ('record_id', fields.BigIntField(db_index=True)),
                ('department', fields.CharField(db_index=True, max_length=32)),
                ('open_record_id', fields.BigIntField(null=True, unique=True)),
                ('status', fields.CharField(default='submitted', max_length=12)),
                ('statement', fields.TextField(unique=False)),
                ('missing', fields.CharField(default='', max_length=1000)),
                ('decision_reason', fields.CharField(default='', max_length=1000)),
                ('legal_basis', fields.CharField(default='', max_length=300)),
                ('commitment_id', fields.BigIntField(null=True)),
                ('filed_by_id', fields.BigIntField(null=True)),
                ('submitted_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('accepted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('decided_by', fields.CharField(default='', max_length=200)),
                ('feedback_due', fields.DateField()),
                ('decision_due', fields.DateField(null=True)),
                ('overdue_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('history', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'repair_request', 'app': 'xinyi', 'indexes': [Index(fields=['status', 'department'])], 'pk_attr': 'id', 'table_description': '信用修复申请: one resident, one negative record, one signed commitment.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='CreditRecord',
            name='disputed',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='ListEntry',
            name='disputed',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='ListEntry',
            name='suspended',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='Redemption',
            name='reminded_on',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='Redemption',
            name='settle_by',
            field=fields.DateField(null=True),
        ),
    ]

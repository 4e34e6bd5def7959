from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='AuditEntry',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('actor_account_id', fields.BigIntField(null=True, db_index=True)),
                ('actor_label', fields.CharField(default='', max_length=200)),
                ('organisation', fields.CharField(default='', max_length=128)),
                ('action', fields.CharField(max_length=64)),
                ('subject_person_id', fields.BigIntField(null=True, db_index=True)),
                ('purpose', fields.CharField(default='', max_length=200)),
                ('details', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('prev_hash', fields.CharField(max_length=64)),
                ('hash', fields.CharField(unique=True, max_length=64)),
            ],
            options={'table': 'audit_entry', 'app': 'xinyi', 'pk_attr': 'id', 'table_description': 'One audited event. `hash` covers every field and `prev_hash`, so editing or removing'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AuditHead',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('last_hash', fields.CharField(max_length=64)),
                ('count', fields.BigIntField(default=0)),
            ],
            options={'table': 'audit_head', 'app': 'xinyi', 'pk_attr': 'id', 'table_description': 'The single row that serialises appends: its row lock orders writers on PostgreSQL.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Challenge',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('challenge', fields.CharField(unique=True, max_length=128)),
                ('purpose', fields.CharField(max_length=16)),
                ('intent', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'webauthn_challenge', 'app': 'xinyi', 'pk_attr': 'id', 'table_description': 'A single-use WebAuthn challenge with a short expiry. `intent` says what finishing'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Person',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('id_hash', fields.CharField(unique=True, max_length=64)),
                ('id_encrypted', fields.BinaryField()),
                ('id_masked', fields.CharField(max_length=18)),
                ('name', fields.CharField(max_length=64)),
                ('sex', fields.CharField(max_length=1)),
                ('birth_date', fields.DateField()),
                ('district_code', fields.CharField(db_index=True, max_length=6)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'person', 'app': 'xinyi', 'pk_attr': 'id', 'table_description': 'A person in the population register (人口基础信息). The ID number is stored encrypted'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Account',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(max_length=16)),
                ('person', fields.OneToOneField('xinyi.Person', source_field='person_id', null=True, db_constraint=True, to_field='id', related_name='account', on_delete=OnDelete.RESTRICT)),
                ('display_name', fields.CharField(max_length=64)),
                ('organisation', fields.CharField(default='', max_length=128)),
                ('roles', fields.CharField(max_length=200)),
                ('user_handle', fields.CharField(unique=True, max_length=64)),
                ('locale', fields.CharField(null=True, max_length=8)),
                ('elder_mode', fields.BooleanField(default=False)),
                ('created_by_id', fields.BigIntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('disabled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'account', 'app': 'xinyi', 'pk_attr': 'id', 'table_description': 'A sign-in identity: a resident (linked to a register entry) or a staff member.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='EnrolmentCode',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code_hash', fields.CharField(unique=True, max_length=64)),
                ('account', fields.ForeignKeyField('xinyi.Account', source_field='account_id', null=True, db_constraint=True, to_field='id', related_name='enrolment_codes', on_delete=OnDelete.CASCADE)),
                ('person', fields.ForeignKeyField('xinyi.Person', source_field='person_id', null=True, db_constraint=True, to_field='id', related_name='enrolment_codes', on_delete=OnDelete.CASCADE)),
                ('issued_by_id', fields.BigIntField(null=True)),
                ('purpose', fields.CharField(default='', max_length=200)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'enrolment_code', 'app': 'xinyi', 'pk_attr': 'id', 'table_description': 'A one-time code (一次性注册码) issued after an in-person ID check, or to new staff.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Passkey',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('xinyi.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='passkeys', on_delete=OnDelete.CASCADE)),
                ('credential_id', fields.CharField(unique=True, max_length=1400)),
                ('public_key', fields.BinaryField()),
                ('sign_count', fields.BigIntField(default=0)),
                ('transports', fields.CharField(default='', max_length=100)),
                ('aaguid', fields.CharField(default='', max_length=36)),
                ('backed_up', fields.BooleanField(default=False)),
                ('nickname', fields.CharField(default='', max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'passkey', 'app': 'xinyi', 'pk_attr': 'id', 'table_description': 'A WebAuthn credential (通行密钥). Several per account.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PersonOccupation',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('person', fields.ForeignKeyField('xinyi.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='occupations', on_delete=OnDelete.CASCADE)),
                ('group_code', fields.CharField(db_index=True, max_length=32)),
            ],
            options={'table': 'person_occupation', 'app': 'xinyi', 'unique_together': (('person', 'group_code'),), 'pk_attr': 'id', 'table_description': 'Membership of one of the 16 key occupational groups (重点职业人群).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RecoveryCode',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('xinyi.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='recovery_codes', on_delete=OnDelete.CASCADE)),
                ('code_hash', fields.CharField(unique=True, max_length=64)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'recovery_code', 'app': 'xinyi', 'pk_attr': 'id', 'table_description': 'Printable recovery codes (恢复码): each registers a new passkey once.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Throttle',
            fields=[
                ('key', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=100)),
                ('failures', fields.IntField(default=0)),
                ('first_failure_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('last_failure_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('locked_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'throttle', 'app': 'xinyi', 'pk_attr': 'key', 'table_description': 'Failure counters that slow then lock repeated failed attempts (per client, per ID).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WebSession',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('xinyi.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.CASCADE)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('csrf_token', fields.CharField(max_length=64)),
                ('device_label', fields.CharField(default='', max_length=120)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'web_session', 'app': 'xinyi', 'pk_attr': 'id', 'table_description': 'A signed-in session. The cookie holds a signed token naming it, so it can be revoked.'},
            bases=['Model'],
        ),
    ]

"""Account status: invited → active → disabled (`AccountStatus`, `auth.accounts.ACCOUNT_WORKFLOW`).

Existing rows: a disabled account (`disabled_at` set) is `disabled`; a staff account that has
not registered a passkey yet is `invited` (its holder still has the one-time code); every
other account is `active` (the column's default). Adding a column never rebuilds the table.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops
from backend.auth.models import AccountStatus
from tortoise import fields

BACKFILL = [
    "UPDATE \"account\" SET \"status\" = 'disabled' WHERE \"disabled_at\" IS NOT NULL",
    "UPDATE \"account\" SET \"status\" = 'invited' WHERE \"kind\" = 'staff'"
    " AND \"disabled_at\" IS NULL"
    ' AND NOT EXISTS (SELECT 1 FROM "passkey" WHERE "passkey"."account_id" = "account"."id")',
]


class Migration(migrations.Migration):
    dependencies = [('xinyi', '0003_passes_partners')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Account',
            name='status',
            field=fields.CharEnumField(default=AccountStatus.ACTIVE, description='AccountStatus', db_default=AccountStatus.ACTIVE, enum_type=AccountStatus, max_length=16),
        ),
        ops.RunSQL(BACKFILL, reverse_sql=ops.RunSQL.noop),
    ]

"""Issue 14 (verifyPass): the audit trail's `hash` column loses its unique index. The hash
chain already makes each hash unique (a repeated or copied entry breaks the chain where it
stands, `audit.verification`); the index only cost every append a random page of an index as
large as the trail (backend/audit/models.py). On SQLite the table is rebuilt with its rows,
ids and values unchanged."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("xinyi", "0016_ingest_speed")]

    initial = False

    operations: list[object] = [
        ops.AlterField(
            model_name="AuditEntry",
            name="hash",
            field=fields.CharField(max_length=64),
        ),
        # SQLite's rebuild of the table drops the indexes of its `db_index` fields: the same
        # indexes again, by the names they have (on PostgreSQL they are still there).
        ops.RunSQL(
            [
                'CREATE INDEX IF NOT EXISTS "idx_audit_entry_actor_a_ecce14" '
                'ON "audit_entry" ("actor_account_id")',
                'CREATE INDEX IF NOT EXISTS "idx_audit_entry_subject_732048" '
                'ON "audit_entry" ("subject_person_id")',
            ],
            reverse_sql=ops.RunSQL.noop,
        ),
    ]

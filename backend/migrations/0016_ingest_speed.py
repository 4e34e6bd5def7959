"""Issue 14 (ingest) and issue 9 (a department's submissions in each person's access log): the
index of the people an audit entry about many people is about (backend/audit/models.py,
AuditSubject; backend/audit/subjects.py)."""

from tortoise import fields, migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("xinyi", "0015_reserved")]

    initial = False

    operations: list[object] = [
        ops.CreateModel(
            name='AuditSubject',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('entry_id', fields.BigIntField()),
                ('person_id', fields.BigIntField()),
            ],
            options={'table': 'audit_subject', 'app': 'xinyi', 'indexes': [Index(fields=['person_id', 'entry_id']), Index(fields=['entry_id'])], 'pk_attr': 'id', 'table_description': 'A person an audit entry about many people is about (`audit.subjects`): the entry\'s'},
            bases=['Model'],
        ),
    ]

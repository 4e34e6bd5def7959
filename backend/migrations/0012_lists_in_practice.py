"""Issue 13, lists in practice: offers that require a list (red-list only benefits), and
容缺受理 — an application accepted at a government counter with a document missing, against
the resident's signed commitment to hand it in by a due date."""

from tortoise import fields, migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("xinyi", "0011_reserved")]

    initial = False

    operations: list[object] = [
        ops.AddField(
            model_name="Offer",
            name="required_lists",
            field=fields.CharField(default="", db_default="", max_length=20),
        ),
        ops.CreateModel(
            name="DeferredAcceptance",
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('person_id', fields.BigIntField(db_index=True)),
                ('partner_id', fields.BigIntField(db_index=True)),
                ('counter_name', fields.CharField(max_length=128)),
                ('operator_id', fields.BigIntField()),
                ('matter', fields.CharField(max_length=100)),
                ('document', fields.CharField(max_length=32)),
                ('due_on', fields.DateField()),
                ('status', fields.CharField(default='awaiting_signature', max_length=20)),
                ('signature_id', fields.BigIntField(null=True)),
                ('record_id', fields.BigIntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('signed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'deferred_acceptance', 'app': 'xinyi', 'indexes': [Index(fields=['status', 'due_on'])], 'pk_attr': 'id', 'table_description': '容缺受理: an application accepted at a government counter with one document missing,'},
            bases=['Model'],
        ),
    ]

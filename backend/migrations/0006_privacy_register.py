"""Reserved for issue 9 (ID number storage, staff four-eyes, register budget, audit keys, pass privacy); operations are added by that work."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from backend.auth.models import StaffChangeKind, StaffChangeStatus

# ---- Register: ID numbers that cannot be rebuilt (issue 9, item 1) -------------------------
# `person` kept the birth date, the sex and a mask with the last four characters beside the
# ciphertext: together they gave every ID number back. Now it keeps the birth year only, the
# masked form is computed for display, and each ciphertext is bound to its row (AES-GCM
# associated data = the row's lookup hash). Existing rows are re-encrypted here with the keys
# the app runs with (ID_ENCRYPTION_KEY / ID_HASH_KEY from the environment or .env, as
# `backend.cli migrate` reads them); a row that does not decrypt under them stops the migration
# before anything is dropped. The three columns are dropped in place (ALTER TABLE … DROP
# COLUMN, SQLite ≥ 3.35 and PostgreSQL): none has an index or constraint, and Tortoise's own
# RemoveField rebuilds the whole table on SQLite.
from backend.core.crypto import IdCipher, UnboundCiphertext
from backend.core.settings import load_settings

_REBIND_BATCH = 5000


async def _rebind_id_numbers(apps: object, schema_editor: object) -> None:
    client = schema_editor.client  # type: ignore[attr-defined]
    pg = client.capabilities.dialect == "postgres"
    select = (
        'SELECT "id", "id_hash", "id_encrypted" FROM "person" WHERE "id" > {0} ORDER BY "id" LIMIT {1}'
    ).format("$1" if pg else "?", _REBIND_BATCH)
    update = 'UPDATE "person" SET "id_encrypted" = {0}, "birth_year" = {1} WHERE "id" = {2}'.format(
        *(("$1", "$2", "$3") if pg else ("?", "?", "?"))
    )
    cipher: IdCipher | None = None
    last = 0
    while True:
        _, rows = await client.execute_query(select, [last])
        if not rows:
            return
        cipher = cipher or IdCipher.from_settings(load_settings())
        changes = []
        for row in rows:
            blob = bytes(row["id_encrypted"])
            try:
                number = cipher.decrypt_unbound(blob)
            except UnboundCiphertext:
                try:  # already bound (the migration ran part-way before): keep it
                    number = cipher.decrypt(blob, bound_to=row["id_hash"])
                except UnboundCiphertext as exc:
                    raise RuntimeError(
                        f"person {row['id']}: its ID number does not decrypt with this "
                        "ID_ENCRYPTION_KEY; run the migration with the key the register was "
                        "written with"
                    ) from exc
            if cipher.lookup_hash(number) != row["id_hash"]:
                raise RuntimeError(f"person {row['id']}: lookup hash and ID number disagree")
            year = int(number[6:10])  # validated when the row was made
            changes.append([cipher.encrypt(number, bound_to=row["id_hash"]), year, row["id"]])
            last = int(row["id"])
        await client.execute_many(update, changes)


class _DropColumnInPlace(ops.RemoveField):
    """RemoveField without SQLite's table rebuild, for a column with no index or constraint."""

    async def database_forward(self, app_label, old_state, new_state, state_editor=None):  # type: ignore[no-untyped-def]
        if not state_editor:
            return
        model = old_state.apps.get_model(f"{app_label}.{self.model_name}")
        await state_editor.client.execute_script(
            f'ALTER TABLE "{model._meta.db_table}" DROP COLUMN "{self.name}"'
        )


REGISTER_OPERATIONS = [
    ops.AddField(
        model_name="Person",
        name="birth_year",
        field=fields.SmallIntField(default=0, db_default=0),
    ),
    ops.RunPython(_rebind_id_numbers, reverse_code=ops.RunPython.noop),
    _DropColumnInPlace(model_name="Person", name="id_masked"),
    _DropColumnInPlace(model_name="Person", name="sex"),
    _DropColumnInPlace(model_name="Person", name="birth_date"),
]
# ---- end of the register block --------------------------------------------------------------

# Staff four eyes and offboarding (issue 9, items 2, 6, 8): who approved a staff account and was
# shown its code; the ID-card check and counter of a resident's counter code; staff changes.
STAFF_OPERATIONS = [
    ops.AddField(
        model_name="Account", name="approved_by_id", field=fields.BigIntField(null=True)
    ),
    ops.AddField(
        model_name="EnrolmentCode",
        name="id_card_checked_at",
        field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
    ),
    ops.AddField(
        model_name="EnrolmentCode",
        name="counter",
        field=fields.CharField(default="", max_length=120),
    ),
    ops.CreateModel(
        name="StaffChange",
        fields=[
            ("id", fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
            ("account_id", fields.BigIntField(db_index=True)),
            ("kind", fields.CharEnumField(description="StaffChangeKind", enum_type=StaffChangeKind, max_length=16)),
            ("roles", fields.CharField(default="", max_length=200)),
            ("reason", fields.CharField(default="", max_length=200)),
            ("status", fields.CharEnumField(default=StaffChangeStatus.PROPOSED, description="StaffChangeStatus", enum_type=StaffChangeStatus, max_length=16)),
            ("proposed_by_id", fields.BigIntField()),
            ("decided_by_id", fields.BigIntField(null=True)),
            ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ("decided_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
        ],
        options={"table": "staff_change", "app": "xinyi", "pk_attr": "id", "table_description": "A four-eyes change to a staff account."},
        bases=["Model"],
    ),
]


# --- Register budget and audit keys (issue 9, items 3 and 5) --------------------------------
# The daily tally of ID numbers each department token tests against the register; the audit
# key id and HMAC of each audit entry and of the head (entries written before this migration
# have none until the first checkpoint seals them, see audit/checkpoints.py).
from tortoise.indexes import Index  # noqa: E402 (kept inside this block: one engineer per block)

AUDIT_AND_BUDGET_OPERATIONS = [
    ops.CreateModel(
        name="RegisterTally",
        fields=[
            ("id", fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
            ("caller", fields.CharField(max_length=48)),
            ("organisation", fields.CharField(default="", max_length=32)),
            ("label", fields.CharField(default="", max_length=200)),
            ("day", fields.DateField()),
            ("checked", fields.BigIntField(default=0)),
            ("unknown", fields.BigIntField(default=0)),
            ("rejected", fields.IntField(default=0)),
            ("refused", fields.IntField(default=0)),
            ("exhausted_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
        ],
        options={"table": "register_tally", "app": "xinyi", "unique_together": (("caller", "day"),), "indexes": [Index(fields=["day"])], "pk_attr": "id", "table_description": "How much of the population register one caller tested on one day."},
        bases=["Model"],
    ),
    ops.AddField(model_name="AuditEntry", name="key_id", field=fields.CharField(default="", db_default="", max_length=16)),
    ops.AddField(model_name="AuditEntry", name="mac", field=fields.CharField(default="", db_default="", max_length=64)),
    ops.AddField(model_name="AuditHead", name="key_id", field=fields.CharField(default="", db_default="", max_length=16)),
    ops.AddField(model_name="AuditHead", name="mac", field=fields.CharField(default="", db_default="", max_length=64)),
]
# --- end of items 3 and 5 ----------------------------------------------------------------------


class Migration(migrations.Migration):
    dependencies = [("xinyi", "0005_due_process")]

    initial = False

    operations: list[object] = [*REGISTER_OPERATIONS, *STAFF_OPERATIONS, *AUDIT_AND_BUDGET_OPERATIONS]

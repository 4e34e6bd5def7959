"""Reserved for issue 11 (offline counter confirmations); operations are added by that work."""

from tortoise import migrations


class Migration(migrations.Migration):
    dependencies = [("xinyi", "0008_residents_rights")]

    initial = False

    operations: list[object] = []

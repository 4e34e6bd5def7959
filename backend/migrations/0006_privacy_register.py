"""Reserved for issue 9 (ID number storage, staff four-eyes, register budget, audit keys, pass privacy); operations are added by that work."""

from tortoise import migrations


class Migration(migrations.Migration):
    dependencies = [("xinyi", "0005_due_process")]

    initial = False

    operations: list[object] = []

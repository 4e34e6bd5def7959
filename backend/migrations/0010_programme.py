"""Reserved for issue 13 (joint cases, honour roll, campaigns, key groups, register feed); operations are added by that work."""

from tortoise import migrations


class Migration(migrations.Migration):
    dependencies = [("xinyi", "0009_counters")]

    initial = False

    operations: list[object] = []

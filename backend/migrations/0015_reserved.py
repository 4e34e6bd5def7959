"""Reserved for issue 14 (another engineer's part); its operations are added by that work."""

from tortoise import migrations


class Migration(migrations.Migration):
    dependencies = [("xinyi", "0014_shared_limits")]

    initial = False

    operations: list[object] = []

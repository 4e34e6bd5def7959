"""Reserved for issue 10 (offer per-person limits, idempotency request fingerprints); operations are added by that work."""

from tortoise import migrations


class Migration(migrations.Migration):
    dependencies = [("xinyi", "0006_privacy_register")]

    initial = False

    operations: list[object] = []

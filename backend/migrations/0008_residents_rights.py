"""Reserved for issue 12 (credit reports, consent, helpers, misuse reports, human review); operations are added by that work."""

from tortoise import migrations


class Migration(migrations.Migration):
    dependencies = [("xinyi", "0007_api_contract")]

    initial = False

    operations: list[object] = []

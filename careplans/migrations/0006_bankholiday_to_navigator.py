# BankHoliday now belongs to navigator (navigator 0001), so every app can count working days.
# State only: the table and its rows stay where they are.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("careplans", "0005_assessment_mode_language"),
        ("navigator", "0001_bank_holiday"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="BankHoliday")],
            database_operations=[],
        ),
    ]

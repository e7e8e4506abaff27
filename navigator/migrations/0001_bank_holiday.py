# BankHoliday moved here from careplans (careplans 0006 drops it from careplans' state). The
# table careplans 0003 created, with its rows, is kept as it is: this changes state only.

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("careplans", "0003_offers_feedback_information_bank_holidays"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="BankHoliday",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "division",
                            models.CharField(
                                choices=[
                                    ("england-and-wales", "England and Wales"),
                                    ("scotland", "Scotland"),
                                    ("northern-ireland", "Northern Ireland"),
                                ],
                                max_length=20,
                            ),
                        ),
                        ("date", models.DateField()),
                        ("name", models.CharField(max_length=100)),
                    ],
                    options={
                        "db_table": "careplans_bankholiday",
                        "ordering": ["date"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("division", "date"), name="one_bank_holiday_a_day"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]

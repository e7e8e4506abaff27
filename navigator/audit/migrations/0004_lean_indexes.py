import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# Dropped by name rather than by AlterField: on SQLite AlterField remakes the table, which
# would lose 0003's append-only trigger. The names are Django's, the same on both databases.
INDEXES = {
    "audit_auditevent_actor_id_270bb4b7": "actor_id",
    "audit_auditevent_at_f461ba89": "at",
}


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_actor_protected_sqlite_trigger"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {name}",
                    reverse_sql=f"CREATE INDEX {name} ON audit_auditevent ({column})",
                )
                for name, column in INDEXES.items()
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="auditevent",
                    name="actor",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="auditevent",
                    name="at",
                    field=models.DateTimeField(auto_now_add=True),
                ),
            ],
        ),
    ]

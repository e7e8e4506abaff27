"""Accounts made before User.language existed show pages in their patient record's language."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    Patient = apps.get_model("patients", "Patient")
    User = apps.get_model("accounts", "User")
    language = Patient.objects.filter(user_id=OuterRef("pk")).values("language")[:1]
    User.objects.filter(patient__isnull=False).update(language=Subquery(language))


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0005_patient_invitation"),
        ("accounts", "0005_user_language"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

"""The shipped information prescriptions' Welsh titles and summaries, for patients and carers
who read Cymraeg (`careplans.information_data.INFORMATION_CY`); a service's own resources get
theirs in the admin. Only blank Welsh fields are filled, so an admin's edit is kept."""

from django.db import migrations


def load_welsh(apps, schema_editor):
    from careplans.information_data import INFORMATION_CY

    InformationResource = apps.get_model("careplans", "InformationResource")
    for code, (title, summary) in INFORMATION_CY.items():
        InformationResource.objects.filter(code=code, title_cy="").update(
            title_cy=title, summary_cy=summary
        )


class Migration(migrations.Migration):
    dependencies = [("careplans", "0007_agreed_plans_by_review_date")]

    operations = [migrations.RunPython(load_welsh, migrations.RunPython.noop)]

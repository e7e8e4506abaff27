"""The waiting-time standards of the four nations, as published in 2026.

Later changes to a standard are new data migrations (or admin edits), so the history shows
when a rule changed.
"""

from django.db import migrations

FDS28 = {
    "code": "FDS28",
    "name": "28 days to find out",
    "description": (
        "After an urgent referral for suspected cancer, you should find out if you have cancer, "
        "or that cancer has been ruled out, within 28 days."
    ),
    "start_kinds": ["urgent_referral"],
    "end_kinds": ["diagnosis"],
    "length_days": 28,
    "warn_at_days": 21,
    "order": 1,
}
DTT31 = {
    "code": "DTT31",
    "name": "31 days to start treatment",
    "description": (
        "Once you and your care team agree on your treatment, it should start within 31 days."
    ),
    "start_kinds": ["decision_to_treat"],
    "end_kinds": ["first_treatment"],
    "length_days": 31,
    "warn_at_days": 24,
    "order": 3,
}
URG62 = {
    "code": "URG62",
    "name": "62 days from referral to treatment",
    "description": (
        "After an urgent referral for suspected cancer, your first treatment should start "
        "within 62 days."
    ),
    "start_kinds": ["urgent_referral"],
    "end_kinds": ["first_treatment"],
    "length_days": 62,
    "warn_at_days": 49,
    "order": 2,
}
# Wales's Single Cancer Pathway starts at the point of suspicion, whatever the referral route.
SCP62 = {
    "code": "SCP62",
    "name": "62 days from suspicion to treatment",
    "description": (
        "From the day cancer is first suspected, your first treatment should start within 62 days."
    ),
    "start_kinds": ["referral", "urgent_referral"],
    "end_kinds": ["first_treatment"],
    "length_days": 62,
    "warn_at_days": 49,
    "order": 2,
}

STANDARDS = {
    "england": [FDS28, DTT31, URG62],
    "scotland": [DTT31, URG62],
    "northern_ireland": [DTT31, URG62],
    "wales": [SCP62],
}


def load(apps, schema_editor):
    PathwayStandard = apps.get_model("appointments", "PathwayStandard")
    for nation, standards in STANDARDS.items():
        for standard in standards:
            PathwayStandard.objects.update_or_create(
                nation=nation, code=standard["code"], defaults=standard
            )


def unload(apps, schema_editor):
    PathwayStandard = apps.get_model("appointments", "PathwayStandard")
    for nation, standards in STANDARDS.items():
        PathwayStandard.objects.filter(
            nation=nation, code__in=[s["code"] for s in standards]
        ).delete()


class Migration(migrations.Migration):
    dependencies = [("appointments", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]

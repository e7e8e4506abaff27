"""Discharge as the domain describes it: a check-in a few days later (3 by default; a team may
set its own, `TeamFollowUpOffset`), the follow-up to book, the treatment summary to the GP, and
the end-of-treatment needs assessment offered (careplans makes the offer when the item is
created: `appointments.hooks.follow_up_created`).

The first discharge check-in was two weeks later; the same rule now comes after 3 days, so
items it made keep pointing at it. The 6- and 12-week check-ins stay.
"""

from django.db import migrations

CHECK_IN = {
    "code": "discharge-check-in",
    "title": "Check-in with your cancer support team after leaving hospital",
    "offset_days": 3,
}
CHECK_IN_BEFORE = {
    "code": "discharge-check-in-2w",
    "title": "Check-in with your cancer support team (2 weeks)",
    "offset_days": 14,
}
ASSESSMENT = {
    "code": "discharge-assessment",
    "trigger": "discharge",
    "item_kind": "assessment_offer",
    "item_state": "offered",
    "title": "A chat about your needs after treatment",
    "offset_days": 14,
    "nudges": ["patient"],
    "patient_message": "check_in",
    "professional_message": "",
    "responsible": "navigator",
}


def load(apps, schema_editor):
    FollowUpRule = apps.get_model("appointments", "FollowUpRule")
    before = FollowUpRule.objects.filter(code=CHECK_IN_BEFORE["code"])
    if FollowUpRule.objects.filter(code=CHECK_IN["code"]).exists():
        # Loaded again over 0004's rows (tests that empty the tables put both back).
        before.delete()
    else:
        before.update(**CHECK_IN)
    FollowUpRule.objects.update_or_create(code=ASSESSMENT["code"], defaults=ASSESSMENT)
    # The end-of-treatment offer is made by careplans too now, so it starts "offered".
    FollowUpRule.objects.filter(code="end-of-treatment-assessment").update(item_state="offered")


def unload(apps, schema_editor):
    FollowUpRule = apps.get_model("appointments", "FollowUpRule")
    FollowUpRule.objects.filter(code=CHECK_IN["code"]).update(**CHECK_IN_BEFORE)
    FollowUpRule.objects.filter(code=ASSESSMENT["code"]).delete()
    FollowUpRule.objects.filter(code="end-of-treatment-assessment").update(item_state="")


class Migration(migrations.Migration):
    dependencies = [("appointments", "0007_chase_digests_and_team_offsets")]

    operations = [migrations.RunPython(load, unload)]

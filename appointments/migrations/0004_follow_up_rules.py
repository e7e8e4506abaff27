"""The default follow-up rules. Services tune them in the admin; later defaults are new migrations.

Whom each nudges: the patient gets a short line and a link; the provider or GP practice an email
to its team mailbox. Neither carries clinical detail.
"""

from django.db import migrations

P, PROV, GP = "patient", "provider", "gp_practice"


def _rule(code, trigger, kind, title, days, nudges, **extra):
    return {
        "code": code,
        "trigger": trigger,
        "item_kind": kind,
        "title": title,
        "offset_days": days,
        "nudges": nudges,
        **extra,
    }


def _after_treatment(trigger):
    label = "discharge" if trigger == "discharge" else "end-of-treatment"
    rules = [
        _rule(
            f"{label}-check-in-{weeks}w",
            trigger,
            "check_in",
            f"Check-in with your cancer support team ({weeks} weeks)",
            weeks * 7,
            [P],
            patient_message="check_in",
            professional_message="",
            responsible="navigator",
        )
        for weeks in (2, 6, 12)
    ]
    rules += [
        _rule(
            f"{label}-follow-up",
            trigger,
            "follow_up",
            "Follow-up appointment to be booked",
            14,
            [P, PROV],
        ),
        _rule(
            f"{label}-treatment-summary",
            trigger,
            "treatment_summary",
            "Treatment summary to reach your GP",
            14,
            [PROV, GP],
            patient_message="",
        ),
    ]
    return rules


RULES = [
    _rule(
        "result-report",
        "result",
        "result",
        "Your test or scan result",
        7,
        [P, PROV],
        item_state="done",
    ),
    *_after_treatment("discharge"),
    *_after_treatment("end_of_treatment"),
    _rule(
        "end-of-treatment-assessment",
        "end_of_treatment",
        "assessment_offer",
        "A chat about your needs after treatment",
        14,
        [P],
        patient_message="check_in",
        professional_message="",
        responsible="navigator",
    ),
    _rule(
        "diagnosis-cancer-care-review-offer",
        "diagnosis",
        "cancer_care_review",
        "Your GP offers you a Cancer Care Review",
        91,
        [GP],
        patient_message="",
        responsible="gp_practice",
    ),
    _rule(
        "diagnosis-cancer-care-review",
        "diagnosis",
        "cancer_care_review",
        "Your Cancer Care Review with your GP",
        365,
        [P, GP],
        responsible="gp_practice",
    ),
    _rule(
        "referral-booking",
        "referral",
        "referral",
        "Appointment with another hospital to be booked",
        14,
        [P, PROV],
    ),
    _rule(
        "urgent-referral-booking",
        "urgent_referral",
        "referral",
        "Appointment after your urgent referral to be booked",
        14,
        [P, PROV],
        escalate_after_days=3,
        chase_every_days=1,
    ),
]


def load(apps, schema_editor):
    FollowUpRule = apps.get_model("appointments", "FollowUpRule")
    for rule in RULES:
        FollowUpRule.objects.update_or_create(code=rule["code"], defaults=rule)


def unload(apps, schema_editor):
    FollowUpRule = apps.get_model("appointments", "FollowUpRule")
    FollowUpRule.objects.filter(code__in=[r["code"] for r in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("appointments", "0003_tracked_items")]

    operations = [migrations.RunPython(load, unload)]

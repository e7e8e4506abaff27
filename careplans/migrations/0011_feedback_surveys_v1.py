"""Version 1 of the feedback surveys (`careplans.survey_data`), active. Surveys already there (a
service's own) are left alone."""

from django.db import migrations


def load(apps, schema_editor):
    from careplans.survey_data import SURVEYS

    Survey = apps.get_model("careplans", "Survey")
    SurveyQuestion = apps.get_model("careplans", "SurveyQuestion")
    for code, (title, title_cy, questions) in SURVEYS.items():
        if Survey.objects.filter(code=code).exists():
            continue
        survey = Survey.objects.create(
            code=code, version=1, title=title, title_cy=title_cy, is_active=True
        )
        for order, (q_code, text, text_cy, scale) in enumerate(questions, start=1):
            SurveyQuestion.objects.create(
                survey=survey,
                code=q_code,
                order=order,
                text=text,
                text_cy=text_cy,
                choices=[{"code": c, "text": en, "text_cy": cy} for c, en, cy in scale],
            )


def unload(apps, schema_editor):
    apps.get_model("careplans", "Survey").objects.filter(version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("careplans", "0010_feedback_surveys")]

    operations = [migrations.RunPython(load, unload)]

"""Assessment definitions: new versions of a questionnaire, and publishing one."""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from careplans.models import Questionnaire


@transaction.atomic
def questionnaire_revise(*, questionnaire: Questionnaire) -> Questionnaire:
    """Copy a questionnaire into its next version, inactive, ready to edit and publish.

    Versions in use are never edited in place, so an assessment keeps the questions it began with.
    """
    latest = (
        Questionnaire.objects.filter(code=questionnaire.code).aggregate(v=Max("version"))["v"] or 0
    )
    new = Questionnaire.objects.create(
        code=questionnaire.code,
        version=latest + 1,
        title=questionnaire.title,
        title_cy=questionnaire.title_cy,
        is_active=False,
    )
    for domain in questionnaire.domains.prefetch_related("concerns"):
        concerns = list(domain.concerns.all())
        domain.pk = None
        domain.questionnaire = new
        domain.save()
        for concern in concerns:
            concern.pk = None
            concern.domain = domain
            concern.save()
    return new


@transaction.atomic
def questionnaire_publish(*, questionnaire: Questionnaire) -> Questionnaire:
    """Offer this version to new assessments from now on; assessments already begun keep theirs."""
    Questionnaire.objects.filter(code=questionnaire.code, is_active=True).exclude(
        pk=questionnaire.pk
    ).update(is_active=False)
    questionnaire.is_active = True
    questionnaire.published_at = timezone.now()
    questionnaire.save(update_fields=["is_active", "published_at"])
    return questionnaire

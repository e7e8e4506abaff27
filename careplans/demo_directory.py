"""A demo service directory for Cardiff and the Vale of Glamorgan: real-world-shaped, fictional
names and numbers (Ofcom drama ranges), for demos and training. Loading it twice changes nothing.

`load_demo_directory` also loads another area's data of the same shape (the demo seed's own)."""

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction

from careplans.models import (
    DirectoryOrganization,
    DirectoryService,
    PostcodeDistrict,
    RegularSchedule,
    ServiceArea,
    ServiceLanguage,
    TaxonomyTerm,
)

DISTRICTS = {
    "CF3": "Cardiff", "CF5": "Cardiff", "CF10": "Cardiff", "CF11": "Cardiff", "CF14": "Cardiff",
    "CF23": "Cardiff", "CF24": "Cardiff", "CF62": "Vale of Glamorgan", "CF63": "Vale of Glamorgan",
    "CF64": "Vale of Glamorgan", "CF71": "Vale of Glamorgan",
}  # fmt: skip

LA, DISTRICT, UK = (
    ServiceArea.Kind.LOCAL_AUTHORITY,
    ServiceArea.Kind.POSTCODE_DISTRICT,
    ServiceArea.Kind.NATIONWIDE,
)
WELSH = (("en", "English"), ("cy", "Welsh"))
ENGLISH = (("en", "English"),)

# organisation, service, topics, areas, languages, tumour sites, self-refer, how to refer
SERVICES = [
    ("Taff Cancer Support Centre", "Money and benefits advice", ["money", "work"],
     [(LA, "Cardiff"), (LA, "Vale of Glamorgan")], WELSH, "", True,
     "Call or drop in. An adviser checks what money help you can get and helps with forms."),
    ("Taff Cancer Support Centre", "Drop-in support and talking", ["emotional-support", "peer-support", "information"],
     [(LA, "Cardiff")], WELSH, "", True, "Drop in, no appointment needed."),
    ("Cardiff Council", "Help at home and carers' assessments", ["home-help", "carers", "housing"],
     [(LA, "Cardiff")], WELSH, "", True, "Call the adult services line and ask for a needs assessment."),
    ("Vale Community Transport", "Hospital transport volunteers", ["transport"],
     [(LA, "Vale of Glamorgan")], ENGLISH, "", True, "Book at least two working days ahead."),
    ("Bay Breathers", "Lung cancer support group", ["peer-support", "pain-symptoms", "exercise"],
     [(DISTRICT, "CF10"), (DISTRICT, "CF11"), (DISTRICT, "CF14"), (DISTRICT, "CF24")], ENGLISH, "Lung", True,
     "Come along to any meeting, or ask your navigator to introduce you."),
    ("Llandaff Healthy Living", "Move More after cancer", ["exercise", "fatigue", "diet"],
     [(LA, "Cardiff"), (LA, "Vale of Glamorgan")], WELSH, "", False,
     "Your navigator or GP refers you."),
    ("Hospital Chaplaincy Team", "Chaplaincy and spiritual care", ["spiritual-care", "end-of-life"],
     [(LA, "Cardiff"), (LA, "Vale of Glamorgan")], WELSH, "", True, "Ask any ward nurse, or call the team."),
    ("Support Line UK (demo)", "National cancer support line", ["information", "emotional-support", "money"],
     [(UK, "")], ENGLISH, "", True, "Call free, seven days a week."),
    ("Talk Well Wales (demo)", "Counselling for people with cancer", ["mental-health", "emotional-support"],
     [(LA, "Cardiff"), (LA, "Vale of Glamorgan")], WELSH, "", False, "Your navigator or GP refers you."),
    ("Help Me Quit Cardiff (demo)", "Stop smoking support", ["stop-smoking", "alcohol"],
     [(LA, "Cardiff")], WELSH, "", True, "Call or text to book a first chat."),
]  # fmt: skip


@transaction.atomic
def load_demo_directory(
    *,
    districts: Mapping[str, str] = DISTRICTS,
    services: Sequence[tuple[Any, ...]] = SERVICES,
    phone_prefix: str = "029 2018 0",
) -> int:
    """Create the demo directory (Cardiff and the Vale unless another area's `districts` and
    `services` are given, shaped as above); returns how many services were added. Each service's
    phone is `phone_prefix` and its place in `services`, three digits (a drama-range number)."""
    for district, authority in districts.items():
        PostcodeDistrict.objects.get_or_create(
            district=district, defaults={"local_authority": authority}
        )
    added = 0
    for n, (org_name, name, topics, areas, languages, sites, self_refer, how) in enumerate(
        services
    ):
        org, _ = DirectoryOrganization.objects.get_or_create(name=org_name)
        service, created = DirectoryService.objects.get_or_create(
            organization=org,
            name=name,
            defaults={
                "tumour_sites": sites,
                "self_refer": self_refer,
                "how_to_refer": how,
                "phone": f"{phone_prefix}{n:03d}",
            },
        )
        if not created:
            continue
        added += 1
        service.taxonomy_terms.set(TaxonomyTerm.objects.filter(code__in=topics))
        for kind, value in areas:
            ServiceArea.objects.create(service=service, kind=kind, value=value)
        for code, label in languages:
            ServiceLanguage.objects.create(service=service, code=code, name=label)
        for weekday in range(1, 6):
            RegularSchedule.objects.create(
                service=service, weekday=weekday, opens_at=dt.time(9), closes_at=dt.time(17)
            )
    return added

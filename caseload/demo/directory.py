"""The demo area's service directory: Northshire and the city of Riverton, where the demo's
patients live (postcode districts NS1 to NS9, a made-up area). Fictional services, shaped like
Open Referral UK and loaded by careplans' demo directory loader, so a plan made from any demo
patient's assessment signposts local services for the concerns they mark."""

from careplans.demo_directory import load_demo_directory
from careplans.models import ServiceArea

NORTHSHIRE, RIVERTON = "Northshire", "Riverton"

DISTRICTS = {
    "NS1": RIVERTON, "NS2": RIVERTON, "NS3": RIVERTON, "NS4": RIVERTON,
    "NS5": NORTHSHIRE, "NS6": NORTHSHIRE, "NS7": NORTHSHIRE, "NS8": NORTHSHIRE, "NS9": NORTHSHIRE,
}  # fmt: skip

LA, DISTRICT, UK = (
    ServiceArea.Kind.LOCAL_AUTHORITY,
    ServiceArea.Kind.POSTCODE_DISTRICT,
    ServiceArea.Kind.NATIONWIDE,
)
BOTH = [(LA, NORTHSHIRE), (LA, RIVERTON)]
ENGLISH = (("en", "English"),)
ENGLISH_AND_BENGALI = (("en", "English"), ("bn", "Bengali"))
# Ofcom's drama range for landlines (01632 960000 to 960999): these run 01632 960 000 upwards.
PHONE_PREFIX = "01632 960 "

# organisation, service, topics, areas, languages, tumour sites, self-refer, how to refer
SERVICES = [
    ("Northshire Cancer Support Centre (demo)", "Money and benefits advice", ["money", "work"],
     BOTH, ENGLISH_AND_BENGALI, "", True,
     "Call or drop in. An adviser checks what money help you can get and helps with forms."),
    ("Northshire Cancer Support Centre (demo)", "Drop-in support and talking",
     ["emotional-support", "peer-support", "information"], BOTH, ENGLISH, "", True,
     "Drop in, no appointment needed."),
    ("Riverton City Council (demo)", "Help at home and carers' assessments",
     ["home-help", "carers", "housing"], [(LA, RIVERTON)], ENGLISH, "", True,
     "Call the adult social care line and ask for a needs assessment."),
    ("Northshire County Council (demo)", "Help at home and carers' assessments",
     ["home-help", "carers", "housing"], [(LA, NORTHSHIRE)], ENGLISH, "", True,
     "Call the adult social care line and ask for a needs assessment."),
    ("Northshire Community Transport (demo)", "Hospital transport volunteers", ["transport"],
     BOTH, ENGLISH, "", True, "Book at least two working days ahead."),
    ("Breathe Easy Riverton (demo)", "Lung cancer support group",
     ["peer-support", "pain-symptoms", "exercise"],
     [(DISTRICT, "NS1"), (DISTRICT, "NS2"), (DISTRICT, "NS3"), (DISTRICT, "NS4")], ENGLISH,
     "Lung", True, "Come along to any meeting, or ask your navigator to introduce you."),
    ("Bowel Cancer Friends (demo)", "Bowel cancer support group", ["peer-support", "body-image"],
     BOTH, ENGLISH, "Bowel", True, "Come along to any meeting, or ask your navigator."),
    ("Riverton Leisure Trust (demo)", "Move More after cancer", ["exercise", "fatigue", "diet"],
     BOTH, ENGLISH, "", False, "Your navigator or GP refers you."),
    ("Northshire Hospitals Chaplaincy (demo)", "Chaplaincy and spiritual care",
     ["spiritual-care", "end-of-life"], BOTH, ENGLISH, "", True,
     "Ask any ward nurse, or call the team."),
    ("Northshire Talking Therapies (demo)", "Counselling for people with cancer",
     ["mental-health", "emotional-support"], BOTH, ENGLISH_AND_BENGALI, "", False,
     "Your navigator or GP refers you."),
    ("Northshire Carers' Centre (demo)", "Support for carers and families",
     ["carers", "family-support"], BOTH, ENGLISH, "", True, "Call or drop in."),
    ("St Hilda's Hospice (demo)", "Symptom and wellbeing clinic",
     ["pain-symptoms", "end-of-life", "family-support"], BOTH, ENGLISH, "", False,
     "Your navigator, GP or nurse specialist refers you."),
    ("Smokefree Northshire (demo)", "Stop smoking support", ["stop-smoking", "alcohol"], BOTH,
     ENGLISH, "", True, "Call or text to book a first chat."),
    ("Support Line UK (demo)", "National cancer support line",
     ["information", "emotional-support", "money"], [(UK, "")], ENGLISH, "", True,
     "Call free, seven days a week."),
]  # fmt: skip


def demo_directory_load() -> int:
    """Load the demo area's directory; returns how many services were added (none the second
    time)."""
    return load_demo_directory(districts=DISTRICTS, services=SERVICES, phone_prefix=PHONE_PREFIX)

"""The demo area's service directory: Northshire and the city of Riverton, where the demo's
patients live (postcode districts NS1 to NS9, a made-up area). The services come from the sample
Open Referral UK feed we ship (`careplans/directory_feed/sample.json`, fictional), imported as
a real feed is, and its taxonomy terms are mapped to our topics as a team lead would map them
(`/directory/topics/`), so a plan made from any demo patient's assessment signposts local
services for the concerns they mark."""

from careplans.directory_feed import SAMPLE_FEED
from careplans.models import FeedTaxonomyTerm, PostcodeDistrict, TaxonomyTerm
from careplans.services.directory import directory_feed_import_from, feed_term_map

NORTHSHIRE, RIVERTON = "Northshire", "Riverton"

DISTRICTS = {
    "NS1": RIVERTON, "NS2": RIVERTON, "NS3": RIVERTON, "NS4": RIVERTON,
    "NS5": NORTHSHIRE, "NS6": NORTHSHIRE, "NS7": NORTHSHIRE, "NS8": NORTHSHIRE, "NS9": NORTHSHIRE,
}  # fmt: skip

# The sample feed's taxonomy term -> (our topics, tumour site).
MAPPING: dict[str, tuple[list[str], str]] = {
    "nsneeds:money-advice": (["money"], ""),
    "nsneeds:debt": (["money"], ""),
    "nsneeds:food-bank": (["money"], ""),
    "nsneeds:employment": (["work"], ""),
    "nsneeds:housing": (["housing"], ""),
    "nsneeds:home-care": (["home-help"], ""),
    "nsneeds:carers": (["carers"], ""),
    "nsneeds:transport": (["transport"], ""),
    "nsneeds:emotional": (["emotional-support"], ""),
    "nsneeds:mental-health": (["mental-health"], ""),
    "nsneeds:peer": (["peer-support"], ""),
    "nsneeds:befriending": (["peer-support"], ""),
    "nsneeds:information": (["information"], ""),
    "nsneeds:activity": (["exercise"], ""),
    "nsneeds:fatigue": (["fatigue"], ""),
    "nsneeds:nutrition": (["diet"], ""),
    "nsneeds:spiritual": (["spiritual-care"], ""),
    "nsneeds:end-of-life": (["end-of-life"], ""),
    "nsneeds:bereavement": (["family-support", "emotional-support"], ""),
    "nsneeds:family": (["family-support"], ""),
    "nsneeds:smoking": (["stop-smoking"], ""),
    "nsneeds:alcohol": (["alcohol"], ""),
    "nsneeds:symptoms": (["pain-symptoms"], ""),
    "nsneeds:appearance": (["body-image"], ""),
    "nscancer:lung": ([], "Lung"),
    "nscancer:bowel": ([], "Bowel"),
    "nscancer:breast": ([], "Breast"),
    "nscancer:prostate": ([], "Prostate"),
}


def demo_directory_load() -> int:
    """Import the sample feed and map its terms; returns how many services were added (none
    the second time, when nothing changes)."""
    for district, authority in DISTRICTS.items():
        PostcodeDistrict.objects.get_or_create(
            district=district, defaults={"local_authority": authority}
        )
    result = directory_feed_import_from(source=str(SAMPLE_FEED))
    if not result.ok:
        raise RuntimeError(result.summary())
    topics = {t.code: t for t in TaxonomyTerm.objects.all()}
    for term in FeedTaxonomyTerm.objects.filter(feed_id__in=MAPPING):
        codes, site = MAPPING[term.feed_id]
        feed_term_map(term=term, topics=[topics[c] for c in codes], tumour_site=site, actor=None)
    return result.record.added

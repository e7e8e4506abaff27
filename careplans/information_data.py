"""The information prescriptions shipped with the product: our own plain-English wording, with
links only to NHS and GOV.UK pages. Services add their own in the admin (InformationResource).

(code, kind, title, summary, url, tumour sites, concern codes)
"""

INFORMATION: list[tuple[str, str, str, str, str, str, str]] = [
    (
        "questions-first-appointment", "questions", "Questions to ask at your appointments",
        "Write your questions down before you go. You could ask: What will happen next? "
        "When will I hear? Who do I call if I am worried? Can someone come with me?",
        "", "", "",
    ),
    (
        "questions-treatment", "questions", "Questions to ask about your treatment",
        "You could ask: What is the aim of my treatment? How long will it take? What side "
        "effects should I look out for, and who do I tell about them?",
        "", "", "understanding,who-to-ask,worry,future",
    ),
    (
        "lung-starter", "starter_pack", "Lung cancer: a starter pack",
        "What lung cancer is, the tests you may have and the treatments you may be offered.",
        "https://www.nhs.uk/conditions/lung-cancer/", "Lung", "",
    ),
    (
        "breast-starter", "starter_pack", "Breast cancer: a starter pack",
        "What breast cancer is, the tests you may have and the treatments you may be offered.",
        "https://www.nhs.uk/conditions/breast-cancer/", "Breast", "",
    ),
    (
        "bowel-starter", "starter_pack", "Bowel cancer: a starter pack",
        "What bowel cancer is, the tests you may have and the treatments you may be offered.",
        "https://www.nhs.uk/conditions/bowel-cancer/", "Bowel", "",
    ),
    (
        "prostate-starter", "starter_pack", "Prostate cancer: a starter pack",
        "What prostate cancer is, the tests you may have and the treatments you may be offered.",
        "https://www.nhs.uk/conditions/prostate-cancer/", "Prostate", "",
    ),
    (
        "money-benefits", "leaflet", "Money help when you have cancer",
        "You may be able to get benefits, help with travel costs to hospital and free "
        "prescriptions. A benefits adviser can check for you.",
        "https://www.gov.uk/browse/benefits", "", "money,work,forms,travel",
    ),
    (
        "breathlessness", "leaflet", "Coping with breathlessness",
        "Simple ways to make breathing easier: positions to try, pacing yourself, and when to "
        "call for help.",
        "", "", "breathing",
    ),
    (
        "tiredness-tips", "leaflet", "Coping with tiredness",
        "Tiredness is common with cancer and its treatment. Small amounts of activity, rest "
        "breaks and planning your day can help.",
        "", "", "tiredness,sleep",
    ),
]  # fmt: skip

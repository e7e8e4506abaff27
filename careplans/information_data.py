"""The information prescriptions shipped with the product: our own plain-English wording, with
links only to NHS and GOV.UK pages. Services add their own in the admin (InformationResource).

(code, kind, title, summary, url, tumour sites, concern codes); INFORMATION_CY has each one's
Welsh title and summary (awaiting review by a qualified Welsh translator before live use).
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

STARTER_CY = (
    "Beth yw canser {}, y profion y gallech eu cael a'r triniaethau y gallech gael eu cynnig."
)
INFORMATION_CY: dict[str, tuple[str, str]] = {
    "questions-first-appointment": (
        "Cwestiynau i'w gofyn yn eich apwyntiadau",
        "Ysgrifennwch eich cwestiynau cyn i chi fynd. Gallech ofyn: Beth fydd yn digwydd nesaf? "
        "Pryd bydda i'n clywed? Pwy ddylwn i ei ffonio os ydw i'n poeni? Ydy rhywun yn cael dod "
        "gyda fi?",
    ),
    "questions-treatment": (
        "Cwestiynau i'w gofyn am eich triniaeth",
        "Gallech ofyn: Beth yw nod fy nhriniaeth? Faint o amser fydd hi'n ei gymryd? Pa "
        "sgil-effeithiau ddylwn i gadw llygad amdanyn nhw, ac wrth bwy ddylwn i ddweud amdanyn nhw?",
    ),
    "lung-starter": ("Canser yr ysgyfaint: pecyn cychwynnol", STARTER_CY.format("yr ysgyfaint")),
    "breast-starter": ("Canser y fron: pecyn cychwynnol", STARTER_CY.format("y fron")),
    "bowel-starter": ("Canser y coluddyn: pecyn cychwynnol", STARTER_CY.format("y coluddyn")),
    "prostate-starter": ("Canser y prostad: pecyn cychwynnol", STARTER_CY.format("y prostad")),
    "money-benefits": (
        "Help gydag arian pan fydd gennych ganser",
        "Efallai y gallwch gael budd-daliadau, help gyda chostau teithio i'r ysbyty a "
        "phresgripsiynau am ddim. Gall cynghorydd budd-daliadau wirio i chi.",
    ),
    "breathlessness": (
        "Ymdopi â diffyg anadl",
        "Ffyrdd syml o wneud anadlu'n haws: safleoedd i roi cynnig arnyn nhw, pwyllo, a phryd i "
        "ffonio am help.",
    ),
    "tiredness-tips": (
        "Ymdopi â blinder",
        "Mae blinder yn gyffredin gyda chanser a'i driniaeth. Gall ychydig o weithgarwch, "
        "seibiannau i orffwys a chynllunio eich diwrnod helpu.",
    ),
}

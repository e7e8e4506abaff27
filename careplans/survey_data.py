"""The feedback surveys we ship, version 1 of each, in English and Welsh: loaded by migration
0010 (a service changes them as data, a new version at a time, as with the HNA checklist).

Each key moment has its own short survey; the one after leaving hospital is a single question,
so it can be answered by replying to the text with a number.
"""

# Answer scales, best first: (code, English, Welsh).
_RATING = [
    ("very-good", "Very good", "Da iawn"),
    ("good", "Good", "Da"),
    ("fair", "Fair", "Gweddol"),
    ("poor", "Poor", "Gwael"),
    ("very-poor", "Very poor", "Gwael iawn"),
]
_KNEW = [
    ("yes", "Yes", "Oeddwn"),
    ("partly", "Partly", "I ryw raddau"),
    ("no", "No", "Nac oeddwn"),
]
_DID = [
    ("yes", "Yes", "Do"),
    ("partly", "Partly", "I ryw raddau"),
    ("no", "No", "Naddo"),
]
_THINK = [
    ("yes", "Yes", "Ydw"),
    ("partly", "Partly", "I ryw raddau"),
    ("no", "No", "Nac ydw"),
    ("not-sure", "Not sure", "Ddim yn siŵr"),
]
_OVERALL = (
    "overall",
    "Overall, how would you rate the support from your cancer support team?",
    "At ei gilydd, sut fyddech chi'n graddio'r cymorth gan eich tîm cymorth canser?",
    _RATING,
)

# code: (title, Welsh title, [(question code, English, Welsh, scale)])
SURVEYS = {
    "feedback-diagnosis": (
        "Your support after diagnosis",
        "Eich cymorth ar ôl cael diagnosis",
        [
            (
                "knew-who-to-contact",
                "Did you know who to contact if you had questions?",
                "Oeddech chi'n gwybod â phwy i gysylltu os oedd gennych gwestiynau?",
                _KNEW,
            ),
            (
                "understood-next-steps",
                "Did you understand what would happen next?",
                "Oeddech chi'n deall beth fyddai'n digwydd nesaf?",
                _KNEW,
            ),
            _OVERALL,
        ],
    ),
    "feedback-plan": (
        "Your care plan",
        "Eich cynllun gofal",
        [
            (
                "talked-about-what-matters",
                "Did you talk about what matters most to you?",
                "Wnaethoch chi siarad am yr hyn sydd bwysicaf i chi?",
                _DID,
            ),
            (
                "plan-will-help",
                "Do you think your care plan will help you?",
                "Ydych chi'n meddwl y bydd eich cynllun gofal yn eich helpu chi?",
                _THINK,
            ),
            _OVERALL,
        ],
    ),
    "feedback-discharge": (
        "Leaving hospital",
        "Gadael yr ysbyty",
        [
            (
                "supported-leaving-hospital",
                "How well were you supported when you left hospital?",
                "Pa mor dda y cawsoch chi eich cefnogi pan wnaethoch chi adael yr ysbyty?",
                _RATING,
            ),
        ],
    ),
}

"""The insight page's sections, in order: the one list to change to add, remove or reorder a
section (a new one is a title, a sentence and its figures from `insight.figures`)."""

from dataclasses import dataclass

from insight import figures
from insight.figures import Figure


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    summary: str
    figures: tuple[Figure | figures.ClocksFigure | figures.ColumnsFigure, ...]


SECTIONS: tuple[Section, ...] = (
    Section(
        "assessments",
        "Holistic needs assessments",
        "Who is offered a holistic needs assessment, who completes one, and how soon after "
        "diagnosis.",
        (figures.HNA_REACH, figures.HNA_TIMING),
    ),
    Section(
        "concerns",
        "Concerns and distress",
        "What people are worried about, how that changes, and how quickly high distress is "
        "acted on.",
        (figures.CONCERNS, figures.DISTRESS, figures.DISTRESS_CONTACT),
    ),
    Section(
        "care-plans",
        "Care plans",
        "What people agreed to do about their concerns, and whether the help worked.",
        (figures.PLAN_ITEMS, figures.SIGNPOSTING, figures.HELP_NEEDED),
    ),
    Section(
        "chase",
        "Chasing",
        "What had to be chased, from whom, how late, and the messages it sent.",
        (figures.CHASE_BY_KIND, figures.CHASE_BY_PROVIDER, figures.CHASE_DAYS, figures.NUDGES),
    ),
    Section(
        "clocks",
        "Pathway clocks",
        "How many people were seen within each waiting-time standard, by nation.",
        (figures.CLOCKS,),
    ),
    Section(
        "feedback",
        "Patients' feedback",
        "What people told us in the short surveys we send after their diagnosis, after they "
        "agree a care plan and after they leave hospital: the answers counted, never who gave "
        "them, and never what they wrote.",
        (figures.FEEDBACK_RESPONSES, *figures.FEEDBACK_QUESTIONS),
    ),
)


def figure_for(slug: str) -> Figure | figures.ClocksFigure | figures.ColumnsFigure | None:
    for section in SECTIONS:
        for figure in section.figures:
            if figure.slug == slug:
                return figure
    return None

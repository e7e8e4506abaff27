"""Which locale a stored language choice means, for pages, messages and printed plans.

Records (a patient's, an account's, an outbox row's) store "en" or "cy"; Django's translation
machinery runs in British English ("en-gb", so dates read 6 December 2026) or Welsh ("cy").
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.utils import translation

ENGLISH = "en"
WELSH = "cy"
CHOICES = (ENGLISH, WELSH)


def locale_for(language: str) -> str:
    """The locale to activate for a stored language: "cy" for Welsh, "en-gb" for anything else."""
    return "cy" if language == WELSH else "en-gb"


def language_of(locale: str) -> str:
    """The stored language for an active locale ("cy" or "en")."""
    return WELSH if (locale or "").lower().startswith(WELSH) else ENGLISH


def reading_welsh() -> bool:
    """Whether the active language (the page's, or an override's) is Welsh: for data that
    keeps its Welsh in its own fields (`name_cy`, `title_cy`)."""
    return language_of(translation.get_language() or "") == WELSH


def in_english(text: object) -> str:
    """A translatable label as English, for what staff read whatever the page's language (the
    audit trail's summaries)."""
    with translation.override(locale_for(ENGLISH)):
        return str(text)


@contextmanager
def in_language(language: str) -> Iterator[None]:
    """Translate everything inside into `language` ("en" or "cy")."""
    with translation.override(locale_for(language)):
        yield

"""NHS.UK frontend's stylesheet as we serve it: without its `@font-face` rules.

Those rules load the Frutiger font from assets.nhs.uk (it is licensed, so not in the npm
package). Our Content-Security-Policy keeps fonts to this origin, and Chromium reports each
refused font URL as a console error as soon as it reads the stylesheet, whether or not any
element uses the font; overriding the font in our own CSS does not stop it. So pages link
`css/nhsuk-frontend.min.css`, made here from the installed package with those rules (and the
source-map comment, which would name a map that is not beside it) taken out. Text falls back
to Arial, as NHS.UK frontend itself does when the font cannot load.

A finder, so `runserver`, the tests' live server and `collectstatic` all see the same file;
it is rebuilt whenever the package's copy is newer.
"""

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import CheckMessage, Error
from django.core.files.storage import FileSystemStorage

NAME = "css/nhsuk-frontend.min.css"
_FONT_FACE = re.compile(r"@font-face\{[^}]*\}")
_SOURCE_MAP = re.compile(r"/\*# sourceMappingURL=[^*]*\*/")


def _source() -> Path:
    return Path(settings.BASE_DIR) / "node_modules/nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.css"


def _built() -> Path:
    return Path(settings.VAR_DIR) / "static-build" / NAME


def stylesheet_without_font_faces(css: str) -> str:
    return _SOURCE_MAP.sub("", _FONT_FACE.sub("", css))


def build() -> Path:
    source, built = _source(), _built()
    if not built.exists() or built.stat().st_mtime < source.stat().st_mtime:
        built.parent.mkdir(parents=True, exist_ok=True)
        css = stylesheet_without_font_faces(source.read_text(encoding="utf-8"))
        partial = built.with_suffix(".tmp")
        partial.write_text(css, encoding="utf-8")
        partial.replace(built)  # whole or not at all, for a server reading it meanwhile
    return built


class NhsukStylesheetFinder(BaseFinder):
    """Finds `NAME`, built from NHS.UK frontend's stylesheet (see the module's docstring)."""

    def check(self, **kwargs: Any) -> list[CheckMessage]:
        if not _source().exists():
            return [
                Error(
                    f"NHS.UK frontend's stylesheet is missing ({_source()}).",
                    hint="Run `make install` (npm ci) to install the front-end assets.",
                    id="navigator.E001",
                )
            ]
        return []

    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> Any:
        if path != NAME:
            return [] if find_all else None
        found = str(build())
        return [found] if find_all else found

    def list(self, ignore_patterns: Any) -> Iterator[tuple[str, FileSystemStorage]]:
        built = build()
        storage = FileSystemStorage(location=str(built.parent))
        storage.prefix = str(Path(NAME).parent)  # type: ignore[attr-defined]
        yield built.name, storage

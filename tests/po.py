"""Just enough of a gettext .po reader for the catalogue's tests: entries with their context,
msgid, plural, translations and flags (no third-party library needed)."""

import ast
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Entry:
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)
    obsolete: bool = False

    @property
    def key(self) -> tuple[str | None, str, str | None]:
        return (self.msgctxt, self.msgid, self.msgid_plural)

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values())


def entries(path: Path) -> list[Entry]:
    """Every entry of the catalogue at `path`, the header (msgid "") first."""
    result: list[Entry] = []
    current = Entry()
    target: tuple[str, int] | None = None
    started = False

    def finish() -> None:
        nonlocal current, started, target
        if started:
            result.append(current)
        current, started, target = Entry(), False, None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            current.obsolete = True
            continue
        if line.startswith("#,"):
            current.flags.update(f.strip() for f in line[2:].split(","))
            continue
        if line.startswith("#:"):
            current.references.extend(line[2:].split())
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            value = ast.literal_eval(line)
            assert target is not None, f"a continuation line with nothing before it: {raw}"
            name, index = target
            if name == "msgstr":
                current.msgstr[index] += value
            else:
                setattr(current, name, (getattr(current, name) or "") + value)
            continue
        keyword, _, rest = line.partition(" ")
        value = ast.literal_eval(rest)
        if (
            keyword in ("msgctxt", "msgid")
            and started
            and keyword == "msgctxt"
            or (keyword == "msgid" and started and current.msgid != "" and target != ("msgctxt", 0))
        ):
            finish()
        started = True
        if keyword.startswith("msgstr["):
            index = int(keyword[7:-1])
            current.msgstr[index] = value
            target = ("msgstr", index)
        elif keyword == "msgstr":
            current.msgstr[0] = value
            target = ("msgstr", 0)
        else:
            setattr(current, keyword, value)
            target = (keyword, 0)
    finish()
    return [e for e in result if not e.obsolete]

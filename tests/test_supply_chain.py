"""The lock files pin and hash every package, agree with each other and with pyproject.toml, and
every install (make install, so CI, and the Dockerfile) refuses anything unhashed."""

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PROD = ROOT / "requirements.lock"
DEV = ROOT / "requirements-dev.lock"


def parse_lock(text: str) -> tuple[dict[str, str], list[str]]:
    """{canonical name: pinned version} and the problems: a line not pinned with == or unhashed."""
    pins: dict[str, str] = {}
    problems: list[str] = []
    for entry in re.sub(r"\\\n", " ", text).splitlines():
        entry = entry.split("#", 1)[0].strip()
        if not entry:
            continue
        hashes = re.findall(r"--hash=sha256:[0-9a-f]{64}", entry)
        requirement = Requirement(re.sub(r"--hash=\S+", "", entry).strip())
        specifiers = list(requirement.specifier)
        if len(specifiers) != 1 or specifiers[0].operator != "==":
            problems.append(f"{requirement.name}: not pinned to one version with ==")
            continue
        if not hashes:
            problems.append(f"{requirement.name}: no sha256 hash")
        pins[canonicalize_name(requirement.name)] = specifiers[0].version
    return pins, problems


def unmet(requirements: list[str], pins: dict[str, str]) -> list[str]:
    """The requirements (PEP 508 strings) the pins do not satisfy."""
    problems = []
    for text in requirements:
        requirement = Requirement(text)
        pinned = pins.get(canonicalize_name(requirement.name))
        if pinned is None:
            problems.append(f"{text}: not in the lock")
        elif not requirement.specifier.contains(pinned, prereleases=True):
            problems.append(f"{text}: the lock has {pinned}")
    return problems


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_every_package_in_both_locks_is_pinned_and_hashed():
    for lock in (PROD, DEV):
        pins, problems = parse_lock(lock.read_text())
        assert problems == [], lock.name
        assert "pip" in pins and "setuptools" in pins, (
            "the installer and build backend are locked too"
        )


def test_the_dev_lock_pins_every_production_package_at_the_same_version():
    prod, _ = parse_lock(PROD.read_text())
    dev, _ = parse_lock(DEV.read_text())
    assert {name: dev.get(name) for name in prod} == prod


def test_the_locks_satisfy_pyproject():
    project = pyproject()
    prod, _ = parse_lock(PROD.read_text())
    dev, _ = parse_lock(DEV.read_text())
    build = project["build-system"]["requires"]
    assert unmet(project["project"]["dependencies"] + build, prod) == [], "run `make lock`"
    assert unmet(project["project"]["optional-dependencies"]["dev"] + build, dev) == [], (
        "run `make lock`"
    )


def test_every_pip_install_requires_hashes_or_fetches_nothing():
    for name in ("Makefile", "Dockerfile"):
        installs = [
            line.strip()
            for line in (ROOT / name).read_text().splitlines()
            if "pip install" in line and not line.lstrip().startswith("#")
        ]
        assert installs, f"{name} installs nothing?"
        for line in installs:
            assert "--require-hashes" in line or "--no-deps" in line, f"{name}: {line}"
    assert "--require-hashes -r requirements.lock" in (ROOT / "Dockerfile").read_text()
    assert "--require-hashes -r requirements-dev.lock" in (ROOT / "Makefile").read_text()


def test_the_checks_catch_an_unhashed_or_loose_lock_and_an_unmet_requirement():
    text = (
        "django==5.2.19 \\\n    --hash=sha256:" + "a" * 64 + "\n"
        "    # via cancer-navigator\n"
        "celery==5.7.0\n"
        "redis>=5 \\\n    --hash=sha256:" + "b" * 64 + "\n"
        "colorama==0.4.6 ; sys_platform == 'win32' \\\n    --hash=sha256:" + "c" * 64 + "\n"
    )
    pins, problems = parse_lock(text)
    assert pins == {"django": "5.2.19", "celery": "5.7.0", "colorama": "0.4.6"}
    assert problems == ["celery: no sha256 hash", "redis: not pinned to one version with =="]
    assert unmet(["Django[argon2]>=5.2,<5.3", "celery>=5.8", "twilio>=9"], pins) == [
        "celery>=5.8: the lock has 5.7.0",
        "twilio>=9: not in the lock",
    ]

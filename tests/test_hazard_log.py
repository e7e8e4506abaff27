"""The clinical safety hazard log (docs/safety/hazard-log.yaml) is well formed and names real tests.

Every hazard carries the fields DCB0129 asks for, its risks agree with the 5x5 matrix, and every
test id it cites as evidence for a control exists: the test files are parsed with `ast` (no pytest
collection), so a renamed or deleted test fails here, in the normal suite, before the log lies.
"""

import ast
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
HAZARD_LOG = ROOT / "docs" / "safety" / "hazard-log.yaml"

LIKELIHOODS = ["Very low", "Low", "Medium", "High", "Very high"]
SEVERITIES = ["Minor", "Significant", "Considerable", "Major", "Catastrophic"]
# DCB0129's matrix: RISK[likelihood][severity], 1 (acceptable) to 5 (unacceptable).
RISK = {
    "Very high": [3, 4, 4, 5, 5],
    "High": [2, 3, 3, 4, 5],
    "Medium": [2, 2, 3, 3, 4],
    "Low": [1, 2, 2, 3, 4],
    "Very low": [1, 1, 2, 2, 3],
}
HAZARD_FIELDS = {"id", "title", "cause", "effect", "harm", "initial", "controls", "residual"}
OPTIONAL_HAZARD_FIELDS = {"notes"}
CONTROL_FIELDS = {"control", "tests", "open_action"}
TEST_ID = re.compile(r"^(tests/[\w/]+\.py)((?:::\w+)+)(\[[^\]]*\])?$")


def risk_of(likelihood: str, severity: str) -> int:
    return RISK[likelihood][SEVERITIES.index(severity)]


def defined_tests(path: Path) -> set[str]:
    """The node ids pytest could collect from one file: `test_x` and `TestClass::test_x`."""
    names: set[str] = set()
    for node in ast.parse(path.read_text(), filename=str(path)).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith(
            "test"
        ):
            names.add(node.name)
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            for member in node.body:
                if isinstance(
                    member, ast.FunctionDef | ast.AsyncFunctionDef
                ) and member.name.startswith("test"):
                    names.add(f"{node.name}::{member.name}")
    return names


def missing_tests(test_ids: list[str], root: Path = ROOT) -> list[str]:
    """The ids (with why) that name no test under root; parametrised `[...]` suffixes are ignored."""
    problems = []
    parsed: dict[Path, set[str]] = {}
    for test_id in test_ids:
        match = TEST_ID.match(test_id)
        if not match:
            problems.append(f"{test_id}: not a test id like tests/dir/test_file.py::test_name")
            continue
        path = root / match.group(1)
        if not path.is_file():
            problems.append(f"{test_id}: there is no file {match.group(1)}")
            continue
        if path not in parsed:
            parsed[path] = defined_tests(path)
        if match.group(2)[2:] not in parsed[path]:
            problems.append(f"{test_id}: {match.group(1)} defines no such test")
    return problems


def _text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _check_risk(where: str, risk: object) -> list[str]:
    if not isinstance(risk, dict) or set(risk) != {"likelihood", "severity", "risk"}:
        return [f"{where}: needs exactly likelihood, severity and risk"]
    if risk["likelihood"] not in LIKELIHOODS:
        return [f"{where}: likelihood {risk['likelihood']!r} is not one of {LIKELIHOODS}"]
    if risk["severity"] not in SEVERITIES:
        return [f"{where}: severity {risk['severity']!r} is not one of {SEVERITIES}"]
    expected = risk_of(risk["likelihood"], risk["severity"])
    if risk["risk"] != expected:
        return [
            f"{where}: {risk['likelihood']} likelihood and {risk['severity']} severity "
            f"is risk {expected} on the matrix, not {risk['risk']!r}"
        ]
    return []


def validate(log: object) -> list[str]:
    """Every problem with the log's shape and risks, as sentences naming the hazard and field."""
    if not isinstance(log, dict) or not isinstance(log.get("hazards"), list) or not log["hazards"]:
        return ["the log needs a non-empty list under `hazards`"]
    problems: list[str] = []
    seen: set[str] = set()
    for number, hazard in enumerate(log["hazards"], start=1):
        if not isinstance(hazard, dict):
            problems.append(f"hazard {number}: is not a mapping")
            continue
        name = hazard.get("id", f"hazard {number}")
        missing = HAZARD_FIELDS - set(hazard)
        extra = set(hazard) - HAZARD_FIELDS - OPTIONAL_HAZARD_FIELDS
        if missing:
            problems.append(f"{name}: missing {sorted(missing)}")
        if extra:
            problems.append(f"{name}: unknown fields {sorted(extra)}")
        if not re.fullmatch(r"HAZ-\d{3}", str(hazard.get("id"))):
            problems.append(f"{name}: the id must look like HAZ-001")
        elif name in seen:
            problems.append(f"{name}: the id is used twice")
        seen.add(name)
        for field in ("title", "cause", "effect", "harm"):
            if field in hazard and not _text(hazard[field]):
                problems.append(f"{name}: {field} must be some text")
        risk_problems = [
            problem
            for stage in ("initial", "residual")
            for problem in _check_risk(f"{name} {stage}", hazard.get(stage))
        ]
        problems += risk_problems
        if not risk_problems and hazard["residual"]["risk"] > hazard["initial"]["risk"]:
            problems.append(f"{name}: the residual risk is higher than the initial risk")
        controls = hazard.get("controls")
        if not isinstance(controls, list) or not controls:
            problems.append(f"{name}: needs a non-empty list of controls")
            continue
        for index, control in enumerate(controls, start=1):
            where = f"{name} control {index}"
            if not isinstance(control, dict) or not _text(control.get("control")):
                problems.append(f"{where}: needs `control`, the text of the control")
                continue
            if set(control) - CONTROL_FIELDS:
                problems.append(f"{where}: unknown fields {sorted(set(control) - CONTROL_FIELDS)}")
            tests = control.get("tests", [])
            if not isinstance(tests, list) or not all(isinstance(t, str) for t in tests):
                problems.append(f"{where}: `tests` must be a list of test ids")
            elif not tests and not _text(control.get("open_action")):
                problems.append(
                    f"{where}: names no test, so it needs an `open_action` saying what is missing"
                )
            if "open_action" in control and not _text(control["open_action"]):
                problems.append(f"{where}: `open_action` must be some text")
    return problems


def cited_tests(log: dict) -> list[str]:
    return [t for h in log["hazards"] for c in h["controls"] for t in c.get("tests", [])]


@pytest.fixture(scope="module")
def log() -> dict:
    return yaml.safe_load(HAZARD_LOG.read_text())


def test_every_hazard_has_its_fields_and_its_risks_agree_with_the_matrix(log):
    assert validate(log) == []


def test_every_test_the_log_cites_exists(log):
    assert missing_tests(cited_tests(log)) == []


def test_the_log_covers_the_hazards_the_safety_case_names(log):
    titles = " ".join(h["title"].lower() for h in log["hazards"])
    for words in (
        "distress",
        "wrong patient",
        "wrong person",
        "clinical detail",
        "chase",
        "opt-out",
        "gp link",
        "out-of-date care plan",
        "outage",
        "carer",
        "another team",
        "treatment summary",
        "provider",
        "encryption key",
        "language",
        "security log",
    ):
        assert words in titles, f"no hazard is about {words!r}"


# The checks themselves: a log that lies must fail.


def test_a_made_up_test_id_is_caught():
    real = "tests/patients/test_rules.py::test_it_hides_other_teams_cases"
    assert missing_tests([real, real + "[a param]"]) == []
    assert missing_tests(
        [
            "tests/patients/test_rules.py::test_a_test_nobody_wrote",
            "tests/patients/test_no_such_file.py::test_it_hides_other_teams_cases",
            "patients/rules.py",
        ]
    ) == [
        "tests/patients/test_rules.py::test_a_test_nobody_wrote: "
        "tests/patients/test_rules.py defines no such test",
        "tests/patients/test_no_such_file.py::test_it_hides_other_teams_cases: "
        "there is no file tests/patients/test_no_such_file.py",
        "patients/rules.py: not a test id like tests/dir/test_file.py::test_name",
    ]


def test_class_based_and_parametrised_ids_are_understood(tmp_path):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_x.py").write_text(
        "import pytest\n"
        "class TestThing:\n"
        "    def test_a(self): ...\n"
        "    def helper(self): ...\n"
        "@pytest.mark.parametrize('n', [1, 2])\n"
        "def test_b(n): ...\n"
        "def helper(): ...\n"
    )
    good = ["tests/test_x.py::TestThing::test_a", "tests/test_x.py::test_b[1]"]
    assert missing_tests(good, root=tmp_path) == []
    bad = [
        "tests/test_x.py::test_a",  # a method is not a module-level test
        "tests/test_x.py::TestThing::helper",  # pytest would not collect it
        "tests/test_x.py::helper",
    ]
    assert [problem.split(": ")[0] for problem in missing_tests(bad, root=tmp_path)] == bad


def test_a_wrong_risk_a_missing_field_and_an_unevidenced_control_are_caught():
    good = {
        "id": "HAZ-001",
        "title": "t",
        "cause": "c",
        "effect": "e",
        "harm": "h",
        "initial": {"likelihood": "High", "severity": "Major", "risk": 4},
        "controls": [{"control": "c", "tests": ["tests/test_layers.py::x"]}],
        "residual": {"likelihood": "Low", "severity": "Major", "risk": 3},
    }
    assert validate({"hazards": [good]}) == []
    wrong_risk = {**good, "initial": {"likelihood": "High", "severity": "Major", "risk": 2}}
    assert validate({"hazards": [wrong_risk]}) == [
        "HAZ-001 initial: High likelihood and Major severity is risk 4 on the matrix, not 2"
    ]
    no_harm = {k: v for k, v in good.items() if k != "harm"}
    assert validate({"hazards": [no_harm]}) == ["HAZ-001: missing ['harm']"]
    unevidenced = {**good, "controls": [{"control": "c", "tests": []}]}
    assert validate({"hazards": [unevidenced]}) == [
        "HAZ-001 control 1: names no test, so it needs an `open_action` saying what is missing"
    ]
    worse = {**good, "residual": {"likelihood": "Very high", "severity": "Major", "risk": 5}}
    assert validate({"hazards": [worse]}) == [
        "HAZ-001: the residual risk is higher than the initial risk"
    ]
    assert validate({"hazards": [good, good]}) == ["HAZ-001: the id is used twice"]

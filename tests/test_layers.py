"""The house's one-way rule (STYLE.md, "Dependencies point one way"), read from the source.

Each app is a layer: navigator <- patients <- appointments <- careplans <- the top layers
(caseload, insight), which import nothing of each other and which nothing imports. Every
module of every app (migrations and tests aside) is parsed, not imported, and:
- no module imports an app above its own;
- the apps' import graph has no cycle;
- no function imports another of our apps (the sign of a cycle worked around);
- nothing calls `apps.get_model` (a model looked up by name reaches any app, upwards too).

A lower app that must let higher apps act on its events offers a registry (`<app>/hooks.py`)
that the higher app fills in its `AppConfig.ready()`.
"""

import ast
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Lowest first. The top layers (caseload, insight) are siblings: see TOP_LAYERS.
LAYERS = ("navigator", "patients", "appointments", "careplans", "caseload", "insight")
TOP_LAYERS = frozenset({"caseload", "insight"})
RANK = {app: rank for rank, app in enumerate(LAYERS)}
SKIPPED_DIRECTORIES = {"migrations", "tests", "__pycache__"}


@dataclass(frozen=True)
class Import:
    module: str  # the importing module's file, relative to the repository
    app: str  # the importing module's app
    target: str  # the imported module, dotted
    line: int
    in_function: bool

    @property
    def target_app(self) -> str:
        return self.target.split(".")[0]

    def __str__(self) -> str:
        where = " inside a function" if self.in_function else ""
        return f"{self.module}:{self.line} imports {self.target}{where}"


def _modules() -> list[Path]:
    found = []
    for app in LAYERS:
        folder = ROOT / app
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*.py")):
            relative = path.relative_to(ROOT)
            if not SKIPPED_DIRECTORIES.intersection(relative.parts[:-1]):
                found.append(path)
    return found


class _Reader(ast.NodeVisitor):
    """Collects a module's imports (noting those inside a function) and get_model calls."""

    def __init__(self, module: str) -> None:
        self.module = module
        self.app = module.split("/")[0]
        self.package = module.removesuffix(".py").replace("/", ".").removesuffix(".__init__")
        self.is_package = module.endswith("__init__.py")
        self.imports: list[Import] = []
        self.get_model_lines: list[int] = []
        self._depth = 0

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        self._depth += 1
        self.generic_visit(node)
        self._depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _function  # noqa: N815

    def _add(self, target: str, node: ast.stmt) -> None:
        if target.split(".")[0] in RANK:
            self.imports.append(
                Import(self.module, self.app, target, node.lineno, in_function=self._depth > 0)
            )

    def visit_Import(self, node: ast.Import) -> None:  # noqa: N802
        for alias in node.names:
            self._add(alias.name, node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:  # noqa: N802
        if node.level:
            # Relative: within the importing module's own package, so its own app.
            parts = self.package.split(".")
            keep = len(parts) - node.level + (1 if self.is_package else 0)
            base = ".".join(parts[:keep])
            self._add(f"{base}.{node.module}" if node.module else base, node)
        elif node.module:
            self._add(node.module, node)

    def visit_Call(self, node: ast.Call) -> None:  # noqa: N802
        if isinstance(node.func, ast.Attribute) and node.func.attr == "get_model":
            self.get_model_lines.append(node.lineno)
        self.generic_visit(node)


@cache
def _read() -> tuple[_Reader, ...]:
    readers = []
    for path in _modules():
        module = path.relative_to(ROOT).as_posix()
        reader = _Reader(module)
        reader.visit(ast.parse(path.read_text(encoding="utf-8"), filename=module))
        readers.append(reader)
    return tuple(readers)


def _upward(reader: _Reader) -> list[Import]:
    """Imports of a higher app; for a top layer, any import of another top layer."""
    return [
        i
        for i in reader.imports
        if RANK[i.target_app] > RANK[reader.app]
        or (reader.app in TOP_LAYERS and i.target_app in TOP_LAYERS - {reader.app})
    ]


def _function_level(reader: _Reader) -> list[Import]:
    return [i for i in reader.imports if i.in_function and i.target_app != reader.app]


def test_the_apps_are_found():
    modules = {reader.module for reader in _read()}
    for app in LAYERS[:4]:
        assert f"{app}/models.py" in modules or f"{app}/models/__init__.py" in modules, app


def test_the_top_layers_import_each_other_not():
    top = [
        str(i)
        for reader in _read()
        for i in reader.imports
        if reader.app in TOP_LAYERS and i.target_app in TOP_LAYERS - {reader.app}
    ]
    assert top == [], "Nothing imports a top layer, another top layer included: " + "; ".join(top)


def test_no_lower_app_imports_a_higher_one():
    breaches = [str(i) for reader in _read() for i in _upward(reader)]
    assert breaches == [], "Imports point down only (STYLE.md): " + "; ".join(breaches)


def test_no_import_cycle_between_apps():
    graph: dict[str, set[str]] = {}
    for reader in _read():
        for i in reader.imports:
            if i.target_app != reader.app:
                graph.setdefault(reader.app, set()).add(i.target_app)
    cycles = set()

    def visit(app: str, path: list[str]) -> None:
        for nxt in sorted(graph.get(app, ())):
            if nxt in path:
                cycles.add(" -> ".join([*path[path.index(nxt) :], nxt]))
            else:
                visit(nxt, [*path, nxt])

    for app in sorted(graph):
        visit(app, [app])
    assert not cycles, "Import cycles between apps: " + "; ".join(sorted(cycles))


def test_no_function_imports_another_of_our_apps():
    breaches = [str(i) for reader in _read() for i in _function_level(reader)]
    assert breaches == [], (
        "Import other apps at module level; a lower app reached by a higher one offers a "
        "registry (<app>/hooks.py) filled in AppConfig.ready(): " + "; ".join(breaches)
    )


def test_nothing_looks_a_model_up_by_name_outside_migrations():
    breaches = [f"{reader.module}:{line}" for reader in _read() for line in reader.get_model_lines]
    assert breaches == [], "apps.get_model outside migrations: " + ", ".join(breaches)


def test_the_reader_sees_each_kind_of_breach():
    """The checks above can fail: a lower module importing upwards, inside a function, and
    looking a model up by name is seen for what it is."""
    reader = _Reader("patients/example.py")
    source = (
        "from careplans.models import CarePlan\n"
        "def f():\n"
        "    from appointments import services\n"
        "    return apps.get_model('careplans.CarePlan')\n"
    )
    reader.visit(ast.parse(source))
    assert [i.target_app for i in _upward(reader)] == ["careplans", "appointments"]
    assert [i.target for i in _function_level(reader)] == ["appointments"]
    assert reader.get_model_lines == [4]

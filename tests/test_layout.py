"""The house rules, read off the source: the service never imports its developer tools, no two
modules import each other (directly or round a loop, function-level imports included), no module
is named like a standard-library module, modules and functions stay a readable size, and
intents/ speaks only through speech/."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("skill", "intents", "speech")
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def sources(*packages: str) -> dict[str, tuple[str, bool]]:
    """Module name -> (source, is a package)."""
    out = {}
    for package in packages:
        for path in sorted((ROOT / package).rglob("*.py")):
            out[module_name(path)] = (path.read_text(encoding="utf-8"), path.name == "__init__.py")
    return out


def imports(modules: dict[str, tuple[str, bool]]) -> dict[str, set[str]]:
    """Module -> the project modules it imports anywhere in its body."""
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, (source, is_package) in modules.items():
        package = name if is_package else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(source)):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")
                    anchor = anchor[:len(anchor) - (node.level - 1)]
                    base = ".".join(anchor + ([base] if base else []))
                targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
            for target in targets:
                # the longest project module the target names (a module, or a name in one)
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph[name].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Groups of modules that import each other (strongly connected components above one)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def dev_imports(graph: dict[str, set[str]]) -> list[tuple[str, str]]:
    return sorted((module, target) for module, targets in graph.items()
                  for target in targets
                  if not (module == "skill.dev" or module.startswith("skill.dev."))
                  and (target == "skill.dev" or target.startswith("skill.dev.")))


@pytest.fixture(scope="module")
def project_graph():
    return imports(sources(*PACKAGES))


def test_the_service_never_imports_its_tools(project_graph):
    assert dev_imports(project_graph) == []


def test_no_import_cycles(project_graph):
    assert cycles(project_graph) == []


def test_the_checks_catch_what_they_name():
    """A reintroduced cycle (cli -> bench -> cli, by a function-level import) and a service
    module importing a tool are both found."""
    modules = {
        "skill": ("", True), "skill.dev": ("", True),
        "skill.cli": ("def main():\n    from .dev import bench\n", False),
        "skill.dev.bench": ("from skill.cli import main\n", False),
        "intents.x": ("from skill.dev.bench import main\n", False),
    }
    graph = imports(modules)
    assert cycles(graph) == [["skill.cli", "skill.dev.bench"]]
    assert {("intents.x", "skill.dev.bench"), ("skill.cli", "skill.dev.bench")} <= \
        set(dev_imports(graph))


def test_no_module_is_named_like_the_standard_library():
    clashes = [name for name in sources(*PACKAGES, "tests")
               if name.rpartition(".")[2] in sys.stdlib_module_names]
    assert clashes == []


def _sizes(packages) -> tuple[list[str], list[str]]:
    long_modules, long_functions = [], []
    for name, (source, _) in sources(*packages).items():
        lines = len(source.splitlines())
        if lines > MAX_MODULE_LINES:
            long_modules.append(f"{name}: {lines} lines")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long_functions.append(f"{name}.{node.name}: {length} lines")
    return long_modules, long_functions


def test_modules_and_functions_stay_readable():
    long_modules, long_functions = _sizes(PACKAGES + ("tests",))
    assert long_modules == []
    assert long_functions == []


def _spoken_literals(source: str) -> list[str]:
    """String constants of several words outside docstrings, log calls and exceptions."""
    tree = ast.parse(source)
    skip: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant):
            skip.add(id(body[0].value))
        if isinstance(node, ast.Call):
            callee = getattr(node.func, "attr", None) or getattr(node.func, "id", None) or ""
            if callee in ("debug", "info", "warning", "error", "exception") or \
                    callee.endswith(("Error", "Exception")):
                skip.update(id(sub) for sub in ast.walk(node))
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in skip and len(node.value.split()) > 1]


def test_intents_speak_only_through_speech():
    """Every spoken word comes from speech/, so a new language changes nothing in intents/."""
    found = {name: words for name, (source, _) in sources("intents").items()
             if (words := _spoken_literals(source))}
    assert found == {}
    assert _spoken_literals('def f():\n    return "Sorry, something went wrong."\n')

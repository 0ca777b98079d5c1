"""The layers of STYLE.md hold as a checked contract: every import points down, no import circles.

cli → services → permissions/audit/directory → models/db/migrations → support → base.
Imports under ``if TYPE_CHECKING:`` are annotations only and do not count.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"

# Higher number = higher layer. A module may import its own layer or lower ones.
LAYERS = {
    "salesctl": 0, "salesctl.errors": 0, "salesctl.messages": 0, "salesctl.money": 0, "salesctl.periods": 0,
    "salesctl.phones": 0, "salesctl.inputs": 0,
    "salesctl.config": 1, "salesctl.companynames": 1, "salesctl.policy": 1, "salesctl.policy_schema": 1, "salesctl.workdays": 1, "salesctl.render": 1, "salesctl.dbtypes": 1,
    "salesctl.prompts": 1, "salesctl.spreadsheet": 1,
    "salesctl.models": 2, "salesctl.db": 2, "salesctl.storedtext": 2, "salesctl.migrations": 2, "salesctl.rls": 2, "salesctl.sqljson": 2,
    "salesctl.permissions": 3, "salesctl.audit": 3, "salesctl.directory": 3,
    "salesctl.services": 4,
    "salesctl.cli": 5, "salesctl.__main__": 5,
}


def module_name(path: Path, root: Path = SRC) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def layer_of(module: str) -> int:
    parts = module.split(".")
    for n in range(len(parts), 0, -1):
        key = ".".join(parts[:n])
        if key in LAYERS:
            return LAYERS[key]
    raise KeyError(f"{module} is in no layer: add it to LAYERS in tests/test_architecture.py")


def imports_of(source: str, *, top_level_only: bool) -> set[str]:
    """The salesctl modules a source imports (outside TYPE_CHECKING; optionally only at import time)."""
    found: set[str] = set()

    class Visitor(ast.NodeVisitor):
        def visit_If(self, node):
            test = node.test
            name = test.id if isinstance(test, ast.Name) else getattr(test, "attr", None)
            if name == "TYPE_CHECKING":
                for child in node.orelse:
                    self.visit(child)
                return
            self.generic_visit(node)

        def visit_FunctionDef(self, node):
            if not top_level_only:
                self.generic_visit(node)

        visit_AsyncFunctionDef = visit_FunctionDef

        def visit_Import(self, node):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "salesctl")

        def visit_ImportFrom(self, node):
            if node.level == 0 and node.module and node.module.split(".")[0] == "salesctl":
                found.add(node.module)
                for alias in node.names:  # `from salesctl.services.customers import lookup` imports a module
                    found.add(f"{node.module}.{alias.name}")

    Visitor().visit(ast.parse(source))
    return found


def source_modules(root: Path = SRC) -> dict[str, str]:
    return {module_name(p, root): p.read_text(encoding="utf-8") for p in sorted(root.rglob("*.py"))}


def upward_imports(modules: dict[str, str]) -> list[str]:
    problems = []
    for name, source in modules.items():
        for target in sorted(imports_of(source, top_level_only=False)):
            if target not in modules and target.rsplit(".", 1)[0] in modules:
                target = target.rsplit(".", 1)[0]  # `from X import name` where name is not a module
            if target in modules and layer_of(target) > layer_of(name):
                problems.append(f"{name} (layer {layer_of(name)}) imports {target} (layer {layer_of(target)})")
    return problems


def import_cycles(modules: dict[str, str]) -> list[list[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for name, source in modules.items():
        for target in imports_of(source, top_level_only=True):
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name and not name.startswith(target + "."):
                graph[name].add(target)
    cycles, state, stack = [], {}, []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(modules):
        if node not in state:
            visit(node)
    return cycles


def test_every_module_is_in_a_layer():
    for name in source_modules():
        layer_of(name)


def test_imports_point_down():
    assert upward_imports(source_modules()) == []


def test_no_import_circles():
    assert import_cycles(source_modules()) == []


def test_services_has_only_chapter_packages_and_the_context():
    services = SRC / "salesctl" / "services"
    loose = sorted(p.name for p in services.glob("*.py") if p.name not in ("__init__.py", "context.py"))
    assert loose == []
    for package in (p for p in services.iterdir() if p.is_dir() and p.name != "__pycache__"):
        init = package / "__init__.py"
        assert init.exists() and ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))), package


@pytest.mark.parametrize("bad", [
    ("salesctl.models", "from salesctl.services.customers import ownership\n"),
    ("salesctl.permissions", "def f():\n    from salesctl.cli import app\n"),
])
def test_the_checker_catches_an_upward_import(bad):
    modules = source_modules()
    name, line = bad
    modules[name] = modules[name] + "\n" + line
    assert upward_imports(modules)


def test_the_checker_catches_a_circle():
    modules = {"salesctl.a": "import salesctl.b\n", "salesctl.b": "from salesctl.a import x\n"}
    assert import_cycles(modules)


def test_no_module_over_600_lines_without_a_stated_reason():
    """Files that fit in a head: a longer module says why in its docstring (`Size: …`).

    Released migrations are exempt: they are generated once and never edited.
    """
    long = []
    for path in sorted((SRC / "salesctl").rglob("*.py")):
        if "migrations/versions" in path.as_posix():
            continue
        text = path.read_text(encoding="utf-8")
        if text.count("\n") > 620 and "Size:" not in (ast.get_docstring(ast.parse(text)) or ""):
            long.append(f"{path.relative_to(SRC)}: {text.count(chr(10))} lines")
    assert long == []

"""Rules the package keeps as a whole: imports without cycles, one vocabulary, no research."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "gxnet"


def _modules() -> dict[str, Path]:
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path
    return modules


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of ``graph``, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        stack.append(module)
        for other in sorted(graph[module]):
            if state.get(other) == 1:
                return [*stack[stack.index(other) :], other]
            if other not in state and (found := visit(other)):
                return found
        stack.pop()
        state[module] = 2
        return None

    for module in sorted(graph):
        if module not in state and (found := visit(module)):
            return found
    return None


def test_no_module_imports_another_that_imports_it_back():
    modules = _modules()
    graph = {
        name: {m for m in _imports(path) if m in modules and m != name}
        for name, path in modules.items()
    }
    assert _cycle(graph) is None


def test_the_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_the_package_never_imports_the_benchmarks_or_their_research():
    for path in _modules().values():
        assert not any(m.split(".")[0] == "benchmarks" for m in _imports(path)), path


@pytest.mark.parametrize("tier", ["recycling_point", "sorting_centre", "processing_base"])
def test_a_tier_is_written_out_only_where_it_is_declared(tier):
    for path in _modules().values():
        if path.name == "tiers.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        literal = [
            node.lineno
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and node.value == tier
        ]
        assert not literal, f"{path}, lines {literal}: write {tier} as a gxnet.tiers.Tier"


def test_no_module_names_a_benchmark_instance():
    instance = re.compile(
        r"\bpmed\d|\bcap\d{2,3}\b|\bcap[abc]\d|\bPSC\d|\bscp\d|OR-Library|San Francisco|tscflp"
    )
    for path in _modules().values():
        found = instance.findall(path.read_text(encoding="utf-8"))
        assert not found, f"{path} names {found}"

"""The layering of docs/ARCHITECTURE.md, checked on the code's own imports (every import, module level or not).

A folder may import only from the folders below it; the package's foundation modules (``tthc/*.py``) from
nothing of tthc but one another; a scheme never from another scheme (``tthc/schemes/*.py`` are shared by
the schemes). No two modules import each other in a circle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "tthc"

#: Layer of each part of the package, lowest first; a part imports only parts of a strictly lower layer
#: (or itself).
LAYERS = {
    "foundation": 0,   # tthc/*.py: errors, text, quarter, rounding, vi
    "parameters": 1,
    "input": 2,
    "schemes": 3,
    "audit": 4,
    "report": 4,
    "notebooks": 5,
    "run": 6,
    "cli": 7,
}
#: Allowed on purpose: the package root offers ``tthc.notebook_run`` to notebooks (imported when called).
EXCEPTIONS = {("tthc", "run")}


def part_of(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1 or (len(parts) == 2 and (PACKAGE / f"{parts[1]}.py").is_file()):
        return "foundation"
    return parts[1]


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """Every tthc module ``path`` imports (absolute, relative resolved; ``from a import b`` gives a.b when
    that is a module, else a)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "tthc")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            if mod.split(".")[0] != "tthc":
                continue
            for alias in node.names:
                sub = f"{mod}.{alias.name}"
                found.add(sub if _is_module(sub) else mod)
    return found


def _is_module(name: str) -> bool:
    path = PACKAGE.parent / Path(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def modules() -> dict[str, set[str]]:
    return {module_name(p): imports_of(p) for p in sorted(PACKAGE.rglob("*.py"))}


GRAPH = modules()


def test_every_part_has_a_layer():
    assert {part_of(m) for m in GRAPH} <= set(LAYERS)


def _shared_by_schemes(module: str) -> bool:
    """A module directly in tthc/schemes (``tthc/schemes/*.py``), not a scheme's package."""
    parts = module.split(".")
    return len(parts) == 3 and (PACKAGE / "schemes" / f"{parts[2]}.py").is_file()


def violations(module: str, targets: set[str]) -> list[str]:
    """The imports of ``module`` that cross the layering."""
    mine = part_of(module)
    bad = []
    for target in sorted(targets):
        theirs = part_of(target)
        if theirs == mine:
            if (mine == "schemes" and len(module.split(".")) > 3 and target.split(".")[:3] != module.split(".")[:3]
                    and not _shared_by_schemes(target)):
                bad.append(f"{target} (another scheme)")
            continue
        if (module, theirs) in EXCEPTIONS:
            continue
        if LAYERS[theirs] >= LAYERS[mine]:
            bad.append(f"{target} ({theirs} is not below {mine})")
    return bad


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_imports_only_from_lower_layers(module):
    bad = violations(module, GRAPH[module])
    assert not bad, f"{module} imports across the layering: {bad}"


def test_the_rule_sees_a_crossing():
    assert violations("tthc.input.loading", {"tthc.cli.grade"}) == ["tthc.cli.grade (cli is not below input)"]
    assert violations("tthc.schemes.tt01.engine", {"tthc.schemes.nd118.index"}) == [
        "tthc.schemes.nd118.index (another scheme)"]
    assert violations("tthc.schemes.tt01.explain", {"tthc.schemes.explanation"}) == []  # shared by the schemes
    assert violations("tthc.schemes.tt01.explain", {"tthc.schemes.nd118"}) == ["tthc.schemes.nd118 (another scheme)"]
    assert violations("tthc.report.context", {"tthc.audit.explain"}) == [
        "tthc.audit.explain (audit is not below report)"]
    assert violations("tthc.cli.grade", {"tthc.input.loading", "tthc.run.outputs"}) == []


def test_no_import_cycles():
    # Tarjan's strongly connected components over module-to-module imports.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    cycles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in GRAPH.get(v, ()):
            if w not in GRAPH or w == v or (v, part_of(w)) in EXCEPTIONS:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in GRAPH:
        if v not in index:
            visit(v)
    assert not cycles, f"modules importing each other in a circle: {cycles}"

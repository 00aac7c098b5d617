"""The direction of imports inside the package, read from the source (nothing is imported).

- no cycles, counting imports inside functions too;
- the sandboxed worker imports nothing of the judge but the channel (it runs learner code);
- the privileged launcher imports nothing of the judge at all (it runs as root, with ``-I -S``);
- the grading pipeline never imports what is built around it (front ends, batch, leaderboard).
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "judge"
AROUND_THE_PIPELINE = {"cli", "cli_options", "authoring_cli", "batch", "discover", "diff", "leaderboard", "progress", "cache", "check", "authoring"}
PIPELINE = {
    "config", "errors", "yamlio", "problem", "genspec", "cases", "sandbox", "sandbox_launch", "channel", "worker",
    "worker_protocol", "runner", "plan", "expected", "compare", "hints", "ranking", "verdict", "grade", "record", "job", "report", "safe_text",
}


def imports_of(module: str) -> set[str]:
    """The judge modules ``module`` imports, anywhere in its source."""
    tree = ast.parse((PACKAGE / f"{module}.py").read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1:  # from .x import y / from . import x
                found.update([node.module.split(".")[0]] if node.module else [a.name for a in node.names])
            elif node.module and node.module.split(".")[0] == "judge":
                parts = node.module.split(".")
                found.update([parts[1]] if len(parts) > 1 else [a.name for a in node.names])
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("judge."))
    return {m for m in found if (PACKAGE / f"{m}.py").exists()}


GRAPH = {path.stem: imports_of(path.stem) for path in PACKAGE.glob("*.py") if path.stem != "__init__"}


def test_every_module_is_classified() -> None:
    """A new module must say which side of the line it is on."""
    unclassified = set(GRAPH) - PIPELINE - AROUND_THE_PIPELINE - {"__main__", "_scaffold_files"}
    assert not unclassified, sorted(unclassified)


def test_no_import_cycles() -> None:
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(GRAPH.get(module, ())):
            assert state.get(target) != 1, "import cycle: " + " -> ".join([*path, module, target])
            if target not in state:
                visit(target, [*path, module])
        state[module] = 2

    for module in sorted(GRAPH):
        if module not in state:
            visit(module, [])


def test_the_worker_imports_only_the_channel() -> None:
    assert GRAPH["worker"] == {"channel"}
    assert GRAPH["channel"] == set()


def test_the_privileged_launcher_imports_nothing_of_the_judge() -> None:
    assert GRAPH["sandbox_launch"] == set()


def test_the_pipeline_never_imports_what_is_built_around_it() -> None:
    for module in sorted(PIPELINE & set(GRAPH)):
        assert not GRAPH[module] & AROUND_THE_PIPELINE, (module, sorted(GRAPH[module] & AROUND_THE_PIPELINE))

"""The direction of imports inside the package, read from the source (nothing is imported).

- the grading pipeline is the flat modules of ``judge/``; what is built around it lives in folders
  (``authoring/``, ``batch/``, ``cli/``, ``store/``) and the pipeline never imports any of them;
- only the command line imports the command line;
- no cycles, counting imports inside functions too;
- the sandboxed worker imports nothing of the judge but the channel and output_tree (it runs learner code);
- the privileged launcher imports nothing of the judge at all (it runs as root, with ``-I -S``).
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "judge"
# The pipeline, in reading order: a problem, its cases, running code in the sandbox, comparing,
# grading, the record. A new flat module must be placed here on purpose.
PIPELINE = (
    "errors", "yamlio", "safe_text", "config", "genspec", "problem", "cases", "sandbox_launch", "sandbox", "channel", "output_tree",
    "worker", "worker_protocol", "worker_pool",
    "runner", "plan", "output_store", "expected", "compare", "solutions", "hints", "ranking", "verdict", "grade",
    "record", "job", "report",
)
AROUND = ("authoring", "batch", "cli", "export", "service", "store")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def imports_of(module: str) -> set[str]:
    """The judge modules ``module`` imports, anywhere in its source (packages count as modules)."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            candidates = [target] + [f"{target}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            candidates = [a.name for a in node.names]
        else:
            continue
        found.update(c for c in candidates if c in MODULES and c != "judge")
    return found - {module}


GRAPH = {name: imports_of(name) for name in MODULES}


def top(module: str) -> str:
    """The first name under ``judge``: the pipeline module, or the folder."""
    return module.split(".")[1] if "." in module else module


def test_every_module_is_placed() -> None:
    """Flat modules are pipeline stages listed above; everything else is in a named folder."""
    flat = {top(m) for m in MODULES if m.count(".") == 1 and MODULES[m].name != "__init__.py"} - {"__main__"}
    folders = {top(m) for m in MODULES if MODULES[m].name == "__init__.py" and m != "judge"}
    assert flat == set(PIPELINE), sorted(flat ^ set(PIPELINE))
    assert folders == set(AROUND), sorted(folders ^ set(AROUND))


def test_the_pipeline_never_imports_what_is_built_around_it() -> None:
    for module in sorted(m for m in GRAPH if top(m) in PIPELINE):
        around = sorted(t for t in GRAPH[module] if top(t) in AROUND)
        assert not around, (module, around)


def test_only_the_command_line_imports_the_command_line() -> None:
    for module in sorted(m for m in GRAPH if top(m) not in ("cli", "__main__")):
        assert not any(top(t) == "cli" for t in GRAPH[module]), module


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
    # output_tree imports nothing of the judge either: the worker flattens answers with it.
    assert GRAPH["judge.worker"] == {"judge.channel", "judge.output_tree"}
    assert not GRAPH["judge.output_tree"]
    assert GRAPH["judge.channel"] == set()


def test_the_privileged_launcher_imports_nothing_of_the_judge() -> None:
    assert GRAPH["judge.sandbox_launch"] == set()


def test_the_rules_see_imports() -> None:
    """The reader itself: relative imports from a folder resolve to the modules they name."""
    assert {"judge.batch", "judge.store.jsonl", "judge.job"} <= GRAPH["judge.cli"]
    assert "judge.authoring.scaffold_files" in GRAPH["judge.authoring.scaffold"]

"""A Gradescope autograder for one problem: the zip, and what runs inside Gradescope's container.

:func:`build_autograder` writes ``autograder.zip`` as Gradescope's autograder specification asks
(https://gradescope-autograders.readthedocs.io/en/latest/specs/): ``setup.sh`` and
``run_autograder`` at the root, beside what they need: the judge's source (``judge_src/``, a
pip-installable package), the problem folder (``problems/ID/``), a ``config.yaml`` with the
exporting configuration's grading settings, and ``autograder.json`` naming the problem.

Inside Gradescope, ``setup.sh`` installs bubblewrap (apt) and the judge with its dependencies
(pip, into ``/opt/judge-venv``); ``run_autograder`` runs ``python -m judge.export.gradescope``,
which grades the one ``*.py`` file in ``/autograder/submission`` as ``judge grade`` does
(sandboxed, with the ranking run for an accepted submission) and writes
``/autograder/results/results.json`` (:func:`results_json`). ``JUDGE_AUTOGRADER_ROOT`` (instead
of ``/autograder``) and ``JUDGE_AUTOGRADER_PYTHON`` (instead of the venv's python) let a test run
it against a folder laid out as Gradescope lays it out.

Each case is one Gradescope test worth 1 point (the assignment's total is the number of cases).
A public case is ``visible``; a hidden case is ``after_published`` when the problem's hidden cases
show their verdict and judge-written message (``feedback: {hidden: verdict}``, the default) and
``hidden`` when they show nothing (``feedback: {hidden: none}``). A test's ``output`` is what the
JSON report says of that case, and never more: for a hidden case that is its verdict, the fixed
message and coarse time (or the verdict alone).

Example:
    >>> from judge.problem import load_problem
    >>> from judge.verdict import CaseResult, SubmissionResult, Verdict
    >>> problem = load_problem("conv1d", Path("problems"))
    >>> result = SubmissionResult("conv1d", "a.py", Verdict.WRONG_ANSWER, (
    ...     CaseResult("small", False, Verdict.ACCEPTED, "", 0.01),
    ...     CaseResult("big", True, Verdict.WRONG_ANSWER, "wrong values (details are not shown for hidden cases)", 0.1)))
    >>> doc = results_json(result, problem, 12.3)
    >>> doc["score"], doc["execution_time"], [(t["name"], t["score"], t["visibility"], t["status"]) for t in doc["tests"]]
    (1.0, 13, [('small', 1.0, 'visible', 'passed'), ('big (hidden)', 0.0, 'after_published', 'failed')])
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import math
import os
import shutil
import stat
import sys
import tempfile
import time
import zipfile
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml

from ..config import Config, load_config
from ..errors import JudgeError
from ..problem import HiddenFeedback, Problem, load_problem
from ..record import Job, iso_now
from ..safe_text import visible
from ..verdict import CaseResult, SubmissionResult, Verdict

log = logging.getLogger(__name__)

ZIP_NAME = "autograder.zip"
MANIFEST = "autograder.json"
SOURCE_PACKAGE = "judge_src"
VENV = "/opt/judge-venv"
VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")
_SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", ".*")

RUN_AUTOGRADER = f"""#!/usr/bin/env bash
# Gradescope runs this in /autograder after unzipping the autograder into /autograder/source.
# JUDGE_AUTOGRADER_ROOT and JUDGE_AUTOGRADER_PYTHON point it elsewhere (the judge's own tests).
set -euo pipefail
ROOT="${{JUDGE_AUTOGRADER_ROOT:-/autograder}}"
PYTHON="${{JUDGE_AUTOGRADER_PYTHON:-{VENV}/bin/python}}"
cd "$ROOT"
# The judge shipped in this zip, whatever else the interpreter has installed.
export PYTHONPATH="$ROOT/source/{SOURCE_PACKAGE}"
exec "$PYTHON" -m judge.export.gradescope --root "$ROOT"
"""

SETUP_SH = f"""#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update
# bubblewrap: the judge's sandbox; python3-venv: an interpreter of the judge's own.
apt-get install -y --no-install-recommends bubblewrap python3 python3-venv python3-pip
python3 -m venv {VENV}
{VENV}/bin/pip install --no-cache-dir --upgrade pip
{VENV}/bin/pip install --no-cache-dir /autograder/source/{SOURCE_PACKAGE}
# Expected outputs computed now, from the trusted reference, rather than on every submission.
{VENV}/bin/judge cache warm --config /autograder/source/config.yaml --problem "$(
  {VENV}/bin/python -c 'import json; print(json.load(open("/autograder/source/{MANIFEST}"))["problem"])')" \\
  || echo "judge cache warm failed: expected outputs will be computed while grading"
"""


def build_autograder(problem: Problem, config: Config, out_dir: Path) -> Path:
    """Write ``out_dir/autograder.zip`` for ``problem`` (graded with ``config``'s settings); return its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="judge-gradescope-") as tmp:
        stage = Path(tmp)
        _write(stage / "setup.sh", SETUP_SH, executable=True)
        _write(stage / "run_autograder", RUN_AUTOGRADER, executable=True)
        package = stage / SOURCE_PACKAGE
        shutil.copytree(Path(__file__).resolve().parent.parent, package / "judge", ignore=_SKIP)
        _write(package / "pyproject.toml", _pyproject())
        shutil.copytree(problem.root, stage / "problems" / problem.id, ignore=_SKIP)
        _write(stage / "config.yaml", yaml.safe_dump(_grading_config(config), sort_keys=False))
        _write(stage / MANIFEST, json.dumps({"problem": problem.id, "built_at": iso_now(), "judge": _version()}, indent=2) + "\n")
        target = out_dir / ZIP_NAME
        partial = out_dir / f".{ZIP_NAME}.partial"
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(stage.rglob("*")):
                if path.is_file():
                    info = zipfile.ZipInfo.from_file(path, path.relative_to(stage).as_posix())
                    info.compress_type = zipfile.ZIP_DEFLATED
                    archive.writestr(info, path.read_bytes())
        os.replace(partial, target)
    return target


def _write(path: Path, text: str, *, executable: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    if executable:
        path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def _version() -> str:
    try:
        return metadata.version("judge")
    except metadata.PackageNotFoundError:
        return "unknown"


def _pyproject() -> str:
    """A pyproject for the shipped judge: this installation's version and run-time dependencies."""
    try:
        requires = [r for r in metadata.requires("judge") or [] if "extra ==" not in r]
    except metadata.PackageNotFoundError:
        requires = []
    requires = requires or ["jax>=0.4.30", "jaxlib>=0.4.30", "flax>=0.8", "numpy>=1.24", "pyyaml>=6", "click>=8.1", "rich>=13",
                            "fastapi>=0.110", "uvicorn>=0.29", "prometheus-client>=0.20"]
    deps = "".join(f"    {json.dumps(r)},\n" for r in requires)
    return ('[build-system]\nrequires = ["setuptools>=68"]\nbuild-backend = "setuptools.build_meta"\n\n'
            f'[project]\nname = "judge"\nversion = "{_version() if _version() != "unknown" else "0"}"\n'
            f'requires-python = ">=3.10"\ndependencies = [\n{deps}]\n\n'
            '[project.scripts]\njudge = "judge.cli:main"\n\n'
            '[tool.setuptools.packages.find]\ninclude = ["judge*"]\n')


def _grading_config(config: Config) -> dict[str, Any]:
    """What grading depends on, from the exporting configuration; paths inside the autograder."""
    limits = dataclasses.asdict(config.limits)
    return {"backend": config.backend, "precision": config.precision, "x64": config.x64, "rtol": config.rtol, "atol": config.atol,
            "sandbox": config.sandbox, "sandbox_uid": config.sandbox_uid, "problems_dir": "problems", "cache_dir": "cache",
            "limits": limits}


def case_visibility(case: CaseResult, problem: Problem) -> str:
    """``visible`` for a public case; a hidden one after the grades are published, or never when
    the problem's hidden cases give no feedback."""
    if not case.hidden:
        return "visible"
    return "hidden" if problem.hidden_feedback is HiddenFeedback.NONE else "after_published"


def case_output(case: CaseResult) -> str:
    """The case's feedback as the JSON report gives it: verdict, time, message, hint, and (public
    cases only) what the code printed."""
    head = case.verdict.value + (f" · {case.time_s:.3f} s" if case.time_s is not None else "")
    parts = [head]
    if case.message:
        parts.append(visible(case.message, newlines=True))
    if case.hint:
        parts.append("hint: " + visible(case.hint, newlines=True))
    if case.output and not case.hidden:  # the judge never keeps a hidden case's output; never show one
        parts.append("printed:\n" + visible(case.output, newlines=True))
    return "\n".join(parts)


def results_json(result: SubmissionResult, problem: Problem, execution_time_s: float) -> dict[str, Any]:
    """Gradescope's ``results.json`` for one graded submission (see the module doc)."""
    tests = [{
        "name": visible(case.case_id) + (" (hidden)" if case.hidden else ""),
        "score": 1.0 if case.passed else 0.0,
        "max_score": 1.0,
        "status": "passed" if case.passed else "failed",
        "visibility": case_visibility(case, problem),
        "output": case_output(case),
        "output_format": "text",
        "tags": ["hidden" if case.hidden else "public"],
    } for case in result.cases]
    passed = sum(c.passed for c in result.cases)
    summary = f"{result.verdict.value} · {passed}/{len(result.cases)} cases · score {result.score:.3f}"
    if result.message:
        summary += "\n" + visible(result.message, newlines=True)
    doc: dict[str, Any] = {
        "score": float(passed),
        "execution_time": max(1, math.ceil(execution_time_s)),
        "output": summary,
        "output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": {"problem": result.problem, "verdict": result.verdict.value, "ranking_time_s": result.ranking_time_s},
    }
    if result.verdict is Verdict.ACCEPTED and result.ranking_time_s is not None:
        doc["leaderboard"] = [{"name": "Time (ms)", "value": round(result.ranking_time_s * 1000, 3), "order": "asc"}]
        doc["output"] += f"\nranking time {result.ranking_time_s * 1000:.3f} ms"
    return doc


FAULT = ("The autograder could not grade this submission (a fault of the autograder, not of your code): "
         "your instructor can see why in the autograder output.")


def failure_json(message: str) -> dict[str, Any]:
    """``results.json`` when nothing could be graded: zero, and the reason for the learner."""
    return {"score": 0.0, "execution_time": 1, "output": message, "output_format": "text", "visibility": "visible",
            "stdout_visibility": "hidden", "tests": []}


def find_submission(folder: Path) -> Path | str:
    """The one ``*.py`` file at the top of ``folder``, or why there is not one (the learner's message)."""
    found = sorted(p for p in folder.glob("*.py") if p.is_file() and not p.is_symlink()) if folder.is_dir() else []
    if len(found) == 1:
        return found[0]
    if not found:
        return "No .py file was submitted: upload exactly one Python file with your solve function."
    names = ", ".join(visible(p.name) for p in found)
    return f"Several .py files were submitted ({names}): upload exactly one Python file with your solve function."


def run_autograder(root: Path) -> dict[str, Any]:
    """Grade ``root/submission``'s file for the problem in ``root/source``; write and return ``root/results/results.json``."""
    from ..job import run_job

    source = root / "source"
    results = root / "results" / "results.json"
    results.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    submission = find_submission(root / "submission")
    if isinstance(submission, str):
        doc = failure_json(submission)
    else:
        try:
            manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
            config = load_config(source / "config.yaml")
            problem = load_problem(str(manifest["problem"]), config.problems_dir)
            job = Job(submission.read_bytes(), problem.id, user="gradescope", name=submission.name, submitted_at=iso_now())
            record = run_job(job, config, problem=problem, measure=True)
            doc = results_json(record.result, problem, time.monotonic() - started)
        except (JudgeError, OSError, ValueError, KeyError) as exc:
            # The autograder, not the submission, failed: say so to the learner, the details to the instructor (stdout).
            log.error("the judge could not grade this submission: %s", visible(str(exc)))
            doc = failure_json(FAULT)
    results.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    return doc


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m judge.export.gradescope --root /autograder`` (what ``run_autograder`` runs)."""
    parser = argparse.ArgumentParser(prog="python -m judge.export.gradescope", description="Grade a Gradescope submission.")
    parser.add_argument("--root", type=Path, default=Path("/autograder"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        doc = run_autograder(args.root)
    except Exception:  # noqa: BLE001 - without a results.json Gradescope shows the learner nothing at all
        log.exception("the autograder failed")
        (args.root / "results").mkdir(parents=True, exist_ok=True)
        (args.root / "results" / "results.json").write_text(json.dumps(failure_json(FAULT), indent=2) + "\n", encoding="utf-8")
        return 1
    print(doc["output"])  # the instructor's view of the run (Gradescope keeps stdout, hidden from learners)
    return 0


if __name__ == "__main__":
    sys.exit(main())

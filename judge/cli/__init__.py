"""The ``judge`` command: click commands that parse, call the library, and print.

Every :class:`judge.errors.JudgeError` becomes one line on stderr and exit status 2; a verdict,
whatever it is, exits 0.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import shlex
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from ..batch.leaderboard import Row
from ..batch.retime import DEFAULT_ROUNDS as RETIME_ROUNDS
from ..batch.retime import MAX_ROUNDS as RETIME_MAX_ROUNDS
from ..config import Config
from ..errors import JudgeError
from ..job import read_job, run_job
from ..problem import PROBLEM_FILE, Problem, load_problem
from ..record import ResultRecord
from ..report import CaseLines, make_console, render_json, render_text
from ..runner import RunGroup, WorkerPool
from ..safe_text import is_safe_name, strict_json, visible
from ..verdict import CaseResult, SubmissionResult, Verdict
from .authoring import register as register_authoring
from .export import register as register_export
from .options import build_config, clean_errors, config_file_option, config_options, dask_executor, settings_line
from .service import register as register_service

F = Callable[..., Any]
LOG_FORMAT = "%(levelname)s %(name)s: %(message)s"


class SafeLogFormatter(logging.Formatter):
    """Log lines quote file names, case ids and messages: show their control characters instead
    of letting them drive the terminal (newlines stay, for tracebacks)."""

    def format(self, record: logging.LogRecord) -> str:
        return visible(super().format(record), newlines=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="Log more (repeat for debug).")
@click.version_option(package_name="judge")
def main(verbose: int) -> None:
    """A sandboxed judge for JAX/Flax exercises.

    \b
    Example:
      judge grade submissions/alice_correct.py --problem conv1d
    """
    level = logging.WARNING - 10 * verbose
    handler = logging.StreamHandler()
    handler.setFormatter(SafeLogFormatter(LOG_FORMAT))
    logging.basicConfig(level=max(level, logging.DEBUG), handlers=[handler])


@main.command()
@click.argument("submission", type=click.Path(path_type=Path))
@click.option("--problem", "-p", "problem_name", required=True, help="Problem id under problems_dir, or a path to a problem folder.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--public", "public_only", is_flag=True,
              help="Run only the public cases: a quick check while you work. The verdict counts only them.")
@config_options
@clean_errors
def grade(submission: Path, problem_name: str, fmt: str, public_only: bool, config_path: str | None, backend: str | None,
          no_sandbox: bool) -> None:
    """Grade one SUBMISSION file against a problem.

    The text report ends with the configuration used (config.yaml, or defaults), the problems
    folder and the cache folder. With --public, only the public cases run and the report says so
    (JSON: "public_only": true); the full grading runs every case.

    \b
    Example:
      judge grade submissions/alice_correct.py --problem conv1d --format json
      judge grade my_conv.py -p conv1d --public
    """
    config = build_config(config_path, backend, no_sandbox)
    problem = load_problem(problem_name, config.problems_dir)
    job = read_job(submission, str(problem.root))
    console = make_console()
    lines = CaseLines(console)
    header_shown = False

    def show(case: CaseResult) -> None:
        nonlocal header_shown
        if fmt == "text":
            if not header_shown:
                console.print(lines.header(problem.id, str(submission)))
                header_shown = True
            console.print(lines.line(case))

    if public_only:
        result = _grade_public(job.source, job.name, problem, config, show)
    else:
        # The hidden cases' worker boots while the public cases run (one of each, never reused).
        group = RunGroup(WorkerPool(size=1, refill=False))
        try:
            result = run_job(job, config, problem=problem, on_case=show, group=group).result
        finally:
            group.close()
    if fmt == "json":
        if public_only:
            click.echo(strict_json({**result.to_json(), "public_only": True}, indent=2))
        else:
            click.echo(render_json(result))
        return
    render_text(result, console, with_cases=False, lines=lines)
    if public_only:
        click.echo(f"only the {len(result.cases)} public cases ran (--public); the verdict counts only them")
    click.echo(settings_line(config))


def _grade_public(source: bytes, name: str, problem: Problem, config: Config, show: Callable[[CaseResult], None]) -> SubmissionResult:
    """Grade ``source`` on the problem's public cases only, as :func:`judge.job.run_job` grades: a
    private copy of exactly the bytes read, under the file's own name when that name is safe."""
    from ..cases import load_cases
    from ..grade import grade as grade_cases

    public = [case for case in load_cases(problem) if not case.hidden]
    if not public:
        raise JudgeError(f"problem {problem.id!r} has no public cases; grade without --public", file=problem.cases_file)
    with tempfile.TemporaryDirectory(prefix="judge-job-") as tmp:
        base = Path(name).name
        copy = Path(tmp) / (base if base.endswith(".py") and is_safe_name(base) else "submission.py")
        copy.write_bytes(source)
        result = grade_cases(copy, problem, config, cases=public, on_case=show)
    return dataclasses.replace(result, submission=visible(name))


@main.command("problems")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@config_file_option
@clean_errors
def problems(fmt: str, config_path: str | None) -> None:
    """List the problems under problems_dir: id, number of cases (hidden among them), title.

    A problem whose files do not load is listed with the error (run judge check on it).

    \b
    Example:
      judge problems
      judge problems --format json
    """
    from ..cases import load_cases

    config = build_config(config_path)
    folder = config.problems_dir
    if not folder.is_dir():
        raise JudgeError("problems folder not found (set problems_dir in config.yaml)", file=folder)
    rows: list[dict[str, Any]] = []
    for root in sorted(p.parent for p in folder.glob(f"*/{PROBLEM_FILE}")):
        try:
            problem = load_problem(root, folder)
            cases = load_cases(problem)
        except JudgeError as exc:
            rows.append({"id": root.name, "title": "", "cases": None, "hidden": None, "error": str(exc)})
            continue
        rows.append({"id": problem.id, "title": problem.title, "cases": len(cases), "hidden": sum(c.hidden for c in cases), "error": None})
    if fmt == "json":
        click.echo(strict_json(rows, indent=2))
        return
    shown = [(visible(str(r["id"])), visible(str(r["title"]))) for r in rows]
    width = max([len(i) for i, _ in shown] + [2])
    click.echo(f"{'id':<{width}}  {'cases':>5}  {'hidden':>6}  title")
    for row, (ident, title) in zip(rows, shown, strict=True):
        if row["error"] is not None:
            click.echo(f"{ident:<{width}}  {'?':>5}  {'?':>6}  (does not load: {visible(row['error'])})")
        else:
            click.echo(f"{ident:<{width}}  {row['cases']:>5}  {row['hidden']:>6}  {title}")
    click.echo(f"{len(rows)} problem(s) in {visible(str(folder))}")


@main.command()
@click.argument("submissions_dir", type=click.Path(path_type=Path))
@click.option("--problem", "-p", "problem_name", required=True, help="Problem id or folder.")
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path), help="Results directory (results.jsonl inside).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Parallel gradings (default: number of cores).")
@click.option("--rejudge", is_flag=True, help="Grade everything again into a new results.jsonl (the old one is kept beside it).")
@click.option("--executor", type=click.Choice(["local", "dask"]), default="local", show_default=True)
@click.option("--scheduler", help="Dask scheduler address (with --executor dask), e.g. tcp://10.0.0.5:8786.")
@click.option("--retime/--no-retime", default=True, show_default=True,
              help="At the end, time close contenders (ranking times within measurement noise) again, together.")
@click.option("--retime-rounds", type=click.IntRange(min=1, max=RETIME_MAX_ROUNDS), default=RETIME_ROUNDS, show_default=True,
              help="Re-timed runs per close contender (their median replaces its ranking time).")
@config_options
@clean_errors
def batch(
    submissions_dir: Path, problem_name: str, out_dir: Path, jobs: int | None, rejudge: bool, executor: str,
    scheduler: str | None, retime: bool, retime_rounds: int, config_path: str | None, backend: str | None, no_sandbox: bool,
) -> None:
    """Grade every *.py under SUBMISSIONS_DIR, resumably, into --out.

    The user is the first directory under SUBMISSIONS_DIR (alice/attempt3.py is alice's), or the
    file's stem for files directly in it. Rerun the same command to resume after a crash or Ctrl-C.
    Symbolic links and paths with control, bidi or non-UTF-8 characters are skipped with a warning.
    Ranking times within measurement noise share a rank in the leaderboard; at the end the batch
    times those close contenders again, alternately, in one window (--no-retime: not), and the
    median of their runs replaces their ranking time. Equal places are listed by the submission
    the judge saw first (recorded in --out/seen.jsonl), never by a file's modification time.

    \b
    Example:
      judge batch submissions/ --problem conv1d --out results/ --jobs 2
      judge batch subs/ -p conv1d --out results/ --executor dask --scheduler tcp://127.0.0.1:8786
    """
    # Ctrl-C only sets a flag that the batch looks at between gradings: an exception raised at a
    # random point could be swallowed (batch went on, exit 0) or escape as click's bare "Aborted!".
    stop = threading.Event()

    def on_sigint(signum: int, frame: object) -> None:
        if stop.is_set():
            os._exit(130)  # a second Ctrl-C: leave now
        stop.set()

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        _batch(submissions_dir, problem_name, out_dir, jobs, rejudge, executor, scheduler, config_path, backend, no_sandbox, stop,
               retime=retime, retime_rounds=retime_rounds)
    finally:
        signal.signal(signal.SIGINT, previous)


def _batch(
    submissions_dir: Path, problem_name: str, out_dir: Path, jobs: int | None, rejudge: bool, executor: str,
    scheduler: str | None, config_path: str | None, backend: str | None, no_sandbox: bool, stop: threading.Event,
    *, retime: bool = True, retime_rounds: int = RETIME_ROUNDS,
) -> None:
    from ..batch import run_batch
    from .progress import BatchProgress

    def on_retime(tie: Sequence[ResultRecord]) -> None:
        names = ", ".join(visible(r.submission) for r in tie)
        click.echo(f"re-timing {len(tie)} close contenders together ({retime_rounds} runs each): {names}", err=True)

    config = build_config(config_path, backend, no_sandbox)
    problem = load_problem(problem_name, config.problems_dir)
    client, pool = dask_executor(executor, scheduler)
    try:
        with BatchProgress() as progress:
            summary = run_batch(
                submissions_dir, problem, config, out_dir, jobs=jobs, rejudge=rejudge, executor=pool,
                progress=progress.update, measure=True, stop=stop, retime=retime, retime_rounds=retime_rounds,
                on_retime=on_retime,
            )
    finally:
        if client is not None:
            client.close()
    counts = ", ".join(f"{k.value} {v}" for k, v in sorted(summary.counts.items(), key=lambda kv: kv[0].value)) or "nothing new"
    if summary.repaired:
        click.echo("note: a torn last line from an interrupted run was removed; that submission was graded again")
    results_file = visible(str(summary.results_file))
    if summary.refused:
        click.echo(f"note: {summary.refused} file(s) not graded (symbolic link or unsafe name; see the warnings above)")
    retimed = f", {summary.retimed} re-timed with close contenders" if summary.retimed else ""
    if summary.retime_failed:
        retimed += f" ({summary.retime_failed} kept their time: a re-timed run failed, see the warnings above)"
    if summary.interrupted:
        click.echo(f"Interrupted: {summary.graded} graded this run{retimed}, {summary.skipped} earlier, of {summary.total}. "
                   f"Results so far are in {results_file}; rerun the same command to resume.")
        sys.stdout.flush()
        sys.stderr.flush()
        # Every result is on disk (fsynced); killed gradings may still be unwinding in their
        # threads, and an interpreter shutting down under them only adds noise: leave now.
        os._exit(130)
    click.echo(f"{summary.graded} graded ({counts}){retimed}, {summary.skipped} already done, {summary.total} in all, "
               f"in {summary.wall_s:.1f}s -> {results_file}")


@main.command()
@click.argument("results", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "md", "csv", "json", "html"]), default="text", show_default=True)
@clean_errors
def leaderboard(results: Path, fmt: str) -> None:
    """Rank users from RESULTS (a results directory or results.jsonl).

    Each user's best submission: higher score, then lower ranking time, then earlier submission.
    Ranking times within measurement noise (5%) share a rank, listed earlier submission first.
    When the batch is unfinished (a submission it discovered has no result yet), text, md and
    html say so above the table; csv and json stay pure data and the warning goes to stderr.

    \b
    Example:
      judge leaderboard results/ --format md > LEADERBOARD.md
    """
    from ..batch import completion, submissions_root
    from ..batch.leaderboard import Board, rank, render, warning
    from ..store.jsonl import read_results

    records = read_results(results)
    board = Board.of(records, completion(results, records))
    note = warning(board)
    if note and fmt in ("csv", "json"):
        click.echo(note, err=True)  # these stay pure data; text, md and html say it themselves
    rows = rank(records)
    click.echo(render(rows, fmt, board), nl=False)
    if fmt == "text":
        for line in next_steps(rows, submissions_root(results) if results.is_dir() else None):
            click.echo(line)


def next_steps(rows: list[Row], root: Path | None) -> list[str]:
    """One line per verdict that is not accepted: the command that shows one such submission's feedback.

    Example:
        >>> from judge.verdict import Verdict
        >>> row = Row(2, "bob", "bob_flipped.py", Verdict.WRONG_ANSWER, 0.5, None, "", problem="conv1d")
        >>> next_steps([row], Path("/subs"))
        ['', 'To see why a submission was not accepted:', '  wrong_answer (bob): judge grade /subs/bob_flipped.py -p conv1d']
    """
    firsts: dict[Verdict, Row] = {}
    for row in rows:
        if row.verdict is not Verdict.ACCEPTED:
            firsts.setdefault(row.verdict, row)
    if not firsts:
        return []
    lines = ["", "To see why a submission was not accepted:"]
    for verdict, row in firsts.items():
        path = str(root / row.submission) if root is not None else row.submission
        problem = f" -p {shlex.quote(row.problem)}" if row.problem else ""
        lines.append(visible(f"  {verdict.value} ({row.user}): judge grade {shlex.quote(path)}{problem}"))
    return lines


@main.command()
@click.argument("results_a", type=click.Path(path_type=Path))
@click.argument("results_b", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@clean_errors
def diff(results_a: Path, results_b: Path, fmt: str) -> None:
    """List submissions whose verdict or score changed between two results.

    \b
    Example:
      judge diff results/results.20261124T101500Z.jsonl results/
    """
    from ..batch.diff import diff_results
    from ..store.jsonl import read_results

    changes = diff_results(read_results(results_a), read_results(results_b))
    if fmt == "json":
        click.echo(strict_json([c.to_json() for c in changes], indent=2))
        return
    if not changes:
        click.echo("no verdict or score changed")
    for c in changes:
        click.echo(c.line())


@main.group()
def cache() -> None:
    """Inspect and manage the judge's caches (expected outputs, JAX compilation cache)."""


@cache.command("clear")
@config_file_option
@clean_errors
def cache_clear(config_path: str | None) -> None:
    """Delete every cache entry under cache_dir.

    \b
    Example:
      judge cache clear
    """
    from ..store.caches import clear_caches

    config = build_config(config_path)
    removed = clear_caches(config)
    click.echo(f"removed {removed} cache files from {visible(str(config.cache_dir))}")


@cache.command("warm")
@click.option("--problem", "-p", "problem_name", required=True, help="Problem id or folder.")
@config_options
@clean_errors
def cache_warm(problem_name: str, config_path: str | None, backend: str | None, no_sandbox: bool) -> None:
    """Fill the caches for a problem from trusted runs (reference and shipped solutions).

    \b
    Example:
      judge cache warm --problem conv1d
    """
    from ..store.caches import warm_caches

    config = build_config(config_path, backend, no_sandbox)
    problem = load_problem(problem_name, config.problems_dir)
    report = warm_caches(problem, config)
    click.echo(visible(str(report), newlines=True))


# Authoring commands (new, check, cases ...) live in their own module.
register_authoring(main)
register_service(main)
register_export(main)

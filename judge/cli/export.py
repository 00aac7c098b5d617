"""``judge export gradescope`` and ``judge export csv``: thin shells over :mod:`judge.export`.

Example:
    >>> from judge.cli import main
    >>> sorted(main.commands["export"].commands)
    ['csv', 'gradescope']
"""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import JudgeError
from ..safe_text import visible
from .options import build_config, clean_errors, config_file_option, config_options


@click.group()
def export() -> None:
    """Export to the tools instructors use: a Gradescope autograder, gradebook CSV."""


@export.command("gradescope")
@click.option("--problem", "-p", "problem_name", required=True, help="Problem id under problems_dir, or a path to a problem folder.")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path), help="Folder to write autograder.zip in.")
@config_options
@clean_errors
def gradescope(problem_name: str, out_dir: Path, config_path: str | None, backend: str | None, no_sandbox: bool) -> None:
    """Write a Gradescope autograder (autograder.zip) for one problem.

    Upload the zip as the assignment's autograder; each case is a test worth 1 point. The zip
    grades with this configuration's settings (backend, precision, limits, sandbox).

    \b
    Example:
      judge export gradescope --problem conv1d --out dist/
    """
    from ..cases import load_cases
    from ..export.gradescope import build_autograder
    from ..problem import load_problem

    config = build_config(config_path, backend, no_sandbox)
    problem = load_problem(problem_name, config.problems_dir)
    count = len(load_cases(problem))
    path = build_autograder(problem, config, out_dir)
    click.echo(visible(f"wrote {path}: {count} cases, 1 point each (set the assignment's total to {count})"))
    if config.sandbox == "none":
        click.echo("warning: this autograder runs submissions WITHOUT the judge's sandbox (--no-sandbox or sandbox: none)", err=True)


@export.command("csv")
@click.argument("results", required=False, type=click.Path(path_type=Path))
@click.option("--db", "db_path", type=click.Path(path_type=Path),
              help="The service's judge.db (or its data folder) instead of a results folder.")
@click.option("--problem", "-p", "problem", help="Only this problem.")
@click.option("--set", "set_id", help="Only the submissions to this problem set (service only); adds the set column, late penalty applied.")
@click.option("--pick", "how", type=click.Choice(["best", "latest"]), default="best", show_default=True,
              help="Which submission of each user to each problem: the best score (earliest among equals) or the latest.")
@click.option("--max-score", type=click.FloatRange(min=0, min_open=True), default=100.0, show_default=True,
              help="What a full score is worth in the gradebook.")
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path), help="Write here instead of stdout.")
@config_file_option
@clean_errors
def csv_export(results: Path | None, db_path: Path | None, problem: str | None, set_id: str | None, how: str, max_score: float,
               out_file: Path | None, config_path: str | None) -> None:
    """Gradebook CSV: one row per user and problem, from RESULTS (a judge batch --out folder) or the service's database.

    Columns: user, problem, score, max_score, verdict, submitted_at, late (true/false), [set],
    submission. Without RESULTS or --db, the service's default data folder is read
    (.judge-data beside config.yaml). Names that a spreadsheet would run as a formula are
    written with a leading apostrophe.

    \b
    Example:
      judge export csv results/ --out grades.csv
      judge export csv --db .judge-data/judge.db --set hw1 --pick latest
    """
    from ..config import load_config
    from ..export.gradebook import Pick, from_records, from_service, pick, render_csv
    from ..service.db import DB_FILE, ServiceDB
    from ..store.jsonl import read_results
    from .service import _data_dir

    if results is not None and db_path is not None:
        raise click.UsageError("give RESULTS or --db, not both")
    if results is not None:
        if set_id is not None:
            raise click.UsageError("--set needs the service's database (--db): a results folder has no problem sets")
        entries = from_records(read_results(results))
        if problem is not None:
            entries = [e for e in entries if e.problem == problem]
    else:
        folder = db_path if db_path is not None else _data_dir(None, load_config(config_path).source)
        if folder.name == DB_FILE:
            folder = folder.parent
        if not (folder / DB_FILE).is_file():
            raise JudgeError("no service database here (give a results folder, or --db PATH)", file=folder / DB_FILE)
        db = ServiceDB(folder)
        problem_set = None
        if set_id is not None:
            problem_set = db.problem_set(set_id)
            if problem_set is None:
                raise JudgeError(f"no problem set {set_id!r} in this database", file=folder / DB_FILE, field="--set")
        entries = from_service(db, problem=problem, problem_set=problem_set)
    text = render_csv(pick(entries, Pick(how)), max_score=max_score, with_set=set_id is not None)
    if out_file is None:
        click.echo(text, nl=False)
    else:
        out_file.write_text(text, encoding="utf-8")
        click.echo(visible(f"wrote {out_file}: {text.count(chr(10)) - 1} rows"), err=True)


def register(group: click.Group) -> None:
    """Add ``export`` to ``group`` (the ``judge`` command)."""
    group.add_command(export)

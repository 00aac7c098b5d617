"""Click commands for problem authors: ``judge new``, ``judge check``, ``judge cases show|add|gen``.

Thin: parse, call :mod:`judge.authoring` / :mod:`judge.check`, print. ``judge.cli`` adds them to
the ``judge`` group with :func:`register`.

Exit status: 0 on success; ``judge check`` exits 1 when any check fails (including a malformed
problem.yaml or cases.yaml: that is a finding about the problem, reported as a ✗ line); 2 on a
usage error (unknown problem, bad flag, bad config, a case that cannot be added), as one line.
"""

from __future__ import annotations

import sys

import click

from ..authoring.cases import add_case, build_case_fields, gen_cases, show_cases
from ..authoring.check import check_problem, render_json, render_text
from ..authoring.mutants import OPERATOR_NAMES
from ..authoring.mutation import DEFAULT_DRAWS, DEFAULT_SEED, MutationOptions
from ..authoring.scaffold import scaffold
from ..problem import load_problem, resolve_problem_dir
from ..safe_text import strict_json, visible
from .options import build_config, clean_errors, config_file_option, config_options

problem_option = click.option(
    "--problem", "-p", "problem_name", required=True, help="Problem id under problems_dir, or a path to a problem folder."
)
format_option = click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)


@click.command("new")
@click.argument("problem_id")
@config_file_option
@clean_errors
def new(problem_id: str, config_path: str | None) -> None:
    """Create problems/PROBLEM_ID/ with every file the judge expects, ready to edit.

    \b
    Example:
      judge new softmax && judge check --problem softmax
    """
    config = build_config(config_path)
    root = scaffold(problem_id, config.problems_dir)
    click.echo(f"created {visible(str(root))}/")
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        click.echo(f"  {visible(str(path.relative_to(root)))}")
    click.echo("Next: replace every TODO(author), then run: judge check --problem " + visible(problem_id))

@click.command("check")
@problem_option
@format_option
@click.option("--mutants", is_flag=True, help="Also run mutants of the reference: every one that is not equivalent must be rejected by a case.")
@click.option("--sample", type=click.IntRange(min=1), metavar="N",
              help="With --mutants: only N mutants, chosen deterministically across the operators.")
@click.option("--operator", "operators", multiple=True, type=click.Choice(OPERATOR_NAMES), help="With --mutants: only this operator (repeatable).")
@click.option("--draws", type=click.IntRange(min=0), default=DEFAULT_DRAWS, show_default=True,
              help="With --mutants: inputs drawn from gen: to test equivalence and find cases for survivors.")
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True, help="With --mutants: seed of the sample and the draws.")
@click.option("--write", is_flag=True, help="With --mutants: append the cases found for survivors to cases.yaml.")
@config_options
@clean_errors
def check(problem_name: str, fmt: str, mutants: bool, sample: int | None, operators: tuple[str, ...], draws: int, seed: int,
          write: bool, config_path: str | None, backend: str | None, no_sandbox: bool) -> None:
    """Check that a problem is ready: valid files, a deterministic reference, known solutions
    getting their declared verdicts, every wrong solution rejected, a sane tolerance, a float64
    computation within half the tolerance (a warning), and with --mutants, no surviving mutant.

    Exit 0 if every check holds, 1 if any fails.

    \b
    Examples:
      judge check --problem conv1d --format json
      judge check --problem conv1d --mutants --write
      judge check --problem layernorm --mutants --sample 6 --operator cast --operator drop-eps
    """
    if not mutants and (write or sample is not None or operators):
        raise click.UsageError("--write, --sample and --operator go with --mutants")
    config = build_config(config_path, backend, no_sandbox)
    root = resolve_problem_dir(problem_name, config.problems_dir)
    options = MutationOptions(sample, operators or None, draws, seed, write) if mutants else None
    report = check_problem(root, config, mutation=options)
    click.echo(render_json(report) if fmt == "json" else render_text(report))
    sys.exit(0 if report.ok else 1)

@click.group("cases")
def cases() -> None:
    """Show, add and generate test cases of a problem.

    \b
    Example:
      judge cases show --problem conv1d --public --format json
    """

@cases.command("show")
@problem_option
@format_option
@click.option("--hidden/--public", "hidden", default=None, help="Only hidden or only public cases (default: all).")
@click.option("--case", "case_ids", multiple=True, metavar="ID", help="Only this case (repeatable).")
@config_file_option
@clean_errors
def show(problem_name: str, fmt: str, hidden: bool | None, case_ids: tuple[str, ...], config_path: str | None) -> None:
    """Print the materialized cases: exactly what the judge passes to solve.

    JSON: a list of {"id", "hidden", "inputs": {name: value}}, arrays as nested lists.

    \b
    Examples:
      judge cases show --problem conv1d --hidden --format json
      judge cases show --problem conv1d --case worked-example
    """
    config = build_config(config_path)
    problem = load_problem(problem_name, config.problems_dir)
    data = show_cases(problem, hidden=hidden, case_ids=case_ids or None)
    if fmt == "json":
        click.echo(strict_json(data))
        return
    import numpy as np

    for case in data:
        click.echo(f"{visible(str(case['id']))}{' (hidden)' if case['hidden'] else ''}")
        for name, value in case["inputs"].items():
            if isinstance(value, list):
                array = np.array(value, dtype=problem.arg(name).dtype)
                body = np.array2string(array, threshold=24, edgeitems=2, precision=4).replace("\n", "\n" + " " * 6)
                click.echo(f"  {visible(name)}: {array.dtype}{list(array.shape)}\n      {body}")
            else:
                click.echo(visible(f"  {name}: {value!r}"))

@cases.command("add")
@problem_option
@click.option("--id", "case_id", required=True, help="Id of the new case (unique in cases.yaml).")
@click.option("--set", "sets", multiple=True, metavar="NAME=VALUE",
              help="An input as YAML: --set features=4, --set x='[[1.0],[2.0]]', --set x='{shape: [5, 2], dist: normal, seed: 3}'.")
@click.option("--hidden", is_flag=True, help="Make the case hidden (verdict only for learners).")
@click.option("--note", default="", help="A note stored with the case.")
@click.option("--rtol", type=float, help="Override the problem's rtol for this case.")
@click.option("--atol", type=float, help="Override the problem's atol for this case.")
@click.option("--dry-run", is_flag=True, help="Validate and evaluate, but do not write cases.yaml.")
@format_option
@config_options
@clean_errors
def add(problem_name: str, case_id: str, sets: tuple[str, ...], hidden: bool, note: str, rtol: float | None,
        atol: float | None, dry_run: bool, fmt: str, config_path: str | None, backend: str | None, no_sandbox: bool) -> None:
    """Validate a case, run the reference on it, append it to cases.yaml (keeping comments),
    and say which wrong solutions it rejects.

    \b
    Example:
      judge cases add -p conv1d --id tiny-even --hidden --set seed=5.0 --set features=2 \\
          --set kernel_size=2 --set x='{shape: [3, 1], dist: normal, seed: 40}'
    """
    values: dict[str, str] = {}
    for item in sets:
        name, sep, text = item.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{item!r}: expected NAME=VALUE", param_hint="--set")
        if name.strip() in values:
            raise click.BadParameter(f"{name.strip()!r} is set twice", param_hint="--set")
        values[name.strip()] = text
    config = build_config(config_path, backend, no_sandbox)
    problem = load_problem(problem_name, config.problems_dir)
    fields = build_case_fields(problem, case_id, values, hidden=hidden, note=note, rtol=rtol, atol=atol)
    effect = add_case(problem, fields, config, write=not dry_run)
    if fmt == "json":
        click.echo(strict_json(effect.to_json()))
        return
    click.echo(visible(f"{'appended' if effect.written else 'validated (not written)'} case {effect.case_id!r} to {problem.cases_file}"))
    click.echo(visible(f"  rejects {len(effect.rejects)} wrong solution(s): {', '.join(effect.rejects) or 'none'}"))
    if effect.surviving_before:
        click.echo(visible(f"  no existing case rejected: {', '.join(effect.surviving_before)}"))
        click.echo(visible(f"  of those, this case rejects: {', '.join(effect.newly_rejects) or 'none'}"))

@cases.command("gen")
@problem_option
@click.option("--count", "-n", type=int, default=20, show_default=True, help="How many candidate cases to draw.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the draw (same seed, same candidates).")
@click.option("--write", is_flag=True, help="Append the kept cases to cases.yaml (default: only show them).")
@format_option
@config_options
@clean_errors
def gen(problem_name: str, count: int, seed: int, write: bool, fmt: str, config_path: str | None,
        backend: str | None, no_sandbox: bool) -> None:
    """Draw cases from the gen: ranges of problem.yaml and keep the few that add something:
    a wrong solution no other case rejects, or a new extreme of a size (per size at most one
    new min and one new max, the most extreme drawn). Kept cases are named by what they add
    (rejects-<wrong file>, max-x-shape-1-63).

    \b
    Example:
      judge cases gen --problem conv1d --count 30 --seed 1 --write
    """
    from ..authoring.cases import case_yaml

    config = build_config(config_path, backend, no_sandbox)
    problem = load_problem(problem_name, config.problems_dir)
    kept = gen_cases(problem, config, count=count, seed=seed, write=write)
    if fmt == "json":
        click.echo(strict_json([k.to_json() for k in kept]))
        return
    click.echo(visible(f"{len(kept)} of {count} drawn case(s) kept{' and appended to ' + str(problem.cases_file) if write and kept else ''}:"))
    for effect in kept:
        click.echo(f"\n# {visible(effect.reason)}")
        assert effect.fields is not None
        click.echo(visible(case_yaml(effect.fields).rstrip(), newlines=True))
    if kept and not write:
        click.echo("\n(not written: add --write to append them)")


def register(group: click.Group) -> None:
    """Add the authoring commands to ``group`` (the ``judge`` command).

    Example:
        >>> from judge.cli import main
        >>> register(main)
        >>> sorted(c for c in main.commands if c in ("new", "check", "cases"))
        ['cases', 'check', 'new']
    """
    for command in (new, check, cases):
        group.add_command(command)

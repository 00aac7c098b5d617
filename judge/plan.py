"""Config + Problem -> a :class:`RunPlan`: how one program runs for one problem.

Every run of code (the trusted reference, the shipped solutions, a learner's submission, the
ranking benchmark) goes through a plan made here, so the problem's limit overrides, the sandbox
policy and the JAX options are resolved in one place.

Example:
    >>> from judge.config import load_config
    >>> from judge.problem import load_problem
    >>> config = load_config(None)
    >>> plan = RunPlan.trusted(load_problem("conv1d", config.problems_dir), config)
    >>> plan.policy.isolate, plan.options.precision
    (False, 'highest')
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .cases import TestCase
from .config import Config, Limits
from .output_tree import SINGLE_ARRAY, TreeSpec
from .problem import ArgSpec, Problem
from .runner import CompileCaches, RunGroup, SolutionRun, WorkerOptions, WorkerPool, worker_spec
from .sandbox import SandboxPolicy

log = logging.getLogger(__name__)

def compile_cache_dir(config: Config) -> Path:
    """JAX's persistent compilation cache for programs compiled from any input (see :func:`compile_caches`)."""
    return config.cache_dir / "xla"


def compile_caches(config: Config) -> CompileCaches:
    """The two compilation caches, created with the permissions that make sharing them safe.

    Written only by trusted runs: ``xla-public`` only from public cases' inputs, ``xla`` from the
    rest. A sandboxed worker may read the first while it has seen only public cases, the second
    once it serves hidden ones (it holds their inputs then anyway); both read-only. Both are mode
    0711: the sandbox's uid can open an entry whose name it derives from a program it compiled
    itself, never list them, so it cannot read the reference's compiled programs.
    """
    return CompileCaches(_unlistable(config.cache_dir / "xla-public"), _unlistable(compile_cache_dir(config)))


def bench_caches(config: Config) -> CompileCaches:
    """The ranking's own compilation cache, ``xla-bench``: programs compiled from the benchmark's
    fresh inputs only (by the reference answering them), so the ranking run, which sees the
    benchmark cases' shapes anyway, may read it; it never reads the hidden cases' cache."""
    bench = _unlistable(config.cache_dir / "xla-bench")
    return CompileCaches(bench, bench)


def _unlistable(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    try:
        if path.stat().st_mode & 0o777 != 0o711:
            path.chmod(0o711)
    except OSError as exc:  # not ours (a shared cache owned by another user): theirs to set
        log.warning("cannot make %s unlistable: %s", path, exc)
    return path


@dataclass(frozen=True)
class RunPlan:
    """Limits, isolation and JAX options for running programs against one problem."""

    args: tuple[ArgSpec, ...]
    entry_point: str
    limits: Limits
    policy: SandboxPolicy
    options: WorkerOptions
    bench_caches: CompileCaches | None = None  # learner plans: what the ranking run may read
    output: TreeSpec = SINGLE_ARRAY  # what the entry point returns (the worker is told its containers)

    @classmethod
    def learner(cls, problem: Problem, config: Config, policy: SandboxPolicy | None = None) -> RunPlan:
        """For untrusted code: sandboxed as the config says; it reads the compilation caches
        (:func:`compile_caches`) and never writes them."""
        policy = policy or SandboxPolicy.detect(config.sandbox)
        return cls(
            problem.args,
            problem.entry_point,
            problem.limits(config),
            policy,
            WorkerOptions(config.backend, config.precision, config.x64, compile_caches(config), cache_read_only=True),
            bench_caches(config),
            problem.output.tree,
        )

    @classmethod
    def trusted(cls, problem: Problem, config: Config) -> RunPlan:
        """For the problem's own files (reference, shipped solutions): unsandboxed, with the cache."""
        return cls(
            problem.args,
            problem.entry_point,
            problem.limits(config),
            SandboxPolicy(isolate=False),
            WorkerOptions(config.backend, config.precision, config.x64, compile_caches(config)),
            output=problem.output.tree,
        )

    def run(
        self,
        program: Path,
        inputs: Sequence[Mapping[str, Any]],
        *,
        case_ids: Sequence[str] | None = None,
        order: Sequence[int] | None = None,
        secret: Collection[int] = (),
        public: Collection[int] = (),
        group: RunGroup | None = None,
    ) -> SolutionRun:
        """A :class:`SolutionRun` of ``program`` over ``inputs`` under this plan.

        ``public``: the inputs that are public cases' (and nothing else), the only ones a
        process using the public compilation cache may be given; see :func:`compile_caches`.
        """
        return SolutionRun(
            program,
            self.args,
            inputs,
            self.limits,
            self.policy,
            self.options,
            entry_point=self.entry_point,
            case_ids=None if case_ids is None else list(case_ids),
            order=order,
            secret=secret,
            public=public,
            group=group,
            output=self.output,
        )

    def run_cases(
        self,
        program: Path,
        cases: Sequence[TestCase],
        inputs: Sequence[Mapping[str, Any]],
        *,
        group: RunGroup | None = None,
    ) -> SolutionRun:
        """A run over a problem's ``cases``: public cases first, in a process of their own.

        No report field of a public case (messages, exact times, values) may come from a process
        that has already seen a hidden case's inputs, and only a process that has seen none may
        read (a trusted one: write) the public compilation cache.
        """
        public = [i for i, c in enumerate(cases) if not c.hidden]
        hidden = [i for i, c in enumerate(cases) if c.hidden]
        return self.run(
            program, inputs, case_ids=[c.id for c in cases], order=public + hidden, secret=hidden, public=public, group=group
        )

    def prestart(self, pool: WorkerPool) -> None:
        """Start the pool's workers for this plan ahead of its first run: one kind per cache.

        Unsandboxed plans start nothing (their workers import their solution by path).
        """
        for public in (True, False):
            pool.fill(worker_spec(self.options, self.limits, self.policy, public=public))
        if self.bench_caches is not None:
            ranking = self.for_ranking()
            pool.fill(worker_spec(ranking.options, ranking.limits, ranking.policy, public=True))

    def for_ranking(self) -> RunPlan:
        """This (learner) plan for the ranking run: it reads only the benchmark's compilation
        cache, never the hidden cases' (its time is reported: it could spend it spelling out what
        it finds there); it sees the benchmark cases' shapes anyway."""
        if self.bench_caches is None:
            return self
        options = dataclasses.replace(self.options, compile_caches=self.bench_caches.public_only())
        return dataclasses.replace(self, options=options)

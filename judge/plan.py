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

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import Config, Limits
from .problem import ArgSpec, Problem
from .runner import RunGroup, SolutionRun, WorkerOptions
from .sandbox import SandboxPolicy


def compile_cache_dir(config: Config) -> Path:
    """JAX's persistent compilation cache: written and read by trusted runs only.

    Learner code never sees it: a cache holds the shapes and programs of every case it served.
    """
    return config.cache_dir / "xla"


@dataclass(frozen=True)
class RunPlan:
    """Limits, isolation and JAX options for running programs against one problem."""

    args: tuple[ArgSpec, ...]
    entry_point: str
    limits: Limits
    policy: SandboxPolicy
    options: WorkerOptions

    @classmethod
    def learner(cls, problem: Problem, config: Config, policy: SandboxPolicy | None = None) -> RunPlan:
        """For untrusted code: sandboxed as the config says; the compilation cache only unsandboxed
        (``--no-sandbox`` trusts the code anyway, and the sandbox never mounts the cache)."""
        policy = policy or SandboxPolicy.detect(config.sandbox)
        cache = None if policy.isolate else compile_cache_dir(config)
        return cls(
            problem.args,
            problem.entry_point,
            problem.limits(config),
            policy,
            WorkerOptions(config.backend, config.precision, config.x64, cache),
        )

    @classmethod
    def trusted(cls, problem: Problem, config: Config) -> RunPlan:
        """For the problem's own files (reference, shipped solutions): unsandboxed, with the cache."""
        return cls(
            problem.args,
            problem.entry_point,
            problem.limits(config),
            SandboxPolicy(isolate=False),
            WorkerOptions(config.backend, config.precision, config.x64, compile_cache_dir(config)),
        )

    def run(
        self,
        program: Path,
        inputs: Sequence[Mapping[str, Any]],
        *,
        case_ids: Sequence[str] | None = None,
        order: Sequence[int] | None = None,
        secret: Collection[int] = (),
        group: RunGroup | None = None,
    ) -> SolutionRun:
        """A :class:`SolutionRun` of ``program`` over ``inputs`` under this plan."""
        if self.options.compile_cache is not None:
            self.options.compile_cache.mkdir(parents=True, exist_ok=True)
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
            group=group,
        )

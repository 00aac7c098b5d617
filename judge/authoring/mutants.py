"""Mutants of a trusted reference: small, plausible bugs made by rewriting its syntax tree.

``judge check --mutants`` (:mod:`judge.authoring.mutation`) runs every mutant made here on the
problem's cases: a mutant that no case rejects is a bug a learner could ship and still be
accepted. This module only makes them; it runs nothing.

Each operator of :data:`OPERATORS` looks at one syntax-tree node at a time and proposes rewrites
of it. A rewrite is a set of text edits at the node's source position (not ``ast.unparse`` of the
whole file), so the mutant keeps the reference's comments, layout and line numbers, and its
unified diff shows just the changed lines. Mutants whose source is the same as another's are
dropped; a mutant whose syntax tree equals the reference's (a change only in layout) is marked
``same_tree``.

Example:
    >>> source = "import jax.numpy as jnp\\ndef solve(x):\\n    return jnp.sum(x, axis=-1)\\n"
    >>> [m.id for m in generate_mutants(source)]
    ['clip-L3', 'transpose-L3', 'cast-L3', 'cast-L3-2', 'reverse-L3', 'axis-L3']
    >>> axis = generate_mutants(source, operators=["axis"])
    >>> [(m.id, m.operator, m.line, m.change) for m in axis]
    [('axis-L3', 'axis', 3, 'axis -1 -> 0')]
    >>> print(axis[0].diff)
    --- reference.py
    +++ mutant axis-L3
    @@ -3 +3 @@
    -    return jnp.sum(x, axis=-1)
    +    return jnp.sum(x, axis=0)
    <BLANKLINE>
"""

from __future__ import annotations

import ast
import difflib
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property

# -- edits ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Edit:
    """Replace the source between two AST positions (1-based lines, UTF-8 byte columns) with ``text``."""

    line: int
    col: int
    end_line: int
    end_col: int
    text: str

    @classmethod
    def of(cls, node: ast.AST, text: str) -> Edit:
        """An edit replacing exactly ``node``'s source."""
        return cls(node.lineno, node.col_offset, node.end_lineno or node.lineno, node.end_col_offset or 0, text)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Rewrite:
    """One way an operator changes one site: the edits and a short description of the change."""

    line: int
    edits: tuple[Edit, ...]
    change: str


def apply_edits(source: str, edits: Sequence[Edit]) -> str:
    """``source`` with non-overlapping ``edits`` applied.

    Example:
        >>> apply_edits("a = 1 + 2\\n", [Edit(1, 4, 1, 5, "10")])
        'a = 10 + 2\\n'
    """
    data = source.encode("utf-8")
    starts = [0]
    for line in source.splitlines(keepends=True):
        starts.append(starts[-1] + len(line.encode("utf-8")))
    spans = sorted(((starts[e.line - 1] + e.col, starts[e.end_line - 1] + e.end_col, e.text) for e in edits), reverse=True)
    for begin, end, text in spans:
        data = data[:begin] + text.encode("utf-8") + data[end:]
    return data.decode("utf-8")


# -- the source being mutated ---------------------------------------------------------------


class Source:
    """A parsed reference: its text, tree, each node's parent, and how it names ``jax.numpy``."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tree = ast.parse(text)
        self.parents: dict[ast.AST, ast.AST] = {}
        for node in ast.walk(self.tree):
            for child in ast.iter_child_nodes(node):
                self.parents[child] = node
        self.docstrings = {id(n.body[0].value) for n in ast.walk(self.tree)
                           if isinstance(n, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
                           and n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}

    def segment(self, node: ast.AST) -> str:
        """``node``'s source text, parenthesised when it is not an atom (so it can take a suffix)."""
        text = ast.get_source_segment(self.text, node) or ast.unparse(node)
        return text if _is_atom(node) else f"({text})"

    def raw(self, node: ast.AST) -> str:
        return ast.get_source_segment(self.text, node) or ast.unparse(node)

    @cached_property
    def jnp(self) -> str | None:
        """How the module can name ``jax.numpy`` (``jnp``, ``jax.numpy``), or None."""
        via_jax = None
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name == "jax.numpy" and alias.asname:
                        return alias.asname
                    if alias.name in ("jax", "jax.numpy") and alias.asname is None:
                        via_jax = "jax.numpy"
            elif isinstance(node, ast.ImportFrom) and node.module == "jax":
                for alias in node.names:
                    if alias.name == "numpy":
                        return alias.asname or "numpy"
        return via_jax


def _is_atom(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return not (isinstance(node.value, int | float) and node.value < 0)
    return isinstance(node, ast.Name | ast.Attribute | ast.Call | ast.Subscript | ast.List | ast.Dict | ast.Set
                      | ast.ListComp | ast.DictComp | ast.SetComp | ast.JoinedStr)


def _number(node: ast.AST) -> int | float | None:
    """The value of a number literal (``3``, ``-1``, ``1e-5``), or None; booleans are not numbers."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _number(node.operand)
        return None if inner is None else -inner
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value, bool):
        return node.value
    return None


def _literal(value: int | float) -> str:
    return repr(value)


# -- operators ------------------------------------------------------------------------------

AXIS_KEYWORDS = frozenset({"axis", "axes", "dim", "reduction_axes", "feature_axes"})
AXIS_SWAP = {-1: 0, 0: -1, 1: 2, 2: 1, -2: -3, -3: -2, 3: 2}
PADDING_SWAP = {"SAME": ("VALID", "SAME_LOWER"), "VALID": ("SAME",), "SAME_LOWER": ("SAME",), "CAUSAL": ("SAME",)}
INITIALIZER_SWAP = {
    "lecun_normal": ("glorot_normal", "he_normal", "lecun_uniform"),
    "lecun_uniform": ("lecun_normal", "glorot_uniform"),
    "glorot_normal": ("lecun_normal", "glorot_uniform"),
    "glorot_uniform": ("glorot_normal", "lecun_uniform"),
    "xavier_normal": ("lecun_normal", "xavier_uniform"),
    "xavier_uniform": ("xavier_normal", "lecun_uniform"),
    "he_normal": ("lecun_normal", "he_uniform"),
    "he_uniform": ("he_normal", "lecun_uniform"),
    "kaiming_normal": ("lecun_normal",),
    "kaiming_uniform": ("lecun_uniform",),
    "zeros": ("ones",),
    "ones": ("zeros",),
    "zeros_init": ("ones_init",),
    "ones_init": ("zeros_init",),
    "normal": ("uniform",),
    "truncated_normal": ("normal",),
    "uniform": ("normal",),
}
EPS_KEYWORDS = frozenset({"eps", "epsilon"})
RESHAPES = frozenset({"reshape", "ravel", "flatten"})
CLIP_BOUND = 3.0
LOW_PRECISION = ("bfloat16", "float16")


def _axis_sites(node: ast.AST | None, src: Source) -> Iterator[ast.AST]:
    """Integer literals that name an axis: ``axis=-1``, ``axes=(0, 1)``, ``x.shape[-1]``."""
    if isinstance(node, ast.keyword) and node.arg in AXIS_KEYWORDS:
        yield from (node.value.elts if isinstance(node.value, ast.Tuple | ast.List) else [node.value])
    elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and node.value.attr == "shape":
        yield node.slice


def _axis(node: ast.AST, src: Source) -> Iterator[Rewrite]:
    for site in _axis_sites(node, src):
        value = _number(site)
        if isinstance(value, int) and value in AXIS_SWAP:
            yield Rewrite(site.lineno, (Edit.of(site, str(AXIS_SWAP[value])),), f"axis {value} -> {AXIS_SWAP[value]}")  # type: ignore[attr-defined]


def _padding(node: ast.AST, src: Source) -> Iterator[Rewrite]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in PADDING_SWAP:
        quote = src.raw(node)[:1] if src.raw(node)[:1] in "'\"" else '"'
        for other in PADDING_SWAP[node.value]:
            yield Rewrite(node.lineno, (Edit.of(node, f"{quote}{other}{quote}"),), f"padding {node.value!r} -> {other!r}")


def _constant(node: ast.AST, src: Source) -> Iterator[Rewrite]:
    value = _number(node)
    parent = src.parents.get(node)
    if value is None or isinstance(parent, ast.UnaryOp) and _number(parent) is not None:
        return  # the literal is handled as a whole (``-1``), never its inner ``1``
    if any(node is site for site in _axis_sites(parent, src)) or (
        isinstance(parent, ast.Tuple | ast.List) and any(node is site for site in _axis_sites(src.parents.get(parent), src))
    ):
        return  # an axis: the axis operator's
    if isinstance(value, int):
        news: list[int | float] = [value + 1, value - 1]
    else:
        news = [value * 2, value / 2] if value else [1.0]
    for new in news:
        yield Rewrite(node.lineno, (Edit.of(node, _literal(new)),), f"constant {_literal(value)} -> {_literal(new)}")  # type: ignore[attr-defined]


def _initializer(node: ast.AST, src: Source) -> Iterator[Rewrite]:
    if isinstance(node, ast.Attribute) and node.attr in INITIALIZER_SWAP:
        for other in INITIALIZER_SWAP[node.attr]:
            yield Rewrite(node.lineno, (Edit.of(node, f"{src.raw(node.value)}.{other}"),), f"initializer {node.attr} -> {other}")


def _swap_args(node: ast.AST, src: Source) -> Iterator[Rewrite]:
    if not isinstance(node, ast.Call) or any(isinstance(a, ast.Starred) for a in node.args):
        return
    for i in range(len(node.args) - 1):
        a, b = node.args[i], node.args[i + 1]
        if src.raw(a) != src.raw(b):
            yield Rewrite(node.lineno, (Edit.of(a, src.raw(b)), Edit.of(b, src.raw(a))),
                          f"swap arguments {i + 1} and {i + 2} of {src.raw(node.func)}(...)")


def _eps_like(node: ast.AST) -> bool:
    name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""
    if name:
        return "eps" in name.lower()
    value = _number(node)
    return isinstance(value, float) and 0 < abs(value) <= 1e-3


def _drop_eps(node: ast.AST, src: Source) -> Iterator[Rewrite]:
    if isinstance(node, ast.keyword) and node.arg in EPS_KEYWORDS:
        yield Rewrite(node.value.lineno, (Edit.of(node.value, "0.0"),), f"{node.arg}={src.raw(node.value)} -> {node.arg}=0.0")
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        for side in (node.left, node.right):
            if _eps_like(side):
                yield Rewrite(side.lineno, (Edit.of(side, "0.0"),), f"drop the epsilon: + {src.raw(side)} -> + 0.0")


def _returned(node: ast.AST) -> ast.expr | None:
    if isinstance(node, ast.Return) and node.value is not None and not isinstance(node.value, ast.Constant):
        return node.value
    return None


def _clip(node: ast.AST, src: Source) -> Iterator[Rewrite]:
    value = _returned(node)
    if value is not None and src.jnp:
        text = f"{src.jnp}.clip({src.raw(value)}, {-CLIP_BOUND}, {CLIP_BOUND})"
        yield Rewrite(value.lineno, (Edit.of(value, text),), f"clip the returned value to [{-CLIP_BOUND:g}, {CLIP_BOUND:g}]")


def _transpose(node: ast.AST, src: Source) -> Iterator[Rewrite]:
    value = _returned(node)
    if value is not None:
        yield Rewrite(value.lineno, (Edit.of(value, f"{src.segment(value)}.T"),), "transpose the returned value (.T)")


def _cast(node: ast.AST, src: Source) -> Iterator[Rewrite]:
    value = _returned(node)
    if value is not None and src.jnp:
        for low in LOW_PRECISION:
            text = f"{src.segment(value)}.astype({src.jnp}.{low}).astype({src.jnp}.float32)"
            yield Rewrite(value.lineno, (Edit.of(value, text),), f"round the returned value to {low}")
    if isinstance(node, ast.Attribute) and node.attr == "float32" and src.raw(node.value) in {src.jnp, "np", "numpy", "jnp"}:
        for low in LOW_PRECISION:
            yield Rewrite(node.lineno, (Edit.of(node, f"{src.raw(node.value)}.{low}"),), f"dtype float32 -> {low}")


def _reverse(node: ast.AST, src: Source) -> Iterator[Rewrite]:
    value = _returned(node)
    if value is not None:
        yield Rewrite(value.lineno, (Edit.of(value, f"{src.segment(value)}[::-1]"),), "reverse the returned value's first axis ([::-1])")


def _drop_reshape(node: ast.AST, src: Source) -> Iterator[Rewrite]:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in RESHAPES:
        receiver = node.func.value
        if src.raw(receiver) in {src.jnp, "np", "numpy", "jnp"}:  # jnp.reshape(a, shape) -> a
            if not node.args:
                return
            receiver = node.args[0]
        yield Rewrite(node.lineno, (Edit.of(node, src.segment(receiver)),), f"drop .{node.func.attr}(...)")


ARITH_SWAP: dict[type[ast.operator], tuple[str, str]] = {ast.Add: ("+", "-"), ast.Sub: ("-", "+"), ast.Mult: ("*", "/"), ast.Div: ("/", "*")}


def _arith(node: ast.AST, src: Source) -> Iterator[Rewrite]:
    if not isinstance(node, ast.BinOp) or type(node.op) not in ARITH_SWAP:
        return
    old, new = ARITH_SWAP[type(node.op)]
    left, right = node.left, node.right
    gap = Edit(left.end_lineno or left.lineno, left.end_col_offset or 0, right.lineno, right.col_offset, "")
    if gap.line != gap.end_line:
        return  # an operator on a continuation line: rare, left alone
    line = src.text.splitlines()[gap.line - 1].encode("utf-8")
    between = line[gap.col:gap.end_col].decode("utf-8")
    at = between.find(old)
    if at < 0 or between.count(old) != 1:
        return
    start = gap.col + len(between[:at].encode("utf-8"))
    yield Rewrite(node.lineno, (Edit(gap.line, start, gap.line, start + 1, new),), f"operator {old} -> {new}")


def _boolean(node: ast.AST, src: Source) -> Iterator[Rewrite]:
    if isinstance(node, ast.keyword) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, bool):
        flipped = not node.value.value
        yield Rewrite(node.value.lineno, (Edit.of(node.value, str(flipped)),), f"{node.arg}={node.value.value} -> {node.arg}={flipped}")


@dataclass(frozen=True)
class Operator:
    """A mutation operator: a name (used in mutant ids and ``--operator``), what it does, and the rewriter."""

    name: str
    summary: str
    rewrites: Callable[[ast.AST, Source], Iterator[Rewrite]]


OPERATORS: tuple[Operator, ...] = (
    Operator("axis", "an axis literal moves: -1 <-> 0, 1 <-> 2 (axis=, axes=, x.shape[i])", _axis),
    Operator("padding", "a padding string changes: 'SAME' -> 'VALID' or 'SAME_LOWER', 'VALID' -> 'SAME'", _padding),
    Operator("constant", "a number literal changes: an int by one either way, a float x2 and /2", _constant),
    Operator("initializer", "an initializer changes: lecun_normal -> glorot/he/lecun_uniform, zeros <-> ones...", _initializer),
    Operator("swap-args", "two neighbouring positional arguments of a call swap", _swap_args),
    Operator("drop-eps", "an epsilon goes: + eps -> + 0.0, epsilon=... -> epsilon=0.0", _drop_eps),
    Operator("clip", f"a returned value is clipped to [-{CLIP_BOUND:g}, {CLIP_BOUND:g}]", _clip),
    Operator("transpose", "a returned value is transposed (.T)", _transpose),
    Operator("cast", "a returned value is rounded to bfloat16 or float16; a float32 dtype becomes one of them", _cast),
    Operator("reverse", "a returned value's first axis is reversed ([::-1])", _reverse),
    Operator("drop-reshape", "a reshape, ravel or flatten is removed", _drop_reshape),
    Operator("arith", "an arithmetic operator changes: + <-> -, * <-> /", _arith),
    Operator("boolean", "a boolean keyword argument flips: use_bias=True -> False", _boolean),
)
OPERATOR_NAMES = tuple(op.name for op in OPERATORS)


# -- mutants --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mutant:
    """One mutant of the reference."""

    id: str  # "<operator>-L<line>", with "-2", "-3"... for more than one at the same place
    operator: str
    line: int
    change: str  # e.g. "padding 'SAME' -> 'VALID'"
    source: str
    diff: str
    same_tree: bool = False  # its syntax tree equals the reference's: equivalent by construction

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "operator": self.operator, "line": self.line, "change": self.change, "diff": self.diff}


def _dump(tree: ast.AST) -> str:
    return ast.dump(tree, annotate_fields=False, include_attributes=False)


def generate_mutants(source: str, *, operators: Sequence[str] | None = None, filename: str = "reference.py") -> list[Mutant]:
    """Every mutant the (chosen) operators make of ``source``, in source order then operator order.

    A rewrite whose result does not parse is dropped (it would only be a stillborn mutant), as is
    one whose text equals an earlier mutant's. Raises ``SyntaxError`` if ``source`` does not parse.
    Unknown operator names raise ``ValueError``.

    Example:
        >>> src = "def solve(x, eps):\\n    return x / (x * x + eps)\\n"
        >>> [m.change for m in generate_mutants(src, operators=["drop-eps", "arith"])]
        ['operator / -> *', 'drop the epsilon: + eps -> + 0.0', 'operator + -> -', 'operator * -> /']
    """
    chosen = OPERATORS if operators is None else tuple(op for op in OPERATORS if op.name in set(operators))
    unknown = sorted(set(operators or ()) - set(OPERATOR_NAMES))
    if unknown:
        raise ValueError(f"unknown mutation operator(s) {', '.join(unknown)}; known: {', '.join(OPERATOR_NAMES)}")
    src = Source(source)
    original = _dump(src.tree)
    nodes = sorted((n for n in ast.walk(src.tree) if hasattr(n, "lineno") and id(n) not in src.docstrings),
                   key=lambda n: (n.lineno, n.col_offset, -(n.end_lineno or 0), -(n.end_col_offset or 0)))  # type: ignore[attr-defined]
    seen = {source}
    out: list[Mutant] = []
    counts: dict[str, int] = {}
    old_lines = source.splitlines(keepends=True)
    for node in nodes:
        for op in chosen:
            for rewrite in op.rewrites(node, src):
                text = apply_edits(source, rewrite.edits)
                if text in seen:
                    continue
                try:
                    tree = ast.parse(text)
                except SyntaxError:
                    continue
                seen.add(text)
                base = f"{op.name}-L{rewrite.line}"
                counts[base] = counts.get(base, 0) + 1
                mutant_id = base if counts[base] == 1 else f"{base}-{counts[base]}"
                diff = "".join(difflib.unified_diff(old_lines, text.splitlines(keepends=True), filename, f"mutant {mutant_id}", n=0))
                out.append(Mutant(mutant_id, op.name, rewrite.line, rewrite.change, text, _strip_diff(diff), _dump(tree) == original))
    return out


def _strip_diff(diff: str) -> str:
    """The diff with its header lines' trailing spaces and date fields gone."""
    return "\n".join(line.rstrip() for line in diff.splitlines()) + "\n"


def select_subset(mutants: Sequence[Mutant], count: int, seed: int = 0) -> list[Mutant]:
    """A deterministic subset of ``count`` mutants spread over the operators (round robin in
    :data:`OPERATORS` order, each operator's mutants in a fixed-seed shuffled order), in source order.

    Example:
        >>> src = "def solve(x):\\n    return x[::2] * 2 + 1\\n"
        >>> [m.operator for m in select_subset(generate_mutants(src), 3)]
        ['transpose', 'reverse', 'constant']
    """
    rng = random.Random(seed)
    queues: dict[str, list[Mutant]] = {}
    for mutant in mutants:
        queues.setdefault(mutant.operator, []).append(mutant)
    for queue in queues.values():
        rng.shuffle(queue)
    picked: list[Mutant] = []
    order = [name for name in OPERATOR_NAMES if name in queues]
    while len(picked) < count and any(queues.values()):
        for name in order:
            if queues[name] and len(picked) < count:
                picked.append(queues[name].pop(0))
    index = {id(m): i for i, m in enumerate(mutants)}
    return sorted(picked, key=lambda m: index[id(m)])



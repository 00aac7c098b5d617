"""What ``solve`` returns, as the judge holds it: a tree of arrays, and the spec it must match.

Imported inside the sandbox too (the worker flattens a returned value with its limits and
:func:`format_path`): standard library and NumPy only.

A problem's ``output:`` may declare a ``tree`` (see docs/authoring.md): nested tuples, lists and
dicts whose leaves are arrays, each leaf with its own dtype, tolerance, exactness and shape rule
(:class:`LeafSpec`). Without one, the output is a single array: the one-leaf tree, so every
consumer (comparison, caches, hints, checks, the ranking run) handles both alike.

A returned value is an :class:`OutputTree`: a root that is an array or a :class:`Branch`. On the
worker channel and in the caches it travels as a JSON *structure* (a leaf is ``null``, a container
``{"tuple": [...]}``, ``{"list": [...]}`` or ``{"dict": [[key, node], ...]}``) plus its arrays in
depth-first order; :meth:`OutputTree.from_wire` checks every part of what a worker sent.

Example:
    >>> tree = OutputTree.from_wire({"tuple": [None, {"dict": [["mean", None]]}]}, [np.zeros(3), np.ones(2)])
    >>> [(format_path(path), a.tolist()) for path, a in tree.leaves()]
    [('[0]', [0.0, 0.0, 0.0]), ("[1]['mean']", [1.0, 1.0])]
    >>> OutputTree.from_bytes(tree.to_bytes()).identical(tree)
    True
"""

from __future__ import annotations

import difflib
import enum
import io
import json
import struct
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeAlias, TypeVar

import numpy as np

MAX_LEAVES = 64  # arrays in one answer: the channel's per-frame limit (judge.channel.MAX_ARRAYS)
MAX_DEPTH = 16  # containers nested in containers
MAX_KEY_CHARS = 100  # a dict key the judge accepts from a worker
_INTEGER_KINDS = "biu"
_TREE_MAGIC = b"JUDGE-TREE-1\n"  # a cached tree; a cached single array is a plain .npy (b"\x93NUMPY...")
_LEN = struct.Struct(">Q")

Key: TypeAlias = int | str  # a tuple/list index or a dict key
TreePath: TypeAlias = tuple[Key, ...]
T = TypeVar("T")


class TreeError(ValueError):
    """A structure that is not a valid output tree (from a worker, a cache file or a spec)."""


class Container(str, enum.Enum):
    """The kind of a tree's inner node; the value is the YAML and wire spelling."""

    TUPLE = "tuple"
    LIST = "list"
    DICT = "dict"

    @property
    def article(self) -> str:
        return f"a {self.value}"


@dataclass(frozen=True, eq=False)
class Branch(Generic[T]):
    """An inner node: its container kind and its children, each under its key (index or dict key)."""

    kind: Container
    children: tuple[tuple[Key, T | Branch[T]], ...]

    def child(self, key: Key) -> T | Branch[T] | None:
        for k, node in self.children:
            if k == key:
                return node
        return None


@dataclass(frozen=True)
class LeafSpec:
    """How one leaf is compared. ``None`` fields take the problem's defaults (see :meth:`is_exact`).

    >>> LeafSpec(dtype="int32").is_exact(np.dtype("float32")), LeafSpec(dtype="float32", exact=True).is_exact(np.dtype("float32"))
    (True, True)
    """

    dtype: str | None = None
    rtol: float | None = None
    atol: float | None = None
    exact: bool | None = None
    flat: bool = False  # shape: flat -- same number of elements, compared flattened
    description: str = ""

    def is_exact(self, expected_dtype: np.dtype) -> bool:
        """Exact unless told otherwise for integer and bool leaves (the declared dtype, else the reference's)."""
        if self.exact is not None:
            return self.exact
        kind = np.dtype(self.dtype).kind if self.dtype else expected_dtype.kind
        return kind in _INTEGER_KINDS


TreeSpec: TypeAlias = LeafSpec | Branch[LeafSpec]
SINGLE_ARRAY = LeafSpec()  # the spec of a problem without output.tree (its dtype aside)
Node: TypeAlias = np.ndarray | Branch[np.ndarray]


def format_path(path: TreePath) -> str:
    """A leaf's path as a learner reads it: ``[1]['mean']``; a first dict key that is a name is bare.

    >>> format_path(()), format_path(("grads", "Dense_0", "kernel")), format_path((1, "var")), format_path(("a b",))
    ('output', "grads['Dense_0']['kernel']", "[1]['var']", "['a b']")
    """
    if not path:
        return "output"
    parts = []
    for position, key in enumerate(path):
        if isinstance(key, str) and position == 0 and key.isidentifier() and key.isascii():
            parts.append(key)
        else:
            parts.append(f"[{key!r}]" if isinstance(key, str) else f"[{key}]")
    return "".join(parts)


def walk(node: T | Branch[T], path: TreePath = ()) -> Iterator[tuple[TreePath, T]]:
    """Every leaf under ``node`` with its path, depth first, children in order."""
    if isinstance(node, Branch):
        for key, child in node.children:
            yield from walk(child, (*path, key))
    else:
        yield path, node


def spec_at(spec: TreeSpec, path: TreePath) -> LeafSpec:
    """The leaf spec at ``path`` (a default one where the spec has no leaf there)."""
    node: TreeSpec | None = spec
    for key in path:
        node = node.child(key) if isinstance(node, Branch) else None
    return node if isinstance(node, LeafSpec) else LeafSpec()


def skeleton(spec: TreeSpec) -> Any:
    """The spec as a wire structure (leaves ``null``): what the worker is told to expect.

    >>> skeleton(Branch(Container.TUPLE, ((0, LeafSpec()), (1, Branch(Container.DICT, (("m", LeafSpec()),))))))
    {'tuple': [None, {'dict': [['m', None]]}]}
    """
    if isinstance(spec, LeafSpec):
        return None
    if spec.kind is Container.DICT:
        return {"dict": [[key, skeleton(child)] for key, child in spec.children]}
    return {spec.kind.value: [skeleton(child) for _, child in spec.children]}


def describe_node(node: object) -> str:
    """``an array``, ``a dict``...: what a node is, for structure messages."""
    return node.kind.article if isinstance(node, Branch) else "an array"


def structure_difference(expected: object, got: object, path: TreePath = ()) -> tuple[TreePath, str] | None:
    """Where and how ``got``'s containers first differ from ``expected``'s; None if alike.

    >>> e = Branch(Container.TUPLE, ((0, "y"), (1, Branch(Container.DICT, (("mean", "m"), ("var", "v"))))))
    >>> structure_difference(e, Branch(Container.TUPLE, ((0, "y"), (1, Branch(Container.DICT, (("mean", "m"),))))))
    ((1,), "missing key 'var'")
    >>> structure_difference(e, Branch(Container.LIST, ((0, "y"), (1, "z"))))
    ((), 'expected a tuple, got a list')
    """
    if not isinstance(expected, Branch):
        return None if not isinstance(got, Branch) else (path, f"expected an array, got {describe_node(got)}")
    if not isinstance(got, Branch) or got.kind is not expected.kind:
        return path, f"expected {expected.kind.article}, got {describe_node(got)}"
    if expected.kind is Container.DICT:
        got_keys = [key for key, _ in got.children]
        for key, _ in expected.children:
            if key not in got_keys:
                return path, f"missing key {key!r}"
        want = {key for key, _ in expected.children}
        for key in got_keys:
            if key not in want:
                return path, f"unexpected key {key!r}"
        for key, child in expected.children:
            found = structure_difference(child, got.child(key), (*path, key))
            if found:
                return found
        return None
    if len(got.children) != len(expected.children):
        return path, f"expected {expected.kind.article} of {len(expected.children)}, got {expected.kind.article} of {len(got.children)}"
    for (key, child), (_, other) in zip(expected.children, got.children, strict=True):
        found = structure_difference(child, other, (*path, key))
        if found:
            return found
    return None


@dataclass(frozen=True, eq=False)
class OutputTree:
    """One returned (or expected) value: an array, or containers of arrays.

    >>> OutputTree.of(np.arange(3)).single.tolist(), OutputTree.of(np.arange(3)).size
    ([0, 1, 2], 3)
    """

    root: Node

    @classmethod
    def of(cls, array: Any) -> OutputTree:
        """The one-leaf tree of ``array`` (what every single-array problem returns)."""
        return cls(np.asarray(array))

    @property
    def single(self) -> np.ndarray | None:
        """The array, when the whole output is one; None for a container."""
        return self.root if isinstance(self.root, np.ndarray) else None

    def leaves(self) -> list[tuple[TreePath, np.ndarray]]:
        return list(walk(self.root))

    @property
    def size(self) -> int:
        """Elements over all leaves."""
        return sum(int(a.size) for _, a in self.leaves())

    def layout(self) -> tuple[object, ...]:
        """The containers (as a wire structure) and each leaf's element count: equal for answers of one kind and size."""
        structure, arrays = self.to_wire()
        return (json.dumps(structure), *(int(a.size) for a in arrays))

    def identical(self, other: OutputTree) -> bool:
        """Same containers, keys, dtypes, shapes and bytes (a deterministic reference gives identical trees)."""
        mine, theirs = self.to_wire(), other.to_wire()
        return mine[0] == theirs[0] and all(
            a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes() for a, b in zip(mine[1], theirs[1], strict=True)
        )

    def to_wire(self) -> tuple[Any, list[np.ndarray]]:
        """The structure (leaves ``null``) and the arrays in depth-first order."""
        arrays: list[np.ndarray] = []

        def build(node: Node) -> Any:
            if isinstance(node, Branch):
                if node.kind is Container.DICT:
                    return {"dict": [[key, build(child)] for key, child in node.children]}
                return {node.kind.value: [build(child) for _, child in node.children]}
            arrays.append(node)
            return None

        return build(self.root), arrays

    @classmethod
    def from_wire(cls, structure: Any, arrays: list[np.ndarray], max_leaves: int = MAX_LEAVES) -> OutputTree:
        """Rebuild a tree from a structure and its arrays, checking every part (it may come from a hostile worker).

        Refusals say what is wrong in the judge's words, never quoting what was sent.

        >>> OutputTree.from_wire({"dict": [["a", None], ["a", None]]}, [np.zeros(1), np.zeros(1)])
        Traceback (most recent call last):
        ...
        judge.output_tree.TreeError: the answer's structure has a repeated dict key
        """
        remaining = list(arrays)
        count = 0

        def build(raw: Any, depth: int) -> Node:
            nonlocal count
            if raw is None:
                count += 1
                if count > max_leaves or not remaining:
                    raise TreeError("the answer's structure does not match its arrays")
                return remaining.pop(0)
            if depth >= MAX_DEPTH:
                raise TreeError("the answer's structure is nested too deeply")
            if not isinstance(raw, dict) or len(raw) != 1:
                raise TreeError("the answer's structure has a node that is neither null nor a one-key object")
            ((name, items),) = raw.items()
            try:
                kind = Container(name) if type(name) is str else None
            except ValueError:
                kind = None
            if kind is None or not isinstance(items, list) or len(items) > max_leaves:
                raise TreeError("the answer's structure has an unknown container or a bad item list")
            if kind is not Container.DICT:
                return Branch(kind, tuple((i, build(item, depth + 1)) for i, item in enumerate(items)))
            children: list[tuple[Key, Node]] = []
            seen: set[str] = set()
            for item in items:
                if not isinstance(item, list) or len(item) != 2 or type(item[0]) is not str:
                    raise TreeError("the answer's structure has a dict entry that is not a [key, node] pair")
                key = item[0]
                if not 0 < len(key) <= MAX_KEY_CHARS:
                    raise TreeError(f"the answer's structure has a dict key that is empty or longer than {MAX_KEY_CHARS} characters")
                if key in seen:
                    raise TreeError("the answer's structure has a repeated dict key")
                seen.add(key)
                children.append((_clean_key(key), build(item[1], depth + 1)))
            return Branch(kind, tuple(children))

        root = build(structure, 0)
        if remaining:
            raise TreeError("the answer's structure does not match its arrays")
        return cls(root)

    def to_bytes(self) -> bytes:
        """For the on-disk caches: a single array is a plain .npy file; a tree a header, its structure and its .npy blobs."""
        structure, arrays = self.to_wire()
        blobs = [_npy(a) for a in arrays]
        if structure is None:
            return blobs[0]
        head = json.dumps(structure).encode()
        return _TREE_MAGIC + _LEN.pack(len(head)) + head + b"".join(_LEN.pack(len(b)) + b for b in blobs)

    @classmethod
    def from_bytes(cls, blob: bytes) -> OutputTree:
        """Inverse of :meth:`to_bytes`; :class:`TreeError` (or ValueError) when the bytes are not one."""
        if not blob.startswith(_TREE_MAGIC):
            return cls(np.lib.format.read_array(io.BytesIO(blob), allow_pickle=False))
        view, at = memoryview(blob), len(_TREE_MAGIC)

        def take() -> bytes:
            nonlocal at
            if at + _LEN.size > len(view):
                raise TreeError("truncated tree blob")
            (length,) = _LEN.unpack(view[at : at + _LEN.size])
            start, at = at + _LEN.size, at + _LEN.size + length
            if at > len(view):
                raise TreeError("truncated tree blob")
            return bytes(view[start:at])

        structure = json.loads(take())
        arrays = []
        while at < len(view):
            arrays.append(np.lib.format.read_array(io.BytesIO(take()), allow_pickle=False))
        return cls.from_wire(structure, arrays, max_leaves=1 << 16)


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, np.ascontiguousarray(array), allow_pickle=False)
    return buffer.getvalue()


def _clean_key(key: str) -> str:
    """A worker's dict key as printable text (it is quoted in public feedback): others characters become '?'."""
    return "".join(ch if ch.isprintable() else "?" for ch in key.encode("utf-8", "replace").decode("utf-8"))


# -- the YAML schema (problem.yaml's output.tree) ---------------------------------------------------

LEAF_KEYS = ("description", "dtype", "rtol", "atol", "exact", "shape")
SHAPE_RULES = ("exact", "flat")

Fail = Callable[[str, str, int], Exception]  # (message, field, line) -> the error to raise


def _did_you_mean(word: object, valid: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, valid, n=1) if isinstance(word, str) else []
    return f" (did you mean {close[0]!r}?)" if close else ""


def parse_tree_spec(
    raw: Any,
    *,
    field: str,
    line: int,
    default_dtype: str | None,
    fail: Fail,
    dtype_error: Callable[[object], str | None],
    number: Callable[[Any], Any],
) -> TreeSpec:
    """``output.tree`` (YAML, with lines) as a :class:`TreeSpec`; ``fail`` builds the one-line error.

    A container is a mapping with one key, ``tuple``, ``list`` (a list of nodes) or ``dict`` (a
    mapping of string keys to nodes); a leaf is a mapping of leaf options (possibly empty).
    """
    return _parse_node(raw, field, line, default_dtype, fail, dtype_error, number, 0)


def _line(value: Any, default: int) -> int:
    return int(getattr(value, "line", 0) or default)


def _parse_node(
    raw: Any, field: str, line: int, default_dtype: str | None, fail: Fail,
    dtype_error: Callable[[object], str | None], number: Callable[[Any], Any], depth: int,
) -> TreeSpec:
    line = _line(raw, line)
    if depth > MAX_DEPTH:
        raise fail(f"nested more than {MAX_DEPTH} levels deep", field, line)
    if not isinstance(raw, Mapping):
        raise fail("must be a mapping: a leaf's options ({} for none), or one of tuple:, list:, dict:", field, line)
    kinds = [k for k in raw if k in {c.value for c in Container}]
    if kinds:
        if len(raw) != 1:
            others = ", ".join(str(k) for k in raw if k != kinds[0])
            raise fail(f"a container is a mapping with exactly one key (tuple, list or dict); found also: {others}", field, line)
        kind = Container(kinds[0])
        items = raw[kinds[0]]
        where = f"{field}.{kind.value}"
        item_line = raw.line_of(kind.value) if hasattr(raw, "line_of") else line
        if kind is Container.DICT:
            if not isinstance(items, Mapping) or not items:
                raise fail("must be a non-empty mapping of keys to nodes", where, item_line)
            children: list[tuple[Key, TreeSpec]] = []
            for key, child in items.items():
                key_line = items.line_of(key) if hasattr(items, "line_of") else item_line
                if not isinstance(key, str) or not 0 < len(key) <= MAX_KEY_CHARS or not key.isprintable():
                    raise fail(f"dict keys must be non-empty printable strings; got {key!r}", where, key_line)
                children.append((key, _parse_node(child, f"{where}.{key}", key_line, default_dtype, fail, dtype_error, number, depth + 1)))
            return Branch(kind, tuple(children))
        if not isinstance(items, list) or not items:
            raise fail("must be a non-empty list of nodes", where, item_line)
        lines = getattr(items, "item_lines", [])
        return Branch(kind, tuple(
            (i, _parse_node(child, f"{where}[{i}]", lines[i] if i < len(lines) else item_line, default_dtype, fail, dtype_error, number, depth + 1))
            for i, child in enumerate(items)
        ))
    return _parse_leaf(raw, field, line, default_dtype, fail, dtype_error, number)


def _parse_leaf(
    raw: Mapping[str, Any], field: str, line: int, default_dtype: str | None, fail: Fail,
    dtype_error: Callable[[object], str | None], number: Callable[[Any], Any],
) -> LeafSpec:
    def where(key: str) -> tuple[str, int]:
        return f"{field}.{key}", (raw.line_of(key) if hasattr(raw, "line_of") else line)

    for key in raw:
        if key not in LEAF_KEYS:
            valid = (*LEAF_KEYS, *(c.value for c in Container))
            hint = _did_you_mean(key, valid)
            if key is None or not str(key).isidentifier():
                # {description: mean, shape (D,)} reads as the keys 'shape (D' and ')': a comma in flow style splits
                hint = ' (text with a comma inside {...} must be quoted: description: "mean, shape (D,)")'
            raise fail(f"unknown key {key!r}; a leaf's options are {', '.join(LEAF_KEYS)}, a container is one of tuple, list, dict"
                       + hint, *where(str(key)))
    dtype = raw.get("dtype", default_dtype)
    if "dtype" in raw and dtype_error(dtype):
        raise fail(str(dtype_error(dtype)), *where("dtype"))
    tolerances: dict[str, float | None] = {}
    for key in ("rtol", "atol"):
        if key not in raw:
            tolerances[key] = None
            continue
        value = number(raw[key])
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
            raise fail(f"must be a number in [0, 1); got {raw[key]!r}", *where(key))
        tolerances[key] = float(value)
    exact = raw.get("exact")
    if exact is not None and not isinstance(exact, bool):
        raise fail(f"must be true or false; got {exact!r}", *where("exact"))
    tolerant = tolerances["rtol"] is not None or tolerances["atol"] is not None
    if exact and tolerant:
        raise fail("an exact leaf has no tolerance: drop rtol/atol or set exact: false", *where("exact"))
    if exact is None and tolerant:
        exact = False  # a tolerance given is a tolerance meant, whatever the dtype
    shape = raw.get("shape", "exact")
    if shape not in SHAPE_RULES:
        raise fail(f"must be one of {', '.join(SHAPE_RULES)}; got {shape!r}" + _did_you_mean(shape, SHAPE_RULES), *where("shape"))
    description = raw.get("description", "")
    if not isinstance(description, str):
        raise fail("must be a string", *where("description"))
    return LeafSpec(
        dtype=dtype, rtol=tolerances["rtol"], atol=tolerances["atol"], exact=exact, flat=shape == "flat", description=description.strip()
    )

"""``gen:`` blocks of ``problem.yaml``: the ranges ``judge cases gen`` draws new cases from.

A problem may declare shared dimension variables at the top level and a range per argument::

    gen:
      dims: {L: [1, 64], C: [1, 8]}          # each draw picks one value per name, inclusive
    args:
      - {name: seed, type: float, gen: {min: 0, max: 2147483647, integer: true}}
      - {name: x, type: array, dtype: float32, ndim: 2,
         gen: {shape: [L, C], dist: [normal, uniform], low: -3, high: 3}}
      - {name: features, type: int, gen: {min: 1, max: 16}}
      - {name: flag, type: bool, gen: {}}                  # true or false
      - {name: mode, type: int, gen: {choices: [1, 2, 4]}}

An array dimension is an integer (fixed), ``[lo, hi]`` (drawn per array), the name of a
``dims`` variable (shared by every array that names it) or the name of an ``int`` argument (the
value drawn for that argument). Only arguments with a ``gen`` block can be generated; ``judge
cases gen`` refuses a problem where some argument lacks one.

This module also holds :data:`DISTRIBUTIONS`, the one table of input distributions: what a
``dist`` may name here and in a ``cases.yaml`` generator spec (:mod:`judge.cases`), which keys
each takes, and how it is drawn. It lives here, the lowest of the modules that use it
(``cases`` imports ``problem``, which imports this module).

Example:
    >>> spec = parse_arg_gen({"min": 1, "max": 8}, "int", lambda m, k: ValueError(m))
    >>> spec.low, spec.high
    (1, 8)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .yamlio import yaml_number

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class Distribution:
    """A distribution of generated array values: the two spec keys it takes and how it is drawn.

    ``method`` is the ``numpy.random.Generator`` method called as ``method(a, b, size=shape)``
    with the values of ``params`` in order. With ``defaults`` a missing key takes its default and
    both are floats; without, both keys are required and are integers.

    Example:
        >>> import numpy as np
        >>> spec = {"low": 0, "high": 3}
        >>> DISTRIBUTIONS["randint"].draw(np.random.default_rng(0), spec, (4,)).tolist()
        [2, 1, 1, 0]
        >>> DISTRIBUTIONS["normal"].params
        ('mean', 'std')
    """

    params: tuple[str, str]
    defaults: tuple[float, float] | None
    method: str

    def draw(self, rng: np.random.Generator, spec: Mapping[str, Any], shape: tuple[int, ...]) -> np.ndarray:
        """Draw an array of ``shape`` with the parameters ``spec`` gives (a validated generator spec)."""
        if self.defaults is None:
            a, b = (int(spec[key]) for key in self.params)
            return getattr(rng, self.method)(a, b, size=shape)
        x, y = (float(spec.get(key, default)) for key, default in zip(self.params, self.defaults, strict=True))
        return getattr(rng, self.method)(x, y, size=shape)


DISTRIBUTIONS: dict[str, Distribution] = {
    "normal": Distribution(("mean", "std"), (0.0, 1.0), "normal"),
    "uniform": Distribution(("low", "high"), (0.0, 1.0), "uniform"),
    "randint": Distribution(("low", "high"), None, "integers"),
}
DIST_NAMES = tuple(DISTRIBUTIONS)
# The values each integer (and bool) array dtype holds: such arrays are drawn with randint only.
INTEGER_RANGES: dict[str, tuple[int, int]] = {
    "int8": (-(2**7), 2**7 - 1),
    "int16": (-(2**15), 2**15 - 1),
    "int32": (-(2**31), 2**31 - 1),
    "int64": (-(2**63), 2**63 - 1),
    "uint8": (0, 2**8 - 1),
    "bool": (0, 1),
}
DEFAULT_DIST = "normal"
DIST_PARAMS = tuple(dict.fromkeys(key for dist in DISTRIBUTIONS.values() for key in dist.params))  # mean, std, low, high
_SCALAR_KEYS = {"min", "max", "integer", "choices"}
_ARRAY_KEYS = {"shape", "dist", *DIST_PARAMS}

Fail = Callable[[str, str], Exception]  # (message, key) -> exception to raise


def integer_draw_error(dtype: str | None, dist: str, low: Any, high: Any) -> str | None:
    """Why drawing an array of ``dtype`` with ``dist`` from ``[low, high)`` would not give exactly
    the integers asked for (a float distribution truncated, a range wrapped around); None if it
    would, or if ``dtype`` is not an integer dtype.

    Example:
        >>> integer_draw_error("int32", "randint", 0, 10) is None
        True
        >>> integer_draw_error("int8", "randint", 0, 1000)
        'randint draws from [low, high) = [0, 1000), which does not fit int8 ([-128, 127])'
        >>> integer_draw_error("int32", "normal", None, None)
        'int32 arrays must use dist randint (integers in [low, high)); normal draws floats'
    """
    if dtype not in INTEGER_RANGES:
        return None
    if dist != "randint":
        return f"{dtype} arrays must use dist randint (integers in [low, high)); {dist} draws floats"
    if not (_is_int(low) and _is_int(high)):
        return f"randint needs integer 'low' and 'high'; got low={low!r}, high={high!r}"
    lo, hi = INTEGER_RANGES[dtype]
    if low < lo or high - 1 > hi:
        return f"randint draws from [low, high) = [{low}, {high}), which does not fit {dtype} ([{lo}, {hi}])"
    return None


@dataclass(frozen=True)
class ArgGen:
    """How to draw one argument. Scalars use low/high/integer/choices; arrays shape/dists/params."""

    low: float | None = None
    high: float | None = None
    integer: bool = False
    choices: tuple[Any, ...] = ()
    shape: tuple[Any, ...] = ()  # int | (lo, hi) | name
    dists: tuple[str, ...] = ()
    params: tuple[tuple[str, float], ...] = ()  # mean/std/low/high, passed to the generator spec


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def parse_dims(raw: Any, fail: Fail) -> tuple[tuple[str, int, int], ...]:
    """The top-level ``gen: {dims: {NAME: [lo, hi]}}`` block."""
    if not isinstance(raw, Mapping):
        raise fail("must be a mapping with 'dims'", "gen")
    for key in raw:
        if key != "dims":
            raise fail(f"unknown key {key!r}; valid keys: dims", "gen")
    dims = raw.get("dims", {})
    if not isinstance(dims, Mapping):
        raise fail("must map dimension names to [lo, hi]", "gen.dims")
    out = []
    for name, rng in dims.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise fail(f"dimension name {name!r} must be an identifier", "gen.dims")
        if not (isinstance(rng, list) and len(rng) == 2 and all(_is_int(v) for v in rng) and 1 <= rng[0] <= rng[1]):
            raise fail(f"must be [lo, hi] with 1 <= lo <= hi; got {rng!r}", f"gen.dims.{name}")
        out.append((name, int(rng[0]), int(rng[1])))
    return tuple(out)


def parse_arg_gen(raw: Any, arg_type: str, fail: Fail, ndim: int | None = None, dtype: str | None = None) -> ArgGen:
    """One argument's ``gen:`` block; ``fail(message, key)`` builds the error to raise. An
    integer ``dtype`` admits only ``randint`` with a range that fits it."""
    if not isinstance(raw, Mapping):
        raise fail("must be a mapping", "gen")
    if arg_type == "array":
        for key in raw:
            if key not in _ARRAY_KEYS:
                raise fail(f"unknown key {key!r}; valid keys for arrays: {', '.join(sorted(_ARRAY_KEYS))}", "gen")
        shape = raw.get("shape")
        if not isinstance(shape, list):
            raise fail("arrays need 'shape': a list of int | [lo, hi] | dimension name", "gen")
        if ndim is not None and len(shape) != ndim:
            raise fail(f"shape has {len(shape)} dims, the argument is {ndim}-D", "gen")
        dims: list[Any] = []
        for d in shape:
            if _is_int(d) and d >= 1:
                dims.append(int(d))
            elif isinstance(d, list) and len(d) == 2 and all(_is_int(v) for v in d) and 1 <= d[0] <= d[1]:
                dims.append((int(d[0]), int(d[1])))
            elif isinstance(d, str) and d.isidentifier():
                dims.append(d)
            else:
                raise fail(f"shape entry {d!r} must be a positive int, [lo, hi] or a name", "gen")
        dist = raw.get("dist", DEFAULT_DIST)
        dists = tuple(dist) if isinstance(dist, list) else (dist,)
        if not dists or any(d not in DIST_NAMES for d in dists):
            raise fail(f"dist must be one of {', '.join(DIST_NAMES)} or a list of them; got {dist!r}", "gen")
        params = []
        for key in DIST_PARAMS:
            if key in raw:
                value = yaml_number(raw[key])  # YAML 1.1 reads 1e-3 as a string
                if not _is_num(value):
                    raise fail(f"{key!r} must be a number; got {raw[key]!r}", "gen")
                params.append((key, value))
        if "randint" in dists and not ("low" in raw and "high" in raw):
            raise fail("dist randint needs 'low' and 'high'", "gen")
        for name in dists:
            error = integer_draw_error(dtype, name, dict(params).get("low"), dict(params).get("high"))
            if error:
                raise fail(error, "gen")
        return ArgGen(shape=tuple(dims), dists=dists, params=tuple(params))
    for key in raw:
        if key not in _SCALAR_KEYS:
            raise fail(f"unknown key {key!r}; valid keys for scalars: {', '.join(sorted(_SCALAR_KEYS))}", "gen")
    if "choices" in raw:
        choices = raw["choices"]
        if not isinstance(choices, list) or not choices:
            raise fail("'choices' must be a non-empty list", "gen")
        return ArgGen(choices=tuple(yaml_number(c) if arg_type == "float" else c for c in choices))
    if arg_type == "bool":
        return ArgGen(choices=(False, True))
    low, high = yaml_number(raw.get("min")), yaml_number(raw.get("max"))
    if not (_is_num(low) and _is_num(high)) or low > high:
        raise fail(f"needs numbers 'min' <= 'max'; got min={low!r}, max={high!r}", "gen")
    integer = arg_type == "int" or bool(raw.get("integer", False))
    if arg_type == "int" and not (_is_int(low) and _is_int(high)):
        raise fail("'min' and 'max' of an int must be integers", "gen")
    return ArgGen(low=low, high=high, integer=integer)

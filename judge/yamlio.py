"""YAML loading that remembers where every key came from, so errors can name file and line.

Example:
    >>> doc = load_yaml_text("a: 1\\nb:\\n  c: 2\\n", "x.yaml")
    >>> doc["b"]["c"], doc.line_of("b"), doc["b"].line_of("c")
    (2, 2, 3)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import JudgeError


class LineDict(dict):
    """A dict from YAML that knows the 1-based line of itself and of each of its keys."""

    line: int = 0
    key_lines: dict[Any, int]

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list):
    """A list from YAML that knows its own line and the line of each item."""

    line: int = 0
    item_lines: list[int]

    def line_at(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


class _Loader(yaml.SafeLoader):
    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> LineDict:
        self.flatten_mapping(node)
        result = LineDict()
        result.line = node.start_mark.line + 1
        result.key_lines = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in result:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            result[key] = self.construct_object(value_node, deep=True)
            result.key_lines[key] = key_node.start_mark.line + 1
        return result

    def construct_sequence(self, node: yaml.SequenceNode, deep: bool = False) -> LineList:
        result = LineList(self.construct_object(child, deep=True) for child in node.value)
        result.line = node.start_mark.line + 1
        result.item_lines = [child.start_mark.line + 1 for child in node.value]
        return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _Loader.construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _Loader.construct_sequence)


def load_yaml_text(text: str, file: str | Path, error: type[JudgeError] = JudgeError) -> Any:
    """Parse YAML text; a syntax error becomes ``error`` naming ``file`` and the line."""
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader derives from SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise error(f"invalid YAML: {exc.problem or exc}", file=file, line=line) from None
    except yaml.YAMLError as exc:
        raise error(f"invalid YAML: {exc}", file=file) from None


def load_yaml_file(path: Path, error: type[JudgeError] = JudgeError) -> Any:
    """Read and parse a YAML file; missing or unreadable files become ``error``."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error("file not found", file=path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"cannot read: {exc}", file=path) from None
    return load_yaml_text(text, path, error)


def yaml_number(value: Any) -> Any:
    """``value``, with a string that spells a number turned into that float; anything else as is.

    PyYAML follows YAML 1.1, which reads ``1e-3`` (no dot) and ``1.0e5`` (no exponent sign) as
    *strings*. Every number field of the YAML files calls this first and then checks the result
    itself, so its error message can quote the value.

    Example:
        >>> load_yaml_text("rtol: 1e-3", "x.yaml")["rtol"]
        '1e-3'
        >>> yaml_number("1e-3"), yaml_number("1.0e-3"), yaml_number(5), yaml_number("abc"), yaml_number(None)
        (0.001, 0.001, 5, 'abc', None)
    """
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            pass
    return value


def expect_mapping(value: Any, file: Path, error: type[JudgeError], *, what: str, line: int = 0) -> LineDict:
    """Return ``value`` if it is a mapping, else raise ``error`` saying what was expected."""
    if not isinstance(value, LineDict):
        raise error(f"{what} must be a mapping, got {type(value).__name__}", file=file, line=line or None)
    return value

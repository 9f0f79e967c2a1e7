"""YAML that remembers where things are, so every problem can be reported as `file:line: what`.

Mappings load as `LDict` (a dict with `.line` and `.key_lines`), sequences as `LList`
(a list with `.line` and `.item_lines`). Line numbers are 1-based. Dates YAML cannot
build (2025-13-01) stay strings so the validator can name them; duplicate keys are
recorded instead of silently overwriting the first one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True)
class Issue:
    """One problem in a knowledge file; `str()` gives the `file:line: message` line."""

    path: str
    line: int | None
    message: str
    severity: str = "error"  # error | warning

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{where}: {prefix}{self.message}"


class LDict(dict):
    line: int = 0
    key_lines: dict

    def line_of(self, key: Any) -> int:
        return getattr(self, "key_lines", {}).get(key, self.line)


class LList(list):
    line: int = 0
    item_lines: list

    def line_of(self, index: int) -> int:
        lines = getattr(self, "item_lines", [])
        return lines[index] if 0 <= index < len(lines) else self.line


def line_of(obj: Any, default: int = 0) -> int:
    return getattr(obj, "line", default) or default


class LineLoader(yaml.SafeLoader):
    """SafeLoader that records the line of every mapping, key and sequence item."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[tuple[int, str]] = []


def _construct_map(loader: LineLoader, node: yaml.MappingNode):
    data = LDict()
    data.line = node.start_mark.line + 1
    data.key_lines = {}
    yield data
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping", node.start_mark,
                "found an unhashable key", key_node.start_mark) from None
        if key in data:
            loader.duplicates.append((key_node.start_mark.line + 1, str(key)))
        data[key] = loader.construct_object(value_node, deep=True)
        data.key_lines[key] = key_node.start_mark.line + 1


def _construct_seq(loader: LineLoader, node: yaml.SequenceNode):
    data = LList()
    data.line = node.start_mark.line + 1
    data.item_lines = [child.start_mark.line + 1 for child in node.value]
    yield data
    data.extend(loader.construct_sequence(node, deep=True))


def _construct_timestamp(loader: LineLoader, node: yaml.ScalarNode):
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)  # the validator reports it as a bad date


LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)
LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)
LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def _yaml_issue(path: str, exc: yaml.YAMLError, line_offset: int = 0) -> Issue:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    msg = f"invalid YAML: {problem}" + (f" ({context})" if context and context not in problem else "")
    return Issue(path, (mark.line + 1 + line_offset) if mark else None, msg)


def load_yaml(text: str, path: str, line_offset: int = 0) -> tuple[Any, list[Issue]]:
    """Parse YAML text; returns (data or None, issues). Lines are shifted by `line_offset`."""
    loader = LineLoader(text)
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as exc:
        return None, [_yaml_issue(path, exc, line_offset)]
    finally:
        loader.dispose()
    issues = [Issue(path, line + line_offset, f"duplicate key {key!r} (the later value wins)")
              for line, key in loader.duplicates]
    if line_offset:
        _shift(data, line_offset)
    return data, issues


def _shift(obj: Any, offset: int, seen: set[int] | None = None) -> None:
    seen = seen if seen is not None else set()
    if id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, LDict):
        obj.line += offset
        obj.key_lines = {k: v + offset for k, v in obj.key_lines.items()}
        for v in obj.values():
            _shift(v, offset, seen)
    elif isinstance(obj, LList):
        obj.line += offset
        obj.item_lines = [v + offset for v in obj.item_lines]
        for v in obj:
            _shift(v, offset, seen)


def load_yaml_file(path: Path, shown: str | None = None) -> tuple[Any, list[Issue]]:
    shown = shown or str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [Issue(shown, None, f"not valid UTF-8 (byte {exc.start}): re-save the file as UTF-8")]
    except OSError as exc:
        return None, [Issue(shown, None, f"cannot read: {exc.strerror}")]
    return load_yaml(text, shown)


_FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*\r?\n?", re.S | re.M)


def split_front_matter(text: str) -> tuple[str | None, str, int]:
    """(front matter YAML or None, body, line number where the body starts)."""
    m = _FRONT.match(text)
    if not m:
        return None, text, 1
    body_line = text[: m.end()].count("\n") + 1
    return m.group(1), text[m.end():], body_line

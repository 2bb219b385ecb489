"""JSON Lines reading and writing (UTF-8, one object a line, non-ASCII kept as is), hardened against bad rows.

Every line is decoded by :func:`parse_json_line`, which never raises: invalid UTF-8 or JSON, a lone surrogate escape
(``"\\ud800"``, which no UTF-8 file can hold), nesting deeper than :data:`MAX_DEPTH`, a number longer than
:data:`MAX_NUMBER_DIGITS` digits (Python refuses to convert 4300+ digits), ``NaN``/``Infinity`` and a non-object row
each become an error naming ``file:line``. :func:`iter_jsonl` yields every line as a :class:`JsonlLine`;
:func:`read_jsonl` returns the rows of a clean file and raises one :class:`JsonlError` listing every bad line
otherwise. Writers (:func:`write_jsonl`) never stop half-way on a row they cannot encode: they fail before the
first byte is written, naming the row.
"""

from __future__ import annotations

import json
import warnings
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

MAX_DEPTH = 64  # an intent nests 4 levels (multi -> steps -> step -> list); 64 leaves room and stops 100k-deep rows
MAX_NUMBER_DIGITS = 100  # ports, TTLs and days have a handful of digits; 5000 digits is an attack, not a value
MAX_ERRORS_SHOWN = 20  # a JsonlError names this many lines, then counts the rest


class DuplicateIdWarning(UserWarning):
    """A JSONL file has the same ``id`` on more than one row."""


class JsonlError(ValueError):
    """Bad lines in a JSONL file; ``problems`` lists every one as ``file:line: reason``."""

    def __init__(self, path, problems: list[str]):
        self.path, self.problems = str(path), list(problems)
        shown = self.problems[:MAX_ERRORS_SHOWN]
        more = len(self.problems) - len(shown)
        tail = f"\n  ... and {more} more" if more > 0 else ""
        super().__init__(f"{path}: {len(self.problems)} bad line(s):\n  " + "\n  ".join(shown) + tail)


@dataclass(frozen=True)
class JsonlLine:
    """One non-blank line of a JSONL file: its 1-based number, the decoded value or why it has none."""

    path: str
    lineno: int
    value: object = None
    error: str | None = None

    @property
    def where(self) -> str:
        """``file:line``, for messages."""
        return f"{self.path}:{self.lineno}"


def _big_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise ValueError(f"a number with {len(text.lstrip('-'))} digits (limit {MAX_NUMBER_DIGITS})")
    return int(text)


def _big_float(text: str) -> float:
    if sum(c.isdigit() for c in text) > MAX_NUMBER_DIGITS:
        raise ValueError(f"a number with {sum(c.isdigit() for c in text)} digits (limit {MAX_NUMBER_DIGITS})")
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(f"a number out of range ({text[:20]}...)")
    return value


def _no_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def _nesting_depth(text: str) -> int:
    """The deepest bracket nesting of JSON text (brackets inside strings ignored), without recursion."""
    depth = deepest = 0
    in_string = escaped = False
    for c in text:
        if in_string:
            if escaped:
                escaped = False
            elif c == "\\":
                escaped = True
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
        elif c in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif c in "]}":
            depth -= 1
    return deepest


def _surrogate_path(value: object) -> str | None:
    """Where ``value`` holds a string with a lone surrogate (key or value), iteratively; None when it holds none."""
    stack: list[tuple[str, object]] = [("", value)]
    while stack:
        where, node = stack.pop()
        if isinstance(node, str):
            if any(0xD800 <= ord(c) <= 0xDFFF for c in node):
                return where or "the row"
        elif isinstance(node, dict):
            for k, v in node.items():
                if any(0xD800 <= ord(c) <= 0xDFFF for c in k):
                    return f"a key of {where or 'the row'}"
                stack.append((f"{where}.{k}" if where else k, v))
        elif isinstance(node, list):
            stack.extend((f"{where}[{i}]", v) for i, v in enumerate(node))
    return None


def parse_json_line(raw: bytes | str) -> tuple[object, str | None]:
    """``(value, None)`` for a good line, ``(None, reason)`` for a bad one; never raises."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            return None, f"line is not valid UTF-8 (byte {e.start})"
    if not raw.strip():
        return None, "empty line"
    if (depth := _nesting_depth(raw)) > MAX_DEPTH:
        return None, f"line is not usable JSON (nested {depth} levels deep, limit {MAX_DEPTH})"
    try:
        value = json.loads(raw, parse_int=_big_int, parse_float=_big_float, parse_constant=_no_constant)
    except json.JSONDecodeError as e:
        return None, f"line is not JSON ({e.msg} at column {e.colno})"
    except (ValueError, RecursionError) as e:
        return None, f"line is not usable JSON ({e})"
    if (where := _surrogate_path(value)) is not None:
        return None, f"line is not usable JSON (a lone surrogate escape such as \\ud800 in {where})"
    return value, None


def iter_jsonl(path: str | Path) -> Iterator[JsonlLine]:
    """Every non-blank line of ``path``, decoded or with its error, in order (line numbers are 1-based)."""
    with Path(path).open("rb") as f:
        for lineno, raw in enumerate(f, start=1):
            raw = raw.rstrip(b"\r\n")
            if not raw.strip():
                continue
            value, error = parse_json_line(raw)
            if error is None and not isinstance(value, dict):
                value, error = None, f"row is not a JSON object (got {type(value).__name__})"
            yield JsonlLine(str(path), lineno, value, error)


def duplicate_ids(lines: Iterable[JsonlLine]) -> dict[str, list[int]]:
    """``{id: [line numbers]}`` for every ``id`` found on more than one good row."""
    seen: dict[str, list[int]] = defaultdict(list)
    for line in lines:
        if isinstance(line.value, dict) and line.value.get("id") is not None:
            seen[str(line.value["id"])].append(line.lineno)
    return {k: v for k, v in seen.items() if len(v) > 1}


def warn_duplicate_ids(path: str | Path, duplicates: dict[str, list[int]]) -> str | None:
    """Issue a :class:`DuplicateIdWarning` naming the duplicated ids (and their lines); return its text."""
    if not duplicates:
        return None
    shown = [f"{k} (lines {', '.join(map(str, v))})" for k, v in list(duplicates.items())[:MAX_ERRORS_SHOWN]]
    more = len(duplicates) - len(shown)
    text = f"{path}: {len(duplicates)} duplicate id(s): " + "; ".join(shown) + (f"; and {more} more" if more else "")
    warnings.warn(text, DuplicateIdWarning, stacklevel=3)
    return text


def read_jsonl(path) -> list[dict]:
    """The rows of a JSON Lines file (blank lines skipped); a bad line anywhere raises :class:`JsonlError` listing
    every bad line with ``file:line``, so that a training or evaluation set is never used half-read."""
    lines = list(iter_jsonl(path))
    problems = [f"{x.where}: {x.error}" for x in lines if x.error]
    if problems:
        raise JsonlError(path, problems)
    return [x.value for x in lines]  # type: ignore[misc]


def dumps_row(row: object) -> str:
    """One JSONL line (without newline) for ``row``; ValueError (naming why) when no UTF-8 JSON line can hold it."""
    try:
        line = json.dumps(row, ensure_ascii=False, allow_nan=False)
        line.encode("utf-8")  # a lone surrogate passes json.dumps and fails only when written
    except (TypeError, ValueError, RecursionError) as e:  # UnicodeEncodeError is a ValueError
        raise ValueError(f"row cannot be written as JSON Lines ({type(e).__name__}: {str(e)[:200]})") from None
    return line


def write_jsonl(rows: Iterable[dict], path) -> str:
    """Write ``rows`` to ``path`` (parents created); return the path as a string.

    Every row is encoded before the file is opened, so a bad row raises ValueError (naming its index) and leaves
    no half-written file behind."""
    lines = []
    for i, row in enumerate(rows):
        try:
            lines.append(dumps_row(row))
        except ValueError as e:
            raise ValueError(f"{path}: row {i}: {e}") from None
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as f:
        for line in lines:
            f.write(line + "\n")
    return str(path)

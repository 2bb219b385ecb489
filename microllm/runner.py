"""Batch prediction over JSONL or plain-text files (``-``: stdin / stdout): one output line per input row, whatever
the row holds."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

from microllm.data.io import dumps_row, parse_json_line, warn_duplicate_ids
from microllm.predictors.base import Prediction, Predictor
from microllm.progress import progress

MAX_INPUT_CHARS = 2000  # requests are one sentence or a short ticket; more is a bad row, not a prompt
STDIO = "-"  # as a path: standard input or output
INPUT_FORMATS = ("auto", "jsonl", "text")


@dataclass
class Request:
    """One input row: its id, its text, or the reason it cannot be predicted."""

    id: str
    input: str | None
    error: str | None = None


def _bad_text(text: str) -> str | None:
    if not text.strip():
        return "empty input"
    if len(text) > MAX_INPUT_CHARS:
        return f"input too long ({len(text)} characters, limit {MAX_INPUT_CHARS})"
    if any(ord(c) < 32 and c not in "\t\n\r" or ord(c) == 127 for c in text):
        return "input contains control characters"
    return None


def parse_request_line(raw: bytes, lineno: int, path: str | Path | None = None) -> Request:
    """Decode one JSONL line into a Request; anything malformed becomes a Request whose error names ``file:line``.

    Never raises: invalid UTF-8 or JSON, lone surrogate escapes, absurd nesting or numbers, non-object rows and
    missing or non-string ``input`` all become errors (see :func:`microllm.data.io.parse_json_line`)."""
    rid = str(lineno)
    where = f"{path}:{lineno}: " if path is not None else f"line {lineno}: "
    row, error = parse_json_line(raw)
    if error is not None:
        return Request(rid, None, where + error)
    if not isinstance(row, dict):
        return Request(rid, None, where + f"row is not a JSON object (got {type(row).__name__})")
    if row.get("id") is not None:
        rid = str(row["id"]) if isinstance(row["id"], str | int) else json.dumps(row["id"], ensure_ascii=False)[:200]
    text = row.get("input")
    if not isinstance(text, str):
        reason = "row has no string 'input'" if text is None else f"'input' must be a string, got {type(text).__name__}"
        return Request(rid, None, where + reason)
    bad = _bad_text(text)
    return Request(rid, text, where + bad if bad else None)


def parse_text_line(raw: bytes, lineno: int, path: str | Path | None = None) -> Request:
    """One line of a plain-text file (the whole line is the request, its id the line number); never raises."""
    where = f"{path}:{lineno}: " if path is not None else f"line {lineno}: "
    try:
        text = raw.decode("utf-8").strip()
    except UnicodeDecodeError as e:
        return Request(str(lineno), None, where + f"line is not valid UTF-8 (byte {e.start})")
    bad = _bad_text(text)
    return Request(str(lineno), text, where + bad if bad else None)


def input_format(path: str | Path, data: bytes, fmt: str = "auto") -> str:
    """``jsonl`` or ``text`` for an input file. ``auto``: a ``.jsonl``/``.json`` file is JSONL, a ``.txt`` file text;
    otherwise (stdin included) the first non-blank line decides: JSONL when it starts with ``{``."""
    if fmt not in INPUT_FORMATS:
        raise ValueError(f"input format must be one of {', '.join(INPUT_FORMATS)}, not {fmt!r}")
    if fmt != "auto":
        return fmt
    suffix = Path(str(path)).suffix.lower()
    if suffix in (".jsonl", ".json", ".ndjson"):
        return "jsonl"
    if suffix == ".txt":
        return "text"
    first = next((line.strip() for line in data.split(b"\n") if line.strip()), b"")
    return "jsonl" if first.startswith(b"{") else "text"


def read_input(path: str | Path) -> bytes:
    """The bytes of ``path``, or of standard input for ``-``."""
    return sys.stdin.buffer.read() if str(path) == STDIO else Path(path).read_bytes()


def read_requests(path: str | Path, fmt: str = "auto") -> list[Request]:
    """Every row of a JSONL or plain-text file (``-``: stdin) as a Request, in order (line numbers are 1-based
    default ids). Plain text: one request a line, blank lines skipped; see :func:`input_format` for ``auto``.

    Ids found on more than one row are reported (:class:`microllm.data.io.DuplicateIdWarning`); the rows stay."""
    data = read_input(path)
    name = "<stdin>" if str(path) == STDIO else path
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()  # a final newline ends the last row; it is not a row of its own
    if input_format(path, data, fmt) == "text":
        return [parse_text_line(line.rstrip(b"\r"), i, name) for i, line in enumerate(lines, start=1) if line.strip()]
    requests = [parse_request_line(line.rstrip(b"\r"), i, name) for i, line in enumerate(lines, start=1)]
    seen: dict[str, list[int]] = {}
    for i, req in enumerate(requests, start=1):
        if req.input is not None or not req.error:
            seen.setdefault(req.id, []).append(i)
    warn_duplicate_ids(name, {k: v for k, v in seen.items() if len(v) > 1})
    return requests


def predict_requests(predictor: Predictor, requests: list[Request]) -> list[dict]:
    """Output rows ``{id, input, output, raw, confidence, latency_ms, error}``, one per request."""
    out = []
    for req in progress(requests, desc=getattr(predictor, "name", "predict")):
        pred = Prediction(None, "", None, 0.0, req.error) if req.error else predictor.predict(req.input)
        out.append(
            {
                "id": req.id,
                "input": req.input,
                "output": pred.intent,
                "raw": pred.raw,
                "confidence": pred.confidence,
                "latency_ms": pred.latency_ms,
                "error": pred.error,
            }
        )
    return out


def write_jsonl_rows(rows: list[dict], path: str | Path) -> None:
    """JSONL, UTF-8, one row per line; a row that cannot be encoded (a lone surrogate in a model's output) is
    written as an error row with the same id, so one bad row never truncates the file. ``-``: standard output."""
    if str(path) == STDIO:
        _write_rows(rows, sys.stdout)
        sys.stdout.flush()
        return
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        _write_rows(rows, f)


def _write_rows(rows: list[dict], f) -> None:
    for row in rows:
        try:
            line = dumps_row(row)
        except ValueError as e:
            rid = row.get("id") if isinstance(row, dict) else None
            line = dumps_row({"id": rid if isinstance(rid, str | int) else None, "input": None, "output": None,
                              "raw": None, "confidence": None, "latency_ms": None, "error": str(e)})  # fmt: skip
        f.write(line + "\n")


def predict_file(
    predictor: Predictor, input_path: str | Path, output_path: str | Path, fmt: str = "auto"
) -> list[dict]:
    """Read requests (JSONL or plain text, ``-``: stdin), predict each, write the results (``-``: stdout); returns
    the rows written."""
    rows = predict_requests(predictor, read_requests(input_path, fmt))
    write_jsonl_rows(rows, output_path)
    return rows

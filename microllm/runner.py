"""Batch prediction over JSONL files: one output line per input row, whatever the row holds."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from microllm.predictors.base import Prediction, Predictor

MAX_INPUT_CHARS = 2000  # requests are one sentence or a short ticket; more is a bad row, not a prompt


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


def parse_request_line(raw: bytes, lineno: int) -> Request:
    """Decode one JSONL line into a Request; anything malformed becomes a Request with an error."""
    rid = str(lineno)
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        return Request(rid, None, f"line is not valid UTF-8 (byte {e.start})")
    if not line.strip():
        return Request(rid, None, "empty line")
    try:
        row = json.loads(line)
    except json.JSONDecodeError as e:
        return Request(rid, None, f"line is not JSON ({e.msg})")
    if not isinstance(row, dict):
        return Request(rid, None, f"row is not a JSON object (got {type(row).__name__})")
    rid = str(row["id"]) if row.get("id") is not None else rid
    text = row.get("input")
    if not isinstance(text, str):
        return Request(
            rid,
            None,
            "row has no string 'input'" if text is None else f"'input' must be a string, got {type(text).__name__}",
        )
    return Request(rid, text, _bad_text(text))


def read_requests(path: str | Path) -> list[Request]:
    """Every row of a JSONL file as a Request, in order (line numbers are 1-based default ids)."""
    data = Path(path).read_bytes()
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()  # a final newline ends the last row; it is not a row of its own
    return [parse_request_line(line.rstrip(b"\r"), i) for i, line in enumerate(lines, start=1)]


def predict_requests(predictor: Predictor, requests: list[Request]) -> list[dict]:
    """Output rows ``{id, input, output, raw, confidence, latency_ms, error}``, one per request."""
    out = []
    for req in requests:
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
    """JSONL, UTF-8, one row per line."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def predict_file(predictor: Predictor, input_path: str | Path, output_path: str | Path) -> list[dict]:
    """Read requests, predict each, write the results; returns the rows written."""
    rows = predict_requests(predictor, read_requests(input_path))
    write_jsonl_rows(rows, output_path)
    return rows

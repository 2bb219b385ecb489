"""JSON Lines reading and writing (UTF-8, one object a line, non-ASCII kept as is)."""

from __future__ import annotations

import json
from pathlib import Path


def write_jsonl(rows: list[dict], path) -> str:
    """Write ``rows`` to ``path`` (parents created); return the path as a string."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    return str(path)


def read_jsonl(path) -> list[dict]:
    """Read a JSON Lines file; blank lines are skipped."""
    with Path(path).open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def refuse_held_out(path: str | Path) -> Path:
    """The held-out evaluation sets (anything under an `eval/` folder, e.g. data/eval/dev.jsonl) are for measurement
    only: training or validating on them would make every dev score meaningless."""
    path = Path(path)
    if path.resolve().parent.name == "eval":
        raise ValueError(f"{path} is a held-out evaluation file: never train or validate on it")
    return path

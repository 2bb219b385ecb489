"""Whether two evaluations of the shipped file gave the same answers: per dataset, the rows whose raw answer or exact
match differ, and the median latency of each.

python research/drafted-decoding/same_answers.py BEFORE_RESULTS_DIR AFTER_RESULTS_DIR
"""

import json
import statistics
import sys
from pathlib import Path

ARM = "llamacpp-qwen-coder-0.5b-lora-IQ4-NL-IMAT-V32000-trained-constrained-grounded"


def _rows(results: str, dataset: str) -> list[dict]:
    path = Path(results) / "eval" / ARM / dataset / "predictions.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def main(before: str, after: str) -> None:
    """Print one line per dataset, then each row whose raw answer differs."""
    for dataset in ("val", "val-real", "test", "dev"):
        a, b = _rows(before, dataset), _rows(after, dataset)
        if [r["id"] for r in a] != [r["id"] for r in b]:
            raise SystemExit(f"{dataset}: the two evaluations hold different rows")
        raw = [(x, y) for x, y in zip(a, b, strict=True) if x["raw"] != y["raw"]]
        exact = sum(x["exact"] != y["exact"] for x, y in zip(a, b, strict=True))
        p50 = [statistics.median(r["latency_ms"] for r in rows) for rows in (a, b)]
        hits = [sum(r["exact"] for r in rows) for rows in (a, b)]
        print(
            f"{dataset}: {len(a)} rows, raw answers differ {len(raw)}, exact match differs {exact}, "
            f"exact {hits[0]} -> {hits[1]}, p50 {p50[0]:.0f} -> {p50[1]:.0f} ms"
        )
        for x, y in raw:
            print(f"  {x['id']}: {x['raw']}\n  {' ' * len(x['id'])}  {y['raw']}")


if __name__ == "__main__":
    main(*sys.argv[1:3])

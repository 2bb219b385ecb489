"""Keep the README's headline table generated from results/, so it can never drift from the numbers."""

from __future__ import annotations

import json
from pathlib import Path

BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"


def render_results_table(results_dir: str | Path = "results") -> str:
    """Markdown table of every results/eval/<predictor>/<data>/metrics.json, linked to its file."""
    results_dir = Path(results_dir)
    lines = [
        "| predictor | data | n | exact match [95% CI] | field F1 | action acc. | valid JSON | source |",
        "|---|---|---:|---|---:|---:|---:|---|",
    ]
    for path in sorted(results_dir.glob("eval/*/*/metrics.json")):
        m = json.loads(path.read_text())
        lo, hi = m["exact_match_ci95"]
        rel = path.relative_to(results_dir.parent).as_posix()
        lines.append(
            f"| {m['predictor']} | {path.parent.name} | {m['n']} | {m['exact_match']:.3f} "
            f"[{lo:.3f}, {hi:.3f}] | {m['field_f1']:.3f} | {m['action_accuracy']:.3f} | "
            f"{m['valid_json_rate']:.3f} | [{path.parent.name}]({rel}) |"
        )
    return "\n".join(lines)


def update_readme(readme: str | Path = "README.md", results_dir: str | Path = "results") -> bool:
    """Rewrite the block between the results markers; returns True when the README changed."""
    readme = Path(readme)
    text = readme.read_text()
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    new = text[:start] + "\n" + render_results_table(results_dir) + "\n" + text[end:]
    if new != text:
        readme.write_text(new)
    return new != text

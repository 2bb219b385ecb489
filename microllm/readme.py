"""Keep the README's headline table generated from results/, so it can never drift from the numbers."""

from __future__ import annotations

import json
from pathlib import Path

BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"
HEAD_BEGIN, HEAD_END = "<!-- headline:begin -->", "<!-- headline:end -->"
RUNS_BEGIN, RUNS_END = "<!-- runs:begin -->", "<!-- runs:end -->"
AB_RUN = "micro-vs-general"


def render_headline(results_dir: str | Path = "results", run: str = AB_RUN) -> str:
    """The A/B run (results/ab/<run>/metrics.json) on the dev set, with the rule baseline, as a Markdown table."""
    results_dir = Path(results_dir)
    path = results_dir / "ab" / run / "metrics.json"
    lines = ["| system (dev set) | n | exact match [95% CI] | valid JSON | p50 latency | size | cost/1M queries |",
             "|---|---:|---|---:|---:|---:|---:|"]  # fmt: skip
    if path.exists():
        rel = path.relative_to(results_dir.parent).as_posix()
        for arm, by_data in json.loads(path.read_text())["arms"].items():
            m = by_data.get("dev")
            if m:
                lo, hi = m["exact_match_ci95"]
                lines.append(f"| {arm}: `{m['predictor']}` | {m['n']} | {m['exact_match']:.3f} [{lo:.3f}, {hi:.3f}] | "
                             f"{m['valid_json_rate']:.3f} | {m['p50_ms']:.0f} ms | {m['model_size_mb']:.0f} MB | "
                             f"{m['cost_per_million']:.2f} ([A/B]({rel})) |")  # fmt: skip
    rules = results_dir / "eval" / "rules" / "dev" / "metrics.json"
    if rules.exists():
        m = json.loads(rules.read_text())
        lo, hi = m["exact_match_ci95"]
        rel = rules.relative_to(results_dir.parent).as_posix()
        lines.append(f"| baseline: `rules` ([eval]({rel})) | {m['n']} | {m['exact_match']:.3f} [{lo:.3f}, {hi:.3f}] | "
                     f"{m['valid_json_rate']:.3f} | {m['latency_ms']['p50']:.1f} ms | - | - |")  # fmt: skip
    return "\n".join(lines)


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
        data = path.parent.name + ("" if _current(m, results_dir.parent) else " (older file)")
        lines.append(
            f"| {m['predictor']} | {data} | {m['n']} | {m['exact_match']:.3f} "
            f"[{lo:.3f}, {hi:.3f}] | {m['field_f1']:.3f} | {m['action_accuracy']:.3f} | "
            f"{m['valid_json_rate']:.3f} | [{path.parent.name}]({rel}) |"
        )
    return "\n".join(lines)


def render_runs_table(results_dir: str | Path = "results") -> str:
    """Every fine-tuning run against the dev target (report_runs.runs_vs_target), as a Markdown table."""
    import pandas as pd

    from microllm.report_runs import TARGET, runs_vs_target

    results_dir = Path(results_dir)
    head = "| base model | run | method | rows | steps | train min | CPU | arm (chosen on) | val | test | dev (CI) |"
    lines = [f"{head} dev >= {TARGET:.2f} | source |", "|---|---|---|---:|---:|---:|---|---|---:|---:|---|---|---|"]

    def num(x) -> str:
        return "-" if pd.isna(x) else f"{x:.3f}"

    for r in runs_vs_target(results_dir).to_dict("records"):
        rel = (results_dir / "finetune" / r["run"] / "metrics.json").relative_to(results_dir.parent).as_posix()
        arm = "-" if pd.isna(r["arm"]) else f"`{r['arm']}` ({r['chosen_on']})"
        dev = "-" if pd.isna(r["dev_em"]) else f"{r['dev_em']:.3f} {r['dev_ci95']}"
        met = {True: "yes", False: "no"}.get(r["dev_target_met"], "-")
        lines.append(f"| {r['base_model']} | {r['run']} | {r['method']} | {r['examples']} | {r['steps']} | "
                     f"{r['chain_minutes']:.0f} | {r['cpu']} | {arm} | {num(r['val_em'])} | {num(r['test_em'])} | "
                     f"{dev} | {met} | [run]({rel}) |")  # fmt: skip
    return "\n".join(lines)


def _current(metrics: dict, root: Path) -> bool:
    """Whether the data file a score was computed on still hashes the same (a rebuilt split marks old scores)."""
    from microllm.provenance import file_sha256

    data = metrics.get("provenance", {}).get("data", {}).get("data", {})
    path = root / data.get("path", "")
    return not data.get("sha256") or not path.is_file() or file_sha256(path) == data["sha256"]


def _replace(text: str, begin: str, end: str, body: str) -> str:
    start, stop = text.index(begin) + len(begin), text.index(end)
    return text[:start] + "\n" + body + "\n" + text[stop:]


def update_readme(readme: str | Path = "README.md", results_dir: str | Path = "results") -> bool:
    """Rewrite the blocks between the headline, results and runs markers; returns True when the README changed."""
    readme = Path(readme)
    text = readme.read_text()
    new = _replace(text, BEGIN, END, render_results_table(results_dir))
    if HEAD_BEGIN in new:
        new = _replace(new, HEAD_BEGIN, HEAD_END, render_headline(results_dir))
    if RUNS_BEGIN in new:
        new = _replace(new, RUNS_BEGIN, RUNS_END, render_runs_table(results_dir))
    if new != text:
        readme.write_text(new)
    return new != text

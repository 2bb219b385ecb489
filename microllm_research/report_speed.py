"""Notebook 04's speed tables: what speculative decoding and a trimmed vocabulary do to latency, read from the
results of `microllm bench` (timings) and `microllm quantize` (the trimmed GGUFs' vocabularies)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from microllm_research.report_models import load_bench


def trim_table(results_dir: str | Path = "results", runs: tuple[str, ...] = ("gemma-lora-v3-2ep",)) -> pd.DataFrame:
    """One row per trimmed GGUF: vocabulary and size before and after, and how many of the check split's inputs
    (the synthetic val split) now tokenize differently."""
    rows = []
    for run in runs:
        path = Path(results_dir) / "quantize" / run / "metrics.json"
        for r in json.loads(path.read_text())["formats"] if path.exists() else []:
            if "trim" in r:
                t = r["trim"]
                rows.append({"run": run, "format": r["format"], "n_vocab": t["n_vocab_after"],
                             "n_vocab_before": t["n_vocab_before"], "size_mb": round(t["bytes_after"] / 2**20, 1),
                             "size_mb_before": round(t["bytes_before"] / 2**20, 1),
                             "train_texts_changed": t["corpus_changed"],
                             "val_inputs_changed": f"{t['check_changed']}/{t['check_rows']}"})  # fmt: skip
    return pd.DataFrame(rows)


def speed_table(results_dir: str | Path = "results", run: str = "speed") -> pd.DataFrame:
    """The benchmark's arms with what each one changes: vocabulary (full or trimmed), decoding (one pass per token,
    n-gram drafts, or grammar-forced tokens batched into the sampled token's pass; a baseline: no model), p50/p95,
    generated tokens per second, answer tokens per forward pass, size, p50 ratio."""
    bench = load_bench(results_dir, run)
    if bench.empty:
        return bench
    ratio = next(c for c in bench.columns if c.startswith("p50_vs_"))
    reference = ratio.removeprefix("p50_vs_")
    rows = []
    for _, b in bench.iterrows():
        arm = str(b["arm"])
        if b.get("kind") == "baseline":  # a baseline (rules) has no model, vocabulary or forward passes
            rows.append({"model": arm, "vocabulary": None, "decoding": "no model", "p50_ms": _round(b["p50_ms"], 1),
                         "p95_ms": _round(b["p95_ms"], 1), "gen_tok_s": None, "tokens_per_pass": None,
                         "size_mb": _round(b.get("size_mb"), 1),
                         f"speedup_vs_{reference.split(':')[0]}": _round(1 / b[ratio], 2)})  # fmt: skip
            continue
        drafted = arm.endswith(":ngram")
        model = arm.removesuffix(":ngram").removesuffix(":grounded").rpartition(":")[0]
        rows.append({"model": Path(model).stem if model.endswith(".gguf") else model,
                     "vocabulary": "trimmed" if "-V" in Path(model).stem else "full",
                     "decoding": _decoding(b, drafted),
                     "p50_ms": round(b["p50_ms"], 1), "p95_ms": round(b["p95_ms"], 1),
                     "gen_tok_s": _round(b["gen_tok_s"], 1),
                     "tokens_per_pass": round(_or_one(b.get("tokens_per_pass")), 2), "size_mb": round(b["size_mb"], 1),
                     f"speedup_vs_{reference.split(':')[0]}": round(1 / b[ratio], 2)})  # fmt: skip
    return pd.DataFrame(rows)


def _decoding(row: pd.Series, drafted: bool) -> str:
    if drafted:
        return "n-gram drafts"
    forced = row.get("forced_per_answer")  # reported by the decoding engine: grammar-forced tokens share a pass
    batched = forced is not None and not pd.isna(forced) and forced > 0
    return "forced tokens batched" if batched else "one pass per token"


def _round(value, digits: int) -> float | None:
    return None if value is None or pd.isna(value) else round(float(value), digits)  # not measured: empty


def _or_one(value) -> float:
    return 1.0 if value is None or pd.isna(value) else float(value)  # benchmarks before drafting: one per pass


def answer_changes(results_dir: str | Path, slug: str, ab_run: str, arm: str = "micro", data: str = "dev") -> dict:
    """How many answers an A/B arm (speculative decoding) gave differently from the compare run of the same GGUF
    (one pass per token), and how many of those each run had exact: batched passes round differently, so a
    near-tied token can flip."""
    from microllm.score import row_results

    base = Path(results_dir)
    plain = {r["id"]: r for r in map(json.loads, (base / "eval" / slug / data / "predictions.jsonl").open())}
    ab = [r for r in map(json.loads, (base / "ab" / ab_run / "predictions.jsonl").open())
          if r["arm"] == arm and r["data"] == data]  # fmt: skip
    changed = [r for r in ab if r["output"] != plain[r["id"]]["output"]]
    exact_plain = 0
    if changed:  # row_results of no rows has no columns
        exact_plain = int(
            row_results([r["gold"] for r in changed], [plain[r["id"]]["output"] for r in changed])["exact"].sum()
        )
    return {"rows": len(ab), "changed": len(changed), "exact_in_ab": sum(r["exact"] for r in changed),
            "exact_one_pass": exact_plain}  # fmt: skip

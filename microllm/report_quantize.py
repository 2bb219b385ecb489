"""Notebook 04's quantization table: format x size x memory x latency x accuracy, joined from the results files of
`microllm quantize` (sizes), `microllm compare` (accuracy, validity) and `microllm bench` (latency, memory)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from microllm.report_models import load_bench, load_comparison


def _name_format(model: str, run: str) -> str | None:
    stem = Path(model).stem
    return stem[len(run) + 1 :] if stem.startswith(f"{run}-") else None


def quant_table(results_dir: str | Path = "results", run: str = "gemma-lora", bench_run: str = "quantized"):
    """One row per GGUF format of ``run``: size on disk, exact match and valid-JSON rate (dev, test), p50/p95
    latency and added RSS from the side-by-side benchmark (constrained decoding). Missing measurements stay empty."""
    results_dir = Path(results_dir)
    path = results_dir / "quantize" / run / "metrics.json"
    if not path.exists():
        return pd.DataFrame()
    formats = json.loads(path.read_text())["formats"]
    rows = {r["format"]: {"format": r["format"], "size_mb": round(r["size_bytes"] / 2**20, 1)} for r in formats}
    by_model = {r["model"]: r["format"] for r in formats if r.get("model")}  # base+adapter pairs have no -<format>

    def _format_of(model: str, run: str) -> str | None:
        return by_model.get(model) or _name_format(model, run)

    table = load_comparison(results_dir, current_only=True)
    if not table.empty:
        for _, r in table[(table["prompt"] == "trained") & table["constrained"] & ~table["grounded"]].iterrows():
            fmt = _format_of(str(r["model"]), run)
            if fmt in rows:
                rows[fmt][f"em_{r['dataset']}"] = r["exact_match"]
                rows[fmt][f"n_{r['dataset']}"] = r["n"]
                rows[fmt][f"valid_{r['dataset']}"] = r["valid_json_rate"]
    bench = load_bench(results_dir, bench_run)
    for _, b in bench.iterrows():
        model, _, mode = str(b["arm"]).rpartition(":")
        fmt = _format_of(model, run)
        if fmt in rows and mode == "constrained":
            rows[fmt].update(p50_ms=round(b["p50_ms"], 1), p95_ms=round(b["p95_ms"], 1),
                             rss_added_mb=round(b["rss_added_mb"], 1))  # fmt: skip
    return pd.DataFrame(list(rows.values()))


def quant_tables(results_dir: str | Path = "results", runs: tuple[str, ...] = ("gemma-lora",),
                 bench_run: str = "quantized") -> pd.DataFrame:  # fmt: skip
    """:func:`quant_table` of several fine-tuned models stacked, with a ``run`` column first (one benchmark run
    times them all side by side, so their latencies compare)."""
    parts = [quant_table(results_dir, run, bench_run).assign(run=run) for run in runs]
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame()
    table = pd.concat(parts, ignore_index=True)
    return table[["run"] + [c for c in table.columns if c != "run"]]


def plot_tradeoffs(table: pd.DataFrame, dataset: str = "dev") -> Figure:
    """Two panels: exact match against size on disk, and against p50 latency, one point per format (one colour per
    run when ``table`` has a ``run`` column)."""
    fig = Figure(figsize=(10, 3.8))
    axes = fig.subplots(1, 2)
    col = f"em_{dataset}"
    groups = list(table.groupby("run", sort=False)) if "run" in table else [(None, table)]
    for ax, x, label in ((axes[0], "size_mb", "size on disk (MiB)"), (axes[1], "p50_ms", "p50 latency (ms)")):
        for run, part in groups:
            t = part.dropna(subset=[x, col]) if x in part and col in part else pd.DataFrame()
            ax.scatter(t.get(x, []), t.get(col, []), label=run)
            for _, r in t.iterrows():
                ax.annotate(r["format"], (r[x], r[col]), textcoords="offset points", xytext=(4, 4), fontsize=8)
        ax.set_xlabel(label)
        ax.set_ylabel(f"exact match ({dataset})")
        if len(groups) > 1:
            ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def quant_targets(table: pd.DataFrame, dataset: str = "dev", fmt: str = "Q4_K_M", reference: str = "F16",
                  max_drop_points: float = 1.0, max_mb: float = 300.0) -> pd.DataFrame:  # fmt: skip
    """The quantization targets for ``fmt``, checked on :func:`quant_table`: exact match within ``max_drop_points``
    of ``reference`` and under ``max_mb`` MB (10^6 bytes) on disk; ``met`` is None where a number is missing."""
    t = table.set_index("format") if "format" in table else pd.DataFrame()
    col = f"em_{dataset}"

    def get(row: str, column: str):
        value = t[column].get(row) if column in t else None
        return None if value is None or pd.isna(value) else float(value)

    em, ref, mib = get(fmt, col), get(reference, col), get(fmt, "size_mb")
    drop = None if em is None or ref is None else round(100 * (ref - em), 2)
    mb = None if mib is None else round(mib * 2**20 / 1e6, 1)
    return pd.DataFrame([
        {"target": f"{fmt} exact match ({dataset}) within {max_drop_points:g} point of {reference}",
         "value": drop, "unit": "points below", "met": None if drop is None else drop <= max_drop_points},
        {"target": f"{fmt} under {max_mb:g} MB on disk", "value": mb, "unit": "MB",
         "met": None if mb is None else mb < max_mb},
    ])  # fmt: skip


def nf4_table(results_dir: str | Path = "results", run: str = "gemma-lora") -> pd.DataFrame:
    """The bitsandbytes NF4 copy of ``run`` (the ``nf4`` entry of results/quantize/<run>/metrics.json): in-memory
    footprint, weights on disk, 4-bit layers; empty when it was not made (``include_nf4: false``)."""
    path = Path(results_dir) / "quantize" / run / "metrics.json"
    nf4 = json.loads(path.read_text()).get("nf4") if path.exists() else None
    return pd.DataFrame([{"format": "NF4 (bitsandbytes)", **nf4}] if nf4 else [])


def choose_format(table: pd.DataFrame, dataset: str = "dev", reference: str = "F16", max_drop_points: float = 1.0,
                  max_mb: float = 300.0, fallback: str = "Q8_0") -> dict:  # fmt: skip
    """The smallest format whose exact match is within ``max_drop_points`` of ``reference`` and that is under
    ``max_mb`` MB; ``fallback`` (with the reason) when no format has been scored or none qualifies."""
    col = f"em_{dataset}"
    if table.empty or col not in table or reference not in set(table["format"]):
        return {"format": fallback, "reason": f"no {dataset} scores yet: {fallback} by default"}
    ref = table.set_index("format")[col].get(reference)
    ok = table[(table[col] >= ref - max_drop_points / 100) & (table["size_mb"] * 2**20 / 1e6 < max_mb)]
    ok = ok[ok["format"] != reference].sort_values("size_mb")
    if ok.empty:
        return {"format": fallback, "reason": f"no format within {max_drop_points:g} point of {reference} under "
                                               f"{max_mb:g} MB: {fallback} by default"}  # fmt: skip
    row = ok.iloc[0]
    return {"format": row["format"], "reason": f"smallest format within {max_drop_points:g} point of {reference} "
                                               f"({dataset} exact match) under {max_mb:g} MB"}  # fmt: skip


def format_model(metrics: dict, fmt: str) -> str:
    """The model spec of one format of a quantize run (a GGUF path, or ``BASE+ADAPTER.gguf`` for ``<q>+LoRA``)."""
    for row in metrics.get("formats", []):
        if row["format"].upper() == fmt.upper():
            return row.get("model") or row["path"]
    raise KeyError(f"format {fmt} is not in this quantize run: {[r['format'] for r in metrics.get('formats', [])]}")

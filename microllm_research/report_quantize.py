"""Notebook 04's quantization table: format x size x memory x latency x accuracy, joined from the results files of
`microllm quantize` (sizes), `microllm compare` (accuracy, validity) and `microllm bench` (latency, memory)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from microllm.config import load_config
from microllm.quantize import QuantizeConfig, quantize_or_load
from microllm_research.report_models import load_bench, load_comparison

SHIPPED_QUANTIZE = "recipes/qwen-coder-0.5b-lora/quantize.yaml"  # the shipped recipe's formats (`make quantize`)
RESEARCH_QUANTIZE = "research/qwen-lora/quantize.yaml"  # the research run of the same recipe, committed record


def _name_format(model: str, run: str) -> str | None:
    stem = Path(model).stem
    return stem[len(run) + 1 :] if stem.startswith(f"{run}-") else None


def quant_table(results_dir: str | Path = "results", run: str = "gemma-lora", bench_run: str | None = "quantized",
                grounded: bool = False) -> pd.DataFrame:  # fmt: skip
    """One row per GGUF format of ``run``: size on disk, exact match and valid-JSON rate (dev, test), p50/p95
    latency and added RSS from the side-by-side benchmark (constrained decoding; ``grounded`` picks grounded or plain
    compare arms). ``bench_run=None`` takes each format's latest timing from any benchmark run. Missing measurements
    stay empty."""
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
        keep = (table["prompt"] == "trained") & table["constrained"] & (table["grounded"] == grounded)
        for _, r in table[keep].iterrows():
            fmt = _format_of(str(r["model"]), run)
            if fmt in rows:
                rows[fmt][f"em_{r['dataset']}"] = r["exact_match"]
                rows[fmt][f"n_{r['dataset']}"] = r["n"]
                rows[fmt][f"valid_{r['dataset']}"] = r["valid_json_rate"]
    runs = [bench_run] if bench_run else sorted(p.parent.name for p in results_dir.glob("bench/*/bench.json"))
    bench = pd.concat([load_bench(results_dir, b) for b in runs] or [pd.DataFrame()], ignore_index=True)
    for _, b in bench.iterrows():
        arm = str(b["arm"])
        grounded_arm = arm.endswith(":grounded")
        model, _, mode = arm.removesuffix(":grounded").rpartition(":")
        fmt = _format_of(model, run)
        # A grounded timing where there is one (as served), else the constrained one.
        if fmt in rows and mode == "constrained" and (grounded_arm or "p50_ms" not in rows[fmt]):
            rows[fmt].update(p50_ms=round(b["p50_ms"], 1), p95_ms=round(b["p95_ms"], 1),
                             rss_added_mb=round(b["rss_added_mb"], 1))  # fmt: skip
    return pd.DataFrame(list(rows.values()))


def quant_tables(results_dir: str | Path = "results", runs: tuple[str, ...] = ("gemma-lora",),
                 bench_run: str | None = "quantized") -> pd.DataFrame:  # fmt: skip
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


def _source_on_disk(cfg: QuantizeConfig) -> bool:
    """Whether the fine-tuned model ``cfg`` quantizes (a transformers directory) is on this machine."""
    from microllm.models import resolve_model

    try:
        return resolve_model(cfg.model).kind == "hf"
    except Exception:  # noqa: BLE001 - ModelUnavailable, or a name no catalog knows: not here either way
        return False


def quantize_or_record(configs: tuple[str, ...] = (SHIPPED_QUANTIZE, RESEARCH_QUANTIZE),
                       overrides: list[str] | None = None) -> tuple[QuantizeConfig, str, dict]:  # fmt: skip
    """The quantization to show: the first config's run when its fine-tuned model is on disk (reused when current,
    else quantized again), else the first config with a record (results/quantize/<run>/metrics.json), shown as
    recorded: nothing is converted without the model. Returns that config, its file and its metrics."""
    for i, path in enumerate(configs):
        cfg = load_config(QuantizeConfig, path, overrides)
        if i == 0 and _source_on_disk(cfg):
            return cfg, path, quantize_or_load(cfg)
        record = Path(cfg.results_dir) / "metrics.json"
        if record.is_file():
            return cfg, path, json.loads(record.read_text())
    raise FileNotFoundError(f"no fine-tuned model and no quantize record for {list(configs)}: run `make quantize`")


def formats_table(metrics: dict) -> pd.DataFrame:
    """The files of one quantize run: format, size on disk (MiB), size relative to the unquantized GGUF, vocabulary
    (tokens kept of the original, for a trimmed copy) and the seconds it took."""
    rows = []
    for r in metrics.get("formats", []):
        trim = r.get("trim") or {}
        ratio = next((v for k, v in r.items() if k.startswith("ratio_to_")), None)
        vocab = f"{trim['n_vocab_after']:,} of {trim['n_vocab_before']:,}" if trim else "full"
        rows.append({"run": metrics.get("run"), "format": r["format"], "size_mb": round(r["size_bytes"] / 2**20, 1),
                     "vs_f16": ratio, "vocabulary": vocab, "seconds": r.get("seconds")})  # fmt: skip
    return pd.DataFrame(rows)


COMPACT = ["run", "format", "size_mb", "em_dev", "em_test", "valid_dev", "p50_ms", "rss_added_mb"]


def compact(table: pd.DataFrame, columns: list[str] = COMPACT) -> pd.DataFrame:
    """The columns of :func:`quant_table` that fit a page, exact match rounded to 3 places."""
    t = table[[c for c in columns if c in table]].copy()
    return t.round({c: 3 for c in t if c.startswith(("em_", "valid_"))})


def format_sweep(results_dir: str | Path = "results", runs: dict[str, bool] | None = None,
                 dataset: str = "dev") -> pd.DataFrame:  # fmt: skip
    """Every scored format of each run (``{run: grounded decoding?}``): size on disk and ``dataset`` exact match
    with its 95% CI (constrained decoding, prompted as trained); formats never scored are left out."""
    runs = runs or {"gemma-lora": False}
    table = load_comparison(results_dir, current_only=True)
    rows = []
    for run, grounded in runs.items():
        path = Path(results_dir) / "quantize" / run / "metrics.json"
        if not path.is_file() or table.empty:
            continue
        formats = json.loads(path.read_text())["formats"]
        by_model = {r.get("model") or r["path"]: r for r in formats}
        keep = (table["prompt"] == "trained") & table["constrained"] & (table["grounded"] == grounded)
        scored = table[keep & (table["dataset"] == dataset)].set_index("model")
        for model, r in by_model.items():
            if model in scored.index:
                c = scored.loc[model]
                rows.append({"run": run, "decoding": "grounded" if grounded else "constrained",
                             "format": r["format"], "size_mb": round(r["size_bytes"] / 2**20, 1), "n": int(c["n"]),
                             "exact_match": c["exact_match"], "ci_low": c["em_ci95_low"],
                             "ci_high": c["em_ci95_high"]})  # fmt: skip
    return pd.DataFrame(rows)


def plot_format_sweep(sweep: pd.DataFrame, dataset: str = "dev", reference: str = "F16") -> Figure:
    """One panel per run: a bar per format (smallest file at the bottom, its size in the label), exact match with
    the 95% CI, the ``reference`` format's score as a dashed line."""
    runs = list(dict.fromkeys(sweep["run"])) if not sweep.empty else []
    fig = Figure(figsize=(4.2 * max(len(runs), 1), 3.4))
    axes = fig.subplots(1, max(len(runs), 1), squeeze=False)[0]
    for ax, run in zip(axes, runs, strict=False):
        t = sweep[sweep["run"] == run].sort_values("size_mb")
        labels = [f"{f}\n{mb:.0f} MiB" for f, mb in zip(t["format"], t["size_mb"], strict=True)]
        err = [t["exact_match"] - t["ci_low"], t["ci_high"] - t["exact_match"]]
        colors = ["tab:green" if "LoRA" in f else "tab:blue" for f in t["format"]]
        bars = ax.barh(labels, t["exact_match"], xerr=err, capsize=3, color=colors)
        ax.bar_label(bars, labels=[f"{v:.2f}" for v in t["exact_match"]], label_type="center", color="white",
                     fontsize=8)  # fmt: skip
        ref = t.loc[t["format"] == reference, "exact_match"]
        if not ref.empty:
            ax.axvline(ref.iloc[0], ls="--", color="grey", lw=1)
        ax.set(xlim=(0, 1), xlabel=f"exact match ({dataset}, 95% CI)", title=f"{run} ({t['decoding'].iloc[0]})")
        ax.tick_params(axis="y", labelsize=8)
        ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def export_if_present(spec: str, out_dir: str | Path | None = None, results_dir: str | Path = "results") -> dict:
    """:func:`microllm.quantize.export_model` of ``spec`` when its files are on disk, else ``{"skipped": reason}``
    (a checkout without the quantized model renders the records only)."""
    from microllm.models.resolve import split_spec
    from microllm.quantize import export_model

    base, adapter = split_spec(spec)
    missing = [p for p in (adapter, base if base.endswith(".gguf") else None) if p and not Path(p).is_file()]
    if missing:
        return {"skipped": f"{Path(missing[0]).name} is not on disk: `make quantize` builds it, then "
                           f"`microllm export` writes its Modelfile and model card"}  # fmt: skip
    return export_model(spec, out_dir, results_dir=results_dir)


def export_preview(exported: dict, card_lines: int = 30) -> str:
    """Markdown of an export: the Modelfile (paths under the working directory made relative), the start of the
    model card and the `ollama create` command; or why nothing was exported."""
    from microllm.quantize.export import ollama_create_command

    if "skipped" in exported:
        return f"Nothing exported: {exported['skipped']}."
    here = str(Path.cwd().resolve()) + "/"
    modelfile = Path(exported["modelfile"]).read_text().replace(here, "")
    card = "\n".join(Path(exported["model_card"]).read_text().replace(here, "").splitlines()[:card_lines])
    command = ollama_create_command(exported["modelfile"]).replace(here, "")
    return (
        f"**Modelfile**\n\n```\n{modelfile}```\n\n**Register it with Ollama**: `{command}`\n\n"
        f"**MODEL_CARD.md** (first {card_lines} lines)\n\n{card}"
    )


def four_bit_table(results_dir: str | Path = "results", run: str = "four-bit") -> pd.DataFrame:
    """The 4-bit study (research/four-bit): per file its exact match on synthetic val and val-real, size, and the
    benchmark's p50, CPU-seconds and forward passes per answer where the study timed it (empty where not)."""
    results_dir = Path(results_dir)
    path = results_dir / "compare" / run / "summary.json"
    if not path.exists():
        return pd.DataFrame()
    rows: dict[str, dict] = {}
    for r in json.loads(path.read_text()):
        name = Path(r["model"]).stem.removeprefix("qwen-coder-0.5b-lora-")
        row = rows.setdefault(r["model"], {"file": name, "size_mb": r.get("size_mb")})
        row[f"em_{r['dataset']}"] = r["exact_match"]
        row[f"n_{r['dataset']}"] = r["n"]
    bench = load_bench(results_dir, run)
    for _, b in bench.iterrows():
        model = str(b["arm"]).removesuffix(":grounded").rpartition(":")[0]
        if model in rows:
            rows[model].update(p50_ms=round(b["p50_ms"]), cpu_s=b.get("cpu_s_median"),
                               passes=b.get("passes_per_answer"))  # fmt: skip
    return pd.DataFrame(list(rows.values()))

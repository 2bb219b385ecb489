"""Latency, CPU, memory and cost benchmark: arms side by side in one process, interleaved, medians over repeats.

Every arm (a model under a decoding setting, or a baseline such as ``rules``) answers the same requests, one request
at a time in turn, so that drift on the machine hits all arms alike. Per arm the record holds wall-clock latency,
CPU-seconds per request (llama.cpp's threads run inside this process, so process time covers them), the RSS its
loading added and the process RSS high-water while its calls ran, its size on disk, what its predictor reports about
decoding (forward passes, sampled and forced tokens, milliseconds per stage) and the cost of a million requests at
an assumed CPU price.

Not a test: tests check correctness, this measures speed (`microllm bench --config research/base-models/bench.yaml`).
"""

from __future__ import annotations

import json
import math
import statistics
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import psutil

from microllm.config import save_config
from microllm.evaluate import read_gold
from microllm.progress import bar
from microllm.provenance import provenance

STAGES = ("prompt", "forced", "sampled", "mask", "grammar", "draft", "rules")  # the decoding engine's ``stage_ms`` keys
RSS_SAMPLE_S = 0.01  # often enough to catch a call's transient buffers, rare enough to cost next to nothing


@dataclass
class BenchConfig:
    """Which arms to time, on which queries, how often, and the CPU price that turns CPU-seconds into cost."""

    models: list[str] = field(default_factory=lambda: ["gemma-3-270m", "qwen2.5-coder-1.5b"])
    backend: str = "llamacpp"
    prompt: str = "few-shot"
    constrained: list[bool] = field(default_factory=lambda: [True, False])
    # Copied values only from the request (grounding in the grammar, microllm.decode) and the default intent rules.
    ground: list[bool] = field(default_factory=lambda: [False])
    # Drafters of the model arms (microllm.decode.drafts): "rules" (the default, unnamed) or "none" (":no-draft").
    draft: list[str] = field(default_factory=lambda: ["rules"])
    baselines: list[str] = field(default_factory=list)  # registered predictors timed as arms too, e.g. ["rules"]
    queries_file: str = "data/synthetic/test.jsonl"
    n_queries: int = 20
    warmup: int = 2
    repeats: int = 3
    n_threads: int = 2
    reference: str = ""  # arm the ratios are relative to; default: the first
    # An ASSUMED price, not a measurement: roughly an on-demand cloud vCPU-hour; edit it to your own. The cost column
    # is median CPU-s per request * 1e6 / 3600 * this.
    usd_per_cpu_hour: float = 0.04
    results_dir: str = "results"
    run: str = "llamacpp"

    def __post_init__(self):
        from microllm.decode.drafts import DRAFTERS

        if bad := [d for d in self.draft if d not in DRAFTERS]:
            raise ValueError(f"draft: {bad} not among {', '.join(DRAFTERS)}")


def _arm_name(model: str, constrained: bool, ground: bool = False, draft: str = "rules") -> str:
    name = f"{model}:{'constrained' if constrained else 'free'}" + (":grounded" if ground else "")
    return name + (":no-draft" if draft == "none" else "")


def _load_arms(cfg: BenchConfig, warm: list[str]) -> dict:
    """Load and warm each arm in turn; its memory is the RSS it added (weights touched, KV cache filled)."""
    from microllm.predictors import get_predictor

    arms, proc = {}, psutil.Process()

    def add(name: str, kind: str, predictor: str, **kwargs) -> None:
        before = proc.memory_info().rss
        pred = get_predictor(predictor, **kwargs)
        for q in warm:  # fills the KV cache with the shared prefix, as in serving
            pred.predict(q)
        arms[name] = {"predictor": pred, "kind": kind, "rss_mb": (proc.memory_info().rss - before) / 2**20}

    for model in cfg.models:
        for constrained in cfg.constrained:
            for ground in cfg.ground if constrained else [False]:
                for draft in cfg.draft:
                    extra = {"ground": True} if ground else {}  # ungrounded arms keep their signature
                    extra |= {"draft": draft} if draft != "rules" else {}
                    add(_arm_name(model, constrained, ground, draft), "model", cfg.backend, model=model,
                        prompt=cfg.prompt, constrained=constrained, n_threads=cfg.n_threads, **extra)  # fmt: skip
    for name in cfg.baselines:  # baselines take no model settings
        add(name, "baseline", name)
    return arms


class PeakRss:
    """The process RSS high-water over a window (:meth:`begin` to :meth:`end`), sampled by a background thread:
    buffers that grow and shrink inside one call are missed by the RSS before and after it."""

    def __init__(self, interval_s: float = RSS_SAMPLE_S):
        self._proc = psutil.Process()
        self._interval = interval_s
        self._lock = threading.Lock()
        self._peak = 0
        self._window = 0  # a sample taken in an earlier window must not raise this one's peak
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-peak-rss", daemon=True)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        window = self._window
        rss = self._proc.memory_info().rss
        with self._lock:
            if window == self._window:
                self._peak = max(self._peak, rss)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self._sample()

    def begin(self) -> int:
        """Open a window; the RSS now, in bytes."""
        rss = self._proc.memory_info().rss
        with self._lock:
            self._window += 1
            self._peak = rss
        return rss

    def end(self) -> int:
        """Close the window; the highest RSS seen in it, in bytes."""
        self._sample()
        with self._lock:
            return self._peak


def usage_measures(usage: dict) -> tuple[dict, str]:
    """What one call's ``last_usage`` says: forward passes, sampled, forced and answer tokens, and ``stage_<name>``
    milliseconds; plus where they came from: ``engine`` (the decoding engine's own keys), ``derived`` (older keys
    only) or ``none``.

    A key the predictor did not report stays absent, never 0. Without ``stage_ms`` (older backends) the prompt
    stage is the time to the first answer token (``prompt_eval_s``) and the sampled stage the rest of decoding
    (``decode_s``, grammar masks included); with ``stage_ms``, a stage it lacks stays absent."""
    out: dict[str, float] = {}
    if not usage:
        return out, "none"
    engine = any(k in usage for k in ("forward_passes", "sampled_tokens", "forced_tokens", "stage_ms"))
    if usage.get("forward_passes") is not None:
        out["passes"] = usage["forward_passes"]
    elif usage.get("speculative"):  # speculative decoding counts its passes, the prompt's included
        out["passes"] = usage["speculative"]["passes"]
    for key, name in (("sampled_tokens", "sampled"), ("forced_tokens", "forced"), ("accepted_tokens", "accepted")):
        if usage.get(key) is not None:
            out[name] = usage[key]
    if usage.get("completion_tokens") is not None:
        out["answer"] = usage["completion_tokens"]
    elif "sampled" in out and "forced" in out:
        out["answer"] = out["sampled"] + out["forced"]
    stage_ms = usage.get("stage_ms")
    if isinstance(stage_ms, dict):
        out.update({f"stage_{s}": float(stage_ms[s]) for s in STAGES if stage_ms.get(s) is not None})
    else:
        if usage.get("prompt_eval_s") is not None:
            out["stage_prompt"] = 1000 * usage["prompt_eval_s"]
        if usage.get("decode_s") is not None:
            out["stage_sampled"] = 1000 * usage["decode_s"]
    return out, "engine" if engine else "derived"


def _fresh_usage(pred) -> None:
    # A call that fails inside the backend leaves the previous call's usage behind; it must not be counted twice.
    if hasattr(pred, "last_usage"):
        try:
            pred.last_usage = {}
        except AttributeError:  # a read-only property: the predictor manages it itself
            pass


def _timed_pass(arms: dict, timed: list[str], samples: dict, shown, rss: PeakRss) -> dict:
    """One pass over the timed queries, arms interleaved per query; each arm's p50, p95 and queries/s. Per call,
    CPU-seconds, the RSS high-water and the predictor's usage go into ``samples``."""
    lat = {name: [] for name in arms}
    for q in timed:
        for name, arm in arms.items():
            pred, s = arm["predictor"], samples[name]
            _fresh_usage(pred)
            start_rss = rss.begin()
            t0, c0 = time.perf_counter(), time.process_time()
            pred.predict(q)
            c1, t1 = time.process_time(), time.perf_counter()
            peak = rss.end()
            lat[name].append(t1 - t0)
            s["cpu_s"].append(c1 - c0)
            s["peak_rss"].append(peak)
            s["growth"].append(max(0, peak - start_rss))
            shown.update(1)
            usage = getattr(pred, "last_usage", None) or {}
            if usage.get("prompt_eval_s") and "prompt_tokens" in usage and "reused_prefix" in usage:
                new = usage["prompt_tokens"] - usage["reused_prefix"]
                s["prompt_tps"].append(new / usage["prompt_eval_s"])
            if usage.get("decode_s") and usage.get("completion_tokens") is not None:
                s["gen_tps"].append(usage["completion_tokens"] / usage["decode_s"])
            measures, source = usage_measures(usage)
            s["sources"].add(source)
            for key, value in measures.items():
                s[key].append(value)
            if measures.get("passes") and "answer" in measures:  # answer tokens per forward pass
                s["tok_per_pass"].append(measures["answer"] / measures["passes"])
    return {name: {"p50": np.percentile(lat[name], 50), "p95": np.percentile(lat[name], 95),
                   "qps": len(lat[name]) / sum(lat[name])} for name in arms}  # fmt: skip


def _median(values: list) -> float:
    return statistics.median(values) if values else float("nan")


def _mean(values: list) -> float:
    return statistics.mean(values) if values else float("nan")


def _row(name: str, arm: dict, reps: list[dict], s: dict, cfg: BenchConfig) -> dict:
    """One arm's record row: today's fields first, then CPU, memory, decoding counts, stages and cost."""
    resolved = getattr(arm["predictor"], "resolved", None)  # baselines have no model file
    size = resolved.size_bytes / 2**20 if resolved is not None else float("nan")
    # Without a pass count, a model arm decodes one pass per token (llama.cpp's own loop); a baseline has no passes.
    per_pass = s["tok_per_pass"] or ([1.0] if arm["kind"] == "model" else [])
    growth_mb = max(s["growth"], default=0) / 2**20
    cpu_median = _median(s["cpu_s"])
    row = {"arm": name, "p50_ms": 1000 * statistics.median(r["p50"] for r in reps),
           "p95_ms": 1000 * statistics.median(r["p95"] for r in reps),
           "queries_per_s": statistics.median(r["qps"] for r in reps),
           "prompt_tok_s": _median(s["prompt_tps"]), "gen_tok_s": _median(s["gen_tps"]),
           "tokens_per_pass": _mean(per_pass), "rss_added_mb": arm["rss_mb"], "size_mb": size,
           "kind": arm["kind"], "cpu_s_median": cpu_median, "cpu_s_mean": _mean(s["cpu_s"]),
           "peak_rss_mb": max(s["peak_rss"], default=0) / 2**20, "call_growth_mb": growth_mb,
           "peak_ram_mb": arm["rss_mb"] + growth_mb,
           "passes_per_answer": _mean(s["passes"]), "answer_tokens": _mean(s["answer"]),
           "sampled_per_answer": _mean(s["sampled"]), "forced_per_answer": _mean(s["forced"]),
           "draft_taken_per_answer": _mean(s["accepted"])}  # fmt: skip
    row.update({f"stage_{st}_ms": _median(s[f"stage_{st}"]) for st in STAGES})
    row["usage_source"] = "+".join(sorted(s["sources"]))
    row["usd_per_1m_requests"] = cpu_median * 1e6 / 3600 * cfg.usd_per_cpu_hour
    return row


def _samples() -> dict:
    keys = ["prompt_tps", "gen_tps", "tok_per_pass", "cpu_s", "peak_rss", "growth", "passes", "answer", "sampled",
            "forced", "accepted", *(f"stage_{s}" for s in STAGES)]  # fmt: skip
    return {k: [] for k in keys} | {"sources": set()}


def _json_safe(value):
    return None if isinstance(value, float) and math.isnan(value) else value


def run_benchmark(cfg: BenchConfig, command: str | None = None) -> pd.DataFrame:
    """Time every arm on the same queries, interleaved per query so that drift hits all arms alike; write
    results/bench/<run>/bench.json (every field) and bench.md (:func:`render_markdown`)."""
    queries = [r["input"] for r in read_gold(cfg.queries_file, cfg.n_queries + cfg.warmup)]
    warm, timed = queries[: cfg.warmup], queries[cfg.warmup :]
    arms = _load_arms(cfg, warm)
    ref = cfg.reference or next(iter(arms))
    if ref not in arms:
        raise ValueError(f"reference {ref!r} is not an arm; arms: {list(arms)}")
    samples = {name: _samples() for name in arms}
    per_repeat = {name: [] for name in arms}
    with bar(cfg.repeats * len(timed) * len(arms), desc=f"bench {cfg.run}", unit="query") as shown, PeakRss() as rss:
        for _ in range(cfg.repeats):
            for name, stats in _timed_pass(arms, timed, samples, shown, rss).items():
                per_repeat[name].append(stats)
    table = pd.DataFrame([_row(name, arm, per_repeat[name], samples[name], cfg) for name, arm in arms.items()])
    ref_row = table.loc[table["arm"] == ref].iloc[0]
    table[f"p50_vs_{ref}"] = table["p50_ms"] / ref_row["p50_ms"]
    table["x_faster"] = ref_row["p50_ms"] / table["p50_ms"]
    table["size_vs_reference"] = table["size_mb"] / ref_row["size_mb"]
    out = Path(cfg.results_dir) / "bench" / cfg.run
    out.mkdir(parents=True, exist_ok=True)
    save_config(cfg, out / "config.yaml")
    rows = [{k: _json_safe(v) for k, v in r.items()} for r in table.to_dict("records")]  # NaN is not JSON: null
    record = {"rows": rows, "n_timed_queries": len(timed), "repeats": cfg.repeats, "reference": ref,
              "usd_per_cpu_hour": cfg.usd_per_cpu_hour,
              "usd_per_cpu_hour_note": "an assumed price from the config, not a measurement",
              "rss_sample_ms": 1000 * RSS_SAMPLE_S,
              "provenance": provenance({"queries": cfg.queries_file}, command)}  # fmt: skip
    (out / "bench.json").write_text(json.dumps(record, indent=2) + "\n")
    (out / "bench.md").write_text(render_markdown(record, cfg.run))
    return table


def _cell(value, suffix: str = "") -> str:
    """A number with three significant digits (no exponent), or an empty cell where nothing was measured."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    value = float(value)
    if value == 0 or abs(value) >= 100:
        return f"{value:.0f}{suffix}"
    return f"{value:.{max(0, 2 - math.floor(math.log10(abs(value))))}f}{suffix}"


def _arm_label(arm: str) -> str:
    return arm.rsplit("/", 1)[-1]  # the GGUF's file name: bench.json keeps the path


def render_markdown(record: dict, run: str = "") -> str:
    """bench.md of a bench.json record: the machine and date, one table of the arms (latency, speedup, CPU, memory,
    size, decoding counts, cost), one of the decoding stages. Fields an older record lacks are empty cells."""
    rows = record.get("rows", [])
    prov = record.get("provenance", {})
    machine = prov.get("machine", {})
    ref = record.get("reference") or next((c.removeprefix("p50_vs_") for c in (rows[0] if rows else {})
                                           if c.startswith("p50_vs_")), "")  # fmt: skip
    price = record.get("usd_per_cpu_hour")
    isa = ", ".join(machine.get("cpu_isa", [])) or "no listed ISA flags"
    lines = [f"# bench {run}".rstrip(), "",
             f"CPU: {machine.get('cpu', '?')} ({isa}), {machine.get('cpu_count', '?')} cores; "
             f"{prov.get('date_utc', '?')}; {record.get('n_timed_queries')} queries x {record.get('repeats')} "
             f"repeats, arms interleaved per query; reference: `{ref}`.", "",
             "| arm | p50 ms | p95 ms | x faster | CPU-s/req | peak RAM MB | size MB | size vs ref | passes/answer "
             "| sampled tok | forced tok | drafted tok taken | USD per 1M req |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
    for r in rows:
        faster = r.get("x_faster")
        if faster is None and r.get(f"p50_vs_{ref}"):
            faster = 1 / r[f"p50_vs_{ref}"]
        peak = r.get("peak_ram_mb", r.get("rss_added_mb"))
        lines.append(f"| `{_arm_label(str(r.get('arm', '')))}` | {_cell(r.get('p50_ms'))} | {_cell(r.get('p95_ms'))} "
                     f"| {_cell(faster, 'x')} | {_cell(r.get('cpu_s_median'))} | {_cell(peak)} "
                     f"| {_cell(r.get('size_mb'))} | {_cell(r.get('size_vs_reference'), 'x')} "
                     f"| {_cell(r.get('passes_per_answer'))} | {_cell(r.get('sampled_per_answer'))} "
                     f"| {_cell(r.get('forced_per_answer'))} | {_cell(r.get('draft_taken_per_answer'))} "
                     f"| {_cell(r.get('usd_per_1m_requests'))} |")  # fmt: skip
    process_peak = max((r["peak_rss_mb"] for r in rows if r.get("peak_rss_mb")), default=None)
    lines += ["",
              "p50/p95: medians over the repeats; x faster: the reference's p50 / the arm's; CPU-s/req: median process "
              "CPU time per request (every thread of this process, llama.cpp's included); peak RAM: the RSS loading "
              "the arm added plus the most one of its calls grew the process"
              + (f" (the whole process, every arm loaded, peaked at {_cell(process_peak)} MB)" if process_peak else "")
              + "; passes and tokens: mean per answer; drafted tok taken: answer tokens whose logits came from the "
              "pass that checked a draft (microllm.decode.drafts), no pass of their own; empty: the arm's predictor "
              "did not report it.",
              "",
              f"USD per 1M requests: median CPU-s per request x 1e6 / 3600 x {price} USD per CPU-hour, an assumed "
              "price (`usd_per_cpu_hour` in the config), not a measurement." if price is not None
              else "USD per 1M requests: not in this record (no CPU time measured).",
              "", "## Stages (median ms per request)", "",
              "| arm | " + " | ".join(STAGES) + " | source |", "|---|" + "---:|" * len(STAGES) + "---|"]  # fmt: skip
    for r in rows:
        cells = " | ".join(_cell(r.get(f"stage_{s}_ms")) for s in STAGES)
        lines.append(f"| `{_arm_label(str(r.get('arm', '')))}` | {cells} | {r.get('usage_source', '')} |")
    lines += ["",
              "source `engine`: the decoding engine's own stage times (a stage it did not report is empty); `derived`: "
              "an older backend's timings, prompt = time to the first answer token, sampled = the rest of decoding "
              "(grammar masks included); `none`: the predictor reports nothing (the rules baseline).", ""]  # fmt: skip
    return "\n".join(lines)

"""The feedback loop, simulated end to end: a stream of requests the model has never seen is served, logged, reviewed
by a simulated human who knows the gold intent, turned into training rows, retrained on, gated and promoted, round
after round; accuracy is measured on requests that were never fed back.

``simulate_or_load(load_config(SimulateConfig, "research/feedback-loop/simulate.yaml"))`` (notebook 06). Where the
requests come from: the synthetic generator's **val** templates (whole templates held out of the train split, used in
fine-tuning only for a validation loss) with the val split's value pools (user names, hosts, IPs, passwords that
train never shows), drawn with another seed, and minus every text already in the synthetic train/val/test files.
No phrasing here is written by hand, so nothing can echo the human-written dev set.

The stream is cut once into disjoint parts: ``feed-<round>`` (served, reviewed, fed back), ``gate`` (decides
promotions, never fed back) and ``measure`` (only measured: never fed back, never used to decide anything). The
fixed synthetic test split (other held-out templates, other values) and, optionally, the dev set are measured too.
"""

from __future__ import annotations

import gc
import json
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from microllm.data.contract import check_readable, read_rows
from microllm.data.io import read_jsonl, write_jsonl
from microllm.quantize.cache import gguf_cache_name, gguf_for  # noqa: F401 - re-exported

STREAM_SPLITS = ("val",)  # generator splits whose templates and values the train split never contains
_REPO = Path(__file__).resolve().parents[2]


@dataclass
class SimulateConfig:
    """The whole loop (serve -> log -> review -> export -> retrain -> gate -> promote) on a stream
    of unseen requests, ``rounds`` times, measured on requests never fed back.
    See research/feedback-loop/simulate.yaml."""

    run: str = "sim"
    initial_model: str = "artifacts/finetune/gemma-lora/merged"  # v1: the fine-tuned model in service (HF directory)
    # "transformers": the registered HF directory itself; "llamacpp": each version converted to an F16 GGUF and
    # quantized to ``gguf_quant`` first (what the service runs), cached in artifacts_dir/<run>/gguf.
    predictor: str = "transformers"
    predictor_options: dict[str, Any] = field(default_factory=dict)
    gguf_quant: str = "Q4_K_M"
    gguf_vocab_from: str | None = None  # a GGUF (catalog key or path) whose tokenizer the converter copies (Gemma)
    base_config: str = "research/gemma-lora/sft.yaml"  # the FinetuneConfig each round's retrain starts from
    finetune: dict[str, Any] = field(default_factory=dict)  # its overrides (max_steps, learning_rate, ...)
    rounds: int = 2
    # The stream: val templates + val value pools, this seed (the dataset itself uses 13)
    seed: int = 101
    stream_split: str = "val"
    feed_per_round: int = 80  # requests served (and reviewed) per round
    gate_size: int = 50  # requests the promotion gate measures (never fed back)
    measure_size: int = 120  # requests only measured (never fed back, never used by the gate)
    exclude_files: list[str] = field(default_factory=lambda: [
        "data/synthetic/train.jsonl", "data/synthetic/val.jsonl", "data/synthetic/test.jsonl"])  # fmt: skip
    # Fixed evaluation
    test_file: str = "data/synthetic/test.jsonl"
    test_limit: int | None = 80  # a fixed hash-spread subset (microllm.evaluate.select_rows); None = all 646
    dev_file: str | None = None  # e.g. data/eval/dev.jsonl: also measured each round (never gated, never trained on)
    n_resamples: int = 200
    # Training data of a round: a replay subsample of the synthetic train split + every reviewed row so far
    train_file: str = "data/synthetic/train.jsonl"
    replay_examples: int | None = 400  # None = the whole train split
    feedback_repeat: int = 2
    min_new_rows: int = 1
    # The service and its users
    route_threshold: float = 0.5  # the router's confidence threshold: below it, or invalid/unknown -> general model
    review_threshold: float = 0.9  # the review queue's (microllm.feedback.review)
    thumbs_down_rate: float = 0.5  # share of wrong but confident answers a user flags (the rest go unnoticed)
    review_budget: int | None = None  # decisions the reviewer gets through per round; None = the whole queue
    drift_min_n: int = 20  # monitor.drift_warnings: smaller rounds are not compared
    # Gate (microllm.feedback.gate)
    gate_datasets: list[str] = field(default_factory=lambda: ["test", "gate"])
    min_gain_points: float = 2.0
    max_category_drop_points: float = 5.0
    min_category_n: int = 10
    # Where things go
    db_url: str | None = None  # None: a temporary SQLite store, deleted at the end
    artifacts_dir: str = "artifacts/feedback-sim"  # models, registry, training files (<run>/, wiped at the start)
    results_dir: str = "results/feedback"  # <run>/: config.yaml, metrics.json, accuracy_over_rounds.png, stream/

    def __post_init__(self):
        if self.stream_split not in STREAM_SPLITS:
            raise ValueError(f"stream_split must be one of {STREAM_SPLITS} (templates never in train)")
        if self.rounds < 1 or min(self.feed_per_round, self.gate_size, self.measure_size) < 1:
            raise ValueError("rounds, feed_per_round, gate_size and measure_size must be >= 1")
        if {"measure", "dev"} & set(self.gate_datasets):
            raise ValueError("the measure and dev sets must not decide promotions: they would no longer be honest "
                             "measures (the dev set only ever measures)")  # fmt: skip
        if not 0 <= self.thumbs_down_rate <= 1:
            raise ValueError(f"thumbs_down_rate must be in [0, 1], got {self.thumbs_down_rate}")
        # Training role, by name at load time (the run would fail only after building the stream otherwise): the
        # replay rows are trained on, so test, dev and val-real are refused.
        check_readable(self.train_file, "train")

    @property
    def out_dir(self) -> Path:
        return Path(self.results_dir) / self.run

    @property
    def work_dir(self) -> Path:
        return Path(self.artifacts_dir) / self.run


def _log(msg: str) -> None:
    print(f"[simulate] {msg}", file=sys.stderr, flush=True)


def _key(text: str) -> str:
    from microllm.data.generate import dedup_key

    return dedup_key(text)


# --- the stream -------------------------------------------------------------------------------------------------


def build_stream(cfg: SimulateConfig) -> dict[str, list[dict]]:
    """``{"feed-1": [...], ..., "gate": [...], "measure": [...]}``: disjoint, from templates never in train."""
    from microllm.data.generate import TARGETS, split_rows
    from microllm.data.split import SHARES
    from microllm.schema import DOMAIN_OF_ACTION

    need = cfg.rounds * cfg.feed_per_round + cfg.gate_size + cfg.measure_size
    seen = {_key(r["input"]) for path in cfg.exclude_files for r in read_jsonl(path)}
    # A scale that yields comfortably more rows than needed, in the dataset's action mix; then a seeded sample.
    scale = max(need * 1.2 / (sum(TARGETS.values()) * SHARES[cfg.stream_split]), 0.01)
    rows = split_rows(cfg.stream_split, cfg.seed, scale, seen)
    if len(rows) < need:
        raise ValueError(f"the {cfg.stream_split} templates gave {len(rows)} new requests, {need} are needed")
    rng = random.Random(f"microllm-feedback-sim:{cfg.seed}")
    rows = rng.sample(rows, need)
    rows = [{"id": f"sim-{i:05d}", "split": "stream", "category": DOMAIN_OF_ACTION[r["action"]], **r}
            for i, r in enumerate(rows)]  # fmt: skip
    parts, start = {}, 0
    sizes = [("measure", cfg.measure_size), ("gate", cfg.gate_size)]
    sizes += [(f"feed-{k}", cfg.feed_per_round) for k in range(1, cfg.rounds + 1)]
    for name, n in sizes:
        parts[name] = rows[start : start + n]
        start += n
    check_disjoint(parts)
    return parts


def check_disjoint(parts: dict[str, list[dict]]) -> None:
    """No request (up to case, spacing, final punctuation) in two parts: ValueError naming the pair otherwise."""
    keys = {name: {_key(r["input"]) for r in rows} for name, rows in parts.items()}
    names = sorted(keys)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            if both := keys[a] & keys[b]:
                raise ValueError(f"{len(both)} requests are in both {a} and {b}")


def stream_facts(cfg: SimulateConfig, parts: dict[str, list[dict]]) -> dict:
    """What the stream is made of, and the checks that keep it honest (all overlaps must be 0)."""
    from microllm.data.generate import all_templates
    from microllm.data.split import templates_by_split

    train_templates = {t.id for t in templates_by_split(all_templates())["train"]}
    used = {r["template"] for rows in parts.values() for r in rows}
    excluded = {_key(r["input"]) for path in cfg.exclude_files for r in read_jsonl(path)}
    feed = {_key(r["input"]) for name, rows in parts.items() if name.startswith("feed") for r in rows}
    held = {_key(r["input"]) for name in ("gate", "measure") for r in parts[name]}
    return {
        "source": f"generator templates and value pools of the {cfg.stream_split} split, seed {cfg.seed}",
        "sizes": {name: len(rows) for name, rows in parts.items()},
        "actions": dict(Counter(r["action"] for rows in parts.values() for r in rows).most_common()),
        "templates": len(used),
        "templates_in_train_split": len(used & train_templates),
        "feed_in_gate_or_measure": len(feed & held),
        "in_synthetic_files": sum(_key(r["input"]) in excluded for rows in parts.values() for r in rows),
    }


# --- models -----------------------------------------------------------------------------------------------------


class OneModel:
    """A predictor factory (model path -> Predictor) that keeps only the last model loaded (CPU memory is shared
    with training); ``clear()`` drops it."""

    def __init__(self, make: Callable):
        self.make, self.path, self.predictor = make, None, None

    def __call__(self, model_path):
        if str(model_path) != self.path:
            self.clear()
            self.predictor, self.path = self.make(model_path), str(model_path)
        return self.predictor

    def clear(self) -> None:
        self.predictor = self.path = None
        gc.collect()


def default_factory(cfg: SimulateConfig) -> Callable:
    """model path -> ``cfg.predictor`` on it (through a cached GGUF for llamacpp)."""
    from microllm.predictors import get_predictor

    def make(model_path):
        if cfg.predictor == "llamacpp":
            model_path = gguf_for(model_path, cfg.work_dir / "gguf", cfg.gguf_quant, cfg.gguf_vocab_from)
        return get_predictor(cfg.predictor, model=str(model_path), **cfg.predictor_options)

    return make


# --- one round: serve, users, reviewer ---------------------------------------------------------------------------


def _exact(gold: dict, intent: dict | None) -> bool:
    from microllm.score import row_results

    return bool(row_results([gold], [intent])["exact"].iloc[0])


def serve(store, predictor, rows: list[dict], version: str, cfg: SimulateConfig, rng: random.Random) -> list[dict]:
    """Answer each request as the service would (router decides micro or general), record the decision, and let the
    user thumbs-down a wrong answer with probability ``thumbs_down_rate``. Returns one record per request."""
    from microllm.router import LLMRouter
    from microllm.safety import check_intent

    # The router's confidence rule, without the general model: "general" marks a request it would pass on.
    router = LLMRouter(micro=predictor, general=None, strategy="confidence", threshold=cfg.route_threshold)
    out = []
    for row in rows:
        pred = predictor.predict(row["input"])
        route, _reason = router.choose(row["input"], pred)
        validation = check_intent(pred.intent) if pred.intent is not None else [pred.error or "no intent"]
        did = store.record(query=row["input"], intent=pred.intent, model=predictor.name, route=route,
                           confidence=pred.confidence, latency_ms=pred.latency_ms, validation=validation,
                           model_version=version)  # fmt: skip
        exact = _exact(row["output"], pred.intent)
        # Users flag wrong answers the service accepted; invalid or doubtful ones are in the review queue anyway.
        flagged = not exact and rng.random() < cfg.thumbs_down_rate and store.get(did)["review_status"] != "pending"
        if flagged:
            store.set_feedback(did, up=False)
        out.append({"decision": did, "row": row, "intent": pred.intent, "exact": exact, "flagged": flagged})
    return out


def review(store, served: list[dict], budget: int | None = None) -> dict:
    """The simulated reviewer works through the queue (oldest first): verifies right answers, corrects wrong ones
    with the gold intent (the store replaces its password by the same fake as in the query)."""
    from microllm.feedback import review as rv

    by_id = {s["decision"]: s for s in served}
    pending = [d for d in rv.queue(store) if d["id"] in by_id]
    reasons = Counter()  # decisions per kind of reason (one decision can have several)
    for d in pending:
        reasons.update({"low confidence" if r.startswith("confidence") else "thumbs down" if r == "thumbs down"
                        else "invalid or failed" for r in d["reasons"]})  # fmt: skip
    counts = Counter()
    for d in pending[:budget]:
        s = by_id[d["id"]]
        if s["exact"]:
            rv.verify(store, d["id"])
            counts["verified"] += 1
        else:
            rv.correct(store, d["id"], s["row"]["output"])
            counts["corrected"] += 1
    wrong = sum(not s["exact"] for s in served)
    reviewed_wrong = counts["corrected"]
    return {"queue": len(pending), "queue_reasons": dict(reasons), "verified": counts["verified"],
            "corrected": counts["corrected"], "unreviewed": max(0, len(pending) - budget) if budget else 0,
            "wrong_served": wrong, "wrong_never_reviewed": wrong - reviewed_wrong}  # fmt: skip


# --- the loop ----------------------------------------------------------------------------------------------------


def retrain_config(cfg: SimulateConfig, db_url: str, eval_sets: dict[str, str], replay_file: Path):
    """The RetrainConfig every round uses: this run's store, registry, eval sets and training data."""
    from microllm.feedback.retrain import RetrainConfig

    return RetrainConfig(run=cfg.run, db_url=db_url, base_config=cfg.base_config, finetune=dict(cfg.finetune),
                         start_from="current", initial_model=cfg.initial_model, train_file=str(replay_file),
                         feedback_repeat=cfg.feedback_repeat, min_new_rows=cfg.min_new_rows, eval_sets=eval_sets,
                         eval_limit=None, n_resamples=cfg.n_resamples, predictor=cfg.predictor,
                         predictor_options=dict(cfg.predictor_options), registry=str(cfg.work_dir / "registry.json"),
                         artifacts_dir=str(cfg.work_dir / "rounds"), results_dir=str(cfg.out_dir / "rounds"),
                         min_gain_points=cfg.min_gain_points, max_category_drop_points=cfg.max_category_drop_points,
                         gate_datasets=list(cfg.gate_datasets), min_category_n=cfg.min_category_n)  # fmt: skip


def _em(metrics: dict) -> dict:
    return {name: m["exact_match"] for name, m in metrics.items()}


def _prepare(cfg: SimulateConfig) -> tuple[dict[str, list[dict]], dict[str, str], Path, dict[str, int]]:
    """Stream parts (written to results/<run>/stream/), the eval-set files, the replay training file, and what the
    evaluation contract dropped from the train file it samples (the metrics report it)."""
    from microllm.evaluate import read_gold
    from microllm.train.data import subsample

    shutil.rmtree(cfg.work_dir, ignore_errors=True)  # a fresh registry and fresh models for every run
    shutil.rmtree(cfg.out_dir / "rounds", ignore_errors=True)
    parts = build_stream(cfg)
    for name, rows in parts.items():
        write_jsonl(rows, cfg.out_dir / "stream" / f"{name}.jsonl")
    test = write_jsonl(read_gold(cfg.test_file, cfg.test_limit), cfg.work_dir / "eval" / "test.jsonl")
    eval_sets = {"test": str(test), "gate": str(cfg.out_dir / "stream" / "gate.jsonl"),
                 "measure": str(cfg.out_dir / "stream" / "measure.jsonl")}  # fmt: skip
    if cfg.dev_file:
        eval_sets["dev"] = cfg.dev_file
    train, dropped = read_rows(cfg.train_file, "train")  # the replay rows are trained on: the training role
    replay = subsample(train, cfg.replay_examples, cfg.seed)
    return parts, eval_sets, Path(write_jsonl(replay, cfg.work_dir / "replay.jsonl")), dropped


def _monitoring(decisions: list[dict], reference: list[dict] | None, cfg: SimulateConfig) -> dict:
    from microllm.feedback import monitor

    now = monitor.summary(decisions)
    warnings = monitor.drift_warnings(monitor.summary(reference), now, min_n=cfg.drift_min_n) if reference else []
    return {**now, "confidence_histogram": monitor.confidence_histogram(decisions), "drift_warnings": warnings}


def simulate(cfg: SimulateConfig, predictor_factory: Callable | None = None, trainer: Callable | None = None) -> dict:
    """Run every round; write config.yaml, metrics.json, accuracy_over_rounds.png (and stream/, rounds/) to
    ``results_dir/<run>/``. Returns the metrics. ``predictor_factory``/``trainer``: as in feedback.retrain."""
    from microllm.config import save_config
    from microllm.feedback.registry import Registry
    from microllm.feedback.retrain import measure, retrain
    from microllm.feedback.store import DecisionStore
    from microllm.provenance import provenance

    started = time.perf_counter()
    factory = OneModel(predictor_factory or default_factory(cfg))
    out = cfg.out_dir
    out.mkdir(parents=True, exist_ok=True)
    parts, eval_sets, replay_file, replay_dropped = _prepare(cfg)
    facts = stream_facts(cfg, parts)
    _log(
        f"stream: {facts['sizes']} from {facts['templates']} templates (in train: {facts['templates_in_train_split']})"
    )
    tmp = tempfile.TemporaryDirectory(prefix="microllm-sim-") if cfg.db_url is None else None
    db_url = cfg.db_url or f"sqlite:///{Path(tmp.name) / 'decisions.db'}"
    store = None
    try:
        store = DecisionStore(db_url, review_threshold=cfg.review_threshold)
        rcfg = retrain_config(cfg, db_url, eval_sets, replay_file)
        registry = Registry(rcfg.registry)
        t0 = time.perf_counter()
        v1 = registry.register(cfg.initial_model, "initial", measure(rcfg, factory(cfg.initial_model),
                                                                      out / "rounds" / "initial" / "eval"))  # fmt: skip
        registry.promote(v1["id"])
        accuracy = [{"round": 0, "serving": v1["id"], **_em(v1["metrics"])}]
        rounds: list[dict] = []
        first_round: list[dict] | None = None
        rng = random.Random(f"microllm-feedback-sim:{cfg.seed}:users")
        _log(f"v1 measured in {time.perf_counter() - t0:.0f}s: {accuracy[0]}")
        for k in range(1, cfg.rounds + 1):
            current, t0 = registry.current(), time.perf_counter()
            served = serve(store, factory(current["model_path"]), parts[f"feed-{k}"], current["id"], cfg, rng)
            t_serve = time.perf_counter() - t0
            reviewed = review(store, served, cfg.review_budget)
            ids = {s["decision"] for s in served}
            decisions = [d for d in store.decisions() if d["id"] in ids]
            monitoring = _monitoring(decisions, first_round, cfg)
            first_round = first_round or decisions
            factory.clear()  # training needs the memory more than the served model does
            t0 = time.perf_counter()
            report = retrain(rcfg, predictor_factory=factory, trainer=trainer)
            t_retrain = time.perf_counter() - t0
            after = registry.current()
            candidate = report.get("candidate") or {}
            rounds.append({
                "round": k, "served_by": current["id"], "feed": len(served),
                "online_exact_match": sum(s["exact"] for s in served) / len(served),
                "thumbs_down": sum(s["flagged"] for s in served), **{f"review_{k2}": v for k2, v in reviewed.items()},
                "monitor": monitoring, "exported_rows": report["new_rows"], "export_rejects": len(report["rejects"]),
                "retrain_status": report["status"], "candidate": report.get("version"),
                "candidate_exact_match": _em(candidate), "promoted": report["status"] == "promoted",
                "gate_reasons": (report.get("gate") or {}).get("reasons", [report.get("reason")]),
                "serving_after": after["id"], "seconds": {"serve": round(t_serve, 1), "retrain": round(t_retrain, 1)},
            })  # fmt: skip
            accuracy.append({"round": k, "serving": after["id"], **_em(after["metrics"])})
            _log(f"round {k}: {report['status']} {report.get('version')}; serving {after['id']}: {accuracy[-1]}")
        factory.clear()
        metrics = {
            "run": cfg.run, "initial_model": cfg.initial_model, "predictor": cfg.predictor, "stream": facts,
            "eval_sets": {name: {"n": v1["metrics"][name]["n"], "gated": name in cfg.gate_datasets}
                          for name in eval_sets},
            "replay_dropped": replay_dropped, "accuracy_over_rounds": accuracy, "rounds": rounds,
            "candidates": [{"round": r["round"], "version": r["candidate"], "promoted": r["promoted"],
                            **r["candidate_exact_match"]} for r in rounds if r["candidate"]],
            "registry": registry.summary(), "seconds_total": round(time.perf_counter() - started, 1),
            "provenance": provenance({"train": cfg.train_file, "test": cfg.test_file,
                                      **({"dev": cfg.dev_file} if cfg.dev_file else {}),
                                      **{f"stream_{n}": out / "stream" / f"{n}.jsonl" for n in parts}},
                                     command=f"microllm.feedback.simulate.simulate(run={cfg.run!r})"),
        }  # fmt: skip
    finally:
        if store is not None:
            store.engine.dispose()
        if tmp is not None:
            tmp.cleanup()
    save_config(cfg, out / "config.yaml")
    plot_accuracy(metrics, out / "accuracy_over_rounds.png")
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2, ensure_ascii=False, default=str) + "\n")
    return metrics


def simulate_or_load(cfg: SimulateConfig) -> dict:
    """The metrics of a finished simulation made by this exact config, else run it."""
    from microllm.config import load_config

    done, saved = cfg.out_dir / "metrics.json", cfg.out_dir / "config.yaml"
    if done.exists() and saved.exists() and load_config(SimulateConfig, saved) == cfg:
        return json.loads(done.read_text())
    return simulate(cfg)


def main_simulate(config_path: str | Path | None = None, overrides: list[str] | None = None) -> dict:
    """``main_simulate("research/feedback-loop/simulate.yaml", ["rounds=3"])``."""
    from microllm.config import load_config

    return simulate(load_config(SimulateConfig, config_path, overrides))


# --- SMOKE -------------------------------------------------------------------------------------------------------


def smoke_config(scratch: str | Path, overrides: list[str] | None = None) -> SimulateConfig:
    """A seconds-long simulation in ``scratch``: a tiny random model (prompted like the fine-tuned one), a handful of
    requests, two training steps per round. The gate asks for no gain (+0 points), so promotion and the next round's
    incremental training from the promoted model run too."""
    from microllm.config import load_config
    from microllm.prompts import PROMPT_FILE
    from microllm.testing import save_tiny_model
    from microllm.train.data import SHORT_SYSTEM_PROMPT

    scratch = Path(scratch)
    base = save_tiny_model(scratch / "tiny-base")
    (base / PROMPT_FILE).write_text(json.dumps({"system_prompt": "short", "system": SHORT_SYSTEM_PROMPT}) + "\n")
    data = _REPO / "data" / "synthetic"
    values = [
        f"initial_model={base}", f"base_config={_REPO / 'configs' / 'sft-tiny.yaml'}", "run=smoke",
        "finetune={max_steps: 2, val_file: null, max_examples: null, eval_every: null, save_every: 100, n_threads: 1}",
        "predictor=transformers", "predictor_options={max_tokens: 8, constrained: false, n_threads: 1}",
        "seed=106",  # a stream whose 12 FEED requests include passwords (a password test needs some)
        "feed_per_round=6", "gate_size=3", "measure_size=4", "test_limit=4", "replay_examples=8", "n_resamples=20",
        "min_gain_points=0.0", "thumbs_down_rate=1.0", "drift_min_n=1", f"train_file={data / 'train.jsonl'}",
        f"test_file={data / 'test.jsonl'}", f"exclude_files=[{data / 'train.jsonl'}, {data / 'val.jsonl'}, "
        f"{data / 'test.jsonl'}]", f"artifacts_dir={scratch / 'artifacts'}", f"results_dir={scratch / 'results'}",
    ]  # fmt: skip
    return load_config(SimulateConfig, None, [*values, *(overrides or [])])


# --- notebook views ----------------------------------------------------------------------------------------------


def plot_accuracy(metrics: dict, path: str | Path | None = None):
    """Exact match of the model in service after each round (lines) and of each candidate (o: promoted, x: refused);
    written to ``path`` when given. Returns the Figure."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.5, 3.8))
    ax = fig.subplots()
    acc = metrics["accuracy_over_rounds"]
    names = [n for n in ("measure", "test", "gate", "dev") if n in acc[0]]
    for name in names:
        line = ax.plot([a["round"] for a in acc], [a[name] for a in acc], "-", lw=2 if name == "measure" else 1,
                       label=f"{name}{' (never fed back, never gated)' if name == 'measure' else ''}")[0]  # fmt: skip
        for c in metrics["candidates"]:
            ax.plot(c["round"], c[name], "o" if c["promoted"] else "x", color=line.get_color(), mfc="none")
    ax.set_xlabel("round (0: the initial model)")
    ax.set_ylabel("exact match of the model in service")
    ax.set_xticks([a["round"] for a in acc])
    ax.set_ylim(-0.02, 1.02)
    ax.set_title(f"feedback loop: {metrics['run']} (o promoted, x refused candidate)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=110)
    return fig


def rounds_table(metrics: dict):
    """One row per round: who served, the review queue, what was exported, what the gate said."""
    import pandas as pd

    cols = ["round", "served_by", "feed", "online_exact_match", "thumbs_down", "review_queue", "review_verified",
            "review_corrected", "review_wrong_never_reviewed", "exported_rows", "candidate", "retrain_status",
            "serving_after"]  # fmt: skip
    return pd.DataFrame([{c: r.get(c) for c in cols} for r in metrics["rounds"]]).set_index("round")


def accuracy_table(metrics: dict):
    """Exact match per eval set of the model in service after each round (round 0: before any feedback)."""
    import pandas as pd

    return pd.DataFrame(metrics["accuracy_over_rounds"]).set_index("round")


def promotions_table(metrics: dict):
    """Each candidate: its exact matches, whether it was promoted, and the gate's reasons."""
    import pandas as pd

    rows = [{"round": r["round"], "candidate": r["candidate"], "status": r["retrain_status"],
             **{f"{k} EM": v for k, v in r["candidate_exact_match"].items()},
             "gate": " | ".join(x for x in r["gate_reasons"] if x)} for r in metrics["rounds"]]  # fmt: skip
    return pd.DataFrame(rows).set_index("round")


def monitoring_table(metrics: dict):
    """Per round, from the logged decisions (microllm.feedback.monitor): fallback rate, confidence, drift."""
    import pandas as pd

    rows = []
    for r in metrics["rounds"]:
        m = r["monitor"]
        rows.append({"round": r["round"], "served_by": r["served_by"], "decisions": m["n"],
                     "fallback_rate": m["fallback_rate"], "confidence_mean": m["confidence_mean"],
                     "confidence_p10": m["confidence_p10"], "reviewed_accuracy": m["accuracy"],
                     "drift_warnings": "; ".join(m["drift_warnings"]) or "-"})  # fmt: skip
    return pd.DataFrame(rows).set_index("round")


def plot_confidence(metrics: dict):
    """The confidence histogram of each round's decisions (decisions without a confidence are counted apart)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.5, 3.2))
    ax = fig.subplots()
    for r in metrics["rounds"]:
        h = r["monitor"]["confidence_histogram"]
        mids = [(a + b) / 2 for a, b in zip(h["edges"], h["edges"][1:], strict=False)]
        ax.plot(mids, h["counts"], "o-", label=f"round {r['round']} ({r['served_by']}; no confidence: {h['missing']})")
    ax.set_xlabel("confidence")
    ax.set_ylabel("decisions")
    ax.set_xlim(0, 1)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


__all__ = [
    "SimulateConfig",
    "build_stream",
    "check_disjoint",
    "gguf_for",
    "main_simulate",
    "simulate",
    "simulate_or_load",
    "smoke_config",
]

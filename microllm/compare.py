"""Base-model comparison: every catalog model x prompt style x constrained decoding, scored on the same data."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import psutil

from microllm.config import save_config
from microllm.decode import DECODER
from microllm.evaluate import evaluate
from microllm.models import CATALOG, ModelUnavailable, resolve_model
from microllm.predictors import get_predictor
from microllm.provenance import file_sha256
from microllm.rules import DEFAULT_RULES, recorded_signature, rules_signature


@dataclass
class CompareConfig:
    """Stage 2: which models, prompts and decoding modes are compared, on which data."""

    models: list[str] = field(default_factory=lambda: list(CATALOG))
    backend: str = "llamacpp"
    prompts: list[str] = field(default_factory=lambda: ["zero-shot", "few-shot"])
    constrained: list[bool] = field(default_factory=lambda: [True])
    datasets: dict[str, str] = field(
        default_factory=lambda: {"dev": "data/eval/dev.jsonl", "test": "data/synthetic/test.jsonl"}
    )
    limits: dict[str, int] = field(default_factory=lambda: {"test": 160})  # per dataset; absent = all rows
    n_shots: int = 12
    n_threads: int = 2
    max_tokens: int = 256
    train_file: str = "data/synthetic/train.jsonl"
    # llamacpp: copied values only from the request, and the default intent rules after it (microllm.rules)
    ground: list[bool] = field(default_factory=lambda: [False])
    # llamacpp and transformers: the drafter (microllm.decode.drafts); answers are the same with any, passes are not
    draft: str = "rules"
    results_dir: str = "results"
    run: str = "base-models"
    reuse_existing: bool = True  # an arm whose metrics exist for the same settings and data is not rerun

    def __post_init__(self):
        from microllm.decode.drafts import DRAFTERS

        if self.draft not in DRAFTERS:
            raise ValueError(f"draft must be one of {', '.join(DRAFTERS)}, not {self.draft!r}")


def run_slug(model: str, backend: str, prompt: str, constrained: bool) -> str:
    """A path-safe name for one arm, e.g. 'llamacpp-gemma-3-270m-few-shot-constrained'."""
    parts = [Path(m).stem if m.endswith(".gguf") else m for m in model.split("+")]  # BASE+ADAPTER.gguf: both
    model = re.sub(r"[^A-Za-z0-9.]+", "-", "+".join(parts)).strip("-")
    return f"{backend}-{model}-{prompt}-{'constrained' if constrained else 'free'}"


def _row(m: dict, dataset: str, path: Path) -> dict:
    lo, hi = m["exact_match_ci95"]
    arm = m["arm"]
    return {**{k: arm[k] for k in ("model", "backend", "prompt", "constrained")}, "grounded": arm.get("ground", False),
            "dataset": dataset, "n": m["n"],
            "exact_match": m["exact_match"], "em_ci95_low": lo, "em_ci95_high": hi, "field_f1": m["field_f1"],
            "action_accuracy": m["action_accuracy"], "valid_json_rate": m["valid_json_rate"],
            "p50_ms": m["latency_ms"]["p50"], "p95_ms": m["latency_ms"]["p95"], "size_mb": m["model_size_mb"],
            "rss_load_mb": m["rss_load_mb"], "metrics": str(path)}  # fmt: skip


def model_fingerprint(spec: str) -> dict[str, str]:
    """sha256 of each local weight file a model spec names (a retrained model at the same path must never reuse the
    old model's scores); catalog keys are pinned by their catalog hash and add nothing. The ``.sha256`` sidecar that
    microllm.quantize writes is trusted when it is newer than the file (hashing 500 MB costs seconds)."""
    out = {}
    for part in str(spec).split("+"):
        path = Path(part)
        files = [path] if path.is_file() else sorted(path.glob("*.safetensors")) if path.is_dir() else []
        for f in files:
            side = f.with_name(f.name + ".sha256")
            fresh = side.exists() and side.stat().st_mtime_ns >= f.stat().st_mtime_ns
            out[str(f)] = side.read_text().split()[0] if fresh else file_sha256(f)
    return out


def recorded_arm(arm: dict) -> dict:
    """A recorded arm as arms are written now: the legacy ``"finish": N`` of a grounded arm becomes the ``"rules"``
    signature it stands for (:data:`microllm.rules.LEGACY_FINISH`), so a record of the current rules is reused."""
    if "finish" not in arm:
        return arm
    return {**{k: v for k, v in arm.items() if k != "finish"}, "rules": recorded_signature(arm)}


def _reusable(path: Path, arm: dict, data: str, ignore: tuple[str, ...] = ()) -> dict | None:
    """Metrics already computed for exactly this arm (less the ``ignore``d keys) on exactly this data file."""
    if not path.exists():
        return None
    m = json.loads(path.read_text())
    same_data = m["provenance"]["data"]["data"]["sha256"] == file_sha256(data)
    got = {k: v for k, v in recorded_arm(m.get("arm", {})).items() if k not in ignore}
    return m if got == {k: v for k, v in arm.items() if k not in ignore} and same_data else None


def _spec(cfg: CompareConfig, model: str, prompt: str, constrained: bool, ground: bool):
    """One arm's settings (as recorded in its metrics), predictor extras and metrics paths per dataset."""
    arm = {"model": model, "backend": cfg.backend, "prompt": prompt, "constrained": constrained,
           "n_shots": cfg.n_shots, "max_tokens": cfg.max_tokens, "train_file": cfg.train_file}  # fmt: skip
    weights = model_fingerprint(model)
    if weights:
        arm["weights_sha256"] = weights
    if prompt == "few-shot" and Path(cfg.train_file).is_file():  # the shots come from it: new data, new prompt
        arm["train_sha256"] = file_sha256(cfg.train_file)
    if cfg.backend in ("llamacpp", "transformers"):
        arm["decoder"] = DECODER  # microllm.decode: the loop that made the answers
    extra = {}
    if cfg.draft != "rules" and cfg.backend in ("llamacpp", "transformers"):  # the default drafter goes unrecorded
        arm["draft"] = extra["draft"] = cfg.draft
    if ground:  # microllm.backends.grounding; ungrounded arms keep their old records and paths
        arm["ground"] = extra["ground"] = True
        arm["rules"] = rules_signature(DEFAULT_RULES)  # the rules grounded decoding implies; others make it stale
    slug = run_slug(model, cfg.backend, prompt, constrained)
    slug += "-grounded" if ground else ""
    return arm, extra, {name: Path(cfg.results_dir) / "eval" / slug / name / "metrics.json" for name in cfg.datasets}


def _arms(cfg: CompareConfig):
    """Every (prompt, constrained, ground) combination a model is scored under."""
    return [(p, c, g) for p in cfg.prompts for c in cfg.constrained for g in (cfg.ground if c else [False])]


def _recorded(cfg: CompareConfig, model: str) -> list[dict] | None:
    """Rows of a model whose weights are not on disk (a fresh clone, deleted artifacts) but whose every arm was
    scored on these very data and settings; the recorded weights' sha256 cannot be checked, so it is not compared."""
    rows = []
    for prompt, constrained, ground in _arms(cfg):
        arm, _, paths = _spec(cfg, model, prompt, constrained, ground)
        for name, data in cfg.datasets.items():
            m = _reusable(paths[name], {**arm, "limit": cfg.limits.get(name)}, data, ignore=("weights_sha256",))
            if m is None:
                return None
            rows.append(_row(m, name, paths[name]))
    return rows


def _arm(cfg: CompareConfig, model: str, prompt: str, constrained: bool, command: str | None,
         ground: bool = False) -> list[dict]:  # fmt: skip
    arm, extra, paths = _spec(cfg, model, prompt, constrained, ground)
    done = {name: _reusable(paths[name], {**arm, "limit": cfg.limits.get(name)}, data)
            for name, data in cfg.datasets.items()} if cfg.reuse_existing else {}  # fmt: skip
    todo = [name for name in cfg.datasets if not done.get(name)]
    rows = [_row(done[name], name, paths[name]) for name in cfg.datasets if done.get(name)]
    if not todo:
        return rows
    rss0 = psutil.Process().memory_info().rss
    predictor = get_predictor(cfg.backend, model=model, prompt=prompt, constrained=constrained,
                              n_shots=cfg.n_shots, n_threads=cfg.n_threads, max_tokens=cfg.max_tokens,
                              train_file=cfg.train_file, **extra)  # fmt: skip
    info = {"model_size_mb": round(predictor.resolved.size_bytes / 2**20, 1),
            "rss_load_mb": round((psutil.Process().memory_info().rss - rss0) / 2**20, 1)}  # fmt: skip
    for name in todo:
        limit = cfg.limits.get(name)
        m = evaluate(predictor, cfg.datasets[name], paths[name].parent, limit, command=command,
                     extra={"arm": {**arm, "limit": limit}, **info})  # fmt: skip
        rows.append(_row(m, name, paths[name]))
    del predictor
    return rows


def run_comparison(cfg: CompareConfig, command: str | None = None, log=print) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Score every available model arm; unavailable models are listed with the reason, never skipped silently
    (one whose weights are gone but whose every arm was scored keeps its recorded rows).

    Writes results/compare/<run>/{config.yaml, summary.json, summary.md, unavailable.json}.
    """
    rows, missing = [], []
    for model in cfg.models:
        try:
            resolve_model(model)
        except ModelUnavailable as e:
            recorded = _recorded(cfg, model) if cfg.reuse_existing else None
            reason = e.reason + ("; its recorded scores are kept in the summary" if recorded else "")
            missing.append({"model": model, "reason": reason})
            log(f"{model}: not run ({reason})")
            rows += recorded or []
            continue
        for prompt, constrained, ground in _arms(cfg):  # grounding works inside the grammar: constrained
            mode = f"{'constrained' if constrained else 'free'}{' grounded' * ground}"
            log(f"{model} {prompt} {mode} ...")
            rows += _arm(cfg, model, prompt, constrained, command, ground)
    out = Path(cfg.results_dir) / "compare" / cfg.run
    out.mkdir(parents=True, exist_ok=True)
    save_config(cfg, out / "config.yaml")
    table, unavailable = pd.DataFrame(rows), pd.DataFrame(missing, columns=["model", "reason"])
    (out / "summary.json").write_text(json.dumps(rows, indent=2) + "\n")
    (out / "unavailable.json").write_text(json.dumps(missing, indent=2) + "\n")
    if not table.empty:
        (out / "summary.md").write_text(table.drop(columns=["metrics"]).to_markdown(index=False, floatfmt=".3f") + "\n")
    return table, unavailable

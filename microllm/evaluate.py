"""Run a predictor over a gold JSONL file, score it, and write metrics with their provenance."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from microllm.data.io import JsonlError, duplicate_ids, iter_jsonl, read_jsonl, warn_duplicate_ids
from microllm.predictors.base import Predictor, read_answer
from microllm.provenance import provenance
from microllm.rules import DEFAULT_RULES, apply_rules, resolve_rules, rules_signature, signature_names
from microllm.runner import Request, _bad_text, predict_requests, write_jsonl_rows
from microllm.score import row_results, summarize


def select_rows(rows: list[dict], limit: int | None) -> list[dict]:
    """A fixed subset of ``limit`` rows spread over the file (by a hash of each input), in file order."""
    if not limit or limit >= len(rows):
        return rows
    keyed = sorted(range(len(rows)), key=lambda i: hashlib.sha256(rows[i]["input"].encode()).hexdigest())
    keep = set(keyed[:limit])
    return [r for i, r in enumerate(rows) if i in keep]


def read_gold(path: str | Path, limit: int | None = None) -> list[dict]:
    """Gold rows (``input`` + ``output``) of a JSONL file, or one clear error listing every bad row.

    A gold file is all good or refused: scoring the rows that happen to parse would change ``n`` and make the
    score incomparable with every other run on that file. Each bad row (not JSON, not an object, a lone surrogate,
    absurd nesting or numbers, no string ``input``, no object ``output``) is named ``file:line`` in the
    :class:`microllm.data.io.JsonlError` (a ValueError). Ids on more than one row are reported as a
    :class:`microllm.data.io.DuplicateIdWarning`. ``limit`` keeps a fixed, hash-spread subset
    (see :func:`select_rows`)."""
    lines = list(iter_jsonl(path))
    problems = []
    for line in lines:
        row = line.value
        if line.error:
            problems.append(f"{line.where}: {line.error}")
        elif not isinstance(row.get("input"), str) or not isinstance(row.get("output"), dict):
            problems.append(f"{line.where}: a gold row needs a string 'input' and an object 'output'")
        elif bad := _bad_text(row["input"]):
            problems.append(f"{line.where}: gold input is not a usable request ({bad})")
    if problems:
        raise JsonlError(path, problems)
    warn_duplicate_ids(path, duplicate_ids(lines))
    return select_rows([line.value for line in lines], limit)  # type: ignore[misc]


def default_out_dir(predictor_name: str, data_path: str | Path, results_dir: str | Path = "results") -> Path:
    """``results/eval/<predictor>/<data>/`` where <data> is the file's stem (``dev``, ``test``)."""
    return Path(results_dir) / "eval" / predictor_name / Path(data_path).stem


def _confidence_split(rows: list[dict], exact: list[bool]) -> dict:
    conf = [(r["confidence"], ok) for r, ok in zip(rows, exact, strict=True) if r["confidence"] is not None]
    right = [c for c, ok in conf if ok]
    wrong = [c for c, ok in conf if not ok]
    return {
        "mean_correct": float(np.mean(right)) if right else None,
        "mean_wrong": float(np.mean(wrong)) if wrong else None,
    }


def evaluate(
    predictor: Predictor,
    data_path: str | Path,
    out_dir: str | Path | None = None,
    limit: int | None = None,
    n_resamples: int = 2000,
    seed: int = 0,
    command: str | None = None,
    extra: dict | None = None,
) -> dict:
    """Predict every gold row, score, and write ``metrics.json`` + ``predictions.jsonl`` to ``out_dir``.

    A predictor with intent rules records their signature as ``"rules"`` (:func:`microllm.rules.rules_signature`)."""
    gold = read_gold(data_path, limit)
    requests = [Request(str(r.get("id", i)), r["input"], _bad_text(r["input"])) for i, r in enumerate(gold, 1)]
    rows = predict_requests(predictor, requests)
    out = Path(out_dir) if out_dir else default_out_dir(predictor.name, data_path)
    if getattr(predictor, "rules", ()):
        extra = {"rules": rules_signature(predictor.rules), **(extra or {})}
    return write_scored(rows, gold, predictor.name, data_path, out, n_resamples, seed, command, extra)


def write_scored(
    rows: list[dict],
    gold: list[dict],
    name: str,
    data_path: str | Path,
    out: Path,
    n_resamples: int = 2000,
    seed: int = 0,
    command: str | None = None,
    extra: dict | None = None,
) -> dict:
    """Score prediction rows against their gold rows; write ``metrics.json`` and ``predictions.jsonl`` to ``out``."""
    categories = [r.get("category") or r["output"]["action"] for r in gold]
    per_row = row_results([r["output"] for r in gold], [r["output"] for r in rows])
    scores = summarize(per_row, categories, n_resamples, seed)
    exact = per_row["exact"].tolist()
    latencies = [r["latency_ms"] for r in rows]
    metrics = {
        "predictor": name,
        "data": str(data_path),
        **scores.to_dict(),
        "confidence": _confidence_split(rows, exact),
        # Informational only: speed claims come from the benchmark script, not from here.
        "latency_ms": {"p50": float(np.percentile(latencies, 50)), "p95": float(np.percentile(latencies, 95))},
        **(extra or {}),
        "provenance": provenance({"data": data_path}, command),
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2, ensure_ascii=False) + "\n")
    for r, g, ok in zip(rows, gold, exact, strict=True):
        r.update(gold=g["output"], category=g.get("category"), exact=ok)
    write_jsonl_rows(rows, out / "predictions.jsonl")
    return metrics


def record_rules(metrics: dict) -> tuple[str, ...]:
    """The intent rules a scored run's answers went through, by name: its ``"rules"`` signature, else its arm's;
    a record without one (made before rules were recorded, ``"finish": N`` at most) had grounded decoding's, the
    default ones."""
    signature = metrics.get("rules", (metrics.get("arm") or {}).get("rules"))
    return DEFAULT_RULES if signature is None else signature_names(signature)


def refinish(
    predictions: str | Path,
    data_path: str | Path,
    out_dir: str | Path,
    rules: str | Iterable[str] | None = None,
    command: str | None = None,
) -> dict:
    """Re-read each saved ``raw`` output and apply the intent rules again; score and write as :func:`evaluate` does.

    ``rules``: the rule names (or ``"default"``, ``"none"``) to apply, at their current versions; by default the
    ones the run recorded (:func:`record_rules`). The new record carries their signature. Exactly what a rerun gives
    when only the rules changed (decoding, latency and confidence are the saved ones); the saved rows must be the
    gold file's (or its ``limit`` subset), in order."""
    saved = read_jsonl(predictions)  # a damaged predictions file is refused with every bad line named
    gold = read_gold(data_path, len(saved))  # a run with ``limit`` scored this same hash-spread subset
    if [r["input"] for r in saved] != [g["input"] for g in gold]:
        raise ValueError(f"{predictions} does not hold the rows of {data_path} in order")
    before = json.loads((Path(predictions).parent / "metrics.json").read_text(encoding="utf-8"))
    if before.get("arm", {}).get("recheck") or str(before.get("predictor", "")).endswith(":rechecked"):
        raise ValueError(f"{predictions} is a rechecked run: its answers come from a second decode; score it again")
    names = record_rules(before) if rules is None else resolve_rules(rules)
    signature = rules_signature(names)

    def finish(intent: dict, text: str) -> dict:
        return apply_rules(intent, text, names)

    rows = []
    for r in saved:
        keep = {k: r[k] for k in ("id", "input", "raw", "confidence", "latency_ms")}
        if r["raw"]:
            intent, error = read_answer(r["raw"], r["input"], finish)
        else:  # never reached the model (a bad input) or the backend failed: the saved error stands
            intent, error = r["output"], r["error"]
        rows.append({**keep, "output": intent, "error": error})
    extra = {k: before[k] for k in ("arm", "model_size_mb", "rss_load_mb") if k in before}
    if "arm" in extra:  # now scored under these rules: compare reuses it only for an arm of the same signature
        arm = {k: v for k, v in extra["arm"].items() if k not in ("finish", "rules")}
        extra["arm"] = {**arm, "rules": signature} if signature else arm
    if signature:
        extra["rules"] = signature
    extra["refinished_from"] = {"predictions": str(predictions), "exact_match": before.get("exact_match")}
    return write_scored(rows, gold, before["predictor"], data_path, Path(out_dir), command=command, extra=extra)

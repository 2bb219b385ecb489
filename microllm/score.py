"""Scoring predictions against gold intents (spec, "Scoring"): exact match is the headline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from microllm.schema import IntentError, normalize_intent, validate_intent

INVALID = "<invalid>"


def _canon(intent: dict | None) -> dict | None:
    """Normal form of an intent; None stays None (an invalid prediction)."""
    if intent is None:
        return None
    try:
        return validate_intent(intent)
    except IntentError:
        return None


def flatten(intent: dict | None, prefix: str = "") -> set[tuple[str, str]]:
    """(path, value) pairs of an intent, e.g. ('steps[1].username', '"john"'): the units of field F1."""
    if intent is None:
        return set()
    pairs: set[tuple[str, str]] = set()
    for key, value in intent.items():
        path = f"{prefix}{key}"
        if isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, dict):
                    pairs |= flatten(item, f"{path}[{i}].")
                else:
                    pairs.add((f"{path}[{i}]", repr(item)))
        else:
            pairs.add((path, repr(value)))
    return pairs


def bootstrap_ci(values: Sequence[float], n_resamples: int = 2000, seed: int = 0) -> tuple[float, float]:
    """95% percentile-bootstrap interval of the mean (scipy.stats.bootstrap)."""
    arr = np.asarray(values, dtype=float)
    if len(arr) == 0:
        return (float("nan"), float("nan"))
    if np.all(arr == arr[0]):  # no spread: every resample has the same mean
        return (float(arr[0]), float(arr[0]))
    res = stats.bootstrap(
        (arr,),
        np.mean,
        n_resamples=n_resamples,
        confidence_level=0.95,
        method="percentile",
        rng=np.random.default_rng(seed),
    )
    return (float(res.confidence_interval.low), float(res.confidence_interval.high))


@dataclass
class Scores:
    """Every number the scorer reports for one predictor on one data set."""

    n: int
    exact_match: float
    exact_match_ci95: tuple[float, float]
    field_f1: float
    field_precision: float
    field_recall: float
    action_accuracy: float
    valid_json_rate: float
    per_category: dict[str, dict] = field(default_factory=dict)
    confusion: dict[str, dict[str, int]] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


def row_results(golds: Sequence[dict], preds: Sequence[dict | None]) -> pd.DataFrame:
    """One row per example: exact, action match, validity and field counts (for breakdowns)."""
    records = []
    for gold, pred in zip(golds, preds, strict=True):
        g, p = normalize_intent(gold), _canon(pred)
        gp, pp = flatten(g), flatten(p)
        records.append({
            "gold_action": g["action"],
            "pred_action": p["action"] if p else INVALID,
            "exact": p == g,
            "action_ok": bool(p) and p["action"] == g["action"],
            "valid": p is not None,
            "tp": len(gp & pp), "n_pred": len(pp), "n_gold": len(gp),
        })  # fmt: skip
    return pd.DataFrame.from_records(records)


def score(
    golds: Sequence[dict],
    preds: Sequence[dict | None],
    categories: Sequence[str] | None = None,
    n_resamples: int = 2000,
    seed: int = 0,
) -> Scores:
    """Score predicted intents (None = invalid output) against gold ones; categories give the breakdown."""
    if len(golds) != len(preds):
        raise ValueError(f"{len(golds)} gold rows but {len(preds)} predictions")
    return summarize(row_results(golds, preds), categories, n_resamples, seed)


def summarize(
    df: pd.DataFrame, categories: Sequence[str] | None = None, n_resamples: int = 2000, seed: int = 0
) -> Scores:
    """Aggregate :func:`row_results` into Scores."""
    if df.empty:
        raise ValueError("nothing to score: no rows")
    df = df.assign(category=list(categories) if categories is not None else df["gold_action"])
    tp, n_pred, n_gold = df["tp"].sum(), df["n_pred"].sum(), df["n_gold"].sum()
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    per_cat = {
        str(cat): {"n": int(len(g)), "exact_match": float(g["exact"].mean()),
                   "action_accuracy": float(g["action_ok"].mean()), "valid_json_rate": float(g["valid"].mean())}
        for cat, g in df.groupby("category", sort=True)
    }  # fmt: skip
    confusion = pd.crosstab(df["gold_action"], df["pred_action"])
    return Scores(
        n=len(df),
        exact_match=float(df["exact"].mean()),
        exact_match_ci95=bootstrap_ci(df["exact"].astype(float), n_resamples, seed),
        field_f1=float(f1), field_precision=float(precision), field_recall=float(recall),
        action_accuracy=float(df["action_ok"].mean()),
        valid_json_rate=float(df["valid"].mean()),
        per_category=per_cat,
        confusion={g: {p: int(c) for p, c in row.items() if c} for g, row in confusion.iterrows()},
    )  # fmt: skip

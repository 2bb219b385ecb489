"""Is a model's confidence worth trusting? Reliability bins, ECE, error-detection AUROC, accept thresholds.

``conf`` is one confidence in [0, 1] per answer, or None where the predictor gave none (an invalid output, a
backend failure, a model without log-probs); ``correct`` says whether that answer was an exact match. A None is
never guessed: the bins, ECE and AUROC leave it out and report how many they left out (``n_missing``), and
:func:`threshold_for_precision` never accepts it (coverage still counts it, since it must be answered elsewhere).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def _split(conf: Sequence[float | None], correct: Sequence[bool]) -> tuple[np.ndarray, np.ndarray, int]:
    """(confidences, correctness) of the rows that have a confidence, and how many did not."""
    if len(conf) != len(correct):
        raise ValueError(f"{len(conf)} confidences but {len(correct)} correctness labels")
    keep = [(float(c), bool(ok)) for c, ok in zip(conf, correct, strict=True) if c is not None and not np.isnan(c)]
    c = np.array([k[0] for k in keep], dtype=float)
    if np.any((c < 0) | (c > 1)):
        raise ValueError("confidences must lie in [0, 1]")
    return c, np.array([k[1] for k in keep], dtype=bool), len(conf) - len(keep)


def reliability_table(conf: Sequence[float | None], correct: Sequence[bool], n_bins: int = 10) -> pd.DataFrame:
    """One row per equal-width confidence bin: ``lo``, ``hi``, ``n``, mean ``confidence``, ``accuracy``.

    Bins are [lo, hi) except the last, which includes 1.0; an empty bin has NaN confidence and accuracy.
    """
    c, ok, _ = _split(conf, correct)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    idx = np.clip(np.digitize(c, edges[1:-1], right=False), 0, n_bins - 1)
    rows = []
    for b in range(n_bins):
        sel = idx == b
        n = int(sel.sum())
        rows.append({"lo": edges[b], "hi": edges[b + 1], "n": n,
                     "confidence": float(c[sel].mean()) if n else np.nan,
                     "accuracy": float(ok[sel].mean()) if n else np.nan})  # fmt: skip
    return pd.DataFrame(rows)


def expected_calibration_error(conf: Sequence[float | None], correct: Sequence[bool], n_bins: int = 10) -> float:
    """ECE: the bin-size-weighted mean gap |accuracy - confidence| over equal-width bins (NaN with no confidences)."""
    table = reliability_table(conf, correct, n_bins)
    total = table["n"].sum()
    if not total:
        return float("nan")
    full = table[table["n"] > 0]
    return float((full["n"] * (full["accuracy"] - full["confidence"]).abs()).sum() / total)


def error_detection_auroc(conf: Sequence[float | None], correct: Sequence[bool]) -> float | None:
    """AUROC of (1 - confidence) as a detector of wrong answers; None when only one class is present."""
    from sklearn.metrics import roc_auc_score

    c, ok, _ = _split(conf, correct)
    if ok.all() or not ok.any():
        return None  # AUROC is undefined without both right and wrong answers
    return float(roc_auc_score(~ok, 1.0 - c))


def threshold_for_precision(conf: Sequence[float | None], correct: Sequence[bool], target: float = 0.99) -> dict:
    """The lowest threshold t such that answers with confidence >= t are at least ``target`` exact.

    Returns ``threshold`` (None when no threshold reaches the target), ``precision`` of the accepted answers,
    ``coverage`` (accepted / all rows, rows without a confidence included) and ``n_accepted``.
    """
    c, ok, n_missing = _split(conf, correct)
    n_all = len(c) + n_missing
    order = np.argsort(-c, kind="stable")
    c_sorted, ok_sorted = c[order], ok[order]
    hits = np.cumsum(ok_sorted)
    for t in np.unique(c):  # ascending: the first that qualifies is the lowest
        n_acc = int(np.searchsorted(-c_sorted, -t, side="right"))  # how many have confidence >= t
        precision = hits[n_acc - 1] / n_acc
        if precision >= target:
            return {"threshold": float(t), "precision": float(precision), "coverage": n_acc / n_all,
                    "n_accepted": n_acc, "target": target}  # fmt: skip
    return {"threshold": None, "precision": None, "coverage": 0.0, "n_accepted": 0, "target": target}


def calibration_summary(conf: Sequence[float | None], correct: Sequence[bool], n_bins: int = 10,
                        target: float = 0.99) -> dict:  # fmt: skip
    """Every number above for one predictor, JSON-ready."""
    n_missing = _split(conf, correct)[2]
    ece = expected_calibration_error(conf, correct, n_bins)
    return {"n": len(conf), "n_missing": n_missing, "ece": None if np.isnan(ece) else ece,
            "error_auroc": error_detection_auroc(conf, correct), "n_bins": n_bins,
            "accept": threshold_for_precision(conf, correct, target)}  # fmt: skip


def plot_reliability(conf: Sequence[float | None], correct: Sequence[bool], n_bins: int = 10,
                     title: str | None = None):  # fmt: skip
    """Reliability diagram (accuracy per confidence bin against the diagonal) with a count histogram below.

    Returns a :class:`matplotlib.figure.Figure` (not pyplot: no global state for notebooks to trip over).
    """
    from matplotlib.figure import Figure

    table = reliability_table(conf, correct, n_bins)
    _, _, n_missing = _split(conf, correct)
    fig = Figure(figsize=(4.5, 5))
    top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    width = 1.0 / n_bins
    centers = (table["lo"] + table["hi"]) / 2
    top.plot([0, 1], [0, 1], ls="--", color="grey", lw=1, label="perfectly calibrated")
    top.bar(centers, table["accuracy"].fillna(0), width=width * 0.9, color="tab:blue", alpha=0.8, label="accuracy")
    top.plot(table["confidence"], table["accuracy"], "o", color="tab:orange", ms=4, label="mean confidence")
    ece = expected_calibration_error(conf, correct, n_bins)
    top.set(ylim=(0, 1), ylabel="exact match", title=title or f"Reliability (ECE {ece:.3f})")
    top.legend(loc="upper left", fontsize=8)
    bottom.bar(centers, table["n"], width=width * 0.9, color="grey")
    bottom.set(xlim=(0, 1), xlabel="confidence", ylabel="answers")
    if n_missing:
        bottom.text(0.99, 0.95, f"{n_missing} without confidence", ha="right", va="top",
                    transform=bottom.transAxes, fontsize=8)  # fmt: skip
    fig.tight_layout()
    return fig

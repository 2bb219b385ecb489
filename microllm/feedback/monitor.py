"""Watching the model in service from its decisions: accuracy on reviewed samples over time, how often requests
fall back to the general model, the confidence distribution, and drift warnings against a reference period.

Per A/B arm (the ``arm`` a service records on each decision): volume, accuracy on reviewed decisions, latency and
fallback rate, so the micro arm can be judged against the general arm on the same live traffic.

Everything here works on decision dicts (``DecisionStore.decisions()``), so it needs no database to test.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

FALLBACK_ROUTES = ("general", "fallback")  # routes that mean "the micro LLM passed the request on"
MICRO_ARMS = ("micro", "shadow:micro")  # decisions of the micro arm (answered, or parsed in shadow)
GENERAL_ARMS = ("general", "shadow:general")  # the general model alone: its "general" route is no fallback


def _frame(decisions: list[dict], fallback_routes=FALLBACK_ROUTES) -> pd.DataFrame:
    df = pd.DataFrame(decisions, columns=["created_at", "route", "confidence", "review_status", "arm", "latency_ms"])
    df["created_at"] = pd.to_datetime(df["created_at"], utc=True)
    df["fallback"] = df["route"].isin(fallback_routes) & ~df["arm"].isin(GENERAL_ARMS)
    # Accuracy is measured on what a human looked at: verified = the model was right, corrected = it was wrong.
    df["reviewed"] = df["review_status"].isin(("verified", "corrected"))
    df["correct"] = df["review_status"].eq("verified")
    return df


def _summary(df: pd.DataFrame) -> dict:
    conf = df["confidence"].dropna().astype(float)
    reviewed = df[df["reviewed"]]
    return {
        "n": int(len(df)),
        "fallback_rate": float(df["fallback"].mean()) if len(df) else None,
        "confidence_mean": float(conf.mean()) if len(conf) else None,
        "confidence_p10": float(conf.quantile(0.1)) if len(conf) else None,
        "reviewed": int(len(reviewed)),
        "accuracy": float(reviewed["correct"].mean()) if len(reviewed) else None,
    }


def _latency(df: pd.DataFrame) -> dict:
    ms = df["latency_ms"].dropna().astype(float)
    if not len(ms):
        return {"latency_ms_mean": None, "latency_ms_p50": None, "latency_ms_p95": None}
    return {"latency_ms_mean": float(ms.mean()), "latency_ms_p50": float(ms.quantile(0.5)),
            "latency_ms_p95": float(ms.quantile(0.95))}  # fmt: skip


def arm_summary(decisions: list[dict], fallback_routes=FALLBACK_ROUTES) -> dict:
    """One arm's picture: :func:`summary` plus latency (mean, p50, p95 in ms)."""
    df = _frame(decisions, fallback_routes)
    return {**_summary(df), **_latency(df)}


def by_arm(decisions: list[dict], fallback_routes=FALLBACK_ROUTES) -> dict[str, dict]:
    """:func:`arm_summary` per recorded arm (decisions without one under ``"none"``)."""
    groups: dict[str, list[dict]] = {}
    for d in decisions:
        groups.setdefault(d.get("arm") or "none", []).append(d)
    return {arm: arm_summary(rows, fallback_routes) for arm, rows in sorted(groups.items())}


def summary(decisions: list[dict], fallback_routes=FALLBACK_ROUTES) -> dict:
    """One period's picture: volume, fallback rate, confidence mean and 10th percentile, accuracy on reviewed ones
    (the shape :func:`drift_warnings` compares)."""
    return _summary(_frame(decisions, fallback_routes))


def windows(decisions: list[dict], freq: str = "1D", fallback_routes=FALLBACK_ROUTES) -> list[dict]:
    """Per time window (a pandas frequency: "1D", "1W", "1h"): volume, fallback rate, confidence, accuracy."""
    df = _frame(decisions, fallback_routes)
    if df.empty:
        return []
    grouped = df.groupby(pd.Grouper(key="created_at", freq=freq))
    return [{"start": start.isoformat(), **_summary(g)} for start, g in grouped if len(g)]


def confidence_histogram(decisions: list[dict], bins: int = 10) -> dict:
    """Counts of confidences in ``bins`` equal bins over [0, 1] (decisions without one are counted apart)."""
    conf = np.array([d["confidence"] for d in decisions if d.get("confidence") is not None], dtype=float)
    counts, edges = np.histogram(conf, bins=bins, range=(0.0, 1.0))
    return {"edges": [round(float(e), 4) for e in edges], "counts": counts.tolist(),
            "missing": sum(d.get("confidence") is None for d in decisions)}  # fmt: skip


def drift_warnings(reference: dict, recent: dict, max_confidence_shift: float = 0.05, max_fallback_rise: float = 0.05,
                   max_accuracy_drop: float = 0.05, min_n: int = 20) -> list[str]:  # fmt: skip
    """Warnings when ``recent`` (a :func:`windows`-style summary) moved away from ``reference``.

    Periods with fewer than ``min_n`` decisions (or reviewed ones, for accuracy) are too small to compare."""
    out = []
    if reference["n"] < min_n or recent["n"] < min_n:
        return [f"too few decisions to compare (reference {reference['n']}, recent {recent['n']}; need {min_n})"]
    ref_c, new_c = reference["confidence_mean"], recent["confidence_mean"]
    if ref_c is not None and new_c is not None and abs(new_c - ref_c) > max_confidence_shift:
        out.append(f"confidence mean moved {ref_c:.3f} -> {new_c:.3f} (more than {max_confidence_shift})")
    if recent["fallback_rate"] - reference["fallback_rate"] > max_fallback_rise:
        out.append(f"fallback rate rose {reference['fallback_rate']:.3f} -> {recent['fallback_rate']:.3f}"
                   f" (more than {max_fallback_rise})")  # fmt: skip
    if min(reference["reviewed"], recent["reviewed"]) >= min_n and (
        reference["accuracy"] - recent["accuracy"] > max_accuracy_drop
    ):
        out.append(f"accuracy on reviewed decisions fell {reference['accuracy']:.3f} -> {recent['accuracy']:.3f}")
    return out


def report(decisions: list[dict], recent_days: float = 7.0, freq: str = "1D", now: dt.datetime | None = None,
           fallback_routes=FALLBACK_ROUTES, **thresholds) -> dict:  # fmt: skip
    """The monitoring picture: the last ``recent_days`` against everything before them, per-window rows, and per
    A/B arm (accuracy on reviewed decisions, latency, fallback rate)."""
    now = now or dt.datetime.now(dt.UTC)
    df = _frame(decisions, fallback_routes)
    cut = pd.Timestamp(now - dt.timedelta(days=recent_days))
    cut = cut.tz_localize("UTC") if cut.tzinfo is None else cut  # stored times are UTC
    reference, recent = _summary(df[df["created_at"] < cut]), _summary(df[df["created_at"] >= cut])
    return {
        "overall": _summary(df),
        "reference": reference,
        "recent": recent,
        "warnings": drift_warnings(reference, recent, **thresholds),
        "confidence_histogram": confidence_histogram(decisions),
        "windows": windows(decisions, freq, fallback_routes),
        "arms": by_arm(decisions, fallback_routes),
    }

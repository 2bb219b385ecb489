"""The promotion gate: a retrained model replaces the current one only if it is clearly better and breaks nothing.

Rule: on every gated data set (the fixed synthetic test split and the dev set), exact match must improve by at
least ``min_gain_points`` (2 by default), and no category may lose more than ``max_category_drop_points``. An
overall gain that hides a broken category (e.g. every firewall request now wrong) is refused.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class GateDecision:
    """Whether to promote, and every reason (passed and failed checks alike)."""

    promote: bool
    reasons: list[str] = field(default_factory=list)
    deltas: dict = field(default_factory=dict)  # data set -> {"overall": points, "categories": {cat: points}}

    def to_dict(self) -> dict:
        return asdict(self)


def compact_metrics(metrics: dict) -> dict:
    """What the gate and the registry keep of :func:`microllm.evaluate.evaluate`'s metrics."""
    per_cat = metrics.get("per_category", {})
    return {
        "exact_match": metrics["exact_match"],
        "n": metrics["n"],
        "per_category": {c: {"exact_match": v["exact_match"], "n": v["n"]} for c, v in sorted(per_cat.items())},
    }


def _points(new: float, old: float) -> float:
    # Rounded: 0.52 - 0.50 is 2.0000000000000018 points in floating point, and "+2 points" must pass at 2.
    return round((new - old) * 100, 6)


def decide(candidate: dict, current: dict | None, min_gain_points: float = 2.0, max_category_drop_points: float = 5.0,
           datasets: list[str] | None = None, min_category_n: int = 1) -> GateDecision:  # fmt: skip
    """Gate ``candidate`` against ``current``: both ``{dataset: compact_metrics}``. No current model: promote.

    ``datasets``: the data sets that must both improve and keep every category (default: those both have);
    categories with fewer than ``min_category_n`` rows in the current metrics are reported but not gated."""
    if current is None:
        return GateDecision(True, ["no current model: the first version is promoted"])
    names = list(datasets) if datasets else sorted(set(candidate) & set(current))
    if not names:
        return GateDecision(False, ["no data set was measured for both models"])
    ok, reasons, deltas = True, [], {}
    for name in names:
        if name not in candidate or name not in current:
            ok = False
            reasons.append(f"{name}: not measured for {'the candidate' if name not in candidate else 'current'}")
            continue
        new, old = candidate[name], current[name]
        gain = _points(new["exact_match"], old["exact_match"])
        deltas[name] = {"overall": gain, "categories": {}}
        passed = gain >= min_gain_points
        ok &= passed
        reasons.append(f"{name}: exact match {old['exact_match']:.3f} -> {new['exact_match']:.3f} ({gain:+.1f} points;"
                       f" {'>=' if passed else '<'} {min_gain_points:+.1f} required)")  # fmt: skip
        for cat, before in old.get("per_category", {}).items():
            after = new.get("per_category", {}).get(cat)
            if after is None:
                ok = False
                reasons.append(f"{name}/{cat}: missing from the candidate's results")
                continue
            change = _points(after["exact_match"], before["exact_match"])
            deltas[name]["categories"][cat] = change
            if -change > max_category_drop_points:
                if before.get("n", min_category_n) < min_category_n:
                    reasons.append(f"{name}/{cat}: {change:+.1f} points, not gated (n={before['n']})")
                    continue
                ok = False
                reasons.append(f"{name}/{cat}: {change:+.1f} points, a drop beyond {max_category_drop_points:.1f}")
    return GateDecision(bool(ok), reasons, deltas)

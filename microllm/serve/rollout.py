"""Live A/B between the micro arm and the general arm, and the gated rollout of the micro arm's share.

* **Arms.** A client is in the micro arm when ``sha256(client key) mod 10000 < share * 10000``: deterministic, so
  the same client always gets the same arm, and monotone, so raising the share only moves general-arm clients over.
  The micro arm is the service's normal path (the router when one is configured, else the micro model); the general
  arm is the general model alone. In shadow mode the arm not answering parses the request too, after the answer is
  sent, and its decision is recorded as ``shadow:<arm>`` (never returned).
* **State.** The share lives in a small JSON file (``{"micro_share": 0.1, "shadow": false, "since": ..., ...}``),
  written atomically here and re-read by the service when it changes.
* **Gate.** :func:`promote` raises the share one step (or to 100%) only when the micro arm's evidence since the last
  change meets the :class:`Gate`, lowers it one step when the evidence fails the gate, and otherwise holds; it
  returns what it decided and why.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from microllm.feedback.monitor import GENERAL_ARMS, MICRO_ARMS, arm_summary

log = logging.getLogger("microllm.serve")
BUCKETS = 10_000
STEPS = (0.0, 0.1, 0.5, 1.0)
MICRO, GENERAL = "micro", "general"
_HISTORY = 20  # share changes kept in the state file


def bucket(client_key: str) -> int:
    """The client's bucket in [0, 10000): ``sha256(key)`` as an integer, mod 10000."""
    return int.from_bytes(hashlib.sha256(client_key.encode("utf-8", "surrogatepass")).digest(), "big") % BUCKETS


def arm_for(client_key: str, share: float) -> str:
    """``"micro"`` when the client's bucket falls under ``share`` (of 1.0), else ``"general"``."""
    return MICRO if bucket(client_key) < round(share * BUCKETS) else GENERAL


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()  # microseconds: evidence "since" a change must not include older rows


def read_state(path: str | Path) -> dict:
    """The rollout state: ``micro_share`` (0..1), ``shadow`` (bool), ``since`` (ISO time of the last change) and
    ``history``; :class:`FileNotFoundError` when there is none, :class:`ValueError` when it is malformed."""
    path = Path(path)
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise ValueError(f"rollout state {path} is not JSON: {e.msg} (line {e.lineno})") from None
    share = state.get("micro_share") if isinstance(state, dict) else None
    if isinstance(share, bool) or not isinstance(share, int | float) or not 0.0 <= share <= 1.0:
        raise ValueError(f"rollout state {path}: micro_share must be a number within [0, 1]")
    if not isinstance(state.get("shadow", False), bool):
        raise ValueError(f"rollout state {path}: shadow must be true or false")
    return {"micro_share": float(share), "shadow": state.get("shadow", False), "since": state.get("since"),
            "history": state.get("history") or []}  # fmt: skip


def write_state(path: str | Path, micro_share: float, shadow: bool | None = None, reason: str = "") -> dict:
    """Write the rollout state atomically (a reader never sees half a file); ``shadow`` None keeps the current one.
    Returns the state written; ``since`` moves only when the share changes."""
    if not 0.0 <= micro_share <= 1.0:
        raise ValueError(f"micro share must be within [0, 1], got {micro_share}")
    path = Path(path)
    try:
        old = read_state(path)
    except FileNotFoundError:
        old = {"micro_share": None, "shadow": False, "since": None, "history": []}
    changed = old["micro_share"] != micro_share
    state = {"micro_share": float(micro_share), "shadow": old["shadow"] if shadow is None else bool(shadow),
             "since": _now() if changed or not old["since"] else old["since"], "history": old["history"]}  # fmt: skip
    if changed:
        entry = {"at": state["since"], "from": old["micro_share"], "to": micro_share, "reason": reason}
        state["history"] = [*old["history"], entry][-_HISTORY:]
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(state, f, indent=2)
        f.write("\n")
    os.replace(tmp, path)
    return state


class ShareWatcher:
    """The share and shadow flag a running service uses: the state file's when there is one (re-read when its
    mtime or size changes, checked at most every ``interval`` seconds), else the defaults. A file that turns bad
    keeps the last good values, with a warning."""

    def __init__(self, path: str | Path | None, share: float = 1.0, shadow: bool = False, interval: float = 1.0):
        self.path, self.interval = (Path(path) if path else None), interval
        self.value, self.source = (share, shadow), "options"  # one tuple: readers never see half an update
        self._stamp, self._checked, self._lock = None, -float("inf"), threading.Lock()
        if self.path is not None and self.path.exists():
            self._load(self.path.stat())  # a bad file at start raises: better than serving an unknown split

    def _load(self, st) -> None:
        state = read_state(self.path)
        self.value, self.source = (state["micro_share"], state["shadow"]), str(self.path)
        self._stamp = (st.st_mtime_ns, st.st_size)

    def current(self) -> tuple[float, bool]:
        """``(micro_share, shadow)`` now."""
        if self.path is None or time.monotonic() - self._checked < self.interval:
            return self.value
        with self._lock:  # one thread re-reads; the others wait for its result rather than answer with the old one
            if time.monotonic() - self._checked >= self.interval:
                try:
                    st = self.path.stat()
                    if (st.st_mtime_ns, st.st_size) != self._stamp:
                        old = self.value
                        self._load(st)
                        log.info("rollout state %s: (micro share, shadow) %s -> %s", self.path, old, self.value)
                except FileNotFoundError:
                    pass  # removed: keep serving the last known split
                except (OSError, ValueError) as e:
                    log.warning("rollout state unreadable, keeping (micro share, shadow) %s: %s", self.value, e)
                self._checked = time.monotonic()
        return self.value


@dataclass(frozen=True)
class Gate:
    """What the micro arm must show, on decisions made since the share last changed, to be given more traffic.

    ``min_reviewed`` reviewed decisions in each arm (verified = right, corrected = wrong); micro accuracy at least
    general accuracy minus ``accuracy_margin``; over at least ``min_decisions`` micro-arm decisions, a fallback rate
    (requests the router passed to the general model) at most ``max_fallback_rate``. Shadow decisions count for
    their model's arm, so shadow mode gathers evidence at any share, 0 and 100% included."""

    min_reviewed: int = 50
    accuracy_margin: float = 0.02
    max_fallback_rate: float = 0.25
    min_decisions: int = 100


@dataclass
class RolloutDecision:
    """What :func:`promote` (or :func:`set_share`) decided: ``action`` is raise, lower, hold or set."""

    action: str
    old_share: float
    new_share: float
    reasons: list[str]
    gate: str  # pass | fail | insufficient | manual
    evidence: dict = field(default_factory=dict)  # per-arm summaries the gate looked at
    applied: bool = False  # whether the state file was written

    def as_dict(self) -> dict:
        """JSON-able form (for a CLI's output)."""
        return asdict(self)


def check_gate(decisions: list[dict], gate: Gate = Gate()) -> tuple[str, list[str], dict]:
    """Judge the micro arm against the general arm: ``("pass" | "fail" | "insufficient", reasons, evidence)``.

    A failure needs enough evidence of its own (fallback over ``min_decisions``, accuracy over ``min_reviewed`` in
    both arms); a pass needs all of it."""
    micro = arm_summary([d for d in decisions if d.get("arm") in MICRO_ARMS])
    general = arm_summary([d for d in decisions if d.get("arm") in GENERAL_ARMS])
    evidence = {"micro": micro, "general": general}
    failures, passes, missing = [], [], []
    if micro["n"] >= gate.min_decisions:
        line = f"micro fallback rate {micro['fallback_rate']:.3f} (limit {gate.max_fallback_rate})"
        (failures if micro["fallback_rate"] > gate.max_fallback_rate else passes).append(line)
    else:
        missing.append(f"{micro['n']} micro-arm decisions (need {gate.min_decisions})")
    if micro["reviewed"] >= gate.min_reviewed and general["reviewed"] >= gate.min_reviewed:
        floor = general["accuracy"] - gate.accuracy_margin
        line = (f"micro accuracy {micro['accuracy']:.3f} on {micro['reviewed']} reviewed vs general "
                f"{general['accuracy']:.3f} on {general['reviewed']} (floor {floor:.3f})")  # fmt: skip
        (failures if micro["accuracy"] < floor - 1e-12 else passes).append(line)
    else:
        missing.append(f"reviewed decisions: micro {micro['reviewed']}, general {general['reviewed']} "
                       f"(need {gate.min_reviewed} each)")  # fmt: skip
    if failures:
        return "fail", failures, evidence
    if missing:
        return "insufficient", [f"too few {m}" for m in missing] + passes, evidence
    return "pass", passes, evidence


def _decisions(source, since: str | None) -> list[dict]:
    """Decisions (dicts or a store with ``.decisions(since=...)``) created at or after ``since``."""
    cut = dt.datetime.fromisoformat(since) if since else None
    if hasattr(source, "decisions"):
        return source.decisions(since=cut)
    rows = list(source)
    if cut is None:
        return rows

    def created(d):
        t = d.get("created_at")
        t = dt.datetime.fromisoformat(t) if isinstance(t, str) else t
        return t.replace(tzinfo=dt.UTC) if t is not None and t.tzinfo is None else t

    return [d for d in rows if (t := created(d)) is not None and t >= cut]


def promote(state_path: str | Path, decisions, gate: Gate = Gate(), steps: tuple[float, ...] = STEPS,
            to_full: bool = False, dry_run: bool = False, fresh_only: bool = True) -> RolloutDecision:  # fmt: skip
    """Raise, lower or hold the micro share in ``state_path`` by :func:`check_gate` on ``decisions``.

    ``decisions``: a :class:`~microllm.feedback.store.DecisionStore` or decision dicts; with ``fresh_only`` only
    those made since the share last changed count. A pass raises the share to the next of ``steps`` (to 1.0 with
    ``to_full``); a fail lowers it to the previous step; too little evidence holds it. ``dry_run`` decides without
    writing. The state file must exist (start one with :func:`set_share`)."""
    state = read_state(state_path)
    share = state["micro_share"]
    verdict, reasons, evidence = check_gate(_decisions(decisions, state["since"] if fresh_only else None), gate)
    ladder = sorted({0.0, 1.0, *steps})
    if verdict == "pass":
        new = 1.0 if to_full else next((s for s in ladder if s > share + 1e-9), 1.0)
        action = "raise" if new > share else "hold"
        if action == "hold":
            reasons = ["already at 100%", *reasons]
    elif verdict == "fail":
        new = max((s for s in ladder if s < share - 1e-9), default=0.0)
        action = "lower" if new < share else "hold"
        if action == "hold":
            reasons = ["already at 0%", *reasons]
    else:
        new, action = share, "hold"
    applied = False
    if action != "hold" and not dry_run:
        write_state(state_path, new, reason=f"{action} (gate {verdict}): " + "; ".join(reasons))
        applied = True
    return RolloutDecision(action, share, new, reasons, verdict, evidence, applied)


def set_share(state_path: str | Path, share: float, shadow: bool | None = None,
              reason: str = "set by hand") -> RolloutDecision:  # fmt: skip
    """Set the micro share (and optionally shadow mode) directly, creating the state file if needed."""
    try:
        old = read_state(state_path)["micro_share"]
    except FileNotFoundError:
        old = None
    state = write_state(state_path, share, shadow, reason)
    return RolloutDecision("set", old if old is not None else share, state["micro_share"], [reason], "manual",
                           {"shadow": state["shadow"]}, True)  # fmt: skip

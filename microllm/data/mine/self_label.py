"""Self-training on mined real text: a model labels the texts the mappers dropped, and a label is kept only when the
schema, the grounding and an independent check agree with it.

The pool (:func:`unlabeled_pool`) is every mined text that a mapper could not turn into a row for a reason that
leaves it a real request: an argument the spec has no field for, a value the task name does not state, a task of an
out-of-scope module whose name holds an in-scope word, a man-page example whose command does not map. Texts
without a name, with template syntax or too short, the out-of-scope names over the per-module cap (they would all be
``unknown``), texts of a source held out as val-real, texts already mined as rows, and hidden or dev inputs are not.

:func:`self_label` runs a predictor on each text and keeps its answer when it is schema-valid, passes the safety
policy, copies no value its text lacks (:func:`~microllm.data.mine.ground.ground` cuts nothing), is ``unknown``
where mining dropped the text for stating what the spec cannot hold (:data:`LOSSY_REASONS`), and the check
(the rule baseline by default: a predictor that shares no weights or training data with the model) gives the same
intent. Every text that is not kept is counted by the first check it failed.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

from microllm.data import contract
from microllm.data.io import write_jsonl
from microllm.data.mine import manpages
from microllm.data.mine.build import category, load_labels, mine_ansible, mine_manpages
from microllm.data.mine.ground import ground
from microllm.data.mine.mappers import Drop
from microllm.provenance import provenance
from microllm.safety import SafetyPolicy, check_intent
from microllm.schema import IntentError, canonical_json, validate_intent

# Drop reasons whose text is no request a label could teach: nothing to read, template syntax, a fragment, or an
# out-of-scope name the per-module cap left out (every one of them would be ``unknown``; the cap keeps that
# category from taking over).
POOL_EXCLUDED_REASONS = frozenset({
    "no_name", "jinja", "too_short", "no_description", "cap_per_module", "duplicate_name", "module_not_installed",
    "no_examples_section_or_layout", "page_not_installed",
})  # fmt: skip
# Drop reasons that say the request states something the spec has no field for (an outgoing or routed rule, a
# comment, a position, a rate limit, an expiry date, ...): an operation label would silently lose it, so from these
# texts only an ``unknown`` label is kept (spec rule 5: anything that is not one of the operations is unknown).
LOSSY_REASONS = frozenset({
    "destination_address", "outgoing_rule", "routed_rule", "interface_rule", "rate_limit", "rule_comment",
    "rule_logging", "rule_position", "rule_number", "source_port", "port_range", "exact_member_list", "rule_group",
    "not_an_ethernet_connection", "adds_a_profile", "wifi", "connection_options", "profile_on_interface",
    "record_type_not_in_spec", "unsupported_protocol",
})  # fmt: skip
LOSSY_PREFIXES = ("unsupported_",)
# The outcomes of :func:`check_label`, in the order they are tried; "kept" is the only one that keeps a label.
OUTCOMES = ("predictor_error", "invalid_json", "schema", "unsafe", "ungrounded", "lossy", "check_disagrees", "kept")
COPY_NOTHING = frozenset({"unknown", "clarify"})  # answers that copy no value of the request: nothing to ground
_POLICY = SafetyPolicy(accounts=None)  # the documented account lists only, as for the mined rows


def unlabeled_pool(real_dir: str | Path = "data/real", site: Path | None = None,
                   man_root: Path | tuple[Path, ...] = manpages.MAN_ROOTS) -> tuple[list[dict], dict]:  # fmt: skip
    """``(pool, report)``: the dropped mined texts that may be labeled (see the module doc), one per normalised
    input, in source order; ``report`` counts what each filter removed. ``real_dir`` holds the real-text split
    (its ``card.json`` names the val-real sources, its rows the texts already mined)."""
    real = Path(real_dir)
    card_file = real / "card.json"
    if not card_file.is_file():
        raise FileNotFoundError(f"{card_file} not found: build the real-text split first (microllm data mine)")
    card = json.loads(card_file.read_text(encoding="utf-8"))
    held_out = {src for src, s in card["split"].items() if s == "val-real"}
    # A man page of a package with a val-real page is held out too (nmcli-examples(7) beside nmcli(1)): the pages of
    # one package share their examples' wording.
    held_packages = {rep["package"] for rep in card["sources"]["manpages"].values() if rep.get("file") in held_out}
    mined = set()
    for name in ("train.jsonl", "val-real.jsonl"):
        rows, _ = contract.read_rows(real / name, role="val")
        mined |= {contract.normalise_input(r["input"]) for r in rows}
    labels = load_labels(real / "labels.jsonl") if (real / "labels.jsonl").is_file() else load_labels()
    dropped: list[dict] = []
    mine_ansible(site, labels, dropped=dropped)
    mine_manpages(man_root, dropped=dropped)
    report: Counter = Counter(texts=len(dropped))
    pool, seen = [], set()
    for row in sorted(dropped, key=lambda r: (r["source"]["file"], r["source"]["line"], r["source"]["field"])):
        key = contract.normalise_input(row["input"])
        if row["reason"] in POOL_EXCLUDED_REASONS:
            report["excluded_reason"] += 1
        elif row["source"]["file"] in held_out or row["source"]["package"] in held_packages:
            report["val_real_source"] += 1
        elif key in mined:
            report["already_mined"] += 1
        elif key in seen or not key:
            report["duplicate_input"] += 1
        else:
            seen.add(key)
            pool.append(row)
    pool, contract_drops = contract.filter_rows(pool)
    report.update(hidden_inputs=contract_drops["hidden"], dev_inputs=contract_drops["dev"], pool=len(pool))
    return pool, dict(report)


def is_lossy(reason: str) -> bool:
    """Whether a mined drop ``reason`` says the text states something the spec cannot hold."""
    return reason in LOSSY_REASONS or reason.startswith(LOSSY_PREFIXES)


def check_label(text: str, answer: str, check: Callable[[str], dict], reason: str = "") -> tuple[str, dict | None]:
    """``(outcome, intent)`` for a model's ``answer`` to ``text``: the first failed check of :data:`OUTCOMES`
    (with ``None``), or ``("kept", intent)``. ``check`` gives the independent check's intent for ``text``;
    ``reason`` is why mining dropped the text (a lossy one keeps ``unknown`` only)."""
    try:
        raw = json.loads(answer)
    except (TypeError, ValueError):
        return "invalid_json", None
    try:
        intent = validate_intent(raw)
    except IntentError:
        return "schema", None
    if check_intent(intent, _POLICY):
        return "unsafe", None
    if is_lossy(reason) and intent["action"] != "unknown":
        return "lossy", None
    if intent["action"] not in COPY_NOTHING:
        try:
            grounded, cut = ground(intent, text)
        except Drop:
            return "ungrounded", None
        if cut or canonical_json(grounded) != canonical_json(intent):
            return "ungrounded", None
    if canonical_json(validate_intent(check(text))) != canonical_json(intent):
        return "check_disagrees", None
    return "kept", intent


def rules_check(text: str) -> dict:
    """The rule baseline's intent for ``text``: the default independent check."""
    from microllm.baselines.rules import predict_intent

    return predict_intent(text)[0]


def self_label(pool: Iterable[dict], generate: Callable[[str], tuple[str, float | None]],
               check: Callable[[str], dict] = rules_check, labeler: str = "model",
               check_name: str = "rules") -> tuple[list[dict], list[dict]]:  # fmt: skip
    """``(kept rows, every outcome)``: each pool text labeled by ``generate`` (a predictor's ``generate``) and
    checked by :func:`check_label`. A kept row has the mined rows' shape, its source labeled ``self`` with the
    labeler and check named; the outcome list holds one ``{"id", "input", "outcome", "reason"}`` per text (a
    predictor error is an outcome, not a crash)."""
    kept, outcomes = [], []
    for row in pool:
        try:
            answer, _ = generate(row["input"])
        except Exception as e:  # noqa: BLE001 - one bad text must not stop the batch; it is counted
            outcome, intent = "predictor_error", None
            answer = f"{type(e).__name__}: {e}"
        else:
            outcome, intent = check_label(row["input"], answer, check, row["reason"])
        outcomes.append({"id": row["id"], "input": row["input"], "outcome": outcome, "reason": row["reason"]})
        if intent is not None:
            source = {**row["source"], "label": "self", "labeler": labeler, "check": check_name,
                      "mined_drop": row["reason"]}  # fmt: skip
            kept.append({"id": row["id"], "input": row["input"], "output": intent, "category": category(intent),
                         "source": source, "split": "train"})  # fmt: skip
    return kept, outcomes


def render_card(card: dict) -> str:
    """The self-label card as markdown: the pool's filters, the outcomes, and what was kept per category."""
    out = ["# Self-labeled real-text rows", "", card["summary"], "", "## Pool", "", "| filter | texts |", "|---|---|"]
    out += [f"| {k} | {v} |" for k, v in card["pool"].items()]
    out += ["", "## Outcomes", "", "| outcome | texts |", "|---|---|"]
    out += [f"| {k} | {card['outcomes'].get(k, 0)} |" for k in OUTCOMES]
    out += ["", "## Kept rows per category", "", "| category | rows |", "|---|---|"]
    out += [f"| {k} | {v} |" for k, v in card["kept_by_category"].items()]
    out += ["", "## Kept rows per mined drop reason", "", "| drop reason | rows |", "|---|---|"]
    out += [f"| {k} | {v} |" for k, v in card["kept_by_reason"].items()]
    prov = card.get("provenance")
    if prov:
        m = prov["machine"]
        out += ["", f"Made by `{prov['command']}` at {prov['git_commit']} on {prov['date_utc']} ({m['cpu']}, "
                f"{m['cpu_count']} cores)."]  # fmt: skip
    return "\n".join(out) + "\n"


def build_self_labeled(generate: Callable[[str], tuple[str, float | None]], labeler: str,
                       out_dir: str | Path = "data/self-label", real_dir: str | Path = "data/real",
                       check: Callable[[str], dict] = rules_check, check_name: str = "rules") -> dict:  # fmt: skip
    """Build the pool, label it, write ``train.jsonl``, ``outcomes.jsonl``, ``card.json`` and ``card.md`` under
    ``out_dir``; return the card. ``labeler`` names the model (file name and hash) in every kept row."""
    real = Path(real_dir)
    pool, pool_report = unlabeled_pool(real)
    kept, outcomes = self_label(pool, generate, check, labeler, check_name)
    out = Path(out_dir)
    write_jsonl(kept, out / "train.jsonl")
    write_jsonl(outcomes, out / "outcomes.jsonl")
    counts = Counter(o["outcome"] for o in outcomes)
    files = {"real_train": real / "train.jsonl", "real_val": real / "val-real.jsonl", "kept": out / "train.jsonl"}
    card = {
        "summary": (
            f"{len(pool)} unlabeled mined texts (drops of `microllm data mine` outside val-real sources) labeled by "
            f"{labeler}; {len(kept)} kept where schema, safety, grounding and the {check_name} check agree."
        ),
        "labeler": labeler,
        "check": check_name,
        "pool": pool_report,
        "outcomes": {k: counts.get(k, 0) for k in OUTCOMES},
        "kept_by_category": dict(sorted(Counter(r["category"] for r in kept).items())),
        "kept_by_reason": dict(sorted(Counter(r["source"]["mined_drop"] for r in kept).items())),
        "provenance": provenance(files),
    }
    (out / "card.json").write_text(json.dumps(card, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (out / "card.md").write_text(render_card(card), encoding="utf-8")
    return card

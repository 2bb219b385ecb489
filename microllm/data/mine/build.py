"""Build the real-text dataset: mined rows -> grounded, validated, contract-filtered, split by source, with a card.

Sources: the EXAMPLES of installed Ansible modules that map onto the spec (:mod:`.mappers`), the EXAMPLES sections
of installed man pages (:mod:`.manpages`) and a reviewed hand-label file for rows the mapping cannot decide. Every
row keeps its source (package, file, line). Every drop is counted by reason.
"""

from __future__ import annotations

import hashlib
import json
import re
import sysconfig
from collections import Counter, defaultdict
from importlib import metadata
from pathlib import Path

from microllm.data import contract
from microllm.data.io import read_jsonl, write_jsonl
from microllm.data.mine import manpages
from microllm.data.mine.ansible_docs import example_tasks
from microllm.data.mine.ground import ground
from microllm.data.mine.mappers import MAPPERS, Drop, canonical_module, map_task
from microllm.safety import SafetyPolicy, check_intent
from microllm.schema import DOMAIN_OF_ACTION, IntentError, canonical_json, validate_intent

VAL_SHARE = 0.35  # of the sources (module files, man pages) held out as val-real
LABELS_FILE = Path(__file__).resolve().parents[3] / "data" / "real" / "labels.jsonl"
# The documented lists only: a host's own accounts must not change which rows a build keeps.
_POLICY = SafetyPolicy(accounts=None)
_JINJA = re.compile(r"\{\{|\{%")


def site_packages() -> Path:
    """Where the installed ``ansible`` and ``ansible_collections`` packages live."""
    return Path(sysconfig.get_paths()["purelib"])


def module_file(module: str, root: Path) -> Path:
    """The file of a registry module name (``ansible.builtin.user`` -> ``ansible/modules/user.py``)."""
    ns, coll, name = module.split(".")
    if (ns, coll) == ("ansible", "builtin"):
        return root / "ansible" / "modules" / f"{name}.py"
    return root / "ansible_collections" / ns / coll / "plugins" / "modules" / f"{name}.py"


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "unknown"


def _has_jinja(value: object) -> bool:
    if isinstance(value, str):
        return bool(_JINJA.search(value))
    if isinstance(value, dict):
        return any(_has_jinja(k) or _has_jinja(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_jinja(v) for v in value)
    return False


def category(intent: dict) -> str:
    """The data category of an intent (its domain; ``multi``, ``clarify``, ``unknown`` for meta actions)."""
    return DOMAIN_OF_ACTION[intent["action"]]


def needs_label(intent: dict) -> str | None:
    """Why a grounded intent cannot be decided from the arguments, or None.

    An account call with supplementary groups means "create and join" or only "join" depending on the wording."""
    steps = intent.get("steps", [])
    if intent["action"] == "multi" and steps[0]["action"] == "user_add":
        if any(s["action"] == "user_add_to_group" for s in steps[1:]):
            return "needs_label:user_groups"
    return None


def finish(intent: dict) -> dict:
    """Schema-validate (normalise) and safety-check an intent; :class:`Drop` with the reason otherwise."""
    try:
        intent = validate_intent(intent)
    except IntentError as e:
        raise Drop(f"schema_invalid:{e.kind}") from None
    violations = check_intent(intent, _POLICY)
    if violations:
        raise Drop(f"unsafe:{violations[0].field or 'intent'}")
    return intent


def _row_id(kind: str, file: str, line: int, text: str) -> str:
    return f"real-{kind}-" + hashlib.sha1(f"{file}:{line}:{text}".encode()).hexdigest()[:10]


def load_labels(path: Path = LABELS_FILE) -> dict[tuple[str, int], dict]:
    """Reviewed hand labels by (file, line): ``{"file", "line", "input", "output"}``."""
    return {(r["file"], int(r["line"])): r for r in read_jsonl(path)} if path.is_file() else {}


def mine_ansible(root: Path | None = None, labels: dict | None = None) -> tuple[list[dict], dict]:
    """Rows from the Ansible module docs and a report ``{file: {"tasks", "rows", "drops": Counter}}``."""
    root = root or site_packages()
    labels = load_labels() if labels is None else labels
    files = sorted({module_file(m, root) for m in MAPPERS})
    rows, report = [], {}
    for path in files:
        rel = str(path.relative_to(root))
        drops: Counter = Counter()
        if not path.is_file():
            report[rel] = {"tasks": 0, "rows": 0, "drops": {"module_not_installed": 1}}
            continue
        tasks, why = example_tasks(path, root)
        if why:
            drops[why] += 1
        kept = 0
        for t in tasks:
            try:
                if t.module is None:
                    raise Drop("not_a_module_call")
                if canonical_module(t.module) not in MAPPERS:
                    raise Drop("other_module")
                if not t.name:
                    raise Drop("no_name")
                if t.loop:
                    raise Drop("loop")
                if _has_jinja(t.name) or _has_jinja(t.args):
                    raise Drop("jinja")
                if "when" in t.extra:
                    raise Drop("conditional")
                try:
                    intent, _ = ground(map_task(t.module, t.args), t.name)
                    if reason := needs_label(intent):
                        raise Drop(reason)
                    label = "mapped"
                except Drop as e:
                    hand = labels.get((rel, t.line))
                    if not e.reason.startswith("needs_label") or hand is None or hand["input"] != t.name:
                        raise
                    intent, label = hand["output"], "hand"
                intent = finish(intent)
            except Drop as e:
                drops[e.reason] += 1
                continue
            kept += 1
            rows.append(_row(t.name, intent, "ansible", rel, t.line, label))
        report[rel] = {"tasks": len(tasks), "rows": kept, "drops": dict(sorted(drops.items()))}
    return rows, report


def _package_of(rel: str) -> str:
    if rel.startswith("ansible/"):
        return f"ansible-core {_version('ansible-core')}"
    if rel.startswith("ansible_collections/"):
        ns, coll = rel.split("/")[1:3]
        return f"ansible {_version('ansible')} ({ns}.{coll})"
    return "man-pages"


def _row(text: str, intent: dict, kind: str, rel: str, line: int, label: str, field: str = "name") -> dict:
    return {
        "id": _row_id(kind, rel, line, text),
        "input": text,
        "output": intent,
        "category": category(intent),
        "source": {"package": _package_of(rel), "file": rel, "line": line, "field": field, "label": label},
    }


def mine_manpages(root: Path = manpages.MAN_ROOT) -> tuple[list[dict], dict]:
    """Rows from the man pages' EXAMPLES (description and command of each) and a report by page."""
    rows, report = [], {}
    for page in manpages.PAGES:
        path = manpages.page_path(page, root)
        if path is None:
            report[page] = {"examples": 0, "rows": 0, "drops": {"page_not_installed": 1}}
            continue
        rel = str(path)
        exs = manpages.examples(manpages.read_roff(path), page)
        drops: Counter = Counter() if exs else Counter({"no_examples_section_or_layout": 1})
        kept = 0
        for ex in exs:
            try:
                mapped = manpages.map_command(ex.command)
            except Drop as e:
                drops[e.reason] += 2  # the description and the command row
                continue
            for field, text in (("description", manpages.first_sentence(ex.description)),
                                ("command", manpages.command_text(ex.command))):  # fmt: skip
                try:
                    intent, _ = ground(mapped, text)
                    intent = finish(intent)
                except Drop as e:
                    drops[e.reason] += 1
                    continue
                kept += 1
                row = _row(text, intent, "man", rel, ex.line, "mapped", field)
                row["source"]["package"] = f"man page {page.split('/')[1]}"
                rows.append(row)
        report[page] = {"examples": len(exs), "rows": kept, "drops": dict(sorted(drops.items()))}
    return rows, report


def dedupe(rows: list[dict]) -> tuple[list[dict], Counter]:
    """One row per normalised input (the first by source order); inputs that occur with different gold intents
    are dropped altogether (``conflicting_duplicate``)."""
    by_input: dict[str, list[dict]] = defaultdict(list)
    for r in sorted(rows, key=lambda r: (r["source"]["file"], r["source"]["line"], r["source"]["field"])):
        by_input[contract.normalise_input(r["input"])].append(r)
    kept, drops = [], Counter()
    for group in by_input.values():
        if len({canonical_json(r["output"]) for r in group}) > 1:
            drops["conflicting_duplicate"] += len(group)
            continue
        kept.append(group[0])
        drops["duplicate_input"] += len(group) - 1
    return kept, drops


def _h(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def split_by_source(rows: list[dict], val_share: float = VAL_SHARE) -> dict[str, str]:
    """``{source file: "train" | "val-real"}``: about ``val_share`` of the sources to val-real, in the order of a
    hash of the file name; first, each category that has two or more sources gets one of them (the lowest hash)
    in val-real, so that val-real covers every category that train can also keep."""
    cats: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        cats[r["category"]].add(r["source"]["file"])
    sources = sorted({r["source"]["file"] for r in rows}, key=_h)
    target = round(val_share * len(sources))
    val: set[str] = set()
    for cat in sorted(cats):
        if len(cats[cat]) >= 2 and not cats[cat] & val and len(val) < target:
            val.add(min(cats[cat], key=_h))
    for s in sources:
        if len(val) >= target:
            break
        # never take a category's last training source
        if all(len(cats[c] - val - {s}) >= 1 for c in cats if s in cats[c]):
            val.add(s)
    return {s: ("val-real" if s in val else "train") for s in sources}


def _md_table(head: list[str], body: list[list]) -> list[str]:
    return ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)] + [
        "| " + " | ".join(str(x) for x in row) + " |" for row in body
    ]


def render_card(card: dict) -> str:
    """The real-text card as Markdown."""
    out = ["# Real-text dataset card", "", card["summary"], "", "## Rows per split and category", ""]
    cats = sorted({c for s in card["rows_by_category"].values() for c in s})
    out += _md_table(["category", *card["rows_by_category"]],
                     [[c] + [card["rows_by_category"][s].get(c, 0) for s in card["rows_by_category"]]
                      for c in cats])  # fmt: skip
    out += ["", "## Rows and drops per source", ""]
    body = []
    for kind in ("ansible", "manpages"):
        for src, rep in card["sources"][kind].items():
            drops = ", ".join(f"{k} {v}" for k, v in rep["drops"].items()) or "-"
            body.append([kind, src, rep.get("tasks", rep.get("examples", 0)), rep["rows"], drops,
                         card["split"].get(src, "-")])  # fmt: skip
    out += _md_table(["kind", "source", "tasks/examples", "rows", "dropped (reason count)", "split"], body)
    out += ["", "## Drops by reason (all sources)", ""]
    out += _md_table(["reason", "rows"], [[k, v] for k, v in card["drops_by_reason"].items()])
    out += ["", "## After mining", ""]
    out += _md_table(["filter", "rows dropped"], [[k, v] for k, v in card["filters"].items()])
    out += ["", "## Hand labels", "", card["hand_labels_note"], ""]
    return "\n".join(out) + "\n"


def build_real_text(out_dir: str | Path = "data/real", site: Path | None = None,
                    man_root: Path = manpages.MAN_ROOT) -> dict:  # fmt: skip
    """Mine, filter and split the real-text rows; write ``train.jsonl``, ``val-real.jsonl``, ``card.json`` and
    ``card.md`` under ``out_dir``; return the card."""
    out = Path(out_dir)
    labels = load_labels(out / "labels.jsonl") if (out / "labels.jsonl").is_file() else load_labels()
    a_rows, a_report = mine_ansible(site, labels)
    m_rows, m_report = mine_manpages(man_root)
    rows, dup_drops = dedupe(a_rows + m_rows)
    rows, contract_drops = contract.filter_rows(rows)
    assignment = split_by_source(rows)
    splits = {s: sorted((r for r in rows if assignment[r["source"]["file"]] == s), key=lambda r: r["id"])
              for s in ("train", "val-real")}  # fmt: skip
    for s, part in splits.items():
        for r in part:
            r["split"] = s
    write_jsonl(splits["train"], out / "train.jsonl")
    write_jsonl(splits["val-real"], out / "val-real.jsonl")
    reasons: Counter = Counter()
    for rep in (*a_report.values(), *m_report.values()):
        reasons.update(rep["drops"])
    n_labels = sum(1 for r in rows if r["source"]["label"] == "hand")
    page_split = {p: assignment.get(str(manpages.page_path(p, man_root)), "-") for p in m_report}
    card = {
        "summary": (
            f"{len(a_rows)} rows from Ansible module EXAMPLES ({len(a_report)} module files) and {len(m_rows)} "
            f"from man-page EXAMPLES ({len(m_report)} pages); after de-duplication and the evaluation contract "
            f"{len(rows)} rows: train {len(splits['train'])}, val-real {len(splits['val-real'])} (held out by "
            f"source file: {sum(v == 'val-real' for v in assignment.values())} of {len(assignment)} sources). "
            "Every output passed microllm.schema and microllm.safety (documented account lists only); every "
            "value in an output occurs in its input text."
        ),
        "rows": {
            "ansible": len(a_rows),
            "manpages": len(m_rows),
            "train": len(splits["train"]),
            "val-real": len(splits["val-real"]),
            "total": len(rows),
        },  # fmt: skip
        "rows_by_category": {
            s: dict(sorted(Counter(r["category"] for r in part).items())) for s, part in splits.items()
        },  # fmt: skip
        "rows_by_action": {
            s: dict(sorted(Counter(r["output"]["action"] for r in part).items())) for s, part in splits.items()
        },  # fmt: skip
        "sources": {"ansible": a_report, "manpages": m_report},
        "split": {**assignment, **page_split},
        "drops_by_reason": dict(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
        "filters": {**dict(dup_drops), "hidden_inputs": contract_drops["hidden"], "dev_inputs": contract_drops["dev"]},
        "hand_labels": n_labels,
        "hand_labels_note": (
            f"{n_labels} row(s) come from the reviewed file data/real/labels.jsonl (rows whose arguments do not "
            "decide the action: an account with supplementary groups, a firewalld rule disabled); each label "
            "names its file and line and must match the task name exactly."
        ),
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "card.json").write_text(json.dumps(card, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (out / "card.md").write_text(render_card(card), encoding="utf-8")
    return card

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
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

from microllm.data import contract
from microllm.data.io import read_jsonl, write_jsonl
from microllm.data.mine import manpages
from microllm.data.mine.ansible_docs import example_tasks
from microllm.data.mine.ground import ground
from microllm.data.mine.mappers import MAPPERS, OUT_OF_SCOPE_MODULES, Drop, canonical_module, is_out_of_scope, map_task
from microllm.safety import SafetyPolicy, check_intent
from microllm.schema import DOMAIN_OF_ACTION, IntentError, canonical_json, validate_intent

VAL_SHARE = 0.35  # of the sources (module files, man pages) held out as val-real
LABELS_FILE = Path(__file__).resolve().parents[3] / "data" / "real" / "labels.jsonl"
# The documented lists only: a host's own accounts must not change which rows a build keeps.
_POLICY = SafetyPolicy(accounts=None)
_JINJA = re.compile(r"\{\{|\{%")
# Words (and IP addresses) that may state one of the spec's operations: the name of a task of an out-of-scope
# module that holds one is not taken as an ``unknown`` request ("Copy a file as another user", "Ensure the Apache
# port is 8080", "Restart network service for interface eth0"). Deliberately broad: a lost unknown row costs
# little, a wrong one teaches the router to send an operation to the general model.
IN_SCOPE_WORDS = re.compile(
    r"\b(?:users?|usernames?|accounts?|logins?|groups?|members?|home|passw\w*|lock\w*|unlock\w*|sudo\w*"
    r"|dns|records?|domains?|zones?|hosts?|hostnames?|localhost|resolv\w*|lookup|nameservers?|cname|mx|ptr|txt"
    r"|named|bind\w*"
    r"|firewall\w*|ports?|iptables|ufw|allow\w*|den(?:y|ies|ied)|block\w*|reject\w*|permit\w*|ssh\w*"
    r"|shares?|shared|sharing|samba|smb|cifs|nfs|grant\w*|revoke\w*|access|acls?|permissions?|read[- ]only"
    r"|e-?mail\w*|mail\w*|smtp|postfix|relay\w*|alias\w*"
    r"|cert\w*|ssl|tls|x509|csr|pki|acme|keys?|renew\w*"
    r"|interfaces?|nics?|adapters?|eth\d\w*|ens\d\w*|enp\w+|address\w*|ip|ipv[46]|cidr|subnet\w*|netmask"
    r"|gateways?|dhcp|network\w*|links?|route\w*|vlans?|bond\w*|bridge\w*)\b"
    r"|\d{1,3}(?:\.\d{1,3}){3}",
    re.IGNORECASE,
)
UNKNOWN_MIN_WORDS = 3  # "Show results", "Remove foo": too little of a request to teach anything
UNKNOWN_CAP = 1  # rows per module file: one out-of-scope request per module keeps unknown under half the rows


def site_packages() -> Path:
    """Where the installed ``ansible`` and ``ansible_collections`` packages live."""
    return Path(sysconfig.get_paths()["purelib"])


def module_file(module: str, root: Path) -> Path:
    """The documentation file of a registry module name (``ansible.builtin.user`` -> ``ansible/modules/user.py``);
    for a collection module written in PowerShell with no ``.py`` stub, its ``.yml`` documentation
    (``microsoft.ad.user`` -> ``.../microsoft/ad/plugins/modules/user.yml``)."""
    ns, coll, name = module.split(".")
    if (ns, coll) == ("ansible", "builtin"):
        return root / "ansible" / "modules" / f"{name}.py"
    folder = root / "ansible_collections" / ns / coll / "plugins" / "modules"
    if not (folder / f"{name}.py").is_file() and (folder / f"{name}.yml").is_file():
        return folder / f"{name}.yml"
    return folder / f"{name}.py"


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


def unknown_intent(name: str | None) -> dict:
    """``{"action": "unknown"}`` for the name of a task of an out-of-scope module, or :class:`Drop` when the name
    is not a plain request: none, a template, fewer than :data:`UNKNOWN_MIN_WORDS` words, or a word that may state
    an operation of the spec (:data:`IN_SCOPE_WORDS`). The arguments do not matter: the request is out of scope
    whatever they are, so a loop or a template in them does not drop the name."""
    if not name:
        raise Drop("no_name")
    if _has_jinja(name):
        raise Drop("jinja")
    if IN_SCOPE_WORDS.search(name):
        raise Drop("in_scope_words")
    if len(name.split()) < UNKNOWN_MIN_WORDS:
        raise Drop("too_short")
    return {"action": "unknown"}


def _mapped_intent(t, rel: str, labels: dict) -> tuple[dict, str]:
    """The grounded intent of a task of a mapped module and its label (``mapped``, or ``hand`` from a reviewed
    label where the arguments cannot decide); :class:`Drop` otherwise."""
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
        return intent, "mapped"
    except Drop as e:
        hand = labels.get((rel, t.line))
        if not e.reason.startswith("needs_label") or hand is None or hand["input"] != t.name:
            raise
        return hand["output"], "hand"


def mine_ansible(root: Path | None = None, labels: dict | None = None, modules: Iterable[str] | None = None,
                 dropped: list[dict] | None = None) -> tuple[list[dict], dict]:  # fmt: skip
    """Rows from the Ansible module docs and a report ``{file: {"tasks", "rows", "drops": Counter}}``.

    The docs of mapped modules (:data:`MAPPERS`) give grounded operations; those of out-of-scope modules
    (:data:`OUT_OF_SCOPE_MODULES`) give ``unknown`` rows, at most :data:`UNKNOWN_CAP` per file. ``modules``
    restricts the files read to those of the given registry names (default: all). ``dropped``, when given,
    receives every dropped task that has a name (:func:`_dropped_text`): the unlabeled pool of self-training."""
    root = root or site_packages()
    labels = load_labels() if labels is None else labels
    modules = [*MAPPERS, *OUT_OF_SCOPE_MODULES] if modules is None else list(modules)
    files = sorted({module_file(m, root) for m in modules})
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
        unknown_seen: set[str] = set()  # the normalised names of this file's unknown rows
        for t in tasks:
            try:
                if t.module is None:
                    raise Drop("not_a_module_call")
                if is_out_of_scope(t.module):
                    # No grounding: an unknown intent copies no value from its text.
                    intent, label = unknown_intent(t.name), "mapped"
                    # A name repeated in the same file ("launch an instance" four times) would take the cap's
                    # place of a different request and be de-duplicated later anyway.
                    if contract.normalise_input(t.name) in unknown_seen:
                        raise Drop("duplicate_name")
                    if len(unknown_seen) >= UNKNOWN_CAP:
                        raise Drop("cap_per_module")
                elif canonical_module(t.module) in MAPPERS:
                    intent, label = _mapped_intent(t, rel, labels)
                else:
                    raise Drop("other_module")
                intent = finish(intent)
            except Drop as e:
                drops[e.reason] += 1
                if dropped is not None and t.name:
                    dropped.append(_dropped_text(t.name, "ansible", rel, t.line, e.reason))
                continue
            kept += 1
            if intent["action"] == "unknown":
                unknown_seen.add(contract.normalise_input(t.name))
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


def _dropped_text(text: str, kind: str, rel: str, line: int, reason: str, field: str = "name",
                  package: str | None = None) -> dict:  # fmt: skip
    """A dropped text with its source and the reason it was dropped (no ``output``: nothing mapped it)."""
    return {
        "id": _row_id(kind, rel, line, text),
        "input": text,
        "reason": reason,
        "source": {"package": package or _package_of(rel), "file": rel, "line": line, "field": field},
    }


def _row(text: str, intent: dict, kind: str, rel: str, line: int, label: str, field: str = "name") -> dict:
    return {
        "id": _row_id(kind, rel, line, text),
        "input": text,
        "output": intent,
        "category": category(intent),
        "source": {"package": _package_of(rel), "file": rel, "line": line, "field": field, "label": label},
    }


def mine_manpages(root: Path | tuple[Path, ...] = manpages.MAN_ROOTS,
                  dropped: list[dict] | None = None) -> tuple[list[dict], dict]:  # fmt: skip
    """Rows from the man pages' example sections (description and command of each) and a report by page
    (``examples``, ``rows``, ``drops``; for a page found: its ``file`` as installed and its ``package``). ``root``
    is one man directory or several, searched in order (default: the system's, then ``make man-pages``').
    ``dropped``, when given, receives every dropped description and command text (:func:`_dropped_text`)."""
    rows, report = [], {}
    for page in manpages.PAGES:
        found = manpages.locate(page, root)
        if found is None:
            report[page] = {"examples": 0, "rows": 0, "drops": {"page_not_installed": 1}}
            continue
        path, page_root = found
        # the path the page has once installed: the same file id whichever root it was read from
        rel = manpages.source_file(path, page_root)
        package = manpages.package_of(path, page_root) or f"man page {page.split('/')[1]}"
        exs = manpages.examples(manpages.read_roff(path), page)
        drops: Counter = Counter() if exs else Counter({"no_examples_section_or_layout": 1})
        kept = 0
        for ex in exs:
            texts = (("description", manpages.first_sentence(ex.description)),
                     ("command", manpages.command_text(ex.command)))  # fmt: skip
            try:
                mapped = manpages.map_command(ex.command)
            except Drop as e:
                drops[e.reason] += 2  # the description and the command row
                if dropped is not None:
                    dropped += [_dropped_text(text, "man", rel, ex.line, e.reason, field, package)
                                for field, text in texts if text]  # fmt: skip
                continue
            for field, text in texts:
                try:
                    if not text:
                        raise Drop("no_description")
                    intent, _ = ground(mapped, text)
                    manpages.check_action_words(intent, text)
                    intent = finish(intent)
                except Drop as e:
                    drops[e.reason] += 1
                    if dropped is not None and text:
                        dropped.append(_dropped_text(text, "man", rel, ex.line, e.reason, field, package))
                    continue
                kept += 1
                row = _row(text, intent, "man", rel, ex.line, "mapped", field)
                row["source"]["package"] = package
                rows.append(row)
        report[page] = {"examples": len(exs), "rows": kept, "drops": dict(sorted(drops.items())), "file": rel,
                        "package": package}  # fmt: skip
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
    """``{source file: "train" | "val-real"}``, whole sources on one side, about ``val_share`` of each category's
    rows in val-real.

    Per category (in name order), sources are taken in the order of a hash of their file name when the
    category's val-real rows stay within a quarter over its target; a category with two or more sources gets at least
    one (its smallest), and no source is taken that is some category's last training source. Shares are counted in
    rows, not sources: one man page can give twenty rows and an out-of-scope module one."""
    per_cat: dict[str, Counter] = defaultdict(Counter)
    for r in rows:
        per_cat[r["category"]][r["source"]["file"]] += 1
    sources = sorted({r["source"]["file"] for r in rows}, key=_h)
    val: set[str] = set()

    def can_take(s: str) -> bool:
        return all(len(set(per_cat[c]) - val - {s}) >= 1 for c in per_cat if s in per_cat[c])

    for cat in sorted(per_cat):
        counts = per_cat[cat]
        if len(counts) < 2:
            continue
        want = val_share * sum(counts.values())
        have = sum(n for s, n in counts.items() if s in val)
        for s in sorted(counts, key=_h):
            if s not in val and have < want and have + counts[s] <= 1.25 * want and can_take(s):
                val.add(s)
                have += counts[s]
        if have == 0:
            smallest = [s for s in sorted(counts, key=lambda s: (counts[s], _h(s))) if can_take(s)]
            if smallest:
                val.add(smallest[0])
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
            # a man page's package says where it came from (installed, or a downloaded Debian package)
            name = f"{src} ({rep['package']})" if rep.get("package") else src
            body.append([kind, name, rep.get("tasks", rep.get("examples", 0)), rep["rows"], drops,
                         card["split"].get(src, "-")])  # fmt: skip
    out += _md_table(["kind", "source", "tasks/examples", "rows", "dropped (reason count)", "split"], body)
    out += ["", "## Drops by reason (all sources)", ""]
    out += _md_table(["reason", "rows"], [[k, v] for k, v in card["drops_by_reason"].items()])
    out += ["", "## After mining", ""]
    out += _md_table(["filter", "rows dropped"], [[k, v] for k, v in card["filters"].items()])
    out += ["", "## Hand labels", "", card["hand_labels_note"], ""]
    return "\n".join(out) + "\n"


def build_real_text(out_dir: str | Path = "data/real", site: Path | None = None,
                    man_root: Path | tuple[Path, ...] = manpages.MAN_ROOTS) -> dict:  # fmt: skip
    """Mine, filter and split the real-text rows; write ``train.jsonl``, ``val-real.jsonl``, ``card.json`` and
    ``card.md`` under ``out_dir``; return the card. ``man_root``: one man directory or several, in order."""
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
    page_split = {p: assignment.get(rep.get("file", ""), "-") for p, rep in m_report.items()}
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

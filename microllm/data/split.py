"""Template-level train / val / test assignment.

Whole templates are held out: every action gets about 70 / 15 / 15 of its templates per split,
at least one in each. The assignment depends only on template ids (not on the seed), so the
splits stay comparable across seeds and dataset scales.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict

from microllm.data.pools import SPLITS
from microllm.data.templates_base import Template

SHARES = {"train": 0.70, "val": 0.15, "test": 0.15}


def _h(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def _group(t: Template) -> str:
    # Generic chains are split on their own, so val and test get several connector patterns.
    return "multi.chain" if t.family == "multi.chain" else t.action


def _hold_out(tpls: list[Template], need: dict[str, int]) -> dict[str, str]:
    """Pick val / test templates family by family, largest first, so each family keeps one in train.

    A family that can spare two gives one to val and one to test, so held-out splits see the same
    variety (A and MX records, ports and services) that train does.
    """
    fams: dict[str, list[Template]] = defaultdict(list)
    for t in sorted(tpls, key=lambda t: _h(t.id)):
        fams[t.family].append(t)
    order = sorted(fams, key=lambda f: (-len(fams[f]), _h(f)))
    spare = {f: len(fams[f]) - 1 for f in order}
    out: dict[str, str] = {}
    progress = True
    while any(need.values()) and progress:
        progress = False
        for f in order:
            if spare[f] >= 2 and need["val"] and need["test"]:
                targets = ["val", "test"]
            elif spare[f] >= 1 and any(need.values()):
                targets = [max(("val", "test"), key=lambda s: need[s])]
            else:
                continue
            for split in targets:
                out[fams[f].pop(0).id] = split
                spare[f] -= 1
                need[split] -= 1
                progress = True
    return out


def assign_splits(templates: list[Template]) -> dict[str, str]:
    """Map template id -> split name: about 70 / 15 / 15 of each action's templates, by family."""
    groups: dict[str, list[Template]] = defaultdict(list)
    for t in templates:
        groups[_group(t)].append(t)
    out: dict[str, str] = {}
    for key in sorted(groups):
        tpls = groups[key]
        n = len(tpls)
        need = {s: max(1, round(SHARES[s] * n)) if n >= 3 else 0 for s in ("val", "test")}
        held = _hold_out(tpls, need)
        out.update({t.id: held.get(t.id, "train") for t in tpls})
    return out


def templates_by_split(templates: list[Template]) -> dict[str, list[Template]]:
    """Templates grouped by their split, in input order."""
    assignment = assign_splits(templates)
    return {s: [t for t in templates if assignment[t.id] == s] for s in SPLITS}

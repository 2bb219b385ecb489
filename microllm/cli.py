"""`microllm` command line: data, schema, predict, eval, baselines, notebooks."""

from __future__ import annotations

import argparse
import json
import sys

from microllm.config import BaselineConfig, DataConfig, load_config


def _cmd_data(args) -> int:
    from microllm.data import build_dataset, write_dataset

    if args.action == "paraphrase":
        from microllm.data.paraphrase import ParaphraseConfig, build_paraphrases

        card = build_paraphrases(load_config(ParaphraseConfig, args.config, args.set))
        print(json.dumps({k: card[k] for k in ("sampled", "accepted", "outcomes", "seconds")}, indent=2))
        return 0
    cfg = load_config(DataConfig, args.config, args.set)
    paths = write_dataset(build_dataset(cfg.seed, cfg.scale, cfg.fresh), cfg.out_dir)
    print(json.dumps({k: str(v) for k, v in paths.items()}, indent=2))
    return 0


def _cmd_schema(args) -> int:
    from microllm.json_schema import export_json_schema

    print(export_json_schema(args.path) if args.path else export_json_schema())
    return 0


def _predictor(args):
    from microllm.predictors import get_predictor

    kwargs = dict(kv.split("=", 1) for kv in args.option or [])
    if args.model:
        kwargs["model"] = args.model
    return get_predictor(args.predictor, **kwargs)


def _cmd_predict(args) -> int:
    from microllm.runner import predict_file

    rows = predict_file(_predictor(args), args.input, args.output)
    errors = sum(r["error"] is not None for r in rows)
    print(f"{len(rows)} rows -> {args.output} ({errors} with an error)", file=sys.stderr)
    return 0


def _cmd_eval(args) -> int:
    from microllm.evaluate import evaluate

    m = evaluate(_predictor(args), args.data, args.out_dir, args.limit)
    lo, hi = m["exact_match_ci95"]
    print(
        f"{m['predictor']} on {args.data}: exact match {m['exact_match']:.3f} [{lo:.3f}, {hi:.3f}] "
        f"field F1 {m['field_f1']:.3f} valid JSON {m['valid_json_rate']:.3f} (n={m['n']})"
    )
    return 0


def _cmd_refinish(args) -> int:
    from microllm.evaluate import refinish

    command = f"microllm refinish {args.predictions} --data {args.data} --out-dir {args.out_dir}"
    m = refinish(args.predictions, args.data, args.out_dir, command=command)
    print(f"{m['predictor']} on {args.data}: exact match {m['refinished_from']['exact_match']:.3f} -> "
          f"{m['exact_match']:.3f} (n={m['n']}), re-finished from {args.predictions}")  # fmt: skip
    return 0


def _cmd_baselines(args) -> int:
    from microllm.baselines.runner import run_baselines

    table = run_baselines(load_config(BaselineConfig, args.config, args.set))
    print(table.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    return 0


def _cmd_compare(args) -> int:
    from microllm.compare import CompareConfig, run_comparison

    table, missing = run_comparison(load_config(CompareConfig, args.config, args.set),
                                    log=lambda msg: print(msg, file=sys.stderr, flush=True))  # fmt: skip
    if not table.empty:
        print(table.drop(columns=["metrics"]).to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    for row in missing.to_dict("records"):
        print(f"not run: {row['model']}: {row['reason']}")
    return 0


def _cmd_bench(args) -> int:
    from microllm.bench import BenchConfig, run_benchmark

    table = run_benchmark(load_config(BenchConfig, args.config, args.set))
    print(table.to_string(index=False, float_format=lambda x: f"{x:.2f}"))
    return 0


def _cmd_ab(args) -> int:
    from microllm.ab import ABConfig, run_ab

    table = run_ab(load_config(ABConfig, args.config, args.set))
    print(table.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    return 0


def _cmd_serve(args) -> int:
    from microllm.serve import serve

    serve(args)
    return 0


def _cmd_modelfile(args) -> int:
    from microllm.models import resolve_model
    from microllm.models.modelfile import write_modelfile

    resolved = resolve_model(args.model)
    fmt = args.format or (resolved.entry.prompt_format if resolved.entry else None)
    if not fmt:
        raise ValueError("a GGUF path needs --format (chatml, gemma, llama3, phi3, zephyr)")
    out = write_modelfile(resolved.path, fmt, args.out)
    print(f"wrote {out}; register it with: ollama create microllm -f {out}", file=sys.stderr)
    return 0


def _cmd_train(args) -> int:
    from microllm.train import main_train

    metrics = main_train(args.config, args.set or [])
    print(json.dumps({k: v for k, v in metrics.items() if k != "provenance"}, indent=2, default=str))
    return 0


def _cmd_train_profile(args) -> int:
    from microllm.train.profile import main_profile

    if args.ops:
        from microllm.train.ops import main_ops

        ops = main_ops(args.config, args.set or [], steps=args.steps, out_dir=args.out_dir)
        print(f"{ops['wall_seconds_per_step']} s/step (profiled)")
        for row in ops["ops"]:
            seconds, share, calls = row["self_seconds_per_step"], row["share"], row["calls_per_step"]
            print(f"{seconds:8.3f} s  {share:6.1%}  {calls:7.1f}x  {row['op']}")
        return 0
    metrics = main_profile(args.config, args.set or [], steps=args.steps, levers=args.levers,
                           timeout_s=args.timeout_s, out_dir=args.out_dir)  # fmt: skip
    for row in metrics["variants"]:
        if row["seconds_per_step"] is None:
            ran = row["unfinished_step_seconds"]
            print(f"timed out after {row['timeout_s']} s (a step ran {ran} s)  {row['variant']}")
        else:
            print(f"{row['seconds_per_step']:7.2f} s/step  {row['minutes_per_epoch']:6.1f} min/epoch  {row['variant']}")
    return 0


def _cmd_learning_curve(args) -> int:
    from microllm.train.curve import curve_table, main_learning_curve

    record = main_learning_curve(args.config, args.set or [])
    print(curve_table(record).to_string(index=False))
    return 0


def _cmd_quantize(args) -> int:
    from microllm.quantize import main_quantize

    metrics = main_quantize(args.config, args.set or [])
    for row in metrics["formats"]:
        print(f"{row['format']:>7}  {row['size_mb']:9.2f} MiB  {row['seconds']:7.1f} s  {row['path']}")
    if metrics["nf4"]:
        nf4 = metrics["nf4"]
        print(f"    NF4  {nf4['weights_mb']:9.2f} MiB  {nf4['seconds']:7.1f} s  {nf4['path']}")
    return 0


def _cmd_export(args) -> int:
    from microllm.quantize.export import export_model, ollama_create_command, quantized_gguf

    paths = export_model(quantized_gguf(args.model, args.quant), args.out_dir, run=args.run, prompt_format=args.format)
    print(json.dumps(paths, indent=2))
    print(f"register it with: {ollama_create_command(paths['modelfile'])}", file=sys.stderr)
    return 0


def _cmd_feedback_sim(args) -> int:
    from microllm.feedback.simulate import main_simulate

    metrics = main_simulate(args.config, args.set or [])
    print(json.dumps({k: v for k, v in metrics.items() if k != "provenance"}, indent=2, default=str)[:4000])
    return 0


def _cmd_notebooks(args) -> int:
    from microllm.notebooks import execute_notebook

    for path in args.paths:
        execute_notebook(path, params=dict(kv.split("=", 1) for kv in args.param or []), timeout=args.timeout)
        print(f"executed {path}", file=sys.stderr)
    return 0


def _cmd_readme(args) -> int:
    from microllm.readme import update_readme

    print("README.md updated" if update_readme() else "README.md already up to date", file=sys.stderr)
    return 0


def _cmd_execute(args) -> int:
    from pathlib import Path

    from microllm.execute import execute
    from microllm.predictors import get_predictor
    from microllm.schema import IntentError, parse_intent

    if args.intent is not None:
        text = Path(args.intent[1:]).read_text() if args.intent.startswith("@") else args.intent
        try:
            intent = parse_intent(text)
        except IntentError as e:
            raise ValueError(f"--intent: {e.message}") from None
    else:
        pred = get_predictor(args.predictor).predict(args.request)
        if pred.intent is None:
            raise ValueError(f"could not parse the request: {pred.error}")
        intent = pred.intent
    extra = json.loads(Path(args.extra_vars_file).read_text()) if args.extra_vars_file else {}
    for kv in args.extra_var or []:
        key, _, value = kv.partition("=")
        extra[key] = value
    outcome = execute(intent, inventory=args.inventory, check=not args.apply, diff=not args.no_diff,
                      extra_vars=extra or None, workdir=args.workdir, timeout=args.timeout)  # fmt: skip
    print(json.dumps(outcome.to_dict(), indent=2, default=str))
    print(f"{outcome.status}: {outcome.message}", file=sys.stderr)
    return 0 if outcome.ok else 1


def _cmd_review(args) -> int:
    from microllm.feedback.review import main_review

    return main_review(args)


def _cmd_retrain(args) -> int:
    from microllm.feedback.retrain import main_retrain

    report = main_retrain(args.config, args.set or [])
    print(json.dumps({k: report.get(k) for k in ("run", "status", "version", "new_rows", "reason", "gate")},
                     indent=2, default=str))  # fmt: skip
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argparse tree of every subcommand."""
    p = argparse.ArgumentParser(prog="microllm", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    d = sub.add_parser("data", help="build the synthetic dataset and its card; or reword train rows (paraphrase)")
    d.add_argument("action", choices=["build", "paraphrase"])
    d.add_argument("--config", default=None, help="YAML DataConfig (build) or ParaphraseConfig (paraphrase)")
    d.add_argument(
        "--set", nargs="*", action="extend", default=[], metavar="KEY=VALUE", help="override config fields (repeatable)"
    )
    d.set_defaults(func=_cmd_data)

    s = sub.add_parser("schema", help="export the JSON Schema of all intents")
    s.add_argument("action", choices=["export"])
    s.add_argument("--path", default=None)
    s.set_defaults(func=_cmd_schema)

    for name, func, help_ in (
        ("predict", _cmd_predict, "predict intents for an inputs-only JSONL file"),
        ("eval", _cmd_eval, "score a predictor on a gold JSONL file"),
    ):
        c = sub.add_parser(name, help=help_)
        c.add_argument("--predictor", required=True, help="rules, classic, ...")
        c.add_argument("--model", default=None, help="catalog key, GGUF path or HF directory (model backends)")
        c.add_argument(
            "--option",
            "-o",
            action="append",
            metavar="KEY=VALUE",
            help="predictor argument, e.g. -o prompt=zero-shot -o constrained=false",
        )
        if name == "predict":
            c.add_argument("--input", required=True)
            c.add_argument("--output", required=True)
        else:
            c.add_argument("--data", required=True)
            c.add_argument("--out-dir", default=None, help="default: results/eval/<predictor>/<data>/")
            c.add_argument("--limit", type=int, default=None)
        c.set_defaults(func=func)

    rf = sub.add_parser("refinish", help="re-apply the grounded checks to saved raw outputs of a grounded run; rescore")
    rf.add_argument("predictions", help="a predictions.jsonl written by eval/compare (its metrics.json beside it)")
    rf.add_argument("--data", required=True, help="the gold file those predictions were made on")
    rf.add_argument("--out-dir", required=True)
    rf.set_defaults(func=_cmd_refinish)

    b = sub.add_parser("baselines", help="score the rules and classic baselines on test and dev")
    b.add_argument("--config", default=None, help="YAML BaselineConfig (e.g. configs/baselines.yaml)")
    b.add_argument(
        "--set", nargs="*", action="extend", default=[], metavar="KEY=VALUE", help="override config fields (repeatable)"
    )
    b.set_defaults(func=_cmd_baselines)

    m = sub.add_parser("compare", help="score base models (catalog x prompt x constrained) on dev and test")
    m.add_argument("--config", default=None, help="YAML CompareConfig (e.g. configs/compare.yaml)")
    m.add_argument(
        "--set", nargs="*", action="extend", default=[], metavar="KEY=VALUE", help="override config fields (repeatable)"
    )
    m.set_defaults(func=_cmd_compare)

    k = sub.add_parser("bench", help="latency/throughput benchmark, arms side by side in one process")
    k.add_argument("--config", default=None, help="YAML BenchConfig (e.g. configs/bench.yaml)")
    k.add_argument(
        "--set", nargs="*", action="extend", default=[], metavar="KEY=VALUE", help="override config fields (repeatable)"
    )
    k.set_defaults(func=_cmd_bench)

    ab = sub.add_parser("ab", help="A/B test: micro vs general vs routed, accuracy, latency, cost, McNemar")
    ab.add_argument("--config", default=None, help="YAML ABConfig (e.g. configs/ab.yaml)")
    ab.add_argument("--set", nargs="*", action="extend", default=[], metavar="KEY=VALUE", help="override config fields")
    ab.set_defaults(func=_cmd_ab)

    sv = sub.add_parser("serve", help="HTTP service: POST /api/v1/parse, /api/v1/dns/add; GET /health")
    sv.add_argument("--predictor", default="llamacpp", help="micro predictor (default: llamacpp)")
    sv.add_argument("--model", default=None, help="micro model: catalog key or GGUF path")
    sv.add_argument("--option", "-o", action="append", metavar="KEY=VALUE", help="micro predictor argument")
    sv.add_argument("--general", default=None, help="general model (catalog key or GGUF path); none: micro only")
    sv.add_argument("--general-predictor", default=None, help="general predictor (default: llamacpp)")
    sv.add_argument("--general-option", action="append", metavar="KEY=VALUE", help="general predictor argument")
    sv.add_argument("--strategy", choices=["confidence", "keyword", "none"], default="confidence",
                    help="routing without X-Use-Micro-LLM (none: micro answers)")  # fmt: skip
    sv.add_argument("--threshold", type=float, default=0.5, help="confidence below this goes to the general model")
    sv.add_argument("--host", default="127.0.0.1")
    sv.add_argument("--port", type=int, default=8000)
    sv.add_argument("--db", default="sqlite:///artifacts/decisions.db",
                    help="decision store (SQLAlchemy URL); empty string: no store")  # fmt: skip
    sv.set_defaults(func=_cmd_serve)

    f = sub.add_parser("modelfile", help="write an Ollama Modelfile for a catalog model or GGUF")
    f.add_argument("model", help="catalog key or GGUF path")
    f.add_argument("--out", default="artifacts/Modelfile")
    f.add_argument("--format", default=None, help="chat format for a bare GGUF (chatml, gemma, llama3, phi3, zephyr)")
    f.set_defaults(func=_cmd_modelfile)

    t = sub.add_parser("train", help="fine-tune a base model (SFT, LoRA or full) from a FinetuneConfig")
    t.add_argument("--config", required=True, help="YAML FinetuneConfig (e.g. configs/finetune-gemma-lora.yaml)")
    t.add_argument(
        "--set", nargs="*", action="extend", default=[], metavar="KEY=VALUE", help="override config fields (repeatable)"
    )
    t.set_defaults(func=_cmd_train)

    tp = sub.add_parser("train-profile", help="time a few training steps under each CPU speed lever")
    tp.add_argument("--config", required=True, help="YAML FinetuneConfig")
    tp.add_argument("--set", nargs="*", action="extend", default=[], metavar="KEY=VALUE", help="override config fields")
    tp.add_argument("--steps", type=int, default=6, help="optimizer steps per variant (first one not counted)")
    tp.add_argument(
        "--levers",
        choices=["speed", "precision", "memory", "dropout"],
        default="speed",
        help="speed: TRL defaults to the shipped config; precision: the config in fp32 and in bf16; "
        "memory: glibc malloc's defaults and freed memory kept; dropout: the config with and without LoRA dropout",
    )
    tp.add_argument("--timeout-s", type=float, default=None, help="stop a variant after this long (child process)")
    tp.add_argument("--ops", action="store_true", help="instead: torch's profiler, seconds per step by operator")
    tp.add_argument("--out-dir", default=None, help="default results/finetune/profile-<run>[-ops]")
    tp.set_defaults(func=_cmd_train_profile)

    lc = sub.add_parser("learning-curve", help="fine-tune on nested subsamples of train; exact match vs rows")
    lc.add_argument("--config", required=True, help="YAML LearningCurveConfig (configs/learning-curve.yaml)")
    lc.add_argument("--set", nargs="*", action="extend", default=[], metavar="KEY=VALUE", help="override config fields")
    lc.set_defaults(func=_cmd_learning_curve)

    qz = sub.add_parser(
        "quantize", help="fine-tuned model -> GGUF (llama.cpp converter) -> Q8_0/Q5_K_M/Q4_K_M/Q4_0, NF4"
    )
    qz.add_argument("--config", default=None, help="YAML QuantizeConfig (e.g. configs/quantize-gemma.yaml)")
    qz.add_argument("--set", nargs="*", action="extend", default=[], metavar="KEY=VALUE", help="override config fields")
    qz.set_defaults(func=_cmd_quantize)

    ex = sub.add_parser("export", help="Ollama Modelfile + MODEL_CARD.md for a quantized GGUF")
    ex.add_argument("model", help="a GGUF path, or a run name (artifacts/quantized/<run>/<run>-<quant>.gguf)")
    ex.add_argument(
        "--quant",
        default="Q4_K_M",
        help="which of the run's GGUFs (default Q4_K_M; Q4_K_M+LoRA: the base GGUF + LoRA adapter pair)",
    )
    ex.add_argument("--out-dir", default=None, help="default: artifacts/export/<gguf name>/")
    ex.add_argument("--run", default=None, help="results/*/<run> to read metrics from (default: from the file name)")
    ex.add_argument("--format", default=None, help="prompt format (default: from the GGUF's chat template)")
    ex.set_defaults(func=_cmd_export)

    fs = sub.add_parser("feedback-sim", help="simulate the feedback loop: serve, review, retrain, gate (notebook 06)")
    fs.add_argument("--config", required=True, help="YAML SimulateConfig (configs/feedback-sim.yaml)")
    fs.add_argument("--set", nargs="*", action="extend", default=[], metavar="KEY=VALUE", help="override config fields")
    fs.set_defaults(func=_cmd_feedback_sim)

    r = sub.add_parser("readme", help="regenerate the README results table from results/")
    r.set_defaults(func=_cmd_readme)

    n = sub.add_parser("notebooks", help="execute notebooks in place (outputs kept, volatile metadata not)")
    n.add_argument("paths", nargs="+")
    n.add_argument("--param", action="append", metavar="NAME=VALUE", help="override a parameter-cell value")
    n.add_argument("--timeout", type=int, default=1800, help="seconds per cell")
    n.set_defaults(func=_cmd_notebooks)

    x = sub.add_parser("execute", help="run an intent (or a request, parsed first) with ansible-playbook")
    src = x.add_mutually_exclusive_group(required=True)
    src.add_argument("request", nargs="?", default=None, help="request text, parsed by --predictor")
    src.add_argument("--intent", default=None, help="intent JSON, or @file.json")
    x.add_argument("--predictor", default="rules", help="predictor that parses the request (default: rules)")
    x.add_argument("--inventory", "-i", default=None, help="ansible inventory (default: localhost, local connection)")
    x.add_argument("--apply", action="store_true", help="change the system (default: check mode, nothing changes)")
    x.add_argument("--no-diff", action="store_true", help="do not ask ansible for diffs")
    x.add_argument("--extra-var", "-e", action="append", metavar="KEY=VALUE", help="e.g. -e dns_server=10.0.0.1")
    x.add_argument("--extra-vars-file", default=None, help="JSON file of extra vars (DNS server, TSIG key file...)")
    x.add_argument("--workdir", default=None, help="keep playbook, inventory and report here (default: a temp dir)")
    x.add_argument("--timeout", type=float, default=300, help="seconds for ansible-playbook")
    x.set_defaults(func=_cmd_execute)

    rv = sub.add_parser("review", help="the human review queue of logged decisions (microllm.feedback)")
    rv.add_argument("action", choices=["list", "verify", "correct", "reject"])
    rv.add_argument("id", nargs="?", type=int, default=None, help="decision id (verify, correct, reject)")
    rv.add_argument("--intent", default=None, help="correct: the right intent as JSON, or @file.json")
    rv.add_argument("--db", default="sqlite:///artifacts/decisions.db", help="SQLAlchemy URL of the decision store")
    rv.add_argument("--limit", type=int, default=None, help="list: at most this many")
    rv.set_defaults(func=_cmd_review)

    rt = sub.add_parser("retrain", help="export reviewed decisions, retrain, evaluate, gate, register/promote")
    rt.add_argument("--config", required=True, help="YAML RetrainConfig (e.g. configs/retrain.yaml)")
    rt.add_argument("--set", nargs="*", action="extend", default=[], metavar="KEY=VALUE", help="override config fields")
    rt.set_defaults(func=_cmd_retrain)
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `microllm` command; user errors print one line and exit 2."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (FileNotFoundError, KeyError, ValueError, RuntimeError) as e:  # incl. ModelUnavailable
        print(f"microllm {args.command}: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

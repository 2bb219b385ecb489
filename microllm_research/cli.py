"""`microllm-research`: the studies behind the shipped recipe (training speed levers, learning curves, the feedback
loop simulated, re-scoring saved outputs, rewording train rows). None of them is needed to build or use the product;
`microllm --help` lists the product's commands.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from microllm import __version__
from microllm.cli import HelpFormatter, _groups_text, add_common, add_config_args, run
from microllm.progress import summary

GROUPS = (
    ("data", (("paraphrase", "reword train rows with the general model, checked (data/paraphrase-*)"),)),
    ("train", (
        ("train-profile", "time a few training steps under each speed lever (or per operator, --ops)"),
        ("learning-curve", "fine-tune on nested subsamples of train: exact match vs rows"),
    )),
    ("evaluate", (
        ("refinish", "re-apply the intent rules to saved raw outputs of a run; rescore"),
        ("grammar-engines", "llguidance vs xgrammar on the intent schema: compile and per-token mask times"),
    )),
    ("feedback", (("feedback-sim", "simulate the feedback loop: serve, review, retrain, gate (notebook 06)"),)),
)  # fmt: skip


def _cmd_paraphrase(args) -> int:
    from microllm.config import load_config
    from microllm.data.paraphrase import ParaphraseConfig, build_paraphrases

    card = build_paraphrases(load_config(ParaphraseConfig, args.config, args.set))
    print(json.dumps({k: card[k] for k in ("sampled", "accepted", "outcomes", "seconds")}, indent=2))
    summary(f"paraphrase: {card['accepted']} of {card['sampled']} rewordings accepted in {card['seconds']:.0f} s")
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


def _cmd_refinish(args) -> int:
    from microllm.evaluate import refinish

    command = f"microllm-research refinish {args.predictions} --data {args.data} --out-dir {args.out_dir}"
    command += f" --rules {args.rules}" if args.rules is not None else ""
    m = refinish(args.predictions, args.data, args.out_dir, args.rules, command=command)
    print(f"{m['predictor']} on {args.data}: exact match {m['refinished_from']['exact_match']:.3f} -> "
          f"{m['exact_match']:.3f} (n={m['n']}), re-finished from {args.predictions}")  # fmt: skip
    return 0


def _cmd_grammar_engines(args) -> int:
    from microllm.decode.engines import compare_engines
    from microllm.evaluate import read_gold
    from microllm.provenance import provenance

    rows = read_gold(args.data)[: args.rows]
    record = compare_engines(args.model, rows)
    record["provenance"] = provenance({"data": args.data}, f"microllm-research grammar-engines --model {args.model} "
                                      f"--data {args.data} --rows {args.rows} --out {args.out}")  # fmt: skip
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=2) + "\n")
    for engine in ("llguidance", "xgrammar"):
        r = record[engine]
        print(f"{engine:10} tokenizer {r['tokenizer_ms']:8.1f} ms  plain schema {r['compile_plain_ms']:8.1f} ms  "
              f"grounded {r['compile_grounded_median_ms']} ms  mask p50 {r['mask_median_ms']:.3f} ms")  # fmt: skip
    return 0


def _cmd_feedback_sim(args) -> int:
    from microllm.feedback.simulate import main_simulate

    metrics = main_simulate(args.config, args.set or [])
    print(json.dumps({k: v for k, v in metrics.items() if k != "provenance"}, indent=2, default=str)[:4000])
    return 0


def _help(name: str) -> str:
    return next(text for _, cmds in GROUPS for cmd, text in cmds if cmd == name)


def build_parser() -> argparse.ArgumentParser:
    """The argparse tree of the research commands."""
    p = argparse.ArgumentParser(prog="microllm-research", formatter_class=HelpFormatter,
                                description=__doc__.strip() + "\n\n" + _groups_text(GROUPS))  # fmt: skip
    p.add_argument("--version", action="version", version=f"microllm-research {__version__}")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars or notes (summary lines stay)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True, help="one of the commands above")

    def command(name: str, func) -> argparse.ArgumentParser:
        c = sub.add_parser(name, description=_help(name), formatter_class=HelpFormatter)
        add_common(c)
        c.set_defaults(func=func)
        return c

    c = command("paraphrase", _cmd_paraphrase)
    add_config_args(c, "ParaphraseConfig", "research/paraphrase/paraphrase.yaml")

    c = command("train-profile", _cmd_train_profile)
    add_config_args(c, "FinetuneConfig", None, required=True)
    c.add_argument("--steps", type=int, default=6, help="optimizer steps per variant (first one not counted)")
    c.add_argument("--levers", choices=["speed", "precision", "memory", "dropout"], default="speed",
                   help="speed: TRL defaults to the shipped config; precision: the config in fp32 and in bf16; "
                        "memory: glibc malloc's defaults and freed memory kept; dropout: the config with and without "
                        "LoRA dropout")  # fmt: skip
    c.add_argument("--timeout-s", type=float, default=None, help="stop a variant after this long (child process)")
    c.add_argument("--ops", action="store_true", help="instead: torch's profiler, seconds per step by operator")
    c.add_argument("--out-dir", default=None, help="default results/finetune/profile-<run>[-ops]")

    c = command("learning-curve", _cmd_learning_curve)
    add_config_args(c, "LearningCurveConfig", "research/learning-curve/gemma.yaml", required=True)

    c = command("refinish", _cmd_refinish)
    c.add_argument("predictions", help="a predictions.jsonl written by eval/compare (its metrics.json beside it)")
    c.add_argument("--data", required=True, help="the gold file those predictions were made on")
    c.add_argument("--out-dir", required=True)
    c.add_argument("--rules", default=None, help="intent rules to apply: default, none or comma-separated names "
                   "(microllm.rules); default: the ones the run recorded")  # fmt: skip

    c = command("grammar-engines", _cmd_grammar_engines)
    c.add_argument("--model", required=True, help="a GGUF whose vocabulary the grammars are built over")
    c.add_argument("--data", default="data/synthetic/val.jsonl", help="requests with gold intents to follow")
    c.add_argument("--rows", type=int, default=50)
    c.add_argument("--out", default="results/decode/grammar-engines.json")

    c = command("feedback-sim", _cmd_feedback_sim)
    add_config_args(c, "SimulateConfig", "research/feedback-loop/simulate.yaml", required=True)
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``microllm-research`` command."""
    return run(build_parser(), argv, "microllm-research")


if __name__ == "__main__":
    sys.exit(main())

"""``python -m microllm.data.mine [--out-dir data/real]``: build the real-text dataset and print its summary."""

from __future__ import annotations

import argparse

from microllm.data.mine.build import build_real_text


def main(argv: list[str] | None = None) -> int:
    """Build the real-text dataset; print the card's summary line."""
    parser = argparse.ArgumentParser(prog="python -m microllm.data.mine", description=__doc__)
    parser.add_argument("--out-dir", default="data/real", help="where train.jsonl, val-real.jsonl and the card go")
    args = parser.parse_args(argv)
    card = build_real_text(args.out_dir)
    print(card["summary"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Notebook 04's speed tables read the benchmark's and the quantizer's files."""

import json

from microllm_research.report_speed import answer_changes, speed_table, trim_table


def test_speed_and_trim_tables(tmp_path):
    bench = tmp_path / "bench" / "speed"
    bench.mkdir(parents=True)
    ref = "p50_vs_general:constrained"
    rows = [{"arm": "a/m-Q8.gguf:constrained", "p50_ms": 800.0, "p95_ms": 900.0, "gen_tok_s": 40.0,
             "tokens_per_pass": 1.0, "size_mb": 228.0, ref: 0.4},
            {"arm": "a/m-Q8-V32000.gguf:constrained:ngram", "p50_ms": 300.0, "p95_ms": 500.0, "gen_tok_s": 120.0,
             "tokens_per_pass": 3.1, "size_mb": 135.0, ref: 0.125},
            {"arm": "general:constrained", "p50_ms": 2400.0, "p95_ms": 3000.0, "gen_tok_s": 15.0, "size_mb": 1066.0,
             ref: 1.0}]  # fmt: skip
    (bench / "bench.json").write_text(json.dumps({"rows": rows}))
    table = speed_table(tmp_path, "speed")
    assert list(table["vocabulary"]) == ["full", "trimmed", "full"]
    assert list(table["decoding"]) == ["one pass per token", "n-gram drafts", "one pass per token"]
    assert list(table["speedup_vs_general"]) == [2.5, 8.0, 1.0] and table["tokens_per_pass"].iloc[2] == 1.0
    assert speed_table(tmp_path, "missing").empty

    q = tmp_path / "quantize" / "m"
    q.mkdir(parents=True)
    trim = {"n_vocab_after": 68873, "n_vocab_before": 262144, "bytes_after": 2**20 * 135, "bytes_before": 2**20 * 228,
            "corpus_changed": 0, "check_changed": 210, "check_rows": 1028}  # fmt: skip
    (q / "metrics.json").write_text(json.dumps({"formats": [{"format": "Q8"}, {"format": "Q8-V32000", "trim": trim}]}))
    t = trim_table(tmp_path, ("m",)).iloc[0]
    assert (t["format"], t["n_vocab"], t["size_mb"], t["val_inputs_changed"]) == ("Q8-V32000", 68873, 135.0, "210/1028")


def test_answer_changes_counts_rows_the_two_runs_answered_differently(tmp_path):
    gold = {"action": "group_add", "group": "devs"}
    other = {"action": "group_add", "group": "dev"}
    plain = tmp_path / "eval" / "arm" / "dev"
    plain.mkdir(parents=True)
    (plain / "predictions.jsonl").write_text("".join(json.dumps(r) + "\n" for r in [
        {"id": "a", "output": gold}, {"id": "b", "output": other}, {"id": "c", "output": gold}]))  # fmt: skip
    ab = tmp_path / "ab" / "run"
    ab.mkdir(parents=True)
    rows = [{"id": "a", "arm": "micro", "data": "dev", "output": gold, "gold": gold, "exact": True},
            {"id": "b", "arm": "micro", "data": "dev", "output": gold, "gold": gold, "exact": True},
            {"id": "c", "arm": "micro", "data": "dev", "output": other, "gold": gold, "exact": False},
            {"id": "a", "arm": "general", "data": "dev", "output": other, "gold": gold, "exact": False}]  # fmt: skip
    (ab / "predictions.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert answer_changes(tmp_path, "arm", "run") == {"rows": 3, "changed": 2, "exact_in_ab": 1, "exact_one_pass": 1}
    same = {"rows": 1, "changed": 0, "exact_in_ab": 0, "exact_one_pass": 0}  # the general arm: no answer differs
    (plain / "predictions.jsonl").write_text(json.dumps({"id": "a", "output": other}) + "\n")
    assert answer_changes(tmp_path, "arm", "run", arm="general") == same

"""The speed-lever profile at tiny size: each variant's steps timed, in this process or in a child within a time
budget; a variant past its budget is recorded as timed out with the running step's time, never waited for."""

import json
import os

import pytest
from conftest import ROOT

pytest.importorskip("trl")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from microllm.train import FinetuneConfig  # noqa: E402
from microllm.train.ops import op_table, profile_ops  # noqa: E402
from microllm.train.profile import MEMORY_LEVERS, PRECISION_LEVERS, profile_levers, time_steps_within  # noqa: E402


@pytest.fixture(scope="module")
def cfg(tmp_path_factory):
    from microllm.testing import save_tiny_model

    root = tmp_path_factory.mktemp("profile")
    base = save_tiny_model(root / "tiny-base")
    return FinetuneConfig(run="tiny", base_model=str(base), train_file=str(ROOT / "data" / "synthetic" / "train.jsonl"),
                          val_file=None, max_examples=24, batch_size=4, n_threads=1, lora_r=4, lora_alpha=8,
                          output_dir=str(root / "out"), results_dir=str(root / "results"))  # fmt: skip


def test_precision_levers_are_timed_side_by_side(cfg, tmp_path):
    metrics = profile_levers(cfg, steps=2, levers=PRECISION_LEVERS, out_dir=tmp_path)
    rows = metrics["variants"]
    assert [r["overrides"]["bf16"] for r in rows] == [False, True]
    assert all(len(r["step_seconds"]) == 2 and r["seconds_per_step"] > 0 for r in rows)
    assert rows[0]["speedup_vs_first"] == 1.0 and "cpu_isa" in metrics["provenance"]["machine"]
    assert json.loads((tmp_path / "metrics.json").read_text())["variants"][1]["variant"] == "bf16 autocast"


def test_a_variant_past_its_budget_is_stopped_and_says_so(cfg):
    done = time_steps_within(cfg, 2, timeout_s=600)  # a child process that finishes
    assert len(done["step_seconds"]) == 2 and done["seconds_per_step"] > 0
    stopped = time_steps_within(cfg, 2, timeout_s=0.5)  # still importing torch when the budget ends
    assert stopped["timed_out"] and stopped["seconds_per_step"] is None and stopped["step_seconds"] == []


def test_memory_levers_run_each_in_a_fresh_process_and_count_page_faults(cfg, tmp_path):
    rows = profile_levers(cfg, steps=2, levers=MEMORY_LEVERS, out_dir=tmp_path)["variants"]
    assert [r["freed_memory_kept"] for r in rows] == [False, True]  # the second child applied mallopt, the first not
    assert all(r["minor_faults_per_step"] >= 0 and r["user_seconds_per_step"] > 0 for r in rows)


def test_the_op_profile_adds_up_the_steps_operators(cfg, tmp_path):
    metrics = profile_ops(cfg, warmup=1, steps=1, top=8, out_dir=tmp_path)
    ops = metrics["ops"]
    assert len(ops) == 8 and metrics["wall_seconds_per_step"] > 0
    assert [r["self_seconds_per_step"] for r in ops] == sorted((r["self_seconds_per_step"] for r in ops), reverse=True)
    assert 0 < sum(r["share"] for r in ops) <= 1.001 and all(r["calls_per_step"] > 0 for r in ops)
    assert any(r["op"] in ("aten::mm", "aten::addmm", "aten::bmm") for r in ops)  # a transformer step multiplies
    assert json.loads((tmp_path / "metrics.json").read_text())["profiled_steps"] == 1


def test_op_table_is_per_step_and_sorted():
    from types import SimpleNamespace as Event

    events = [Event(key="a", self_cpu_time_total=1e6, count=4), Event(key="b", self_cpu_time_total=3e6, count=2)]
    assert op_table(events, steps=2, top=1) == [
        {"op": "b", "self_seconds_per_step": 1.5, "share": 0.75, "calls_per_step": 1.0}
    ]

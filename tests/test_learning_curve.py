"""The learning curve at tiny size: nested subsamples trained by the real pipeline, each point scored on the same
rows, the all-rows point being the main run itself (reused, never retrained or overwritten)."""

import json
import os
import shutil

import pytest
import yaml
from conftest import ROOT

pytest.importorskip("trl")
pytest.importorskip("peft")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from microllm.config import load_config  # noqa: E402
from microllm.train import FinetuneConfig  # noqa: E402
from microllm.train.curve import LearningCurveConfig, curve_table, point_config, run_learning_curve  # noqa: E402

TRAIN = ROOT / "data" / "synthetic" / "train.jsonl"


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    from microllm.testing import save_tiny_model

    root = tmp_path_factory.mktemp("curve")
    rows = TRAIN.read_text(encoding="utf-8").splitlines()[::50][:48]
    (root / "train.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    base = dict(run="tiny-main", base_model=str(save_tiny_model(root / "base")), train_file=str(root / "train.jsonl"),
                val_file=None, max_steps=2, batch_size=4, learning_rate=1e-2, warmup_ratio=0.0, lora_r=4,
                lora_alpha=8, lora_dropout=0.0, n_threads=1, save_every=1000, output_dir=str(root / "art" / "main"),
                results_dir=str(root / "results" / "main"))  # fmt: skip
    (root / "base.yaml").write_text(yaml.safe_dump(base))
    cfg = LearningCurveConfig(run="curve", base_config=str(root / "base.yaml"), sizes=[None, 12, 24],
                              finetune={"log_every": 1}, predictor="transformers",
                              predictor_options={"constrained": True, "max_tokens": 8, "n_threads": 1},
                              datasets={"dev": str(ROOT / "data" / "eval" / "dev.jsonl")}, limits={"dev": 3},
                              results_dir=str(root / "results"), artifacts_dir=str(root / "art"))  # fmt: skip
    return root, cfg


def test_points_are_nested_runs_and_the_full_point_is_the_main_run(setup):
    root, cfg = setup
    assert point_config(cfg, None) == load_config(FinetuneConfig, root / "base.yaml")  # bookkeeping overrides only
    small = point_config(cfg, 12)
    assert small.run == "tiny-main-n12" and small.max_examples == 12 and small.log_every == 1
    assert small.output_dir == str(root / "art" / "finetune" / "tiny-main-n12")
    trained = LearningCurveConfig(**{**cfg.__dict__, "finetune": {"learning_rate": 1e-3}})
    assert point_config(trained, None).run == "tiny-main-nall"  # other weights: never the main run's folder
    with pytest.raises(ValueError, match="positive"):
        LearningCurveConfig(sizes=[0])


def test_curve_trains_scores_and_reuses(setup, monkeypatch):
    root, cfg = setup
    record = run_learning_curve(cfg, log=lambda _: None)
    assert [p["size"] for p in record["points"]] == [12, 24, None]
    assert [p["examples"] for p in record["points"]] == [12, 24, 48]
    for p in record["points"]:
        assert p["dev_n"] == 3 and 0.0 <= p["dev_exact_match"] <= 1.0 and p["steps"] == 2
    assert (root / "results" / "main" / "metrics.json").exists()  # the main run, in its own place
    assert json.loads((root / "results" / "curve" / "curve.json").read_text())["points"] == record["points"]
    assert (root / "results" / "curve" / "curve.png").stat().st_size > 0
    assert list(curve_table(record)["examples"]) == [12, 24, 48]
    # A rerun trains and scores nothing again.
    monkeypatch.setattr("microllm.train.sft.train", lambda c: pytest.fail(f"retrained {c.run}"))
    monkeypatch.setattr("microllm.evaluate.evaluate", lambda *a, **k: pytest.fail("rescored"))
    monkeypatch.setattr("microllm.train.curve.provenance", lambda *a, **k: {"command": "a later rerun"})
    again = run_learning_curve(cfg, log=lambda _: None)
    assert again["points"] == record["points"]
    assert again["provenance"] == record["provenance"]  # a rerun that measured nothing keeps the measuring run's record
    # Weights deleted after scoring (a fresh clone of the repo): the recorded points stand, nothing is retrained...
    shutil.rmtree(root / "art")
    assert run_learning_curve(cfg, log=lambda _: None)["points"] == record["points"]
    # ...but a point that was never scored needs its model, so it is trained again.
    (root / "results" / "curve" / "n12" / "eval" / "dev" / "metrics.json").unlink()
    with pytest.raises(pytest.fail.Exception, match="retrained tiny-main-n12"):
        run_learning_curve(cfg, log=lambda _: None)

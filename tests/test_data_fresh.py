"""Data v3's made-up train names: val/test untouched, nothing held out leaks in, copying stays verbatim."""

import json
import random
from pathlib import Path

import pytest

from microllm.config import DataConfig, load_config
from microllm.data import build_dataset, read_jsonl, write_dataset
from microllm.data.card import gold_values
from microllm.data.fresh_values import FRESH, fresh_value
from microllm.data.pools import POOLS, ValuePool

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def pair():
    return build_dataset(seed=13, scale=0.5, fresh=0.0), build_dataset(seed=13, scale=0.5, fresh=0.5)


def test_fresh_changes_train_only(pair):
    v2, v3 = pair
    assert v2["val"] == v3["val"] and v2["test"] == v3["test"]
    assert v2["train"] != v3["train"]
    assert len(v2["train"]) == len(v3["train"])
    assert [r["template"] for r in v2["train"]] != [] and {r["template"] for r in v2["train"]} == {
        r["template"] for r in v3["train"]
    }


def test_about_half_the_train_user_names_are_made_up(pair):
    _, v3 = pair
    users = [v for r in v3["train"] for k, v in gold_values(r["output"]) if k == "username"]
    curated = set(POOLS["user"]["train"])
    made_up = sum(u not in curated for u in users) / len(users)
    assert 0.35 < made_up < 0.65, made_up
    held = [v for r in v3["test"] for k, v in gold_values(r["output"]) if k == "username"]
    assert set(held) <= set(POOLS["user"]["test"])


def test_no_made_up_value_equals_a_held_out_one():
    pool = ValuePool("train", seed=3, fresh=1.0)
    for kind in FRESH:
        held = {v.lower() for s in ("val", "test") for v in POOLS[kind][s]}
        drawn = {pool.pick(kind).lower() for _ in range(300)}
        assert not drawn & held, (kind, drawn & held)
        assert len(drawn) > 1


def test_fresh_value_gives_up_with_a_clear_error():
    with pytest.raises(RuntimeError, match="fresh service"):
        every = {FRESH["service"](random.Random(i)) for i in range(2000)}
        fresh_value("service", random.Random(0), taken=every)


def test_fresh_is_a_share():
    with pytest.raises(ValueError, match="fresh"):
        ValuePool("train", fresh=1.5)
    assert ValuePool("test", fresh=0.9).fresh == 0.0  # held-out splits never get made-up values


def test_shipped_v3_config_matches_the_committed_files():
    cfg = load_config(DataConfig, ROOT / "configs" / "data-v3.yaml")
    shared = load_config(DataConfig, ROOT / "configs" / "data.yaml")
    assert cfg.fresh > 0 and cfg.out_dir == "data/synthetic-v3" and cfg.splits == ["train"]
    built = build_dataset(cfg.seed, cfg.scale, cfg.fresh)
    assert built["train"] == read_jsonl(ROOT / cfg.out_dir / "train.jsonl")
    # One copy of each held-out split: the recipe's val and test are the shared ones, row for row.
    assert not (ROOT / cfg.out_dir / "val.jsonl").exists() and not (ROOT / cfg.out_dir / "test.jsonl").exists()
    for split in ("val", "test"):
        assert built[split] == read_jsonl(ROOT / shared.out_dir / f"{split}.jsonl")


def test_write_dataset_writes_only_the_named_splits(tmp_path):
    splits = build_dataset(13, 0.05, 0.5)
    paths = write_dataset(splits, tmp_path, only=["train"])
    assert sorted(p.name for p in tmp_path.glob("*.jsonl")) == ["train.jsonl"] and "train" in paths
    assert json.loads((tmp_path / "card.json").read_text())["written_splits"] == ["train"]
    with pytest.raises(ValueError, match="unknown split"):
        write_dataset(splits, tmp_path, only=["dev"])


def test_recipe_mixed_config_matches_the_committed_file():
    from microllm.data.diverse.dataset import build_for_config

    cfg = load_config(DataConfig, ROOT / "recipes" / "qwen-coder-0.5b-lora" / "data.yaml")
    v3 = load_config(DataConfig, ROOT / "configs" / "data-v3.yaml")
    assert cfg.generator == "mixed" and (cfg.seed, cfg.scale, cfg.fresh) == (v3.seed, v3.scale, v3.fresh)
    splits, _ = build_for_config(cfg)
    assert splits["train"] == read_jsonl(ROOT / cfg.out_dir / "train.jsonl")
    # The template rows are data v3's rows; the rest, diverse_share of the split, come from the diverse generator.
    v3_inputs = {r["input"] for r in read_jsonl(ROOT / v3.out_dir / "train.jsonl")}
    templates = [r for r in splits["train"] if r["source"] == "templates"]
    assert templates and all(r["input"] in v3_inputs for r in templates)
    assert len(splits["train"]) - len(templates) == round(cfg.diverse_share * len(splits["train"]))

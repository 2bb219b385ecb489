"""Every shipped config loads into its typed dataclass; overrides and mistakes behave."""

from pathlib import Path

import pytest
import yaml
from conftest import ROOT

from microllm.ab import ABConfig
from microllm.bench import BenchConfig
from microllm.compare import CompareConfig
from microllm.config import BaselineConfig, DataConfig, load_config
from microllm.data import contract
from microllm.data.paraphrase import ParaphraseConfig
from microllm.feedback.retrain import RetrainConfig
from microllm.feedback.simulate import SimulateConfig
from microllm.quantize import QuantizeConfig
from microllm.train import FinetuneConfig
from microllm.train.curve import LearningCurveConfig

DECODE = "recipes/qwen-coder-0.5b-lora/decode.yaml"  # predictor settings, read by microllm.models.shipped
# Configs of archived studies: the record of what ran, with settings the product no longer has (the study's README).
ARCHIVED = {  # configs kept as the record of what ran; their retired setting no longer loads
    "research/grounded-decoding/compare-recheck.yaml": (CompareConfig, "recheck"),
    "research/grounded-decoding/bench-speed.yaml": (BenchConfig, "drafts"),
    "research/qwen-lora/bench.yaml": (BenchConfig, "drafts"),
}
SHIPPED = {  # every config file in the repository -> its typed config
    "configs/baselines.yaml": BaselineConfig,
    "configs/data.yaml": DataConfig,
    "configs/data-diverse.yaml": DataConfig,
    "configs/data-v3.yaml": DataConfig,
    "configs/retrain.yaml": RetrainConfig,
    "configs/sft-tiny.yaml": FinetuneConfig,
    "recipes/qwen-coder-0.5b-lora/ab.yaml": ABConfig,
    "recipes/qwen-coder-0.5b-lora/bench.yaml": BenchConfig,
    "recipes/qwen-coder-0.5b-lora/data.yaml": DataConfig,
    "recipes/qwen-coder-0.5b-lora/eval.yaml": CompareConfig,
    "recipes/qwen-coder-0.5b-lora/quantize.yaml": QuantizeConfig,
    "recipes/qwen-coder-0.5b-lora/sft.yaml": FinetuneConfig,
    "research/base-models/bench.yaml": BenchConfig,
    "research/base-models/compare-unconstrained.yaml": CompareConfig,
    "research/base-models/compare-zero-shot.yaml": CompareConfig,
    "research/base-models/compare.yaml": CompareConfig,
    "research/feedback-loop/simulate.yaml": SimulateConfig,
    "research/gemma-full/compare.yaml": CompareConfig,
    "research/gemma-full/quantize-2ep.yaml": QuantizeConfig,
    "research/gemma-full/quantize-final-pass.yaml": QuantizeConfig,
    "research/gemma-full/quantize-one-pass-lr2e-4.yaml": QuantizeConfig,
    "research/gemma-full/quantize-one-pass.yaml": QuantizeConfig,
    "research/gemma-full/quantize.yaml": QuantizeConfig,
    "research/gemma-full/sft-2ep.yaml": FinetuneConfig,
    "research/gemma-full/sft-data-v2.yaml": FinetuneConfig,
    "research/gemma-full/sft-final-pass.yaml": FinetuneConfig,
    "research/gemma-full/sft-one-pass-lr2e-4.yaml": FinetuneConfig,
    "research/gemma-full/sft-one-pass.yaml": FinetuneConfig,
    "research/gemma-full/sft.yaml": FinetuneConfig,
    "research/gemma-lora/bench-quantized.yaml": BenchConfig,
    "research/gemma-lora/compare-quantized.yaml": CompareConfig,
    "research/gemma-lora/compare.yaml": CompareConfig,
    "research/gemma-lora/quantize.yaml": QuantizeConfig,
    "research/gemma-lora/sft.yaml": FinetuneConfig,
    "research/grounded-decoding/compare.yaml": CompareConfig,
    "research/data-proxy/compare.yaml": CompareConfig,
    "research/data-proxy/compare-recipe-before.yaml": CompareConfig,
    "research/data-proxy/quantize.yaml": QuantizeConfig,
    "research/data-proxy/data-mixed.yaml": DataConfig,
    "research/data-proxy/sft-diverse-1k.yaml": FinetuneConfig,
    "research/data-proxy/sft-mixed-1k.yaml": FinetuneConfig,
    "research/data-proxy/sft-v3-1k.yaml": FinetuneConfig,
    "research/data-proxy/data-mixed-50.yaml": DataConfig,
    "research/data-proxy/sft-mixed50-1k.yaml": FinetuneConfig,
    "research/data-proxy/compare-share.yaml": CompareConfig,
    "research/self-training/sft-real-1k.yaml": FinetuneConfig,
    "research/self-training/sft-real-self-1k.yaml": FinetuneConfig,
    "research/self-training/sft-real-1k-seed1.yaml": FinetuneConfig,
    "research/self-training/sft-real-1k-seed2.yaml": FinetuneConfig,
    "research/self-training/sft-real-whole-1k.yaml": FinetuneConfig,
    "research/self-training/sft-real-self-whole-1k.yaml": FinetuneConfig,
    "research/self-training/sft-real-whole-1k-seed1.yaml": FinetuneConfig,
    "research/self-training/sft-real-self-whole-1k-seed1.yaml": FinetuneConfig,
    "research/students/sft-gemma-1k.yaml": FinetuneConfig,
    "research/students/sft-smollm2-1k.yaml": FinetuneConfig,
    "research/students/quantize.yaml": QuantizeConfig,
    "research/students/compare.yaml": CompareConfig,
    "research/students/bench.yaml": BenchConfig,
    "research/seed-spread/sft-seed1.yaml": FinetuneConfig,
    "research/seed-spread/quantize.yaml": QuantizeConfig,
    "research/seed-spread/compare.yaml": CompareConfig,
    "research/seed-spread/compare-cpu.yaml": CompareConfig,
    "research/seed-spread/bench-cpu.yaml": BenchConfig,
    "research/seed-spread/ab-cpu.yaml": ABConfig,
    "research/self-training/compare.yaml": CompareConfig,
    "research/drafted-decoding/bench.yaml": BenchConfig,
    "research/four-bit/bench.yaml": BenchConfig,
    "research/four-bit/compare.yaml": CompareConfig,
    "research/learning-curve/gemma.yaml": LearningCurveConfig,
    "research/learning-curve/qwen.yaml": LearningCurveConfig,
    "research/made-up-names/bench.yaml": BenchConfig,
    "research/made-up-names/compare.yaml": CompareConfig,
    "research/made-up-names/quantize-gemma-lora-2ep.yaml": QuantizeConfig,
    "research/made-up-names/quantize-gemma-lora-3ep.yaml": QuantizeConfig,
    "research/made-up-names/quantize-gemma-lora.yaml": QuantizeConfig,
    "research/made-up-names/sft-gemma-lora-2ep.yaml": FinetuneConfig,
    "research/made-up-names/sft-gemma-lora-3ep.yaml": FinetuneConfig,
    "research/made-up-names/sft-gemma-lora.yaml": FinetuneConfig,
    "research/model-selection/compare.yaml": CompareConfig,
    "research/paraphrase/paraphrase-more.yaml": ParaphraseConfig,
    "research/paraphrase/paraphrase.yaml": ParaphraseConfig,
    "research/paraphrase/quantize-gemma-full-final-pass-para.yaml": QuantizeConfig,
    "research/paraphrase/quantize-gemma-full-one-pass-para.yaml": QuantizeConfig,
    "research/paraphrase/sft-gemma-full-final-pass-para.yaml": FinetuneConfig,
    "research/paraphrase/sft-gemma-full-one-pass-para.yaml": FinetuneConfig,
    "research/qwen-lora/ab-final-pass.yaml": ABConfig,
    "research/qwen-lora/compare.yaml": CompareConfig,
    "research/qwen-lora/quantize-final-pass.yaml": QuantizeConfig,
    "research/qwen-lora/quantize.yaml": QuantizeConfig,
    "research/qwen-lora/sft-data-v2.yaml": FinetuneConfig,
    "research/qwen-lora/sft-final-pass.yaml": FinetuneConfig,
    "research/qwen-lora/sft.yaml": FinetuneConfig,
    "research/scratch-model/compare.yaml": CompareConfig,
    "research/scratch-model/sft.yaml": FinetuneConfig,
    "research/smollm2-lora/quantize.yaml": QuantizeConfig,
    "research/smollm2-lora/sft.yaml": FinetuneConfig,
}


def test_every_shipped_config_is_known_and_loads():
    on_disk = {
        p.relative_to(ROOT).as_posix() for d in ("configs", "recipes", "research") for p in (ROOT / d).rglob("*.yaml")
    }
    assert on_disk - {DECODE} - set(ARCHIVED) == set(SHIPPED), "add new configs to SHIPPED so they are loaded here"
    for name, cls in SHIPPED.items():
        assert isinstance(load_config(cls, ROOT / name), cls)


# The file fields of the configs, by the evaluation contract's reader role (microllm.data.contract): what is trained
# on (or fits a tokenizer, vocabulary or shots) reads as "train", what only selects or checks as "val".
FILE_ROLES = {
    "train_file": "train", "more_train_files": "train", "extra_train_files": "train", "imatrix_train_file": "train",
    "trim_corpus": "train", "source": "train", "val_file": "val", "trim_check": "val",
}  # fmt: skip
FILE_ROLES_OF = {ParaphraseConfig: {**FILE_ROLES, "exclude_files": "val"}}  # SimulateConfig's only keep requests out
# Records of studies that trained on the synthetic test split on purpose (their models are not shipped): the
# contract refuses them now, so they stand as the record of what ran and cannot be rerun as they are.
TRAINED_ON_TEST = {
    ("research/gemma-full/sft-final-pass.yaml", "extra_train_files"),
    ("research/gemma-full/sft-one-pass-lr2e-4.yaml", "more_train_files"),
    ("research/gemma-full/sft-one-pass.yaml", "more_train_files"),
    ("research/paraphrase/sft-gemma-full-final-pass-para.yaml", "extra_train_files"),
    ("research/paraphrase/sft-gemma-full-one-pass-para.yaml", "extra_train_files"),
    ("research/qwen-lora/quantize-final-pass.yaml", "trim_corpus"),
    ("research/qwen-lora/sft-final-pass.yaml", "train_file"),
}


def test_no_shipped_config_trains_or_validates_on_a_file_the_contract_refuses():
    refused = {}
    for name, cls in SHIPPED.items():
        cfg = load_config(cls, ROOT / name)
        for field, role in FILE_ROLES_OF.get(cls, FILE_ROLES).items():
            value = getattr(cfg, field, None)
            for path in [value] if isinstance(value, str) else value or []:
                try:
                    contract.check_readable(ROOT / path, role)
                except contract.HeldOutError as e:
                    refused[name, field] = str(e)
    assert set(refused) == TRAINED_ON_TEST, refused
    assert all("synthetic/test.jsonl is the test split" in why for why in refused.values())


def test_an_archived_config_is_refused_for_its_retired_setting_and_its_study_says_so():
    for name, (cls, key) in ARCHIVED.items():
        with pytest.raises(ValueError, match=key):
            load_config(cls, ROOT / name)
        assert "## Archived" in (ROOT / name).parent.joinpath("README.md").read_text(encoding="utf-8")


def test_recipe_decoding_is_the_ab_micro_arm():
    # `microllm parse` / `serve` / `execute` and the A/B's micro arm decode the same file the same way.
    decode = yaml.safe_load((ROOT / DECODE).read_text())
    ab = load_config(ABConfig, ROOT / "recipes" / "qwen-coder-0.5b-lora" / "ab.yaml")
    assert ab.arms["micro"] == {"predictor": decode["predictor"], "kwargs": decode["kwargs"]}
    quantize = load_config(QuantizeConfig, ROOT / "recipes" / "qwen-coder-0.5b-lora" / "quantize.yaml")
    assert Path(decode["kwargs"]["model"]).parent == Path(quantize.out_dir)


def test_research_configs_never_compose_from_the_recipe():
    # A study is a frozen record: changing the shipped recipe must not change what a study's config says.
    for path in (ROOT / "research").rglob("*.yaml"):
        chain, current = [], path
        while (base := (yaml.safe_load(current.read_text()) or {}).get("base")) is not None:
            current = (current.parent / base).resolve()
            chain.append(current)
        assert all("recipes" not in p.parts for p in chain), f"{path} composes from the recipe: {chain}"


def test_config_composes_from_its_base_and_overrides_win(tmp_path):
    (tmp_path / "base.yaml").write_text("seed: 1\nscale: 0.5\nout_dir: data/a\n")
    (tmp_path / "mid.yaml").write_text("base: base.yaml\nscale: 0.25\n")
    (tmp_path / "leaf.yaml").write_text("base: mid.yaml\nout_dir: data/b\n")
    cfg = load_config(DataConfig, tmp_path / "leaf.yaml", ["seed=7"])
    assert (cfg.seed, cfg.scale, cfg.out_dir) == (7, 0.25, "data/b")


def test_config_base_errors_are_clear(tmp_path):
    (tmp_path / "a.yaml").write_text("base: b.yaml\n")
    (tmp_path / "b.yaml").write_text("base: a.yaml\n")
    with pytest.raises(ValueError, match="cycle"):
        load_config(DataConfig, tmp_path / "a.yaml")
    (tmp_path / "c.yaml").write_text("base: missing.yaml\n")
    with pytest.raises(FileNotFoundError, match="missing.yaml"):
        load_config(DataConfig, tmp_path / "c.yaml")


def test_overrides_are_typed():
    cfg = load_config(BaselineConfig, ROOT / "configs" / "baselines.yaml", ["limit=20", "predictors=[rules]"])
    assert cfg.limit == 20 and cfg.predictors == ["rules"]
    assert load_config(DataConfig, None, ["scale=0.1", "out_dir=/tmp/x"]).scale == 0.1


@pytest.mark.parametrize("overrides, message", [(["colour=red"], "no field 'colour'"), (["scale"], "key=value")])
def test_bad_overrides_are_clear_errors(overrides, message):
    with pytest.raises(ValueError, match=message):
        load_config(DataConfig, None, overrides)

"""Every shipped config loads into its typed dataclass; overrides and mistakes behave."""

import pytest
from conftest import ROOT

from microllm.ab import ABConfig
from microllm.bench import BenchConfig
from microllm.compare import CompareConfig
from microllm.config import BaselineConfig, DataConfig, load_config
from microllm.data.paraphrase import ParaphraseConfig
from microllm.feedback.retrain import RetrainConfig
from microllm.feedback.simulate import SimulateConfig
from microllm.quantize import QuantizeConfig
from microllm.train import FinetuneConfig
from microllm.train.curve import LearningCurveConfig

SHIPPED = {
    "data.yaml": DataConfig,
    "data-v3.yaml": DataConfig,
    "baselines.yaml": BaselineConfig,
    "compare.yaml": CompareConfig,
    "compare-free.yaml": CompareConfig,
    "compare-zeroshot.yaml": CompareConfig,
    "compare-finetuned.yaml": CompareConfig,
    "compare-quantized.yaml": CompareConfig,
    "compare-v3.yaml": CompareConfig,
    "compare-grounding.yaml": CompareConfig,
    "compare-full-v3.yaml": CompareConfig,
    "compare-final.yaml": CompareConfig,
    "compare-recheck.yaml": CompareConfig,
    "compare-qwen-v3.yaml": CompareConfig,
    "compare-scratch.yaml": CompareConfig,
    "bench-quantized.yaml": BenchConfig,
    "bench-v3.yaml": BenchConfig,
    "bench.yaml": BenchConfig,
    "ab.yaml": ABConfig,
    "finetune-gemma-lora.yaml": FinetuneConfig,
    "finetune-gemma-full.yaml": FinetuneConfig,
    "finetune-gemma-full-v3.yaml": FinetuneConfig,
    "finetune-gemma-full-v3-2ep.yaml": FinetuneConfig,
    "finetune-gemma-full-v3-final.yaml": FinetuneConfig,
    "finetune-gemma-full-v3-para.yaml": FinetuneConfig,
    "finetune-gemma-full-v4-onepass.yaml": FinetuneConfig,
    "finetune-gemma-full-v4-para.yaml": FinetuneConfig,
    "finetune-gemma-full-v4-lr4x.yaml": FinetuneConfig,
    "finetune-smollm2-lora.yaml": FinetuneConfig,
    "finetune-qwen-coder-lora.yaml": FinetuneConfig,
    "finetune-qwen-coder-lora-v3.yaml": FinetuneConfig,
    "finetune-qwen-coder-lora-v3-final.yaml": FinetuneConfig,
    "finetune-gemma-lora-v3.yaml": FinetuneConfig,
    "finetune-gemma-lora-v3-2ep.yaml": FinetuneConfig,
    "finetune-gemma-lora-v3-3ep.yaml": FinetuneConfig,
    "finetune-tiny.yaml": FinetuneConfig,
    "finetune-scratch.yaml": FinetuneConfig,
    "quantize-gemma.yaml": QuantizeConfig,
    "quantize-smollm2.yaml": QuantizeConfig,
    "quantize-gemma-v3.yaml": QuantizeConfig,
    "quantize-gemma-v3-2ep.yaml": QuantizeConfig,
    "quantize-gemma-v3-3ep.yaml": QuantizeConfig,
    "quantize-gemma-full-v3.yaml": QuantizeConfig,
    "quantize-gemma-full-v3-2ep.yaml": QuantizeConfig,
    "quantize-gemma-full-v3-final.yaml": QuantizeConfig,
    "quantize-gemma-full-v3-para.yaml": QuantizeConfig,
    "quantize-gemma-full-v4-onepass.yaml": QuantizeConfig,
    "quantize-gemma-full-v4-para.yaml": QuantizeConfig,
    "quantize-gemma-full-v4-lr4x.yaml": QuantizeConfig,
    "quantize-qwen-coder-v3.yaml": QuantizeConfig,
    "quantize-qwen-coder-v3-final.yaml": QuantizeConfig,
    "bench-speed.yaml": BenchConfig,
    "bench-qwen-v3.yaml": BenchConfig,
    "retrain.yaml": RetrainConfig,
    "feedback-sim.yaml": SimulateConfig,
    "learning-curve.yaml": LearningCurveConfig,
    "learning-curve-qwen.yaml": LearningCurveConfig,
    "paraphrase.yaml": ParaphraseConfig,
    "paraphrase-v2.yaml": ParaphraseConfig,
}


def test_every_shipped_config_is_known_and_loads():
    on_disk = {p.name for p in (ROOT / "configs").glob("*.yaml")}
    assert on_disk == set(SHIPPED), "add new configs to SHIPPED so they are loaded here"
    for name, cls in SHIPPED.items():
        assert isinstance(load_config(cls, ROOT / "configs" / name), cls)


def test_overrides_are_typed():
    cfg = load_config(BaselineConfig, ROOT / "configs" / "baselines.yaml", ["limit=20", "predictors=[rules]"])
    assert cfg.limit == 20 and cfg.predictors == ["rules"]
    assert load_config(DataConfig, None, ["scale=0.1", "out_dir=/tmp/x"]).scale == 0.1


@pytest.mark.parametrize("overrides, message", [(["colour=red"], "no field 'colour'"), (["scale"], "key=value")])
def test_bad_overrides_are_clear_errors(overrides, message):
    with pytest.raises(ValueError, match=message):
        load_config(DataConfig, None, overrides)

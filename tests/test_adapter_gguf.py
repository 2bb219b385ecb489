"""A LoRA adapter as its own GGUF on top of the GGUF it was trained from (microllm.quantize.adapter), on a tiny model:
the pair gives the merged model's logits, the spec resolves everywhere, quantize records it, export writes ADAPTER."""

import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from microllm.compare import run_slug
from microllm.models import ModelUnavailable, resolve_model
from microllm.models.resolve import split_spec
from microllm.predictors import get_predictor
from microllm.quantize import QuantizeConfig, convert_to_gguf, ensure_converter, quantize_model
from microllm.quantize import export as export_mod
from microllm.quantize.adapter import adapter_spec, convert_adapter
from microllm.quantize.export import export_model, quantized_gguf, run_of
from microllm.quantize.pipeline import base_format
from microllm.quantize.quant import copy_prompt
from microllm.testing import build_tiny_finetuned, save_tiny_finetuned
from microllm_research.report_quantize import quant_table


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    """base GGUF (F32) + a LoRA with random A and B (so it changes the output) + the merged model's GGUF."""
    try:
        ensure_converter()
    except RuntimeError as e:
        pytest.skip(f"llama.cpp converter unavailable: {e}")
    from peft import LoraConfig, get_peft_model

    root = tmp_path_factory.mktemp("adapter")
    model, tokenizer = build_tiny_finetuned()
    save_tiny_finetuned(root / "base", model, tokenizer)
    base = convert_to_gguf(root / "base", root / "base-F32.gguf", "f32")
    lora = LoraConfig(r=8, lora_alpha=16, target_modules=["q_proj", "v_proj", "o_proj", "down_proj"],
                      init_lora_weights=False)  # fmt: skip
    peft_model = get_peft_model(model, lora)
    run = root / "tinylora"
    peft_model.save_pretrained(run / "adapter")
    merged = peft_model.merge_and_unload()
    save_tiny_finetuned(run / "merged", merged, tokenizer)
    merged_gguf = convert_to_gguf(run / "merged", root / "merged-F32.gguf", "f32")
    adapter = convert_adapter(run / "adapter", run / "merged", root / "tinylora-adapter-F32.gguf", "f32")
    return {"root": root, "base": base, "merged": merged_gguf, "adapter": adapter, "run": run}


def _last_logits(model: Path, adapter: Path | None, tokens: list[int]) -> np.ndarray:
    from llama_cpp import Llama

    llm = Llama(model_path=str(model), lora_path=str(adapter) if adapter else None, n_ctx=64, n_threads=1,
                verbose=False)  # fmt: skip
    try:
        llm.eval(tokens)
        return np.ctypeslib.as_array(llm._ctx.get_logits_ith(-1), shape=(llm.n_vocab(),)).copy()  # noqa: SLF001
    finally:
        llm.close()


def test_base_plus_adapter_gives_the_merged_model(pair):
    tokens = [1, 17, 42, 99, 250, 7, 300]
    merged = _last_logits(pair["merged"], None, tokens)
    applied = _last_logits(pair["base"], pair["adapter"], tokens)
    base = _last_logits(pair["base"], None, tokens)
    assert np.abs(base - merged).max() > 1e-2  # the adapter matters ...
    assert np.abs(applied - merged).max() < 1e-3 * max(1.0, np.abs(merged).max())  # ... and applies exactly


def test_spec_resolves_and_predicts_like_the_merged_model(pair):
    spec = adapter_spec(pair["base"], pair["adapter"])
    assert split_spec(spec) == (str(pair["base"]), str(pair["adapter"]))
    assert split_spec("gemma-3-270m") == ("gemma-3-270m", None)
    resolved = resolve_model(spec)
    assert resolved.kind == "gguf" and resolved.path == pair["base"] and resolved.adapter == pair["adapter"]
    assert resolved.size_bytes == pair["base"].stat().st_size + pair["adapter"].stat().st_size
    with pytest.raises(ModelUnavailable, match="adapter file"):
        resolve_model(f"{pair['base']}+{pair['root'] / 'missing.gguf'}")
    kw = {"max_tokens": 24, "n_ctx": 256, "n_threads": 1, "prompt": "trained"}
    with pytest.raises(FileNotFoundError, match="not fine-tuned"):  # the base alone has no prompt record ...
        get_predictor("llamacpp", model=str(pair["base"]), **kw)
    for gguf in (pair["adapter"], pair["merged"]):  # ... the adapter carries it, as `microllm quantize` leaves it
        copy_prompt(pair["run"] / "merged", gguf)
    a = get_predictor("llamacpp", model=spec, **kw).predict("Remove user jane")
    b = get_predictor("llamacpp", model=str(pair["merged"]), **kw).predict("Remove user jane")
    assert a.raw == b.raw
    slug = run_slug(spec, "llamacpp", "trained", True)
    assert slug == "llamacpp-base-F32+tinylora-adapter-F32-trained-constrained".replace("+", "-")


def test_quantize_records_the_pair_and_export_writes_adapter(pair, monkeypatch):
    root = pair["root"]
    monkeypatch.chdir(root)  # quantize finds the run's base model in results/finetune/<run>/config.yaml
    (root / "results" / "finetune" / "tinylora").mkdir(parents=True)
    (root / "results" / "finetune" / "tinylora" / "config.yaml").write_text(
        yaml.safe_dump({"base_model": str(pair["base"])})
    )
    results = str(root / "results" / "quantize" / "tinylora")
    cfg = QuantizeConfig(model=str(pair["run"] / "merged"), formats=["Q8_0"], adapter=True, vocab_from=None,
                         out_dir=str(root / "q"), results_dir=results)  # fmt: skip
    metrics = quantize_model(cfg)
    row = next(r for r in metrics["formats"] if r["format"] == "F32+LoRA")
    assert row["base"] == str(pair["base"]) and row["model"] == adapter_spec(pair["base"], row["path"])
    assert row["size_bytes"] == pair["base"].stat().st_size + row["adapter_size_bytes"]
    assert (root / "q" / "tinylora-adapter-F16.microllm_prompt.json").is_file()
    assert quant_table(root / "results", run="tinylora")["format"].tolist() == ["F16", "Q8_0", "F32+LoRA"]
    spec = quantized_gguf("tinylora", "f32+lora", root / "results")
    assert spec == row["model"] and run_of(row["path"]) == "tinylora"
    with pytest.raises(FileNotFoundError, match="no Q4_K_M\\+LoRA"):
        quantized_gguf("tinylora", "Q4_K_M+LoRA", root / "results")
    paths = export_model(spec, root / "export", results_dir=root / "results")
    modelfile = Path(paths["modelfile"]).read_text()
    assert modelfile.startswith(f"FROM {pair['base'].resolve()}\nADAPTER {Path(row['path']).resolve()}\n")
    assert paths["run"] == "tinylora" and "LoRA adapter GGUF" in Path(paths["model_card"]).read_text()
    assert json.loads((root / "results" / "quantize" / "tinylora" / "metrics.json").read_text())["formats"][-1] == row


def test_a_template_less_base_gets_the_trained_plain_format(pair, monkeypatch):
    """The Gemma 3 270M base GGUF has no chat template: its LoRA pair must be prompted (and exported) exactly as
    microllm training formatted it, not with the backend's generic fallback."""
    from microllm.backends.llamacpp import FALLBACK_TEMPLATE, chat_template
    from microllm.train.data import PLAIN_CHAT_TEMPLATE

    assert chat_template({}, "trained") == PLAIN_CHAT_TEMPLATE
    assert chat_template({}, "few-shot") == FALLBACK_TEMPLATE
    assert chat_template({"tokenizer.chat_template": "{{ x }}"}, "trained") == "{{ x }}"
    root = pair["root"]
    spec = adapter_spec(pair["base"], pair["adapter"])
    (root / "tinylora-adapter-F32.microllm_prompt.json").write_text(json.dumps({"system_prompt": "short",
                                                                                 "system": "Be brief."}))  # fmt: skip
    real = export_mod.gguf_facts
    monkeypatch.setattr(export_mod, "gguf_facts", lambda p: {**real(p), "chat_template": None})
    paths = export_model(spec, root / "export-plain", results_dir=root / "results")
    assert paths["format"] == "plain" and "Intent:" in Path(paths["modelfile"]).read_text()
    with pytest.raises(ValueError, match="cannot tell its prompt format"):
        export_model(str(pair["base"]), root / "export-bare", results_dir=root / "results")  # no microllm record


def test_adapter_errors_are_clear(tmp_path):
    assert base_format(Path("gemma-3-270m-q4_k_m.gguf")) == "Q4_K_M" and base_format(Path("x.gguf")) == "base"
    with pytest.raises(FileNotFoundError, match="not a PEFT adapter"):
        convert_adapter(tmp_path, tmp_path, tmp_path / "a.gguf")
    with pytest.raises(ValueError, match="outtype"):
        convert_adapter(tmp_path, tmp_path, tmp_path / "a.gguf", "q4_0")

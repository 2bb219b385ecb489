"""The transformers backend on a tiny random Llama: it never crashes, and constrained output stays in the schema."""

import json
import os

import pytest

from microllm.backends.transformers_hf import TransformersPredictor, tokenizer_cache_dir
from microllm.cli import main
from microllm.models import ModelUnavailable
from microllm.testing import build_tiny_llama, build_tiny_tokenizer, is_schema_prefix, save_tiny_model, write_tiny_gguf

os.environ.setdefault("HF_HUB_OFFLINE", "1")

QUERIES = ["Add DNS record api.local to 10.0.0.5", "Remove user jane", "Créez l'utilisateur josé"]
TRAIN_ROWS = [
    ("Add DNS record api.local to 10.0.0.5", {"action": "dns_add", "name": "api.local", "record_type": "A",
                                              "value": "10.0.0.5"}, "dns"),
    ("Remove user jane", {"action": "user_remove", "username": "jane"}, "users"),
    ("Open port 443/tcp from 10.0.0.0/8", {"action": "fw_allow", "port": 443, "protocol": "tcp",
                                           "source": "10.0.0.0/8"}, "firewall"),
    ("Why is my DNS not working?", {"action": "unknown"}, "unknown"),
]  # fmt: skip
MAX_TOKENS = 24
FAST = {"max_tokens": MAX_TOKENS, "n_threads": 1}  # one thread: two spin-waiting threads crawl on busy cores


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny_hf")
    train = root / "train.jsonl"
    train.write_text("".join(json.dumps({"input": i, "output": o, "category": c}) + "\n" for i, o, c in TRAIN_ROWS))
    return {"model": str(save_tiny_model(root / "model")), "train": str(train), "root": root}


@pytest.fixture(scope="module")
def constrained(files):
    return TransformersPredictor(model=files["model"], prompt="few-shot", n_shots=4, train_file=files["train"], **FAST)


def check_prediction(pred):
    assert isinstance(pred.raw, str) and pred.latency_ms > 0
    assert pred.confidence is not None and 0.0 <= pred.confidence <= 1.0
    assert (pred.intent is None) == (pred.error is not None)
    if pred.error is not None:
        assert isinstance(pred.error, str) and pred.error


def test_constrained_output_is_schema_json_or_a_clear_error(constrained):
    assert constrained.name.endswith(":few-shot:constrained") and constrained.has_chat_template
    for query in QUERIES:
        pred = constrained.predict(query)
        check_prediction(pred)
        assert pred.raw.startswith('{"action": "'), pred.raw
        assert is_schema_prefix(pred.raw), pred.raw
        if not pred.ok:  # only when max_tokens cut the object short
            assert pred.error.startswith("not_json"), pred.error
            assert constrained.last_usage["completion_tokens"] == MAX_TOKENS


def test_zero_shot_and_the_plain_fallback_prompt(files):
    pred = TransformersPredictor(model=files["model"], prompt="zero-shot", constrained="true", **FAST)
    rendered = pred.render_prompt("Remove user jane")
    assert rendered.startswith("<s>system\n") and rendered.endswith("<s>assistant\n") and "Intent:" not in rendered
    check_prediction(pred.predict("Remove user jane"))
    pred.has_chat_template = False  # a model without a template gets the llama.cpp backend's plain format
    rendered = pred.render_prompt("Remove user jane")
    assert rendered.endswith("Request: Remove user jane\nIntent: ") and "<s>" not in rendered
    check_prediction(pred.predict("Remove user jane"))


def test_unconstrained_runs_and_never_raises(files):
    pred = TransformersPredictor(model=files["model"], prompt="few-shot", n_shots="2", constrained="false",
                                 train_file=files["train"], max_tokens="12", n_threads="1")  # fmt: skip
    assert pred.name.endswith(":few-shot:free") and pred.grammar is None
    for query in QUERIES[:2]:
        check_prediction(pred.predict(query))
        assert pred.last_usage["completion_tokens"] <= 12


def test_gguf_model_loads_and_caches_its_tokenizer(files, monkeypatch):
    monkeypatch.setenv("MICROLLM_ARTIFACTS", str(files["root"] / "artifacts"))
    tokenizer = build_tiny_tokenizer()
    gguf_path = write_tiny_gguf(build_tiny_llama(tokenizer), tokenizer, files["root"] / "tiny.gguf")
    first = TransformersPredictor(model=str(gguf_path), prompt="zero-shot", **FAST)
    cache = tokenizer_cache_dir(gguf_path)
    assert (cache / "gguf_source.json").exists()
    assert first.prompt_tokens("Remove user jane") == TransformersPredictor(
        model=str(gguf_path), prompt="zero-shot", **FAST
    ).prompt_tokens("Remove user jane")  # the second one read the cache
    pred = first.predict("Remove user jane")
    check_prediction(pred)
    assert is_schema_prefix(pred.raw)


def test_missing_model_is_a_clear_error(tmp_path):
    with pytest.raises(ModelUnavailable, match="does not exist"):
        TransformersPredictor(model=str(tmp_path / "nope.gguf"))


def test_cli_predict_writes_one_line_per_row(files, tmp_path):
    inputs = tmp_path / "in.jsonl"
    rows = [{"id": "a", "input": QUERIES[0]}, {"input": ""}, {"id": 3, "input": QUERIES[1]}]
    inputs.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "out.jsonl"
    opts = [f"max_tokens={MAX_TOKENS}", "n_threads=1", "n_shots=2", f"train_file={files['train']}"]
    opts = [arg for opt in opts for arg in ("-o", opt)]
    assert main(["predict", "--predictor", "transformers", "--model", files["model"], *opts,
                 "--input", str(inputs), "--output", str(out)]) == 1  # fmt: skip
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in lines] == ["a", "2", "3"]
    assert lines[1]["error"].endswith("empty input")
    assert all(r["raw"].startswith('{"action"') for r in (lines[0], lines[2]))

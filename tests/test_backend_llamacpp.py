"""The llama.cpp backend on a tiny random GGUF: it never crashes, stays in the schema and reuses its KV cache."""

import dataclasses
import json

import pytest
from conftest import tiny_gguf_and_train

from microllm.backends import llamacpp
from microllm.backends.llamacpp import LlamaCppPredictor
from microllm.cli import main
from microllm.models import ModelUnavailable
from microllm.testing import is_schema_prefix

QUERIES = ["Add DNS record api.local to 10.0.0.5", "Remove user jane", "Créez l'utilisateur josé"]
MAX_TOKENS = 16


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """Two ggml threads spin-wait on each other and crawl (~0.3 s a token) when the cores are busy elsewhere."""
    load = llamacpp._load
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(
            llamacpp,
            "_load",
            lambda path, cfg, adapter=None: load(path, dataclasses.replace(cfg, n_threads=1), adapter),
        )
        yield


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    rows = [("Remove user jane", {"action": "user_remove", "username": "jane"}, "users"),
            ("Why is my DNS not working?", {"action": "unknown"}, "unknown"),
            ("Add group devs", {"action": "group_add", "group": "devs"}, "users")]  # fmt: skip
    return tiny_gguf_and_train(tmp_path_factory.mktemp("tiny_gguf"), rows)


@pytest.fixture(scope="module")
def constrained(files):
    return LlamaCppPredictor(model=files["model"], prompt="few-shot", n_shots="3", max_tokens=str(MAX_TOKENS),
                             train_file=files["train"])  # fmt: skip


def check_prediction(pred):
    assert isinstance(pred.raw, str) and pred.latency_ms > 0
    assert pred.confidence is not None and 0.0 <= pred.confidence <= 1.0
    assert (pred.intent is None) == (pred.error is not None)


def test_constrained_output_is_a_schema_prefix(constrained):
    assert constrained.name.endswith(":few-shot:constrained") and constrained.has_chat_template
    for query in QUERIES:
        pred = constrained.predict(query)
        check_prediction(pred)
        assert pred.raw.lstrip().startswith("{") and is_schema_prefix(pred.raw), pred.raw
        if not pred.ok:  # only when max_tokens cut the object short
            assert pred.error.startswith("not_json"), pred.error
            assert constrained.last_usage["completion_tokens"] == MAX_TOKENS


def test_second_query_reuses_the_shared_prompt_prefix(constrained):
    constrained.predict("Remove user jane")
    first, second = constrained.prompt_tokens("Remove user jane"), constrained.prompt_tokens("Add group devs")
    constrained.predict("Add group devs")
    usage = constrained.last_usage
    shared = next(i for i, (a, b) in enumerate(zip(first, second, strict=False)) if a != b)
    assert 0 < usage["reused_prefix"] <= shared < usage["prompt_tokens"]
    assert usage["reused_prefix"] == shared  # the whole system + examples prefix, not re-evaluated


def test_zero_shot_and_unconstrained_run(files):
    pred = LlamaCppPredictor(model=files["model"], prompt="zero-shot", constrained="false", max_tokens="8")
    assert pred.name.endswith(":zero-shot:free")
    for query in QUERIES[:2]:
        check_prediction(pred.predict(query))
        assert pred.last_usage["completion_tokens"] <= 8


def test_decision_confidence_is_never_above_value_confidence(files):
    plain = LlamaCppPredictor(model=files["model"], prompt="few-shot", n_shots="3", max_tokens=str(MAX_TOKENS))
    strict = LlamaCppPredictor(model=files["model"], prompt="few-shot", n_shots="3", max_tokens=str(MAX_TOKENS),
                               confidence="decisions")  # fmt: skip
    for query in QUERIES[:2]:
        a, b = plain.predict(query), strict.predict(query)
        assert a.raw == b.raw and 0.0 <= b.confidence <= a.confidence <= 1.0
    with pytest.raises(ValueError, match="confidence must be"):
        LlamaCppPredictor(model=files["model"], confidence="tokens")


def test_missing_or_wrong_model_is_a_clear_error(tmp_path):
    with pytest.raises(ModelUnavailable, match="does not exist"):
        LlamaCppPredictor(model=str(tmp_path / "missing.gguf"))
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(ValueError, match="needs a GGUF"):
        LlamaCppPredictor(model=str(tmp_path))


def test_cli_predict_writes_one_line_per_row(files, tmp_path):
    inputs = tmp_path / "in.jsonl"
    inputs.write_text(json.dumps({"id": "a", "input": QUERIES[0]}) + "\nnot json\n" + json.dumps({"input": "x"}))
    out = tmp_path / "out.jsonl"
    assert main(["predict", "--predictor", "llamacpp", "--model", files["model"], "-o", "max_tokens=8",
                 "-o", "prompt=zero-shot", "--input", str(inputs), "--output", str(out)]) == 1  # fmt: skip
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in lines] == ["a", "2", "3"]
    assert "line is not JSON" in lines[1]["error"]
    assert all(is_schema_prefix(r["raw"]) for r in (lines[0], lines[2]))

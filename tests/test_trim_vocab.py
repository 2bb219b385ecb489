"""Vocabulary trimming on a tiny GGUF: ids renumbered, the corpus tokenizes the same, and greedy answers whose tokens
were kept come out the same, constrained or not."""

import numpy as np
import pytest
from conftest import tiny_gguf_and_train

from microllm.backends.llamacpp import LlamaCppPredictor
from microllm.prompts import build_messages
from microllm.quantize.trim_vocab import read_vocab, select_tokens, tokenization_changes, tokenize_all, trim_gguf

CORPUS = ["Add DNS record api.local to 10.0.0.5", "Remove user jane", "Open port 443/tcp",
          "Create user john with password abc123"]  # fmt: skip


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    root = tmp_path_factory.mktemp("trim")
    files = tiny_gguf_and_train(root, [("Remove user jane", {"action": "user_remove", "username": "jane"}, "users")])
    return {"src": files["model"], "root": root, "train": files["train"]}


def test_select_keeps_specials_bytes_top_k_and_the_parts_of_used_tokens():
    tokens = ["<pad>", "<unused0>", "a", "b", "c", "ab", "abc", "zz"]
    types = np.array([3, 3, 1, 1, 1, 1, 1, 1])
    keep = select_tokens(tokens, types, used=[6], top_k=1)  # "abc" is used: a+bc / ab+c splits keep "ab", "c"
    assert keep == [0, 2, 3, 4, 5, 6]  # not <unused0>, not "zz"


@pytest.mark.parametrize("mark", ["\u2581", "\u0120"])  # SentencePiece's and byte-level BPE's word start
def test_a_kept_word_keeps_its_other_spellings(mark):
    tokens = ["<pad>", f"{mark}Vault", f"{mark}vault", "vault", "Vault", f"{mark}VAULT", "\u0121vault"]
    types = np.array([3, 1, 1, 1, 1, 1, 1])
    keep = select_tokens(tokens, types, used=[1], top_k=0)
    assert keep == [0, 1, 2, 3, 4]  # not the upper-cased form, nor "ġ" (the lower case of "Ġ", another byte)


@pytest.mark.parametrize("constrained", [True, False])
def test_trimmed_model_answers_the_same(tiny, constrained):
    src = tiny["src"]
    kw = dict(prompt="few-shot", n_shots="1", max_tokens="20", train_file=tiny["train"], n_threads=1,
              constrained=constrained)  # fmt: skip
    full = LlamaCppPredictor(model=str(src), **kw)
    answers, answer_ids = [], set()
    for q in CORPUS:
        answers.append(full.predict(q).raw)
        answer_ids |= set(full.last_tokens)  # a random model's bytes need not be valid UTF-8: keep its ids
    prompts = [full.formatter(messages=build_messages(q, full.prompt_cfg, full.shots)).prompt for q in CORPUS]
    tokens, types = read_vocab(src)
    texts = [*CORPUS, *answers, *prompts]
    used = {i for ids in tokenize_all(src, texts) for i in ids} | answer_ids
    keep = select_tokens(tokens, types, used, top_k=50)
    dst = tiny["root"] / f"trim-{constrained}.gguf"
    stats = trim_gguf(src, dst, keep)
    assert (
        stats["n_vocab_after"] == len(keep) < stats["n_vocab_before"] and stats["bytes_after"] < stats["bytes_before"]
    )
    assert tokenization_changes(src, dst, keep, texts) == 0
    trimmed = LlamaCppPredictor(model=str(dst), **kw)
    assert trimmed.llm.n_vocab() == len(keep)
    assert trimmed.llm.token_eos() == keep.index(full.llm.token_eos())
    for q, a in zip(CORPUS, answers, strict=True):
        assert trimmed.predict(q).raw == a, q

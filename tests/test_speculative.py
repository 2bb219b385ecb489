"""Speculative decoding is an optimisation only: the same tokens and confidences as one pass per token."""

import dataclasses

import pytest
from conftest import tiny_gguf_and_train

from microllm.backends import llamacpp
from microllm.backends.llamacpp import LlamaCppPredictor
from microllm.backends.speculative import START, NgramDrafter, drafter_for

QUERIES = ["Add DNS record api.local to 10.0.0.5", "Remove user jane", "Open port 443/tcp",
           "Create user john with password abc123", "Give john access to the family share"]  # fmt: skip


def test_table_guesses_the_common_continuation():
    drafter = NgramDrafter([[1, 2, 3], [1, 2, 3], [1, 2, 4]], max_draft=5)
    assert drafter.table[(START,)] == (1, 1.0)
    assert drafter.table[(1, 2)] == (3, pytest.approx(2 / 3))
    assert drafter.draft([], []) == [1, 2, 3]  # (1, 2, 3) is never continued: drafting stops there
    assert drafter.draft([], [1], limit=1) == [2]


def test_prompt_lookup_copies_from_the_request_and_low_shares_stop_the_table():
    # After 7 the answers disagree (share 1/2 < 0.6): the guess comes from the prompt, where 7 is followed by 8, 9.
    drafter = NgramDrafter([[7, 1], [7, 2]], max_draft=3, min_share=0.6)
    assert drafter.draft([5, 7, 8, 9], [7]) == [8, 9]
    # Matching uses the key: 107 (" api") in the prompt matches 7 ("api") in the answer.
    keyed = NgramDrafter([], key=lambda t: t % 100, max_draft=2)
    assert keyed.draft([107, 8, 9], [7]) == [8, 9]
    assert NgramDrafter([]).draft([1, 2], [3]) == []  # nothing to go on: no guess


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    rows = [("Remove user jane", {"action": "user_remove", "username": "jane"}, "users"),
            ("Add group devs", {"action": "group_add", "group": "devs"}, "users"),
            ("Open port 22/tcp", {"action": "fw_allow", "port": 22, "protocol": "tcp"}, "firewall")]  # fmt: skip
    return tiny_gguf_and_train(tmp_path_factory.mktemp("spec_gguf"), rows)


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    load = llamacpp._load
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(
            llamacpp, "_load", lambda p, cfg, adapter=None: load(p, dataclasses.replace(cfg, n_threads=1), adapter)
        )
        yield


class Oracle:
    """Guesses the plain decoder's own answer (every guess right), or its tokens shifted by one (every guess wrong)."""

    max_draft = 6

    def __init__(self, answers: dict, wrong: bool = False):
        self.answers, self.wrong, self.prompt = answers, wrong, None

    def draft(self, prompt, answer, limit=None):
        full = self.answers[tuple(prompt)]
        guess = [t + 1 if self.wrong else t for t in full[len(answer) : len(answer) + self.max_draft]]
        return guess[: self.max_draft if limit is None else limit]


@pytest.mark.parametrize(("constrained", "ground"), [(True, False), (False, False), (True, True)])
def test_speculative_output_equals_plain_output(files, constrained, ground):
    kw = dict(model=files["model"], prompt="few-shot", n_shots="3", max_tokens="24", train_file=files["train"],
              constrained=constrained, ground=ground)  # fmt: skip
    plain, spec = LlamaCppPredictor(**kw), LlamaCppPredictor(**kw, draft="ngram", draft_tokens="4")
    answers = {}
    for q in QUERIES:
        p = plain.predict(q)
        answers[tuple(plain.prompt_tokens(q))] = list(plain.llm.tokenize(p.raw.encode(), add_bos=False))
        for attempt in ("new prompt", "same prompt again: its whole prefix is in the KV cache"):
            s = spec.predict(q)
            # Batched and one-at-a-time passes round differently in the last digits of a probability, no more.
            assert (s.raw, s.error) == (p.raw, p.error), (q, attempt)
            assert s.confidence == pytest.approx(p.confidence, rel=1e-4)
    accepted = {}
    for name, oracle in (("right", Oracle(answers)), ("wrong", Oracle(answers, wrong=True))):
        spec.drafter = oracle
        accepted[name] = 0
        for q in QUERIES:
            s, p = spec.predict(q), plain.predict(q)
            assert s.raw == p.raw and s.confidence == pytest.approx(p.confidence, rel=1e-4), (q, name)
            accepted[name] += spec.last_usage["speculative"]["accepted"]
    assert accepted["wrong"] == 0 and accepted["right"] > 0


def test_draft_option_is_checked(files):
    kw = dict(model=files["model"], prompt="few-shot", n_shots="3", train_file=files["train"])
    with pytest.raises(ValueError, match="draft must be"):
        LlamaCppPredictor(**kw, draft="x")
    with pytest.raises(ValueError, match="needs greedy_check"):
        LlamaCppPredictor(**kw, draft="ngram", greedy_check="false")
    with pytest.raises(ValueError, match="held-out"):  # the table is never built from an evaluation file
        drafter_for(LlamaCppPredictor(**kw).llm, "data/eval/dev.jsonl")

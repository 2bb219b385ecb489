"""Rechecked decoding, research code (microllm_research.recheck): repeated multi steps, the forced second decode of a
clarify answer, around a grounded llama.cpp predictor."""

from __future__ import annotations

import dataclasses
import json

import pytest
from conftest import tiny_gguf_and_train

from microllm.backends import llamacpp
from microllm.backends.llamacpp import LlamaCppPredictor
from microllm.json_schema import action_json_schema
from microllm.predictors.base import Prediction
from microllm.schema import OPERATIONS, canonical_json, parse_intent
from microllm_research.recheck import RecheckedPredictor, drop_repeated_steps, recheck_target, rechecked

MX = {"action": "dns_add", "name": "dc2.lan", "record_type": "MX", "value": "smtp.lan"}
GROUP = {"action": "group_add", "group": "ops"}
JOIN = {"action": "user_add_to_group", "username": "ana", "group": "ops"}
CLARIFY = {"action": "clarify", "intent": "user_remove", "missing": ["username"]}


def test_a_repeated_step_is_dropped_and_one_step_left_is_the_answer():
    assert drop_repeated_steps({"action": "multi", "steps": [MX, dict(MX)]}) == MX
    three = {"action": "multi", "steps": [GROUP, JOIN, dict(GROUP)]}
    assert drop_repeated_steps(three) == {"action": "multi", "steps": [GROUP, JOIN]}
    two = {"action": "multi", "steps": [GROUP, JOIN]}
    assert drop_repeated_steps(two) is two and drop_repeated_steps(MX) is MX and drop_repeated_steps(None) is None


@pytest.mark.parametrize("split", ["train", "val", "test"])
def test_no_gold_multi_repeats_a_step(root, split):
    for line in (root / "data" / "synthetic" / f"{split}.jsonl").read_text().splitlines():
        gold = json.loads(line)["output"]
        if gold["action"] == "multi":
            steps = [canonical_json(s) for s in gold["steps"]]
            assert len(set(steps)) == len(steps), gold


def test_only_a_clarify_for_an_operation_is_rechecked():
    assert recheck_target(CLARIFY) == "user_remove"
    assert recheck_target(MX) is None and recheck_target({"action": "unknown"}) is None and recheck_target(None) is None
    assert recheck_target({"action": "clarify", "intent": "multi", "missing": ["steps"]}) is None


def test_the_action_schema_admits_that_operation_only():
    for action in OPERATIONS:
        schema = action_json_schema(action)
        (ref,) = schema["oneOf"]
        assert json.dumps(schema["$defs"][ref["$ref"].rsplit("/", 1)[1]]).count(f'"const": "{action}"') >= 1
    with pytest.raises(ValueError, match="not an operation"):
        action_json_schema("clarify")


class _Fake:
    """generate() answers from a script; finish() is the identity."""

    def __init__(self, answer):
        self.answer, self.asked = answer, []

    def action_grammar(self, action):
        self.asked.append(action)
        return action

    def generate(self, text, grammar=None):
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer, 0.9

    def finish(self, intent, text):
        return intent


def test_a_second_answer_replaces_the_clarify_and_a_failed_one_keeps_it():
    first = Prediction(CLARIFY, json.dumps(CLARIFY), 0.6, 10.0)
    fake = _Fake('{"action": "user_remove", "username": "jane"}')
    got = rechecked(fake, "Remove user jane", first)
    assert fake.asked == ["user_remove"] and got.intent == {"action": "user_remove", "username": "jane"}
    assert got.confidence == 0.9 and got.latency_ms >= 10.0 and got.error is None
    for bad, kind in ((RuntimeError("backend down"), "RuntimeError"), ('{"action": "user_remove"', "recheck failed")):
        kept = rechecked(_Fake(bad), "Remove user jane", first)
        assert kept.intent == CLARIFY and kept.raw == first.raw and kind in kept.error
    assert rechecked(fake, "x", Prediction(MX, "", None, 1.0)).intent == MX  # nothing to recheck
    stands = rechecked(_Fake(json.dumps(CLARIFY)), "Remove a user", first)
    assert stands.intent == CLARIFY and stands.error is None  # a second clarify does not replace the model's own
    assert stands.latency_ms >= first.latency_ms


@pytest.fixture(scope="module")
def predictor(tmp_path_factory):
    rows = [("Remove user jane", {"action": "user_remove", "username": "jane"}, "users"),
            ("Add group devs", {"action": "group_add", "group": "devs"}, "users")]  # fmt: skip
    files = tiny_gguf_and_train(tmp_path_factory.mktemp("recheck_gguf"), rows)
    load = llamacpp._load
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(llamacpp, "_load", lambda p, cfg, adapter=None: load(p, dataclasses.replace(cfg, n_threads=1),
                                                                        adapter))  # fmt: skip
        plain = LlamaCppPredictor(model=files["model"], prompt="few-shot", n_shots="2", train_file=files["train"])
        with pytest.raises(ValueError, match="needs ground=true"):
            RecheckedPredictor(plain)
        with pytest.raises(TypeError, match="recheck"):  # no longer a setting of the product's backend
            LlamaCppPredictor(model=files["model"], train_file=files["train"], ground="true", recheck="true")
        grounded = LlamaCppPredictor(model=files["model"], prompt="few-shot", n_shots="2", max_tokens="60",
                                     train_file=files["train"], ground="true")  # fmt: skip
        yield RecheckedPredictor(grounded)


def test_the_forced_decode_writes_the_named_operation(predictor):
    """A random tiny model, forced: its answer is the operation asked for, or the checks' clarify for it."""
    assert predictor.name.endswith(":grounded:rechecked") and predictor.rules == predictor.inner.rules
    repeated = {"action": "multi", "steps": [{"action": "group_add", "group": "devs"}] * 2}
    assert predictor.finish(repeated, "Add group devs") == {"action": "group_add", "group": "devs"}
    raw, _ = predictor.generate("Remove user jane", grammar=predictor.action_grammar("user_remove"))
    assert parse_intent(raw)["action"] == "user_remove", raw
    got = rechecked(predictor, "Remove user jane", Prediction(CLARIFY, json.dumps(CLARIFY), 0.5, 1.0))
    assert got.intent["action"] == "user_remove" or got.intent.get("intent") == "user_remove", got
    p = predictor.predict("Add group devs")
    assert p.error is None or not p.error.startswith("not_json"), p.raw  # the random model still writes the schema

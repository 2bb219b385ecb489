"""The router: keyword and confidence strategies, latencies, and routing quality on hand-made cases."""

import json

import pytest
from conftest import SPEC_EXAMPLES

from microllm.predictors import get_predictor
from microllm.predictors.base import Predictor
from microllm.router import LLMRouter, keyword_in_scope, routing_quality


class Fixed(Predictor):
    """Always the same raw output and confidence; counts its calls."""

    def __init__(self, raw: str, confidence: float | None = 0.9, name: str = "fixed"):
        self.raw, self.confidence, self.name, self.calls = raw, confidence, name, 0

    def generate(self, text: str):
        self.calls += 1
        return self.raw, self.confidence


GENERAL_RAW = json.dumps({"action": "group_add", "group": "devs"})


@pytest.mark.parametrize(
    "text, in_scope",
    [("Add DNS record api.local to 10.0.0.5", True), ("Create user john with password abc123", True),
     ("Give john access to the family share", True), ("Open port 443/tcp from 10.0.0.0/8", True),
     ("Why is my DNS not working?", False), ("Tell me a joke about penguins", False),
     ("How do I install docker?", False)],
)  # fmt: skip
def test_keyword_classifier(text, in_scope):
    assert keyword_in_scope(text) is in_scope
    micro, general = Fixed('{"action": "unknown"}', name="m"), Fixed(GENERAL_RAW, name="g")
    res = LLMRouter(micro, general, strategy="keyword").route(text)
    assert res.route == ("micro" if in_scope else "general")
    # The keyword strategy asks exactly one model.
    assert (micro.calls, general.calls) == ((1, 0) if in_scope else (0, 1))
    assert (res.micro_latency_ms is None) is (not in_scope) and (res.general_latency_ms is None) is in_scope


@pytest.mark.parametrize(
    "raw, confidence, route, reason",
    [(json.dumps({"action": "dns_lookup", "name": "api.local"}), 0.9, "micro", "0.900 >= 0.5"),
     (json.dumps({"action": "dns_lookup", "name": "api.local"}), 0.2, "general", "0.200 < 0.5"),
     ('{"action": "unknown"}', 0.99, "general", "out of scope"),
     ("{not json", 0.99, "general", "invalid"),
     (json.dumps({"action": "user_add", "username": "root"}), 0.99, "general", "unsafe"),
     (json.dumps({"action": "dns_lookup", "name": "api.local"}), None, "micro", "accepted")],
)  # fmt: skip
def test_confidence_router(raw, confidence, route, reason):
    micro, general = Fixed(raw, confidence, "m"), Fixed(GENERAL_RAW, 0.5, "g")
    res = LLMRouter(micro, general, strategy="confidence", threshold=0.5).route("some request")
    assert res.route == route and reason in res.reason, res.reason
    assert micro.calls == 1 and general.calls == (route == "general")
    assert res.micro_latency_ms is not None and res.micro_prediction is not None
    if route == "general":
        assert res.prediction.intent == {"action": "group_add", "group": "devs"} and res.general_latency_ms >= 0
        assert res.latency_ms == pytest.approx(res.micro_latency_ms + res.general_latency_ms)
    else:
        assert res.general_latency_ms is None and res.prediction is res.micro_prediction
    assert set(res.to_dict()) >= {"prediction", "route", "reason", "micro_latency_ms", "general_latency_ms"}


def test_missing_confidence_can_escalate():
    micro = Fixed(json.dumps({"action": "group_add", "group": "devs"}), None)
    router = LLMRouter(micro, Fixed(GENERAL_RAW), escalate_without_confidence=True)
    assert router.route("Create group devs").route == "general"


def test_rules_router_answers_the_spec_examples():
    rules = get_predictor("rules")
    router = LLMRouter(rules, rules, strategy="confidence", threshold=0.5)
    for text, gold in SPEC_EXAMPLES:
        res = router(text)
        assert res.prediction.intent == gold, text
        assert res.route == ("general" if gold["action"] == "unknown" else "micro"), text


def test_bad_strategy_and_missing_prediction():
    with pytest.raises(ValueError, match="unknown routing strategy"):
        LLMRouter(Fixed("{}"), Fixed("{}"), strategy="coin-flip")
    with pytest.raises(ValueError, match="micro model's prediction"):
        LLMRouter(Fixed("{}"), Fixed("{}")).choose("text")


def test_routing_quality_by_hand():
    rows = [{"output": {"action": a}} for a in ["dns_add", "user_add", "group_add", "fw_allow", "unknown", "unknown"]]
    routes = ["micro", "micro", "general", "micro", "general", "micro"]
    q = routing_quality(rows, routes)
    assert (q["n"], q["n_in_scope"], q["n_out_of_scope"], q["n_micro"], q["n_general"]) == (6, 4, 2, 4, 2)
    assert q["micro_recall"] == 3 / 4 and q["micro_precision"] == 3 / 4  # 3 in-scope kept of 4; 3 of 4 kept
    assert q["general_recall"] == 1 / 2 and q["general_precision"] == 1 / 2  # 1 OOS sent of 2; 1 of 2 sent
    assert q["escalation_rate"] == 2 / 6 and q["accuracy"] == 4 / 6
    # RouteResult objects work as decisions too; an empty side gives None, not a division by zero.
    none_sent = routing_quality(rows[:2], ["micro", "micro"])
    assert none_sent["general_precision"] is None and none_sent["general_recall"] is None
    with pytest.raises(ValueError, match="rows but"):
        routing_quality(rows, routes[:2])
    with pytest.raises(ValueError, match="routes must be"):
        routing_quality(rows[:1], ["elsewhere"])

"""The scorer: exact match after normalisation, field F1, action accuracy, validity, breakdowns, CI."""

import pytest

from microllm.score import bootstrap_ci, flatten, score

GOLD = [
    {"action": "dns_add", "name": "api.local", "record_type": "A", "value": "10.0.0.5"},
    {"action": "user_add", "username": "john", "password": "abc123"},
    {"action": "clarify", "intent": "dns_add", "missing": ["record_type", "value"]},
    {"action": "unknown"},
]


def test_perfect_predictions_score_one_even_in_another_normal_form():
    preds = [
        {"value": "10.0.0.5", "record_type": "a", "name": "API.local.", "action": "dns_add"},  # key order, case
        {"action": "user_add", "password": "abc123", "username": "john"},
        {"action": "clarify", "intent": "dns_add", "missing": ["value", "record_type"]},  # missing is sorted
        {"action": "unknown"},
    ]
    s = score(GOLD, preds)
    assert (s.exact_match, s.field_f1, s.action_accuracy, s.valid_json_rate) == (1.0, 1.0, 1.0, 1.0)
    assert s.exact_match_ci95 == (1.0, 1.0)


def test_partial_credit_invalid_and_confusion():
    preds = [
        {"action": "dns_add", "name": "api.local", "record_type": "A", "value": "10.0.0.6"},  # one wrong field
        {"action": "user_add", "username": "John", "password": "abc123"},  # case matters for user names
        None,  # the model's output did not parse
        {"action": "dns_lookup", "name": "x.local"},  # not even an intent of this kind
    ]
    s = score(GOLD, preds, categories=["dns", "users", "clarify", "unknown"])
    assert s.exact_match == 0.0
    assert s.action_accuracy == 0.5
    assert s.valid_json_rate == 0.75
    # gold pairs: 4 + 3 + 4 + 1 = 12; predicted: 4 + 3 + 0 + 2 = 9; true positives: 3 + 2 = 5
    assert s.field_precision == pytest.approx(5 / 9)
    assert s.field_recall == pytest.approx(5 / 12)
    assert s.confusion["clarify"] == {"<invalid>": 1}
    assert s.confusion["unknown"] == {"dns_lookup": 1}
    assert s.per_category["dns"] == {"n": 1, "exact_match": 0.0, "action_accuracy": 1.0, "valid_json_rate": 1.0}


def test_a_schema_invalid_prediction_counts_as_invalid():
    s = score(GOLD[:1], [{"action": "dns_add", "name": "api.local"}])
    assert s.valid_json_rate == 0.0 and s.exact_match == 0.0


def test_lists_are_compared_in_order_except_missing():
    gold = [{"action": "net_set_nameservers", "servers": ["10.0.0.1", "10.0.0.2"]}]
    assert score(gold, [{"action": "net_set_nameservers", "servers": ["10.0.0.2", "10.0.0.1"]}]).exact_match == 0.0


def test_flatten_paths_into_multi_steps():
    pairs = flatten({"action": "multi", "steps": [{"action": "group_add", "group": "ops"}, {"action": "unknown"}]})
    assert ("steps[0].group", "'ops'") in pairs and ("steps[1].action", "'unknown'") in pairs


def test_bootstrap_interval_contains_the_mean_and_narrows_with_n():
    small = bootstrap_ci([1, 0] * 10, n_resamples=1000, seed=1)
    large = bootstrap_ci([1, 0] * 500, n_resamples=1000, seed=1)
    assert small[0] < 0.5 < small[1] and large[0] < 0.5 < large[1]
    assert (large[1] - large[0]) < (small[1] - small[0])
    assert bootstrap_ci([1, 0] * 10, seed=3) == bootstrap_ci([1, 0] * 10, seed=3)  # seeded


def test_length_mismatch_is_an_error():
    with pytest.raises(ValueError, match="4 gold rows but 1"):
        score(GOLD, [None])

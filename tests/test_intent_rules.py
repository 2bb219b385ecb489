"""The intent rules (microllm.rules): one named, versioned order; the default set is exactly the chain grounded
decoding finished with; any predictor applies the rules it names; signatures make old records stale."""

import dataclasses
import json
from types import SimpleNamespace

import pytest

from microllm.predictors import get_predictor
from microllm.predictors.base import Predictor
from microllm.predictors.options import OptionError, parse_options
from microllm.rules import (
    DEFAULT_RULES,
    LEGACY_FINISH,
    RULES,
    apply_rules,
    recorded_signature,
    resolve_rules,
    rules_name_suffix,
    rules_signature,
    signature_names,
)
from microllm.rules.address_family import address_family
from microllm.rules.command_flags import command_flags
from microllm.rules.echoed_full_name import drop_echoed_full_name
from microllm.rules.not_given import clarify_not_given
from microllm.rules.unfilled import clarify_unfilled
from microllm.rules.zone_syntax import mx_priority

# The order the registry documents (microllm/rules/registry.py): flags, zone syntax, address family, echoed full
# name, then the two clarify rules.
ORDER = ("command_flags", "zone_syntax", "address_family", "echoed_full_name", "unfilled", "not_given")


def chain_before_names(intent: dict, text: str) -> dict:
    """The fixed chain of checks that grounded decoding finished with before the rules had names ("finish": 4)."""
    checked = drop_echoed_full_name(address_family(mx_priority(command_flags(intent, text), text), text))
    return clarify_not_given(clarify_unfilled(checked), text)


MX = {"action": "dns_add", "name": "int.example.net", "record_type": "MX", "value": "mx.eu.example.net"}
# (rule that changes it, answer, request, what the default rules make of it)
CASES = [
    ("zone_syntax", {**MX, "ttl": 10}, "int.example.net IN MX 10 mx.eu.example.net", {**MX, "priority": 10}),
    ("zone_syntax", MX, "update add int.example.net 3600 MX 30 mx.eu.example.net",
     {**MX, "ttl": 3600, "priority": 30}),
    ("command_flags", {"action": "user_remove", "username": "yuki.s"}, "userdel -r yuki.s",
     {"action": "user_remove", "username": "yuki.s", "remove_home": True}),
    ("command_flags", {"action": "user_add_to_group", "username": "lars.e", "group": "editors"},
     "sudo usermod -r -G editors lars.e",
     {"action": "user_remove_from_group", "username": "lars.e", "group": "editors"}),
    ("address_family", {"action": "dns_add", "name": "minio.home.arpa", "record_type": "A", "value": "642"},
     "aaaa minio.home.arpa 2a01:4f8:7eec:91e9::642",
     {"action": "dns_add", "name": "minio.home.arpa", "record_type": "AAAA", "value": "2a01:4f8:7eec:91e9::642"}),
    ("echoed_full_name", {"action": "user_add", "username": "femi", "full_name": "Femi"},
     "sudo useradd --create-home femi", {"action": "user_add", "username": "femi"}),
    ("unfilled", {"action": "user_remove_from_group", "username": "yuki.s", "group": "group"},
     "Remove yuki.s from the group", {"action": "clarify", "intent": "user_remove_from_group", "missing": ["group"]}),
    ("unfilled", {"action": "user_remove_from_group", "username": "joao.p", "group": "gpasswd"}, "gpasswd -d joao.p",
     {"action": "clarify", "intent": "user_remove_from_group", "missing": ["group"]}),
    ("not_given", {"action": "fw_deny", "port": 65535, "protocol": "tcp"}, "deny tcp traffic on the firewall",
     {"action": "clarify", "intent": "fw_deny", "missing": ["port"]}),
    ("not_given", {"action": "user_set_password", "username": "Quartz", "password": "Quartz$6256"},
     "The new temporary password is Quartz$6256, set it on the account",
     {"action": "clarify", "intent": "user_set_password", "missing": ["username"]}),
]  # fmt: skip
UNCHANGED = [
    ({"action": "user_remove", "username": "jane"}, "Remove user jane"),
    ({"action": "user_add", "username": "femi", "full_name": "Femi Adeyemi"}, "create user femi (Femi Adeyemi)"),
    ({"action": "multi", "steps": [{"action": "group_add", "group": "ops"},
                                   {"action": "user_add_to_group", "username": "ana", "group": "ops"}]},
     "Create group ops and add ana to it"),
    ({"action": "clarify", "intent": "user_remove", "missing": ["username"]}, "Remove a user"),
]  # fmt: skip


def test_the_registry_is_in_the_documented_order_and_each_rule_says_why():
    assert tuple(RULES) == ORDER == DEFAULT_RULES
    for name, rule in RULES.items():
        assert rule.name == name and isinstance(rule.version, int) and rule.version >= 1
        assert rule.why and "\n" not in rule.why and callable(rule.apply)


@pytest.mark.parametrize("rule, intent, request_text, want", CASES)
def test_the_default_rules_are_the_chain_grounded_decoding_finished_with(rule, intent, request_text, want):
    before = json.dumps(intent)
    got = apply_rules(intent, request_text, DEFAULT_RULES)
    assert got == chain_before_names(intent, request_text) == want
    assert json.dumps(intent) == before  # the answer is never changed in place
    # That one rule alone makes the same repair; every rule but it leaves the answer as it was.
    assert apply_rules(intent, request_text, (rule,)) == want
    assert apply_rules(intent, request_text, [n for n in DEFAULT_RULES if n != rule]) == intent


@pytest.mark.parametrize("intent, request_text", UNCHANGED)
def test_an_answer_no_rule_changes_is_returned_itself(intent, request_text):
    assert apply_rules(intent, request_text, DEFAULT_RULES) is intent
    assert chain_before_names(intent, request_text) is intent


def test_later_rules_read_what_earlier_ones_wrote():
    # The flags make it a removal first; then "usermod" names no group: the clarify is for the removal.
    odd = {"action": "user_add_to_group", "username": "lars.e", "group": "usermod"}
    want = {"action": "clarify", "intent": "user_remove_from_group", "missing": ["group"]}
    assert apply_rules(odd, "usermod -r -G usermod lars.e", DEFAULT_RULES) == want
    # Named in another order, the rules still run in the registry's.
    assert apply_rules(odd, "usermod -r -G usermod lars.e", ("unfilled", "command_flags")) == want


def test_names_resolve_and_unknown_ones_raise_listing_the_known():
    assert resolve_rules("default") == resolve_rules(" Default ") == DEFAULT_RULES
    assert resolve_rules("none") == resolve_rules("") == resolve_rules([]) == ()
    assert resolve_rules(None) == () and resolve_rules(None, ground=True) == DEFAULT_RULES
    assert resolve_rules("not_given, command_flags") == ("command_flags", "not_given")
    for bad in ("command_flags,spelling", ["nope"]):
        with pytest.raises(ValueError, match="known: command_flags, zone_syntax, address_family, echoed_full_name"):
            resolve_rules(bad)
    with pytest.raises(ValueError, match="unknown intent rule"):
        apply_rules({"action": "unknown"}, "x", ("finish",))
    with pytest.raises(ValueError, match="named twice"):
        resolve_rules("unfilled,unfilled")


def test_the_signature_names_each_rule_and_version_and_changes_with_a_version(monkeypatch):
    signature = rules_signature(DEFAULT_RULES)
    assert signature == "+".join(f"{n}@{RULES[n].version}" for n in ORDER)
    assert rules_signature(()) == "" and rules_signature(["not_given", "unfilled"]) == "unfilled@1+not_given@1"
    assert signature_names(signature) == DEFAULT_RULES and signature_names("") == ()
    monkeypatch.setitem(RULES, "unfilled", dataclasses.replace(RULES["unfilled"], version=2))
    assert rules_signature(DEFAULT_RULES) != signature and "unfilled@2" in rules_signature(DEFAULT_RULES)
    assert rules_signature(("command_flags",)) == "command_flags@1"  # a signature without it is unchanged


def test_old_records_map_to_signatures():
    # "finish": 4 is the default rules at version 1; older versions stand for no current signature.
    assert signature_names(LEGACY_FINISH[4]) == DEFAULT_RULES
    assert all(part.endswith("@1") for part in LEGACY_FINISH[4].split("+"))
    assert recorded_signature({"finish": 4}) == LEGACY_FINISH[4]
    assert recorded_signature({"finish": 3}) == "finish@3" != rules_signature(DEFAULT_RULES)
    assert recorded_signature({"rules": "unfilled@1", "finish": 4}) == "unfilled@1"
    assert recorded_signature({"ground": True}) is None


def test_a_predictor_name_shows_only_rules_other_than_implied():
    assert rules_name_suffix(DEFAULT_RULES, DEFAULT_RULES) == "" and rules_name_suffix(()) == ""
    assert rules_name_suffix(DEFAULT_RULES) == ":rules=default"
    assert rules_name_suffix((), DEFAULT_RULES) == ":rules=none"
    assert rules_name_suffix(("unfilled", "not_given")) == ":rules=unfilled+not_given"


class _Fixed(Predictor):
    """A backend whose model always writes the same JSON (as a transformers or Ollama model would)."""

    name = "fixed"

    def __init__(self, raw: str, rules: tuple[str, ...] = ()):
        self.raw, self.rules = raw, rules

    def generate(self, text):
        return self.raw, 0.5


def test_any_predictor_applies_the_rules_it_names():
    raw = json.dumps({"action": "user_remove", "username": "yuki.s"})
    plain = _Fixed(raw).predict("userdel -r yuki.s")
    assert plain.intent == {"action": "user_remove", "username": "yuki.s"} and plain.raw == raw
    ruled = _Fixed(raw, DEFAULT_RULES).predict("userdel -r yuki.s")
    assert ruled.intent == {"action": "user_remove", "username": "yuki.s", "remove_home": True}
    assert ruled.raw == raw and ruled.confidence == 0.5 and ruled.error is None
    assert _Fixed(raw, ("unfilled",)).predict("userdel -r yuki.s").intent == plain.intent
    # A clarify from a rule is schema-valid; an answer that does not parse is still one bad row, not an exception.
    grouped = _Fixed(json.dumps({"action": "user_remove_from_group", "username": "yuki.s", "group": "group"}),
                     DEFAULT_RULES).predict("Remove yuki.s from the group")  # fmt: skip
    assert grouped.intent == {"action": "clarify", "intent": "user_remove_from_group", "missing": ["group"]}
    broken = _Fixed("not json", DEFAULT_RULES).predict("userdel -r yuki.s")
    assert broken.intent is None and broken.error.startswith("not_json")


def test_the_ollama_backend_takes_rules_and_applies_them(monkeypatch):
    pytest.importorskip("ollama")
    predictor = get_predictor("ollama", rules="default")  # no server is asked until a request
    assert predictor.rules == DEFAULT_RULES and predictor.name.endswith(":rules=default")
    answer = json.dumps({**MX, "ttl": 10})
    reply = SimpleNamespace(message=SimpleNamespace(content=answer), logprobs=None)
    monkeypatch.setattr(predictor.client, "chat", lambda **kwargs: reply)
    assert predictor.predict("int.example.net IN MX 10 mx.eu.example.net").intent == {**MX, "priority": 10}
    assert get_predictor("ollama").rules == ()  # none unless named
    with pytest.raises(ValueError, match="known:"):
        get_predictor("ollama", rules="spelling")


def test_baselines_run_no_rules_and_the_option_is_for_model_backends():
    assert get_predictor("rules").rules == ()
    for backend in ("llamacpp", "transformers", "ollama"):
        assert parse_options(backend, ["rules=default"]) == {"rules": DEFAULT_RULES}
        assert parse_options(backend, ["rules=none"]) == {"rules": ()}
        assert parse_options(backend, ["rules=not_given,unfilled"]) == {"rules": ("unfilled", "not_given")}
    with pytest.raises(OptionError, match="-o rules: unknown intent rule"):
        parse_options("transformers", ["rules=spelling"])
    with pytest.raises(OptionError, match="not an option of the rules predictor"):
        parse_options("rules", ["rules=default"])
    with pytest.raises(OptionError, match="recheck: not an option"):
        parse_options("llamacpp", ["recheck=true"])


def test_llamacpp_grounding_implies_the_default_rules_unless_they_are_named(tmp_path):
    pytest.importorskip("llama_cpp")
    from microllm.testing import make_tiny_gguf

    model = str(make_tiny_gguf(tmp_path / "tiny.gguf"))

    def build(**kwargs):
        return get_predictor("llamacpp", model=model, prompt="zero-shot", n_threads=1, max_tokens=8, **kwargs)

    grounded = build(ground=True)
    assert grounded.rules == DEFAULT_RULES and grounded.name.endswith(":constrained:grounded")  # the old name
    assert build(ground="true", rules="default").name == grounded.name
    unruled = build(ground=True, rules="none")
    assert unruled.rules == () and unruled.name.endswith(":grounded:rules=none")
    plain = build()
    assert plain.rules == () and plain.name.endswith(":constrained")
    assert build(rules=("unfilled",)).name.endswith(":constrained:rules=unfilled")
    with pytest.raises(ValueError, match="known:"):
        build(ground=True, rules="spelling")

"""The schema: spec examples parse, errors are clear and typed, normalisation follows the spec's rules."""

import json

import pytest
from conftest import ROOT, SPEC_EXAMPLES

from microllm.json_schema import SCHEMA_PATH
from microllm.schema import (
    ACTIONS,
    OPERATIONS,
    IntentError,
    canonical_json,
    intent_json_schema,
    parse_intent,
    required_fields,
    validate_intent,
)


@pytest.mark.parametrize("request_text, gold", SPEC_EXAMPLES)
def test_spec_examples_are_valid_and_already_normal(request_text, gold):
    assert parse_intent(json.dumps(gold)) == gold


def test_every_action_of_the_spec_is_modelled():
    spec = ROOT.parent / "shared" / "intent-spec.md"
    text = spec.read_text() if spec.exists() else ""
    assert len(OPERATIONS) == 31 and set(ACTIONS) - set(OPERATIONS) == {"multi", "clarify", "unknown"}
    for action in ACTIONS if text else []:
        assert f"`{action}`" in text


@pytest.mark.parametrize(
    "text, kind, fragment",
    [
        ("not json at all", "not_json", "not valid JSON"),
        ("", "not_json", "empty output"),
        ("[1, 2]", "not_object", "got list"),
        ('{"name": "x"}', "missing_field", "missing 'action'"),
        ('{"action": "dns_delete", "name": "x"}', "unknown_action", "dns_delete"),
        ('{"action": "dns_add", "name": "a.local"}', "missing_field", "record_type"),
        ('{"action": "user_add", "username": "john", "group": "samba"}', "extra_field", "group"),
        ('{"action": "fw_allow", "port": "443"}', "wrong_type", "port"),
        ('{"action": "user_remove", "username": "j", "remove_home": "yes"}', "wrong_type", "remove_home"),
        (
            '{"action": "dns_add", "name": "a", "record_type": "A", "value": "1.2.3.4", "ttl": null}',
            "invalid",
            "omit ['ttl']",
        ),
        ('{"action": "share_grant_access", "share": "f"}', "invalid", "exactly one of 'username' / 'group'"),
        ('{"action": "fw_deny", "port": 22, "service": "ssh"}', "invalid", "exactly one of 'port' / 'service'"),
        ('{"action": "multi", "steps": [{"action": "user_lock", "username": "a"}]}', "invalid", "steps"),
        (
            '{"action": "multi", "steps": [{"action": "unknown"}, {"action": "user_lock", "username": "a"}]}',
            "unknown_action",
            "steps[0]: action 'unknown' is not allowed here",
        ),
        ('{"action": "clarify", "intent": "dns_add", "missing": ["colour"]}', "invalid", "colour"),
        ('{"action": "clarify", "intent": "fly", "missing": ["name"]}', "invalid", "intent"),
        ('{"action": "clarify", "intent": "dns_add", "missing": ["ttl"]}', "invalid", "required fields of dns_add"),
        (
            '{"action": "dns_add", "name": "a.lan", "record_type": "A", "value": "10.0.0.1", "priority": 5}',
            "invalid",
            "only for MX",
        ),
        ('{"action": "share_grant_access", "share": "f", "username": "j", "access": "admin"}', "invalid", "access"),
    ],
)
def test_errors_are_typed_and_say_what_is_wrong(text, kind, fragment):
    with pytest.raises(IntentError) as err:
        parse_intent(text)
    assert err.value.kind == kind
    assert fragment in str(err.value)


def test_code_fence_is_tolerated_but_trailing_text_is_not():
    assert parse_intent('```json\n{"action": "unknown"}\n```') == {"action": "unknown"}
    with pytest.raises(IntentError):
        parse_intent('{"action": "unknown"} and some chatter')


@pytest.mark.parametrize(
    "raw, normal",
    [
        (
            {"action": "dns_add", "name": "API.Local.", "record_type": "a", "value": "10.0.0.5"},
            {"action": "dns_add", "name": "api.local", "record_type": "A", "value": "10.0.0.5"},
        ),
        (
            {
                "action": "dns_add",
                "name": "v6.lan",
                "record_type": "AAAA",
                "value": "2001:0DB8:0000:0000:0000:0000:0000:0001",
            },
            {"action": "dns_add", "name": "v6.lan", "record_type": "AAAA", "value": "2001:db8::1"},
        ),
        (
            {"action": "dns_update", "name": "www.lan", "record_type": "cname", "value": "Web01.LAN."},
            {"action": "dns_update", "name": "www.lan", "record_type": "CNAME", "value": "web01.lan"},
        ),
        (
            {"action": "dns_add", "name": "t.lan", "record_type": "TXT", "value": "v=spf1 MX -all"},
            {"action": "dns_add", "name": "t.lan", "record_type": "TXT", "value": "v=spf1 MX -all"},
        ),
        (
            {"action": "dns_add", "name": "bad.lan", "record_type": "A", "value": "999.1.1.1"},
            {"action": "dns_add", "name": "bad.lan", "record_type": "A", "value": "999.1.1.1"},
        ),
        (
            {"action": "user_add", "username": "John.Smith", "password": "P@ss W0rd!"},
            {"action": "user_add", "username": "John.Smith", "password": "P@ss W0rd!"},
        ),
        (
            {"action": "fw_allow", "service": "SSH", "source": "10.0.0.0/8"},
            {"action": "fw_allow", "service": "ssh", "source": "10.0.0.0/8"},
        ),
        (
            {"action": "net_set_nameservers", "servers": ["2001:DB8::53", "10.0.0.53"]},
            {"action": "net_set_nameservers", "servers": ["2001:db8::53", "10.0.0.53"]},
        ),
        (
            {"action": "clarify", "intent": "dns_add", "missing": ["value", "record_type"]},
            {"action": "clarify", "intent": "dns_add", "missing": ["record_type", "value"]},
        ),
        (
            {
                "action": "multi",
                "steps": [{"action": "dns_remove", "name": "OLD.lan."}, {"action": "group_add", "group": "Ops"}],
            },
            {
                "action": "multi",
                "steps": [{"action": "dns_remove", "name": "old.lan"}, {"action": "group_add", "group": "Ops"}],
            },
        ),
    ],
)
def test_normalisation_follows_the_spec(raw, normal):
    assert validate_intent(raw) == normal
    assert validate_intent(normal) == normal  # idempotent


def test_required_fields_follow_rule_6_for_exactly_one_of():
    assert required_fields("dns_add") == ["name", "record_type", "value"]
    assert required_fields("fw_allow") == ["port"]
    assert required_fields("share_grant_access") == ["share", "username"]
    assert required_fields("net_set_nameservers") == ["servers"]


def test_canonical_json_is_order_independent():
    a = {"action": "user_add", "username": "z", "password": "p"}
    assert canonical_json(a) == canonical_json(dict(reversed(list(a.items()))))


def test_exported_json_schema_is_current_and_covers_every_action():
    schema = intent_json_schema()
    assert json.loads(SCHEMA_PATH.read_text()) == schema, "run `microllm schema export`"
    text = json.dumps(schema)
    for action in ACTIONS:
        assert f'"{action}"' in text
    assert all(d.get("additionalProperties") is False for d in schema["$defs"].values() if "properties" in d)


def test_json_schema_is_as_strict_as_the_parser():
    """What the grammar allows, the parser accepts, and the reverse on the data (jsonschema checks it)."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(intent_json_schema())
    rows = [json.loads(line) for line in (ROOT / "data" / "synthetic" / "train.jsonl").read_text().splitlines()]
    for row in rows:
        assert validator.is_valid(row["output"]), row["output"]
    rejected_by_parser = [
        {"action": "share_grant_access", "share": "f"},
        {"action": "share_grant_access", "share": "f", "username": "a", "group": "b"},
        {"action": "fw_allow", "port": 1, "service": "ssh"},
        {"action": "dns_add", "name": "a.lan", "record_type": "A", "value": "10.0.0.1", "priority": 5},
        {"action": "clarify", "intent": "dns_add", "missing": ["ttl"]},
        {"action": "multi", "steps": [{"action": "user_lock", "username": "a"}]},
        {"action": "user_add", "username": ""},
    ]
    for obj in rejected_by_parser:
        assert not validator.is_valid(obj), obj
        with pytest.raises(IntentError):
            validate_intent(obj)

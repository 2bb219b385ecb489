"""The `rules` baseline: spec examples and rules, chained requests, odd inputs that must not break it."""

import json
import random

import pytest
from conftest import SPEC_EXAMPLES

from microllm.baselines.rules import RulesPredictor, extract, predict_intent, route
from microllm.predictors import _REGISTRY
from microllm.schema import ACTIONS, OPERATIONS, validate_intent


def predict(text: str) -> dict:
    return predict_intent(text)[0]


@pytest.mark.parametrize("request_text, gold", SPEC_EXAMPLES)
def test_spec_examples_give_their_gold(request_text, gold):
    assert validate_intent(predict(request_text)) == validate_intent(gold)


@pytest.mark.parametrize(
    "request_text, gold",
    [
        # rule 4: missing required information gives clarify, never a guess
        (
            "Add a DNS record for api.local",
            {"action": "clarify", "intent": "dns_add", "missing": ["record_type", "value"]},
        ),
        ("Open a port in the firewall", {"action": "clarify", "intent": "fw_allow", "missing": ["port"]}),
        # rule 6: netmask -> CIDR, service lower-case
        (
            "Set eth0 address to 172.16.5.20 netmask 255.255.255.0 gateway 172.16.5.1",
            {
                "action": "net_set_address",
                "interface": "eth0",
                "address": "172.16.5.20/24",
                "gateway": "172.16.5.1",
            },
        ),
        ("Allow SSH", {"action": "fw_allow", "service": "ssh"}),
        ("Block port 23/tcp", {"action": "fw_deny", "port": 23, "protocol": "tcp"}),
        ("Remove the firewall rule for port 8080", {"action": "fw_remove", "port": 8080}),
        # rule 1: record types follow from the value
        (
            "Add AAAA record for v6.local to 2001:db8::1",
            {"action": "dns_add", "name": "v6.local", "record_type": "AAAA", "value": "2001:db8::1"},
        ),
        (
            "Add an MX record for example.com pointing to mail.example.com with priority 10",
            {
                "action": "dns_add",
                "name": "example.com",
                "record_type": "MX",
                "value": "mail.example.com",
                "priority": 10,
            },
        ),
        ("What is the IP of host fileserver.local?", {"action": "dns_lookup", "name": "fileserver.local"}),
        # rule 2: names as written
        (
            "Create user josé with full name 'José Álvarez'",
            {"action": "user_add", "username": "josé", "full_name": "José Álvarez"},
        ),
        (
            "Set the password for john to 'S3cr3t! x'",
            {"action": "user_set_password", "username": "john", "password": "S3cr3t! x"},
        ),
        (
            "Delete user bob and his home directory",
            {"action": "user_remove", "username": "bob", "remove_home": True},
        ),
        (
            "Set nameservers to 1.1.1.1 and 8.8.8.8 on eth0",
            {"action": "net_set_nameservers", "servers": ["1.1.1.1", "8.8.8.8"], "interface": "eth0"},
        ),
        (
            "Add mail alias sales to bob@example.com",
            {"action": "mail_alias_add", "alias": "sales", "destination": "bob@example.com"},
        ),
        (
            "Set mail relay to smtp.example.com port 587",
            {"action": "mail_set_relay", "host": "smtp.example.com", "port": 587},
        ),
    ],
)
def test_spec_rules(request_text, gold):
    assert validate_intent(predict(request_text)) == validate_intent(gold)


@pytest.mark.parametrize(
    "request_text, field, value",
    [
        ("Add DNS record api.local to 10.0.0.5 with a TTL of 5 minutes", "ttl", 300),
        ("Add DNS record api.local to 10.0.0.5 ttl 1 hour", "ttl", 3600),
        ("Add DNS record api.local to 10.0.0.5 with a TTL of a day", "ttl", 86400),
        ("Add DNS record api.local to 10.0.0.5 ttl 600", "ttl", 600),
        ("Create a certificate for www.example.com valid for a year", "days", 365),
        ("Create a certificate for www.example.com valid for 3 weeks", "days", 21),
        ("Renew the cert for api.example.com for 90 days", "days", 90),
    ],
)
def test_duration_conversions(request_text, field, value):
    assert predict(request_text)[field] == value


def test_multi_resolves_pronouns_in_order():
    got = predict("Create user john and add him to the samba group")
    assert got == {
        "action": "multi",
        "steps": [
            {"action": "user_add", "username": "john"},
            {"action": "user_add_to_group", "username": "john", "group": "samba"},
        ],
    }
    three = predict("Create user carol, set her password to xyz, then add her to the admins group")
    assert [s["action"] for s in three["steps"]] == ["user_add", "user_set_password", "user_add_to_group"]
    assert all(s["username"] == "carol" for s in three["steps"])


def test_one_operation_with_a_conjunction_stays_single():
    assert predict("Create share media at /srv/media and make it read-only") == {
        "action": "share_create",
        "name": "media",
        "path": "/srv/media",
        "read_only": True,
    }


@pytest.mark.parametrize(
    "request_text",
    [
        "Why is my DNS not working?",
        "How do I add a user?",
        "My samba share is not working",
        "hello",
        "Install docker on the server",
        "What is a CNAME record?",
        "Tell me a joke",
    ],
)
def test_questions_and_other_systems_are_unknown(request_text):
    assert predict(request_text) == {"action": "unknown"}
    assert route(request_text) == "unknown"


@pytest.mark.parametrize(
    "request_text, gold",
    [
        ("userdel bob", {"action": "user_remove", "username": "bob"}),
        ("gpasswd -a alice wheel", {"action": "user_add_to_group", "username": "alice", "group": "wheel"}),
        ("TICKET-123: The group legal should be removed", {"action": "group_remove", "group": "legal"}),
        (
            "Add alice to the developers gropu",
            {"action": "user_add_to_group", "username": "alice", "group": "developers"},
        ),
        ("ufw allow 8000", {"action": "fw_allow", "port": 8000}),
    ],
)
def test_rewrites_commands_passives_typos(request_text, gold):
    assert validate_intent(predict(request_text)) == validate_intent(gold)


def test_multi_fills_an_implicit_object_from_the_previous_step():
    got = predict("Add api.local pointing to 10.0.0.5 and create a cert for that name")
    assert got == {
        "action": "multi",
        "steps": [
            {"action": "dns_add", "name": "api.local", "record_type": "A", "value": "10.0.0.5"},
            {"action": "cert_create", "common_name": "api.local"},
        ],
    }


def test_extract_works_for_every_action_name():
    text = "Create user john and add him to the samba group"
    assert extract(text, "unknown") == {"action": "unknown"}
    assert extract(text, "multi")["action"] == "multi"
    assert extract("Add a DNS record for api.local", "clarify")["missing"] == ["record_type", "value"]
    assert extract("Remove user jane", "user_remove") == {"action": "user_remove", "username": "jane"}
    for action in ACTIONS:
        validate_intent(extract(text, action))
    assert extract(text, "no_such_action") == {"action": "unknown"}


def _odd_inputs() -> list:
    rng = random.Random(0)
    chars = "abcdefghijklmnopqrstuvwxyz0123456789 ./:'\",;@-_éüß\x07\x00\u200b"
    words = "add remove user group share port dns to from and then him it eth0 10.0.0.1 api.local 'x y'".split()
    fuzz = ["".join(rng.choice(chars) for _ in range(rng.randint(0, 50))) for _ in range(150)]
    fuzz += [" ".join(rng.choice(words) for _ in range(rng.randint(1, 10))) for _ in range(150)]
    fixed = [
        "",
        " ",
        "\x00\x01\x1b[31m",
        "é" * 5000,
        "add user " + "a" * 50000,
        "Créer l'utilisateur Zoë",
        "🙂",
        "'",
        '"',
        "Add DNS record '' to ''",
        "port 99999999999999999999",
        None,
        42,
        "Open port 443/tcp from 10.0.0.0/99",
        "x " * 3000 + "and add user bob",
    ]
    return fixed + fuzz


def test_odd_inputs_never_raise_and_always_validate():
    predictor = RulesPredictor()
    for text in _odd_inputs():
        raw, confidence = predictor.generate(text)
        intent = json.loads(raw)
        assert validate_intent(intent) == intent
        assert 0.0 <= confidence <= 1.0
        assert route(text) in ACTIONS
    for text in _odd_inputs()[:40]:
        for action in OPERATIONS:
            validate_intent(extract(text, action))


def test_registered_and_predicts():
    assert _REGISTRY["rules"] is RulesPredictor  # get_predictor("rules") builds it by name
    predictor = RulesPredictor()
    assert predictor.name == "rules"
    pred = predictor.predict("Remove user jane")
    assert pred.ok and pred.intent == {"action": "user_remove", "username": "jane"}
    assert pred.confidence == 1.0
    assert predictor.predict("Add a DNS record for api.local").confidence < 1.0


def test_extract_fields_gives_what_it_finds_without_a_clarify():
    from microllm.baselines.rules import extract, extract_fields

    text = "give beatriz the new  password Quartz!1086k"
    assert extract(text, "user_set_password")["action"] == "clarify"
    assert extract_fields(text, "user_set_password") == {"action": "user_set_password", "password": "Quartz!1086k"}
    assert extract_fields(text, "unknown") == {"action": "unknown"} and extract_fields(None, "user_add") == {
        "action": "user_add"
    }

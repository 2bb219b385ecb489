"""A required value the request does not give on its own (made up where grounding gave way, or borrowed from another
slot's mention) turns the answer into the clarify the spec asks for; values with a mention of their own stay."""

import pytest

from microllm.rules import DEFAULT_RULES, apply_rules
from microllm.rules.not_given import borrowed, clarify_not_given, invented, mentions


def test_mentions_are_whole_pieces_and_case_follows_the_slot():
    assert mentions("anna", "user anna, password anna2024!", case_kept=True) == [(5, 9)]  # not inside anna2024
    assert mentions("Quartz", "password is Quartz$6256", case_kept=True) == [(12, 18)]  # "$" ends a piece
    assert mentions("kafka.corp.example.org", "update Kafka.corp.example.org ->", case_kept=False) == [(7, 29)]
    assert mentions("kafka.corp.example.org", "update Kafka.corp.example.org ->", case_kept=True) == []


@pytest.mark.parametrize(("request_", "intent", "missing"), [
    ("Your new password is Birch#4410, put it on the account",  # a piece of the password as the login
     {"action": "user_set_password", "username": "Birch", "password": "Birch#4410"}, ["username"]),
    ("Files go to /data/shares/archive2023; share that folder",  # the path's last part as the share's name
     {"action": "share_create", "name": "archive2023", "path": "/data/shares/archive2023"}, ["name"]),
    ("alias billing@corp.example.net -> ",  # one mention, two slots: the later one has none of its own
     {"action": "mail_alias_add", "alias": "billing@corp.example.net", "destination": "billing@corp.example.net"},
     ["destination"]),
    ("Block udp traffic on the firewall",  # no number to copy: grounding gave way
     {"action": "fw_deny", "port": 65535, "protocol": "udp"}, ["port"]),
    ("change the DNS servers of eth1",
     {"action": "net_set_nameservers", "interface": "eth1", "servers": ["1.1.1.1"]}, ["servers"]),
])  # fmt: skip
def test_a_value_without_a_mention_of_its_own_gives_clarify(request_, intent, missing):
    assert clarify_not_given(intent, request_) == {"action": "clarify", "intent": intent["action"], "missing": missing}
    assert apply_rules(intent, request_, DEFAULT_RULES)["action"] == "clarify"


@pytest.mark.parametrize(("request_", "intent"), [
    ("Create user anna with password anna2024!",
     {"action": "user_set_password", "username": "anna", "password": "anna2024!"}),
    ("Create share called 'family' at /srv/shares/family",
     {"action": "share_create", "name": "family", "path": "/srv/shares/family"}),
    ("Point www.example.com at example.com",  # the value inside the name, but also written on its own
     {"action": "dns_add", "name": "www.example.com", "record_type": "CNAME", "value": "example.com"}),
    ("Allow tcp port 8443",
     {"action": "fw_allow", "port": 8443, "protocol": "tcp"}),
    ("Create user bob and add bob to sales",  # multi-step answers are left alone
     {"action": "multi", "steps": [{"action": "user_add", "username": "bob"}]}),
])  # fmt: skip
def test_values_with_their_own_mention_stay(request_, intent):
    assert clarify_not_given(intent, request_) is intent
    if intent["action"] != "multi":
        assert not invented(intent, request_) and not borrowed(intent, request_)

"""The number after MX in zone-file syntax is the priority; other answers are left as they are."""

from microllm.rules.zone_syntax import mx_priority

MX = {"action": "dns_add", "name": "int.example.net", "record_type": "MX", "value": "mx.eu.example.net"}


def test_a_zone_file_preference_read_as_ttl_becomes_priority():
    text = "int.example.net IN MX 10 mx.eu.example.net"
    assert mx_priority({**MX, "ttl": 10}, text) == {**MX, "priority": 10}
    assert mx_priority({**MX, "ttl": 10}, "int.example.net. 3600 in mx 10 MX.eu.example.net.") == {
        **MX,
        "ttl": 3600,
        "priority": 10,
    }
    nsupdate = "update add home.arpa 3600 MX 30 mx.initech.co.uk"
    mx = {"action": "dns_add", "name": "home.arpa", "record_type": "MX", "value": "mx.initech.co.uk"}
    assert mx_priority({**mx, "ttl": 3600}, nsupdate) == {**mx, "ttl": 3600, "priority": 30}  # dropped priority
    assert mx_priority({**mx, "priority": 30}, nsupdate) == {**mx, "ttl": 3600, "priority": 30}  # dropped TTL
    multi = {"action": "multi", "steps": [{**MX, "ttl": 30}, {"action": "group_add", "group": "ops"}]}
    fixed = mx_priority(multi, "int.example.net IN MX 30 mx.eu.example.net; add group ops")
    assert fixed["steps"] == [{**MX, "priority": 30}, multi["steps"][1]]


def test_answers_the_text_does_not_contradict_are_returned_unchanged():
    cases = [
        ({**MX, "ttl": 3600, "priority": 10}, "int.example.net 3600 IN MX 10 mx.eu.example.net"),  # right already
        ({**MX, "ttl": 300}, "MX 10 mx.eu.example.net for int.example.net, ttl 300"),  # no name before MX
        ({**MX, "name": "other.example.net", "ttl": 10}, "int.example.net IN MX 10 mx.eu.example.net"),  # another
        ({**MX, "ttl": 10}, "MX record for int.example.net to mx.eu.example.net, ttl 10"),  # not zone syntax
        ({**MX, "ttl": 10}, "int.example.net IN MX 10 mx.eu.example.network"),  # another target
        ({**MX, "record_type": "A", "value": "10.0.0.1", "ttl": 10}, "int.example.net IN A 10 10.0.0.1"),
        ({"action": "multi", "steps": [{**MX, "ttl": 60}]}, "MX 10 mx.eu.example.net"),
    ]
    for intent, text in cases:
        assert mx_priority(intent, text) is intent, text
    assert mx_priority(None, "x") is None

"""An A/AAAA record whose value is no address of its family takes the request's one address, and its family."""

import pytest

from microllm.rules.address_family import address_family, addresses


def test_addresses_are_read_whole_and_canonical():
    assert [str(a) for a in addresses("aaaa minio.lan 2a01:04f8:5cfa:17dc:0000:0000:0000:0779 ttl 30 minutes")] == [
        "2a01:4f8:5cfa:17dc::779"
    ]
    assert [str(a) for a in addresses("Add api.local -> 10.0.0.5. Thanks, or 10.0.0.5 again")] == ["10.0.0.5"]
    assert addresses("Add a CNAME from www.local to web.local") == []


@pytest.mark.parametrize(("text", "value", "fixed"), [
    ("aaaa minio.lan 2a01:4f8:7eec:91e9::642 ttl an hour", "642", ("AAAA", "2a01:4f8:7eec:91e9::642")),
    ("a record db.lan 10.1.2.3", "1.2.3", ("A", "10.1.2.3")),  # hypothetical: an A value cut short
])  # fmt: skip
def test_a_value_of_the_wrong_family_takes_the_requests_address(text, value, fixed):
    got = address_family({"action": "dns_add", "name": "x.lan", "record_type": "A", "value": value}, text)
    assert (got["record_type"], got["value"]) == fixed
    multi = {"action": "multi", "steps": [{"action": "dns_add", "name": "x.lan", "record_type": "A", "value": value}]}
    assert address_family(multi, text)["steps"][0]["value"] == fixed[1]


@pytest.mark.parametrize(("text", "intent"), [
    ("Add api.local -> 10.0.0.5", {"action": "dns_add", "name": "api.local", "record_type": "A", "value": "10.0.0.5"}),
    ("db.lan is 10.0.0.5 or 10.0.0.6", {"action": "dns_add", "name": "db.lan", "record_type": "A", "value": "5"}),
    ("add db.lan", {"action": "dns_add", "name": "db.lan", "record_type": "A", "value": "5"}),  # no address at all
    ("www.lan to web.lan", {"action": "dns_add", "name": "www.lan", "record_type": "CNAME", "value": "web.lan"}),
    ("create user bob", {"action": "user_add", "username": "bob"}),
])  # fmt: skip
def test_otherwise_the_answer_is_left_as_it_is(text, intent):
    assert address_family(intent, text) is intent

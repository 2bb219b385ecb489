"""Tests for microllm.safety: each rule rejects with a clear reason, its near misses pass."""

from __future__ import annotations

import dataclasses

import pytest

from microllm.safety import (
    CHECKS,
    RESERVED_GROUPS,
    RESERVED_USERS,
    UnsafeIntentError,
    Violation,
    check_intent,
    ensure_safe,
    is_safe,
)
from microllm.schema import OPERATIONS, validate_intent

# The gold answers of the spec's examples (shared/intent-spec.md): all must be executable.
SPEC_EXAMPLES = [
    {"action": "dns_add", "name": "api.local", "record_type": "A", "value": "10.0.0.5"},
    {"action": "dns_remove", "name": "old.example.com"},
    {"action": "dns_add", "name": "www.local", "record_type": "CNAME", "value": "server.local"},
    {"action": "user_add", "username": "john", "password": "abc123"},
    {"action": "user_add_to_group", "username": "john", "group": "samba"},
    {"action": "user_remove", "username": "jane"},
    {"action": "share_create", "name": "family", "path": "/srv/shares/family"},
    {"action": "share_grant_access", "share": "family", "username": "john"},
    {"action": "fw_allow", "port": 443, "protocol": "tcp", "source": "10.0.0.0/8"},
    {"action": "unknown"},
    {"action": "dns_add", "name": "api.local", "record_type": "A", "value": "999.1.1.1"},  # rule 8 (parsed)
    {"action": "clarify", "intent": "dns_add", "missing": ["record_type", "value"]},
]
SPEC_SAFE = [e for e in SPEC_EXAMPLES if e.get("value") != "999.1.1.1"]


def user(name, **kw):
    return {"action": "user_add", "username": name, **kw}


def group(name, action="group_add"):
    return {"action": action, "group": name}


def dns(rtype, value, name="api.local", **kw):
    return {"action": "dns_add", "name": name, "record_type": rtype, "value": value, **kw}


def share(name="family", path="/srv/shares/family", **kw):
    return {"action": "share_create", "name": name, "path": path, **kw}


def fw(**kw):
    return {"action": "fw_allow", **kw}


def addr(address, interface="eth0", **kw):
    return {"action": "net_set_address", "interface": interface, "address": address, **kw}


def cert(cn="web.example.com", **kw):
    return {"action": "cert_create", "common_name": cn, **kw}


def relay(host, **kw):
    return {"action": "mail_set_relay", "host": host, **kw}


def alias(name="info", destination="john"):
    return {"action": "mail_alias_add", "alias": name, "destination": destination}


# (intent, path of the first violation, substring of its reason)
REJECTED = [
    # accounts and names
    (user("j smith"), "username", "contains whitespace"),
    (user("-rf"), "username", "must not start with '-'"),
    (user("root"), "username", "reserved system account"),
    (user("daemon"), "username", "reserved system account"),
    (user("Root"), "username", "reserved system account"),
    (user("systemd-coredump"), "username", "reserved system account"),
    (user("john;rm"), "username", "contains shell metacharacter ';'"),
    (user("john$"), "username", "contains shell metacharacter '$'"),
    (user("a\\b"), "username", "contains shell metacharacter '\\\\'"),
    (user("john\n"), "username", "contains a newline"),
    (user("1john"), "username", "not a valid user name"),
    (user("j" * 33), "username", "not a valid user name"),
    (user("jöhn"), "username", "not a valid user name"),
    ({"action": "user_remove", "username": "sshd"}, "username", "reserved system account"),
    ({"action": "user_set_password", "username": "root", "password": "x"}, "username", "reserved"),
    (group("sudo"), "group", "reserved system group"),
    (group("wheel", "group_remove"), "group", "reserved system group"),
    (group("dev ops"), "group", "contains whitespace"),
    ({"action": "user_add_to_group", "username": "john", "group": "shadow"}, "group", "reserved"),
    ({"action": "user_remove_from_group", "username": "john", "group": "adm"}, "group", "reserved"),
    ({"action": "share_grant_access", "share": "family", "group": "disk"}, "group", "reserved"),
    ({"action": "share_grant_access", "share": "family", "username": "root"}, "username", "reserved"),
    ({"action": "share_revoke_access", "share": "fam&ly", "username": "john"}, "share", "metacharacter '&'"),
    # free text
    (user("john", full_name="John\nroot::0:0"), "full_name", "contains a newline"),
    (user("john", full_name="John: Smith"), "full_name", "GECOS"),
    (user("john", password=""), "password", "must not be empty"),
    (user("john", password="x" * 129), "password", "longer than 128"),
    (user("john", password="a\x00b"), "password", "NUL"),
    (share(comment="ok\n[global]"), "comment", "contains a newline"),
    (share(comment="bad\rcr"), "comment", "carriage return"),
    (share(comment="trailing\\"), "comment", "line continuation"),
    (dns("TXT", "v=spf1\n-all"), "value", "contains a newline"),
    # samba shares and paths
    (share(name="global"), "name", "reserved Samba section"),
    ({"action": "share_remove", "name": "homes"}, "name", "reserved Samba section"),
    (share(name="print$"), "name", "metacharacter '$'"),
    (share(name="my share"), "name", "contains whitespace"),
    (share(name="-x"), "name", "must not start with '-'"),
    (share(path="/srv/../etc"), "path", "'..'"),
    (share(path="srv/share"), "path", "absolute"),
    (share(path="/"), "path", "system directory"),
    (share(path="/etc"), "path", "system directory"),
    (share(path="/usr/"), "path", "system directory"),
    (share(path="//var"), "path", "system directory"),
    (share(path="/etc/samba"), "path", "under /etc"),
    (share(path="/root/.ssh"), "path", "under /root"),
    (share(path="/proc/1"), "path", "under /proc"),
    (share(path="/srv/a;b"), "path", "metacharacter ';'"),
    (share(path="/srv/$(id)"), "path", "metacharacter '$'"),
    (share(path="/srv/x\ny"), "path", "contains a newline"),
    # dns
    (dns("A", "999.1.1.1"), "value", "not a valid IPv4 address"),
    (dns("A", "2001:db8::1"), "value", "not a valid IPv4 address"),
    (dns("A", "10.0.0"), "value", "not a valid IPv4 address"),
    (dns("AAAA", "10.0.0.5"), "value", "not a valid IPv6 address"),
    (dns("AAAA", "2001:db8::g"), "value", "not a valid IPv6 address"),
    ({"action": "dns_update", "name": "a.local", "record_type": "A", "value": "1.2.3.256"}, "value", "IPv4"),
    (dns("A", "10.0.0.5", name="bad_name.local"), "name", "not a valid DNS name"),
    (dns("A", "10.0.0.5", name="-api.local"), "name", "not a valid DNS name"),
    (dns("A", "10.0.0.5", name="a..local"), "name", "empty label"),
    (dns("A", "10.0.0.5", name="x" * 64 + ".local"), "name", "longer than 63"),
    (dns("A", "10.0.0.5", name=("a" * 60 + ".") * 5 + "com"), "name", "longer than 253"),
    (dns("A", "10.0.0.5", name="api.local;reboot"), "name", "not a valid DNS name"),
    (dns("CNAME", "server local"), "value", "not a valid CNAME target"),
    (dns("CNAME", "999.1.1.1"), "value", "numeric top-level label"),
    (dns("MX", "mail_x.local", priority=10), "value", "not a valid MX target"),
    (dns("NS", "-ns1.local"), "value", "not a valid NS target"),
    (dns("SPF", "v=spf1 -all"), "record_type", "unsupported record type"),
    ({"action": "dns_lookup", "name": "a.local", "record_type": "ANY"}, "record_type", "unsupported"),
    (dns("A", "10.0.0.5", ttl=0), "ttl", "out of range 1..2147483647"),
    (dns("A", "10.0.0.5", ttl=2**31), "ttl", "out of range"),
    (dns("A", "10.0.0.5", ttl="300"), "ttl", "must be an integer"),
    (dns("MX", "mail.local", priority=-1), "priority", "out of range 0..65535"),
    (dns("MX", "mail.local", priority=65536), "priority", "out of range 0..65535"),
    (dns("A", "10.0.0.5", priority=10), "priority", "only applies to MX"),
    # firewall
    (fw(port=0), "port", "out of range 1..65535"),
    (fw(port=70000), "port", "out of range 1..65535"),
    (fw(port=True), "port", "must be an integer"),
    (fw(port="443"), "port", "must be an integer"),
    (fw(service="ssh;reboot"), "service", "metacharacter ';'"),
    (fw(service="SSH"), "service", "not a valid firewall service"),
    (fw(service="-ssh"), "service", "must not start with '-'"),
    (fw(port=22, protocol="icmp"), "protocol", "must be one of tcp, udp"),
    (fw(port=22, source="10.0.0.0/33"), "source", "not a valid IP address or CIDR"),
    (fw(port=22, source="999.1.1.1"), "source", "not a valid IP address or CIDR"),
    (fw(port=22, source="any"), "source", "not a valid IP address or CIDR"),
    # network
    (addr("10.0.0.5"), "address", "address needs a prefix length"),
    (addr("10.0.0.5/33"), "address", "not a valid interface address"),
    (addr("999.0.0.5/24"), "address", "not a valid interface address"),
    (addr("10.0.0.0/24"), "address", "network or broadcast address"),
    (addr("10.0.0.255/24"), "address", "network or broadcast address"),
    (addr("127.0.0.2/8"), "address", "not a usable host address"),
    (addr("10.0.0.5/24", gateway="10.0.0.999"), "gateway", "not a valid IP address"),
    (addr("10.0.0.5/24", gateway="2001:db8::1"), "gateway", "IPv6 but the address is IPv4"),
    (addr("10.0.0.5/24", gateway="10.0.0.5"), "gateway", "own address"),
    (addr("10.0.0.5/24", interface="lo"), "interface", "refusing to reconfigure the loopback interface"),
    ({"action": "net_down", "interface": "lo"}, "interface", "loopback"),
    ({"action": "net_set_dhcp", "interface": "lo"}, "interface", "loopback"),
    ({"action": "net_up", "interface": "eth0;reboot"}, "interface", "metacharacter ';'"),
    ({"action": "net_up", "interface": "averyveryverylongname"}, "interface", "not a valid interface"),
    ({"action": "net_up", "interface": ".."}, "interface", "not a valid interface"),
    ({"action": "net_up", "interface": "eth/0"}, "interface", "not a valid interface"),
    ({"action": "net_set_nameservers", "servers": ["1.1.1.1", "dns.google"]}, "servers[1]", "IP address"),
    ({"action": "net_set_nameservers", "servers": "1.1.1.1"}, "servers", "must be a list"),
    # mail
    (relay("smtp.example.com", port=0), "port", "out of range 1..65535"),
    (relay("smtp.example.com", port=65536), "port", "out of range 1..65535"),
    (relay("999.1.1.1"), "host", "not a valid host name or IP address"),
    (relay("smtp example.com"), "host", "not a valid host name or IP address"),
    (relay("[smtp.example.com]"), "host", "not a valid host name or IP address"),
    (alias("in fo"), "alias", "contains whitespace"),
    (alias("info:"), "alias", "not a valid mail alias"),
    (alias(destination="|/bin/sh"), "destination", "metacharacter '|'"),
    (alias(destination="/var/mail/x"), "destination", "local user name or one e-mail address"),
    (alias(destination="john,jane"), "destination", "one e-mail address"),
    (alias(destination=":include:/etc/list"), "destination", "one e-mail address"),
    (alias(destination="john@bad_host"), "destination", "not a valid e-mail address"),
    (alias(destination="@example.com"), "destination", "not a valid e-mail address"),
    # pki
    (cert("web example.com"), "common_name", "not a valid host name"),
    (cert("*.*.example.com"), "common_name", "not a valid host name"),
    (cert("web.*.example.com"), "common_name", "not a valid host name"),
    (cert(alt_names=["ok.example.com", "bad_name.example.com"]), "alt_names[1]", "bad label"),
    (cert(alt_names="ok.example.com"), "alt_names", "must be a list"),
    ({"action": "cert_revoke", "common_name": "a.local;rm"}, "common_name", "not a valid host name"),
    (cert(days=0), "days", "out of range 1..3650"),
    (cert(days=3651), "days", "unreasonable"),
    ({"action": "cert_renew", "common_name": "a.local", "days": 36500}, "days", "unreasonable"),
    (cert(key_type="rsa", key_size=1024), "key_size", "unsupported key size for rsa"),
    (cert(key_type="rsa", key_size=256), "key_size", "unsupported key size for rsa"),
    (cert(key_type="ec", key_size=2048), "key_size", "unsupported key size for ec"),
    (cert(key_size=512), "key_size", "unsupported key size"),
    (cert(key_type="dsa"), "key_type", "must be one of rsa, ec"),
    (cert(key_type=["rsa"], key_size=2048), "key_type", "must be one of rsa, ec"),
    # shape problems the validator still reports clearly
    ({"action": "rm_rf"}, "action", "unknown action"),
    ({"action": "multi", "steps": "user_add"}, "steps", "must be a list"),
    ({"action": "multi", "steps": [user("john"), "nope"]}, "steps[1]", "not a JSON object"),
]

# Near misses of the rules above: all safe.
ACCEPTED = [
    user("j.smith"),
    user("John"),
    user("_svc"),
    user("jane-doe_2"),
    user("j" * 32),
    user("rooted"),
    user("sysadmin"),
    user("john", full_name="John Smith, Room 4", password="p@ss w0rd;$(rm -rf /)`|&'\"!"),
    user("john", password="x" * 128),
    group("developers"),
    group("samba"),
    group("sudoers-team"),
    {"action": "user_add_to_group", "username": "john", "group": "media"},
    {"action": "share_grant_access", "share": "family", "group": "family", "access": "write"},
    {"action": "share_grant_access", "share": "homes", "username": "john"},
    share(name="Family.Photos_2024", path="/srv/Family Photos", read_only=True, comment="Photos: 2024"),
    share(path="/home/john/share"),
    share(path="/var/lib/samba/shares/x"),
    share(path="/mnt/data/./public/"),
    share(path="/srv/..hidden/x"),
    dns("A", "10.0.0.5"),
    dns("AAAA", "2001:db8::1"),
    {"action": "dns_update", "name": "api.local", "record_type": "AAAA", "value": "::1", "ttl": 2147483647},
    dns("A", "10.0.0.5", ttl=1),
    dns("CNAME", "server.local"),
    dns("CNAME", "_acme.other.example.com", name="_acme-challenge.example.com"),
    dns("MX", "mail.local", priority=0),
    dns("MX", "mail.local", priority=65535),
    dns("TXT", "v=DMARC1; p=none", name="_dmarc.example.com"),
    dns("TXT", 'say "hi" & $HOME'),
    dns("SRV", "10 5 5060 sip.example.com", name="_sip._tcp.example.com"),
    dns("PTR", "api.local", name="5.0.0.10.in-addr.arpa"),
    dns("NS", "ns1.example.com.", name="example.com"),
    {"action": "dns_lookup", "name": "a.local", "record_type": "mx"},
    {"action": "dns_remove", "name": "x" * 63 + ".local"},
    fw(port=443),
    fw(port=1),
    fw(port=65535, protocol="udp"),
    fw(service="ssh"),
    fw(service="http-alt_2"),
    fw(port=22, source="192.168.1.10"),
    fw(port=22, source="10.0.0.5/8"),
    fw(port=22, source="2001:db8::/32"),
    {"action": "fw_deny", "port": 23},
    {"action": "fw_remove", "service": "smtp", "source": "0.0.0.0/0"},
    addr("10.0.0.5/24"),
    addr("172.16.5.20/255.255.255.0"),
    addr("10.0.0.5/24", gateway="10.0.0.1"),
    addr("2001:db8::5/64", gateway="2001:db8::1"),
    addr("10.0.0.0/31"),
    addr("10.0.0.5/24", interface="enp0s31f6"),
    addr("10.0.0.5/24", interface="eth0.100"),
    addr("10.0.0.5/24", interface="eth0:1"),
    {"action": "net_up", "interface": "lo"},
    {"action": "net_set_dhcp", "interface": "wlan0"},
    {"action": "net_set_nameservers", "servers": ["1.1.1.1", "2606:4700:4700::1111"], "interface": "eth0"},
    {"action": "net_set_nameservers", "servers": ["127.0.0.53"], "interface": "lo"},
    relay("smtp.example.com", port=587),
    relay("10.0.0.25", port=25),
    relay("2001:db8::25"),
    relay("relay"),
    alias("info"),
    alias("first.last+tag", "jane@example.com"),
    alias("postmaster", "root"),
    {"action": "mail_alias_remove", "alias": "old-list"},
    cert(),
    cert("*.example.com", alt_names=["example.com", "www.example.com", "10.0.0.5"]),
    cert(days=1),
    cert(days=3650),
    cert(key_type="rsa", key_size=4096),
    cert(key_type="ec", key_size=384),
    cert(key_size=521),
    cert(key_size=3072),
    {"action": "cert_renew", "common_name": "a.local", "days": 365},
    {"action": "cert_revoke", "common_name": "api.local"},
    # nothing to execute: always safe, whatever they carry
    {"action": "clarify", "intent": "user_add", "missing": ["username"]},
    {"action": "unknown", "note": "root; rm -rf /"},
    {
        "action": "multi",
        "steps": [user("john"), {"action": "user_add_to_group", "username": "john", "group": "samba"}],
    },
]


@pytest.mark.parametrize("intent", SPEC_SAFE, ids=lambda i: i["action"])
def test_spec_examples_are_safe(intent):
    assert check_intent(intent) == []
    assert is_safe(intent)
    assert ensure_safe(intent) is intent


@pytest.mark.parametrize("intent", SPEC_EXAMPLES, ids=lambda i: i["action"])
def test_spec_examples_parse_then_check(intent):
    """Rule 8: the schema copies 999.1.1.1; the safety validator is what rejects it."""
    parsed = validate_intent(intent)
    assert is_safe(parsed) == (intent in SPEC_SAFE)


@pytest.mark.parametrize(("intent", "path", "reason"), REJECTED, ids=lambda x: repr(x)[:60])
def test_rejected(intent, path, reason):
    violations = check_intent(intent)
    assert violations, f"expected a violation for {intent}"
    first = violations[0]
    assert first.path == path
    assert reason in first.reason, first.reason
    assert not is_safe(intent)
    with pytest.raises(UnsafeIntentError) as exc:
        ensure_safe(intent)
    assert exc.value.violations == tuple(violations)
    assert reason in str(exc.value)


@pytest.mark.parametrize("intent", ACCEPTED, ids=lambda x: repr(x)[:60])
def test_accepted(intent):
    assert check_intent(intent) == []


@pytest.mark.parametrize("name", sorted(RESERVED_USERS))
def test_every_reserved_user_is_rejected(name):
    assert not is_safe(user(name))
    assert not is_safe({"action": "user_remove", "username": name})


@pytest.mark.parametrize("name", sorted(RESERVED_GROUPS))
@pytest.mark.parametrize("action", ["group_add", "group_remove", "user_add_to_group", "share_grant_access"])
def test_every_reserved_group_is_rejected(name, action):
    intent = {"action": action, "group": name}
    intent.update({"user_add_to_group": {"username": "john"}, "share_grant_access": {"share": "x"}}.get(action, {}))
    assert check_intent(intent)[0].reason == "reserved system group"


@pytest.mark.parametrize("char", list(";|&$`<>(){}[]*?!~'\"\\"))
def test_each_shell_metacharacter_is_named(char):
    [v] = check_intent(user(f"jo{char}hn"))
    assert v.reason == f"contains shell metacharacter {char!r}"


def test_violation_str_and_fields():
    [v] = check_intent(user("root"))
    assert v == Violation("username", "username", "root", "reserved system account")
    assert str(v) == "username='root': reserved system account"
    with pytest.raises(dataclasses.FrozenInstanceError):
        v.reason = "fine"  # type: ignore[misc]


def test_multi_second_step_path():
    intent = {"action": "multi", "steps": [user("john"), user("j smith"), user("jane")]}
    [v] = check_intent(intent)
    assert v.path == "steps[1].username"
    assert v.field == "username"
    assert str(v) == "steps[1].username='j smith': contains whitespace"


def test_multi_reports_every_step_and_nested_lists():
    intent = {
        "action": "multi",
        "steps": [
            {"action": "net_set_nameservers", "servers": ["1.1.1.1", "bad"]},
            {"action": "fw_allow", "port": 0, "source": "nope"},
        ],
    }
    assert [v.path for v in check_intent(intent)] == [
        "steps[0].servers[1]",
        "steps[1].port",
        "steps[1].source",
    ]


def test_all_violations_are_reported():
    intent = user("root", full_name="a\nb", password="")
    assert [v.field for v in check_intent(intent)] == ["username", "full_name", "password"]


@pytest.mark.parametrize("password", ["", "hunter2\n", "s3cr3t\x00", "Tr0ub4dor&3" * 20, "abc123"])
def test_password_never_shown(password):
    intent = {"action": "multi", "steps": [user("root", password=password), user("jane")]}
    violations = check_intent(intent)
    assert violations[0].path == "steps[0].username"
    with pytest.raises(UnsafeIntentError) as exc:
        ensure_safe(intent)
    texts = [str(exc.value), repr(exc.value), *map(str, violations), *map(repr, violations)]
    core = password.strip("\n\x00")
    assert not core or all(core not in t for t in texts)
    if password != "abc123":  # a fine password gives no violation at all
        [pw] = [v for v in violations if v.field == "password"]
        assert pw.value == "***"
        assert "steps[0].password='***'" in str(exc.value)


def test_unsafe_error_is_a_value_error():
    with pytest.raises(ValueError, match="username='daemon': reserved system account"):
        ensure_safe(user("daemon"))


def test_every_operation_has_checks():
    checked = {action for action, _ in CHECKS}
    assert checked == set(OPERATIONS)


def test_non_dict_intent():
    [v] = check_intent(["user_add"])  # type: ignore[arg-type]
    assert "not a JSON object" in v.reason

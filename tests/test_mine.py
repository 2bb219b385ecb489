"""Mining real text: the mappers, the grounding in the text, man-page commands and the split by source."""

from __future__ import annotations

import pytest

from microllm.data.mine import build, manpages
from microllm.data.mine.ansible_docs import example_tasks, free_form_args
from microllm.data.mine.ground import ground
from microllm.data.mine.mappers import Drop, fqdn, map_task


def _drop(module: str, args: object) -> str:
    with pytest.raises(Drop) as e:
        map_task(module, args)
    return e.value.reason


# --- mappers ---------------------------------------------------------------------------------------------------
def test_user_mapper():
    assert map_task("ansible.builtin.user", {"name": "johnd", "uid": 1040, "group": "admin"}) == {
        "action": "user_add", "username": "johnd"}  # fmt: skip
    assert map_task("user", {"name": "johnd", "state": "absent", "remove": True}) == {
        "action": "user_remove", "username": "johnd", "remove_home": True}  # fmt: skip
    assert map_task("user", {"name": "bob", "password_lock": True}) == {"action": "user_lock", "username": "bob"}
    assert map_task("user", {"name": "james", "groups": "admins,dev", "append": True})["steps"] == [
        {"action": "user_add", "username": "james"},
        {"action": "user_add_to_group", "username": "james", "group": "admins"},
        {"action": "user_add_to_group", "username": "james", "group": "dev"},
    ]


def test_user_mapper_drops():
    assert _drop("user", {"name": "ram19", "password_expire_max": 10}) == "unsupported_arg:password_expire_max"
    assert _drop("user", {"name": "x", "password": "$6$hash"}) == "password_is_a_hash"
    assert _drop("user", {"shell": "/bin/zsh"}) == "no_username"
    assert _drop("user", "name=bob state=absent") == "free_form_args"


def test_group_and_membership_mappers():
    assert map_task("group", {"name": "somegroup", "gid": 1750}) == {"action": "group_add", "group": "somegroup"}
    assert map_task("ansible.windows.win_group", {"name": "g1", "state": "absent"}) == {
        "action": "group_remove", "group": "g1"}  # fmt: skip
    assert map_task("community.general.ipa_group", {"name": "dev", "user": ["john"], "append": True}) == {
        "action": "user_add_to_group", "username": "john", "group": "dev"}  # fmt: skip
    assert _drop("community.general.ipa_group", {"name": "dev", "user": ["a", "b"]}) == "exact_member_list"
    assert map_task("win_group_membership", {"name": "G", "members": ["u1"], "state": "absent"}) == {
        "action": "user_remove_from_group", "username": "u1", "group": "G"}  # fmt: skip


def test_ufw_mapper():
    assert map_task("community.general.ufw", {"rule": "deny", "proto": "udp", "src": "1.2.3.4", "port": "514"}) == {
        "action": "fw_deny", "port": 514, "protocol": "udp", "source": "1.2.3.4"}  # fmt: skip
    assert map_task("ufw", {"rule": "allow", "name": "OpenSSH", "delete": True}) == {
        "action": "fw_remove", "service": "openssh"}  # fmt: skip
    assert map_task("ufw", {"rule": "reject", "port": "auth"}) == {"action": "fw_deny", "service": "auth"}
    assert _drop("ufw", {"rule": "allow", "port": "60000:61000"}) == "port_range"
    assert _drop("ufw", {"rule": "limit", "port": "ssh"}) == "rate_limit"
    assert _drop("ufw", {"state": "enabled", "policy": "allow"}) == "not_a_rule"
    assert _drop("ufw", {"rule": "deny", "route": True, "src": "192.0.2.0/24"}) == "unsupported_arg:route"


def test_firewalld_and_iptables_mappers():
    assert map_task("ansible.posix.firewalld", {"port": "8081/tcp", "state": "enabled", "zone": "dmz"}) == {
        "action": "fw_allow", "port": 8081, "protocol": "tcp"}  # fmt: skip
    assert _drop("firewalld", {"service": "http", "state": "disabled"}) == "needs_label:firewalld_disabled"
    assert _drop("firewalld", {"rich_rule": "rule ...", "state": "enabled"}) == "unsupported_arg:rich_rule"
    assert map_task("iptables", {"chain": "INPUT", "protocol": "tcp", "destination_port": 22, "jump": "ACCEPT"}) == {
        "action": "fw_allow", "port": 22, "protocol": "tcp"}  # fmt: skip
    assert _drop("iptables", {"chain": "INPUT", "source": "8.8.8.8", "jump": "DROP"}) == "no_port_or_service"


def test_nmcli_mapper():
    args = {"conn_name": "eth0", "ip4": "192.168.1.50/24", "gw4": "192.168.1.1", "dns4": ["1.1.1.1"]}
    assert map_task("community.general.nmcli", args)["steps"] == [
        {"action": "net_set_address", "interface": "eth0", "address": "192.168.1.50/24", "gateway": "192.168.1.1"},
        {"action": "net_set_nameservers", "servers": ["1.1.1.1"], "interface": "eth0"},
    ]
    assert map_task("nmcli", {"conn_name": "eth1", "state": "up"}) == {"action": "net_up", "interface": "eth1"}
    assert map_task("nmcli", {"ifname": "eth2", "method4": "auto"}) == {"action": "net_set_dhcp", "interface": "eth2"}
    assert _drop("nmcli", {"type": "bond", "conn_name": "bond0"}) == "not_an_ethernet_connection"
    assert _drop("nmcli", {"conn_name": "eth0", "ip4": "10.0.0.5"}) == "address_without_prefix"


def test_dns_mappers():
    assert fqdn("test", "example.net") == "test.example.net"
    assert fqdn("@", "example.net") == "example.net"
    assert fqdn("new.foo.com", "foo.com") == "new.foo.com"
    assert fqdn("1.1.168.192.in-addr.arpa.", "example.org") == "1.1.168.192.in-addr.arpa"
    assert map_task("community.general.nsupdate", {"zone": "example.org", "record": "ansible", "value": "1.2.3.4"}) == {
        "action": "dns_add", "name": "ansible.example.org", "record_type": "A", "value": "1.2.3.4"}  # fmt: skip
    assert map_task("nsupdate", {"record": "puppet", "zone": "example.org", "type": "CNAME", "state": "absent"}) == {
        "action": "dns_remove", "name": "puppet.example.org", "record_type": "CNAME"}  # fmt: skip
    assert map_task("route53", {"command": "get", "zone": "foo.com", "record": "x.foo.com", "type": "A"}) == {
        "action": "dns_lookup", "name": "x.foo.com", "record_type": "A"}  # fmt: skip
    mx = {"state": "present", "zone": "foo.com", "record": "foo.com", "type": "MX", "value": ["10 mail.foo.com"]}
    want = {"action": "dns_add", "name": "foo.com", "record_type": "MX", "value": "mail.foo.com", "priority": 10}
    assert map_task("community.dns.hetzner_dns_record_set", mx) == want
    assert _drop("route53", {"zone": "foo.com", "record": "a.foo.com", "type": "A", "value": "1.1.1.1,2.2.2.2"}) == (
        "several_values"
    )
    assert _drop("cloudflare_dns", {"zone": "x.com", "record": "a", "type": "SSHFP", "value": "ab"}) == (
        "record_type_not_in_spec"
    )
    assert _drop("community.general.mail", {"to": "x"}) == "module_not_mapped"


# --- grounding -------------------------------------------------------------------------------------------------
def test_ground_keeps_what_the_text_states():
    intent = {"action": "user_remove", "username": "johnd", "remove_home": True}
    assert ground(intent, "Remove the user 'johnd'") == ({"action": "user_remove", "username": "johnd"},
                                                          ["remove_home"])  # fmt: skip
    fw = {"action": "fw_allow", "port": 80, "protocol": "tcp"}
    assert ground(fw, "Allow all access to tcp port 80")[0] == fw
    with pytest.raises(Drop, match="not_in_text:port"):  # 80 inside 8080 is not stated
        ground(fw, "Allow port 8080")


def test_ground_record_types():
    a = {"action": "dns_add", "name": "test.example.net", "record_type": "A", "value": "127.0.0.1"}
    assert ground(a, "Point test.example.net to 127.0.0.1")[0] == a  # the type follows from the address
    cname = {"action": "dns_add", "name": "www.local", "record_type": "CNAME", "value": "srv.local"}
    assert ground(cname, "alias www.local to srv.local")[0] == cname
    with pytest.raises(Drop, match="record_type"):
        ground(cname, "point www.local at srv.local")
    lookup = {"action": "dns_lookup", "name": "elb.foo.com", "record_type": "A"}
    assert ground(lookup, "Retrieve the details for elb.foo.com")[0] == {"action": "dns_lookup", "name": "elb.foo.com"}
    with pytest.raises(Drop, match="not_in_text:name"):
        ground(a, "Create a record using api token")


def test_ground_multi_keeps_stated_steps():
    intent = map_task("user", {"name": "bob", "groups": ["Users"]})
    assert ground(intent, "Ensure user bob is present")[0] == {"action": "user_add", "username": "bob"}
    assert build.needs_label(ground(intent, "Ensure user bob is present in Users")[0]) == "needs_label:user_groups"


def test_ground_ipv6_in_another_text_form():
    intent = {"action": "net_set_address", "interface": "eth1", "address": "2001:0db8:85a3::0370:7334/64"}
    assert ground(intent, "ip address add 2001:db8:85a3::370:7334/64 dev eth1")[0] == intent


# --- sources ---------------------------------------------------------------------------------------------------
def test_example_tasks_read_yaml_with_lines(tmp_path):
    module = tmp_path / "ansible" / "modules" / "demo.py"
    module.parent.mkdir(parents=True)
    module.write_text(
        'DOCUMENTATION = "x"\nEXAMPLES = r"""\n- name: Remove the user johnd\n  ansible.builtin.user:\n'
        "    name: johnd\n    state: absent\n- hosts: all\n  tasks:\n    - name: Loop\n      user:\n"
        '        name: "{{ item }}"\n      loop: [a, b]\n"""\n'
    )
    tasks, why = example_tasks(module, tmp_path)
    assert why is None
    assert [(t.line, t.name, t.module, t.loop) for t in tasks] == [
        (3, "Remove the user johnd", "ansible.builtin.user", False),
        (9, "Loop", "user", True),
    ]
    assert tasks[0].file == "ansible/modules/demo.py"
    assert free_form_args("name=bob state=absent") == {"name": "bob", "state": "absent"}


def test_man_page_examples_and_commands():
    roff = (
        '.SH "EXAMPLES"\n.PP\nip link set x up\n.RS 4\nBring up interface x.\n.RE\n.PP\nip route\n.RS 4\n'
        "Show table routes.\n.RE\n.SH SEE ALSO\n"
    )
    exs = manpages.examples(roff, "man8/ip")
    assert [(e.command, e.description) for e in exs] == [
        ("ip link set x up", "Bring up interface x."),
        ("ip route", "Show table routes."),
    ]
    assert manpages.map_command("ip link set dev eth0 down") == {"action": "net_down", "interface": "eth0"}
    assert manpages.map_command("ip addr add 10.0.0.5/24 dev eth0") == {
        "action": "net_set_address", "interface": "eth0", "address": "10.0.0.5/24"}  # fmt: skip
    nsupdate = "# nsupdate\n> update delete old.example.com A\n> update add new.example.com 60 A 10.0.0.1\n> send"
    assert manpages.map_command(nsupdate)["steps"][1] == {
        "action": "dns_add", "name": "new.example.com", "record_type": "A", "value": "10.0.0.1", "ttl": 60}  # fmt: skip
    assert manpages.command_text(nsupdate) == (
        "update delete old.example.com A; update add new.example.com 60 A 10.0.0.1"
    )
    with pytest.raises(Drop, match="not_an_action"):
        manpages.map_command("ip route")
    assert manpages.first_sentence("Bring up x. Then more.") == "Bring up x."


def test_finish_validates_and_checks_safety():
    assert build.finish({"action": "group_add", "group": "somegroup"}) == {"action": "group_add", "group": "somegroup"}
    with pytest.raises(Drop, match="unsafe"):
        build.finish({"action": "group_add", "group": "docker"})
    with pytest.raises(Drop, match="schema_invalid"):
        build.finish({"action": "fw_allow", "port": 80, "service": "http"})


# --- split -----------------------------------------------------------------------------------------------------
def _rows(spec: dict[str, list[str]]) -> list[dict]:
    return [
        {"input": f"{f} {i}", "category": c, "source": {"file": f, "line": i, "field": "name"}, "output": {}}
        for f, cats in spec.items()
        for i, c in enumerate(cats)
    ]


def test_split_is_disjoint_by_source_and_deterministic():
    spec = {f"mod{i}.py": ["dns", "users", "firewall", "network"][i % 4 : i % 4 + 1] * 3 for i in range(20)}
    rows = _rows(spec)
    assignment = build.split_by_source(rows)
    assert assignment == build.split_by_source(list(reversed(rows)))
    assert set(assignment.values()) == {"train", "val-real"}
    assert 5 <= sum(v == "val-real" for v in assignment.values()) <= 9
    for cat in ("dns", "users", "firewall", "network"):  # every category on both sides
        sides = {assignment[r["source"]["file"]] for r in rows if r["category"] == cat}
        assert sides == {"train", "val-real"}


def test_split_keeps_a_single_source_category_in_train():
    assignment = build.split_by_source(_rows({"a.py": ["dns"], "b.py": ["dns"], "c.py": ["pki"], "d.py": ["dns"]}))
    assert assignment["c.py"] == "train"


def test_split_targets_a_share_of_rows_not_of_sources():
    # one man page with twenty rows beside small sources: the big one stays in train, val-real gets about a third
    spec = {"man.gz": ["firewall"] * 20, "a.py": ["firewall"] * 2, "b.py": ["firewall"] * 3, "c.py": ["firewall"] * 4}
    spec |= {f"out{i}.py": ["unknown"] for i in range(30)}
    rows = _rows(spec)
    assignment = build.split_by_source(rows)
    assert assignment["man.gz"] == "train"
    for cat, total in (("firewall", 29), ("unknown", 30)):
        n_val = sum(1 for r in rows if r["category"] == cat and assignment[r["source"]["file"]] == "val-real")
        assert abs(n_val - build.VAL_SHARE * total) <= 3, (cat, n_val)


def test_built_files_are_disjoint_by_source():
    from microllm.data import contract
    from microllm.data.io import read_jsonl

    train, val = contract.ROOT / "data/real/train.jsonl", contract.ROOT / "data/real/val-real.jsonl"
    if not (train.is_file() and val.is_file()):
        pytest.skip("data/real not built")
    train_rows, val_rows = read_jsonl(train), read_jsonl(val)
    assert not {r["source"]["file"] for r in train_rows} & {r["source"]["file"] for r in val_rows}
    for r in train_rows + val_rows:
        assert set(r["source"]) >= {"package", "file", "line"}
        assert build.finish(r["output"]) == r["output"]


def test_dedupe_drops_duplicates_and_conflicts():
    rows = [
        {"input": "Remove user bob", "output": {"action": "user_remove", "username": "bob"},
         "source": {"file": "a", "line": 1, "field": "name"}},
        {"input": "remove user BOB!", "output": {"action": "user_remove", "username": "bob"},
         "source": {"file": "b", "line": 1, "field": "name"}},
        {"input": "Lock x", "output": {"action": "user_lock", "username": "x"},
         "source": {"file": "a", "line": 2, "field": "name"}},
        {"input": "lock X", "output": {"action": "user_lock", "username": "X"},
         "source": {"file": "b", "line": 2, "field": "name"}},
    ]  # fmt: skip
    kept, drops = build.dedupe(rows)
    assert [r["input"] for r in kept] == ["Remove user bob"]
    assert drops == {"duplicate_input": 1, "conflicting_duplicate": 2}

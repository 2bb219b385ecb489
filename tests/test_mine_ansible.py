"""Mining the Ansible docs: the Windows firewall and AD user mappers, EXAMPLES in ``.yml`` docs, ``unknown`` rows."""

from __future__ import annotations

import pytest

from microllm.data.mine import build
from microllm.data.mine.ansible_docs import example_tasks, examples_string, yaml_doc_examples
from microllm.data.mine.ground import ground
from microllm.data.mine.mappers import MAPPERS, OUT_OF_SCOPE_MODULES, Drop, is_out_of_scope, map_task

FW = "community.windows.win_firewall_rule"
AD = "microsoft.ad.user"


def _drop(module: str, args: object) -> str:
    with pytest.raises(Drop) as e:
        map_task(module, args)
    return e.value.reason


# --- community.windows.win_firewall_rule ----------------------------------------------------------------------
def test_win_firewall_rule_maps_one_inbound_port():
    smtp = {"name": "SMTP", "localport": 25, "action": "allow", "direction": "in", "protocol": "tcp",
            "state": "present", "enabled": True, "profiles": "private"}  # fmt: skip
    assert map_task(FW, smtp) == {"action": "fw_allow", "port": 25, "protocol": "tcp"}
    block = {"name": "No syslog", "localport": "514", "action": "block", "protocol": "UDP", "remoteip": "10.0.0.0/8"}
    assert map_task("win_firewall_rule", block) == {
        "action": "fw_deny", "port": 514, "protocol": "udp", "source": "10.0.0.0/8"}  # fmt: skip
    assert map_task(FW, {"name": "SMTP", "localport": 25, "protocol": "tcp", "state": "absent"}) == {
        "action": "fw_remove", "port": 25, "protocol": "tcp"}  # fmt: skip
    assert map_task(FW, {"name": "web", "localport": 80, "remoteip": "any", "localip": "Any"}) == {
        "action": "fw_allow", "port": 80}  # fmt: skip


def test_win_firewall_rule_drops():
    rule = {"name": "x", "localport": 25, "protocol": "tcp"}
    assert _drop(FW, {"group": "application", "enabled": True}) == "rule_group"
    assert _drop(FW, {**rule, "localport": "5000-5010"}) == "port_range"
    assert _drop(FW, {**rule, "localport": "80,443"}) == "several_ports"
    assert _drop(FW, {"name": "ping", "protocol": "icmpv4", "icmp_type_code": ["8:*"]}) == "unsupported_protocol"
    assert _drop(FW, {**rule, "direction": "out"}) == "outgoing_rule"
    assert _drop(FW, {**rule, "enabled": False}) == "rule_disabled"
    assert _drop(FW, {**rule, "remoteip": "LocalSubnet"}) == "source_not_an_address"
    assert _drop(FW, {**rule, "remoteip": "10.0.0.1-10.0.0.9"}) == "source_not_an_address"
    assert _drop(FW, {**rule, "program": "C:\\app.exe"}) == "unsupported_arg:program"
    assert _drop(FW, {**rule, "service": "wuauserv"}) == "unsupported_arg:service"  # a Windows service
    assert _drop(FW, {"name": "Remote Desktop", "state": "absent"}) == "no_port_or_service"
    assert _drop(FW, {**rule, "edge": True}) == "unsupported_arg:edge"


def test_win_firewall_rule_grounds_in_the_task_name():
    intent = map_task(FW, {"name": "SMTP", "localport": 25, "action": "allow", "protocol": "tcp"})
    assert ground(intent, "Firewall rule to allow SMTP on TCP port 25")[0] == intent
    with pytest.raises(Drop, match="not_in_text:port"):
        ground(intent, "Firewall rule to be created for application group")


# --- microsoft.ad.user -----------------------------------------------------------------------------------------
def test_ad_user_maps_present_and_absent():
    args = {"identity": "bob", "firstname": "Bob", "surname": "Smith", "password": "B0bP4ssw0rd", "state": "present",
            "groups": {"set": ["Domain Admins"]}, "street": "123 4th St.", "attributes": {"set": {"a": "b"}},
            "domain_server": "dc1"}  # fmt: skip
    assert map_task(AD, args) == {"action": "multi", "steps": [
        {"action": "user_add", "username": "bob", "password": "B0bP4ssw0rd", "full_name": "Bob Smith"},
        {"action": "user_add_to_group", "username": "bob", "group": "Domain Admins"},
    ]}  # fmt: skip
    assert map_task(AD, {"identity": "bob", "state": "absent"}) == {"action": "user_remove", "username": "bob"}
    assert map_task(AD, {"name": "jdoe", "display_name": "John Doe"}) == {
        "action": "user_add", "username": "jdoe", "full_name": "John Doe"}  # fmt: skip
    assert map_task(AD, {"identity": "bob", "account_locked": False}) == {"action": "user_unlock", "username": "bob"}
    # a bare "user" is the builtin module (whose password is a hash), never the AD one
    assert _drop("user", {"name": "bob", "password": "B0bP4ssw0rd"}) == "password_is_a_hash"


def test_ad_user_drops():
    assert _drop(AD, {"name": "existing_user", "sam_account_name": "new_sam_name"}) == (
        "unsupported_arg:sam_account_name"
    )
    assert _drop(AD, {"identity": "liz.kenyon", "spn": {"add": ["MSSQLSvc/db:2433"]}}) == "unsupported_arg:spn"
    assert _drop(AD, {"name": "user", "identity": "S-1-5-21-1", "path": "OU=Admins"}) == "rename_or_move"
    assert _drop(AD, {"identity": "CN=bob,CN=Users,DC=ad,DC=test"}) == "identity_not_a_name"
    assert _drop(AD, {"identity": "bob@ad.test", "state": "absent"}) == "identity_not_a_name"
    assert _drop(AD, {"identity": "bob", "groups": {"remove": ["Domain Admins"]}}) == "unsupported_arg:groups"
    assert _drop(AD, {"identity": "bob", "groups": {"set": []}}) == "unsupported_arg:groups"
    other_domain = {"add": [{"name": "G", "server": "Other"}]}
    assert _drop(AD, {"identity": "bob", "groups": other_domain}) == "group_not_a_name"
    assert _drop(AD, {"identity": "bob", "enabled": False}) == "account_disabled"
    assert _drop(AD, {"identity": "bob", "account_locked": False, "password": "x"}) == "unlock_with_other_changes"
    assert _drop(AD, {"state": "present"}) == "no_username"


def test_ad_user_grounds_in_the_task_name():
    intent = map_task(AD, {"identity": "bob", "password": "B0bP4ssw0rd", "groups": {"set": ["Domain Admins"]}})
    got, trimmed = ground(intent, "Ensure user bob is present with address information")
    assert got == {"action": "user_add", "username": "bob"}
    assert "password" in trimmed and "step:user_add_to_group" in trimmed


# --- EXAMPLES of a .yml documentation file ----------------------------------------------------------------------
_YML_DOC = """DOCUMENTATION:
  module: user
  options: {}

EXAMPLES: |
  - name: Ensure user bob is absent
    microsoft.ad.user:
      identity: bob
      state: absent

  - name: Ensure user ann is present
    microsoft.ad.user:
      identity: ann

RETURN: {}
"""


def test_yml_doc_examples_with_lines(tmp_path):
    folder = tmp_path / "ansible_collections" / "microsoft" / "ad" / "plugins" / "modules"
    folder.mkdir(parents=True)
    (folder / "user.ps1").write_text("# PowerShell\n")
    (folder / "user.yml").write_text(_YML_DOC)
    path = build.module_file(AD, tmp_path)
    assert path == folder / "user.yml"
    text, start = examples_string(path)
    assert text.startswith("- name: Ensure user bob is absent") and start == 6
    tasks, why = example_tasks(path, tmp_path)
    assert why is None
    assert [(t.line, t.name, t.module, t.args) for t in tasks] == [
        (6, "Ensure user bob is absent", AD, {"identity": "bob", "state": "absent"}),
        (11, "Ensure user ann is present", AD, {"identity": "ann"}),
    ]
    lines = _YML_DOC.splitlines()
    assert all(lines[t.line - 1].strip() == f"- name: {t.name}" for t in tasks)
    assert tasks[0].file == "ansible_collections/microsoft/ad/plugins/modules/user.yml"
    # a .py file of the same module wins over its .yml
    (folder / "user.py").write_text('EXAMPLES = r"""\n- name: x\n  microsoft.ad.user: {identity: x}\n"""\n')
    assert build.module_file(AD, tmp_path) == folder / "user.py"


def test_yml_doc_without_examples():
    assert yaml_doc_examples("DOCUMENTATION: {}\n") == (None, 0)
    assert yaml_doc_examples("EXAMPLES: [unclosed\n") == (None, 0)
    assert yaml_doc_examples("- a list\n") == (None, 0)
    assert yaml_doc_examples("EXAMPLES: '- name: x'\n") == ("- name: x", 1)


# --- unknown rows ------------------------------------------------------------------------------------------------
def test_out_of_scope_registry():
    assert not OUT_OF_SCOPE_MODULES & set(MAPPERS)
    assert 30 <= len(OUT_OF_SCOPE_MODULES) <= 60
    for module in ("apt", "ansible.builtin.apt", "ansible.legacy.apt", "systemd", "win_chocolatey",
                   "community.docker.docker_container"):  # fmt: skip
        assert is_out_of_scope(module), module
    for module in ("user", "ufw", "community.general.mail", "microsoft.ad.user"):
        assert not is_out_of_scope(module), module


def test_unknown_intent_filters():
    assert build.unknown_intent("Install the latest version of Apache") == {"action": "unknown"}
    assert build.finish(build.unknown_intent("Pull a specific version of an image")) == {"action": "unknown"}
    for name in ("Copy a single file as another user", "Ensure the default Apache port is 8080",
                 "Remove the peer configuration for 10.128.0.11/32", "Restart network service for interface eth0",
                 "Add mappings to /etc/hosts", "Mount DVD read-only", "Change file ownership, group and permissions",
                 "Install its signing key on Ubuntu"):  # fmt: skip
        with pytest.raises(Drop, match="^in_scope_words$"):
            build.unknown_intent(name)
    for name, reason in ((None, "no_name"), ("", "no_name"), ("Install {{ pkg }} now", "jinja"),
                         ("Show results", "too_short"), ("Remove foo", "too_short")):  # fmt: skip
        with pytest.raises(Drop, match=f"^{reason}$"):
            build.unknown_intent(name)


# Every operation request of the spec's examples must be kept out of the unknown rows.
_SPEC_REQUESTS = [
    "Add DNS record api.local to 10.0.0.5", "Remove DNS entry for old.example.com",
    "Create CNAME from www.local to server.local", "Create user john with password abc123",
    "Add john to samba group", "Remove user jane", "Create share called 'family' at /srv/shares/family",
    "Give john access to family share", "Open port 443/tcp from 10.0.0.0/8", "Set the mail relay to smtp.example.com",
    "Renew the certificate for www.example.com", "Bring interface eth1 down", "Lock the account of bob",
    "Use 1.1.1.1 and 8.8.8.8 as nameservers", "Block ssh from 192.168.1.0/24",
]  # fmt: skip


@pytest.mark.parametrize("request_text", _SPEC_REQUESTS)
def test_in_scope_requests_never_become_unknown(request_text):
    with pytest.raises(Drop, match="^in_scope_words$"):
        build.unknown_intent(request_text)


def test_unknown_rows_are_capped_per_module_file(tmp_path, monkeypatch):
    module = tmp_path / "ansible" / "modules" / "apt.py"
    module.parent.mkdir(parents=True)
    names = ["Install the package foo now", "Install the package foo now", "Remove the package bar please",
             "Install the apache web server", "Add the user bob to the box", "Upgrade all packages to latest",
             "Install the nginx web server", "Install the mariadb database server"]  # fmt: skip
    tasks = "".join(f"- name: {n}\n  apt:\n    name: x\n" for n in names)
    module.write_text(f'EXAMPLES = r"""\n{tasks}- apt:\n    name: y\n- name: Print\n  debug: {{msg: x}}\n"""\n')
    monkeypatch.setattr(build, "UNKNOWN_CAP", 4)
    rows, report = build.mine_ansible(tmp_path, labels={}, modules=["ansible.builtin.apt"])
    assert [r["input"] for r in rows] == [names[0], names[2], names[3], names[5]]
    assert report["ansible/modules/apt.py"] == {
        "tasks": 10, "rows": 4,
        "drops": {"cap_per_module": 2, "duplicate_name": 1, "in_scope_words": 1, "no_name": 1, "other_module": 1},
    }  # fmt: skip
    row = rows[1]
    assert row["output"] == {"action": "unknown"} and row["category"] == build.category({"action": "unknown"})
    assert row["source"]["file"] == "ansible/modules/apt.py" and row["source"]["line"] == 8  # 2 + 3 per task
    assert row["source"]["field"] == "name" and row["source"]["label"] == "mapped"
    monkeypatch.setattr(build, "UNKNOWN_CAP", 1)
    rows, report = build.mine_ansible(tmp_path, labels={}, modules=["ansible.builtin.apt"])
    assert [r["input"] for r in rows] == [names[0]]
    assert report["ansible/modules/apt.py"]["drops"]["cap_per_module"] == 5


# --- the installed docs ------------------------------------------------------------------------------------------
NEW_MODULES = {FW: {"fw_allow", "fw_deny", "fw_remove"}, AD: {"user_add", "user_remove", "multi"}}


def test_installed_docs_give_rows_for_each_new_module():
    root = build.site_packages()
    installed = {m: build.module_file(m, root) for m in NEW_MODULES if build.module_file(m, root).is_file()}
    if not installed:
        pytest.skip("community.windows / microsoft.ad not installed")
    rows, report = build.mine_ansible(labels={})
    for module, path in installed.items():
        rel = str(path.relative_to(root))
        got = [r for r in rows if r["source"]["file"] == rel]
        assert got, f"{rel}: no rows ({report.get(rel)})"
        assert {r["output"]["action"] for r in got} <= NEW_MODULES[module]
        assert len(got) == report[rel]["rows"]
    unknown = [r for r in rows if r["output"]["action"] == "unknown"]
    files = {r["source"]["file"] for r in unknown}
    assert len(files) >= 20
    for f in files:
        assert sum(r["source"]["file"] == f for r in unknown) <= build.UNKNOWN_CAP
    assert not any(build.IN_SCOPE_WORDS.search(r["input"]) for r in unknown)

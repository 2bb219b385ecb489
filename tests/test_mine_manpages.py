"""Man pages of ufw, nmcli and firewall-cmd: several man roots, the example layouts and the command mappers.

The roff snippets are copied (shortened) from the Debian bookworm pages ufw(8) 0.36.2, nmcli(1) and
nmcli-examples(7) 1.42.4, firewall-cmd(1) 1.3.3; the tests need neither the network nor the .deb files.
"""

from __future__ import annotations

import gzip

import pytest

from microllm.data.mine import build, manpages
from microllm.data.mine.mappers import Drop

UFW = r""".SH "RULE SYNTAX"
.PP
Example rules using the simple syntax:

  ufw allow 53

This rule will allow tcp and udp port 53 to any address on this host. To
specify a protocol, append '/protocol' to the port. For example:

  ufw allow 25/tcp

This will allow tcp port 25 to any address on this host. \fBufw\fR will also
check /etc/services for the port and protocol if specifying a service by name.
Eg:

  ufw allow smtp

  ufw allow in http
  ufw reject out smtp
.PP
\fBufw\fR supports connection rate limiting. Typical usage
is:

  ufw limit ssh/tcp

.SH EXAMPLES
.PP
Deny all access to port 53:

  ufw deny 53

.PP
Deny access to udp port 514 from host 1.2.3.4:

  ufw deny proto udp from 1.2.3.4 to any port 514

.SH REMOTE MANAGEMENT
.PP
administrators can do:

  ufw allow proto tcp from any to any port 22
"""

NMCLI_EXAMPLES = r""".SH "EXAMPLES"
.PP
\fBExample\ \&7.\ \&Activating a VPN connection profile requiring interactive password input\fR
.sp
.if n \{\
.RS 4
.\}
.nf
$ \fBnmcli \-\-ask con up my\-vpn\-con\fR
.fi
.if n \{\
.RE
.\}
.PP
\fBExample\ \&11.\ \&Adding an ethernet connection profile with manual IP configuration\fR
.sp
.if n \{\
.RS 4
.\}
.nf
$ \fBnmcli con add con\-name my\-con\-em1 ifname em1 type ethernet \e
  ip4 192\&.168\&.100\&.100/24 gw4 192\&.168\&.100\&.1\fR
$ \fBnmcli con mod my\-con\-em1 ipv4\&.dns "8\&.8\&.8\&.8 8\&.8\&.4\&.4"\fR
$ \fBnmcli \-p con show my\-con\-em1\fR
===============================================================================
                     Connection profile details (my\-con\-em1)
===============================================================================
connection\&.id:                         my\-con\-em1
.fi
.if n \{\
.RE
.\}
.PP
\fBExample\ \&15.\ \&nmcli usage in a NetworkManager dispatcher script\fR
.sp
.nf
#!/bin/bash
    if [ \-n "$result" ]; then
        nmcli radio wifi off
    fi
.fi
.SH "SEE ALSO"
"""

FIREWALL_CMD = r""".SH "EXAMPLES"
.PP
For more examples see
\m[blue]\fB\%http://fedoraproject.org/wiki/FirewallD\fR\m[]
.SS "Example 1"
.PP
Enable http service in default zone\&. This is runtime only change, i\&.e\&. effective until restart\&.
.PP
.if n \{\
.RS 4
.\}
.nf
firewall\-cmd \-\-add\-service=http
<TAB>
.fi
.if n \{\
.RE
.\}
.sp
.SS "Example 2"
.PP
Enable port 443/tcp immediately and permanently in default zone\&. We need two commands\&.
.PP
.if n \{\
.RS 4
.\}
.nf
firewall\-cmd \-\-add\-port=443/tcp
firewall\-cmd \-\-permanent \-\-add\-port=443/tcp
<TAB>
.fi
.if n \{\
.RE
.\}
.sp
.SH "EXIT CODES"
""".replace("<TAB>", "\t")  # the page ends each block with a line holding a tab

NMCLI = r""".SH "EXAMPLES"
.PP
\fBnmcli dev down em2\fR
.RS 4
disconnects a connection on interface em2 and marks the device as unavailable for auto\-connecting\&.
.RE
.PP
\fBnmcli con mod ethernet\-2 connection\&.autoconnect no\fR
.RS 4
modifies \*(Aqautoconnect\*(Aq property in the \*(Aqconnection\*(Aq setting of \*(Aqethernet\-2\*(Aq connection\&.
.RE
.SH "NOTES"
"""


def _pairs(roff: str, page: str) -> list[tuple[int, str, str]]:
    return [(e.line, e.command, manpages.first_sentence(e.description)) for e in manpages.examples(roff, page)]


def _drop(command: str) -> str:
    with pytest.raises(Drop) as e:
        manpages.map_command(command)
    return e.value.reason


# --- roots and packages ----------------------------------------------------------------------------------------
def _page(root, rel: str, text: str = ".SH EXAMPLES\n") -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(text.encode()) if rel.endswith(".gz") else text.encode())


def test_page_path_searches_the_roots_in_order(tmp_path):
    first, second = tmp_path / "system", tmp_path / "debian" / "root" / "usr" / "share" / "man"
    _page(first, "man8/ufw.8.gz")
    _page(second, "man8/ufw.8.gz")
    _page(second, "man1/nmcli.1")
    roots = (first, second)
    assert manpages.page_path("man8/ufw", roots) == first / "man8" / "ufw.8.gz"
    assert manpages.page_path("man1/nmcli", roots) == second / "man1" / "nmcli.1"
    assert manpages.page_path("man1/nmcli", first) is None  # one root, as a plain Path, still works
    assert manpages.page_path("man1/firewall-cmd", roots) is None
    assert manpages.locate("man1/nmcli", roots) == (second / "man1" / "nmcli.1", second)
    assert manpages.source_file(second / "man1" / "nmcli.1", second) == "/usr/share/man/man1/nmcli.1"
    assert manpages.MAN_ROOTS[0] == manpages.MAN_ROOT and manpages.MAN_ROOTS[1] == manpages.DEBIAN_MAN_ROOT


def test_package_of_reads_the_manifest_beside_an_unpacked_root(tmp_path):
    root = tmp_path / "debian" / "root" / "usr" / "share" / "man"
    _page(root, "man8/ufw.8.gz")
    _page(root, "man8/other.8.gz")
    (tmp_path / "debian" / "packages.tsv").write_text("ufw\t0.36.2-1\tDebian bookworm\tman8/ufw.8.gz\n")
    assert manpages.package_of(root / "man8" / "ufw.8.gz", root) == "ufw 0.36.2-1 (Debian bookworm)"
    assert manpages.package_of(root / "man8" / "other.8.gz", root) is None
    assert manpages.read_manifest(tmp_path / "missing.tsv") == {}


# --- layouts ---------------------------------------------------------------------------------------------------
def test_ufw_indented_commands_in_rule_syntax_and_examples():
    got = _pairs(UFW, "man8/ufw")
    assert got == [
        (5, "ufw allow 53", "This rule will allow tcp and udp port 53 to any address on this host."),
        (10, "ufw allow 25/tcp", "This will allow tcp port 25 to any address on this host."),
        (16, "ufw allow smtp", "Eg"),  # the paragraph before ends in "Eg:"; grounding drops it later
        (18, "ufw allow in http", ""),  # a blank line only: no prose before, none after
        (19, "ufw reject out smtp", ""),
        (24, "ufw limit ssh/tcp", "Typical usage is"),
        (30, "ufw deny 53", "Deny all access to port 53"),
        (35, "ufw deny proto udp from 1.2.3.4 to any port 514", "Deny access to udp port 514 from host 1.2.3.4"),
    ]
    # REMOTE MANAGEMENT is not read; a page without a SECTIONS entry reads EXAMPLES only
    assert [c for _, c, _ in _pairs(UFW, "man8/other")] == []  # "ufw" is not that page's tool
    assert [e.command for e in manpages.examples(UFW, "man8/ufw", ("EXAMPLES",))] == [
        "ufw deny 53", "ufw deny proto udp from 1.2.3.4 to any port 514"]  # fmt: skip


def test_nmcli_examples_prompted_blocks():
    got = _pairs(NMCLI_EXAMPLES, "man7/nmcli-examples")
    title = "Adding an ethernet connection profile with manual IP configuration"
    assert got == [
        (9, "nmcli --ask con up my-vpn-con",
         "Activating a VPN connection profile requiring interactive password input"),
        (21, "nmcli con add con-name my-con-em1 ifname em1 type ethernet ip4 192.168.100.100/24 gw4 192.168.100.1",
         title),
        (23, 'nmcli con mod my-con-em1 ipv4.dns "8.8.8.8 8.8.4.4"', title),
        (24, "nmcli -p con show my-con-em1", title),
    ]  # fmt: skip
    # the dispatcher script's `nmcli radio wifi off` is a line of a script, not an example command


def test_firewall_cmd_blocks_without_prompts():
    assert _pairs(FIREWALL_CMD, "man1/firewall-cmd") == [
        (13, "firewall-cmd --add-service=http", "Enable http service in default zone."),
        (28, "firewall-cmd --add-port=443/tcp", "Enable port 443/tcp immediately and permanently in default zone."),
        (29, "firewall-cmd --permanent --add-port=443/tcp",
         "Enable port 443/tcp immediately and permanently in default zone."),
    ]  # fmt: skip


def test_nmcli_pp_rs_layout_and_roff_escapes():
    assert _pairs(NMCLI, "man1/nmcli") == [
        (3, "nmcli dev down em2",
         "disconnects a connection on interface em2 and marks the device as unavailable for auto-connecting."),
        (8, "nmcli con mod ethernet-2 connection.autoconnect no",
         "modifies 'autoconnect' property in the 'connection' setting of 'ethernet-2' connection."),
    ]  # fmt: skip


# --- mappers ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("command", "intent"),
    [
        ("ufw allow 53", {"action": "fw_allow", "port": 53}),
        ("ufw allow 22/tcp", {"action": "fw_allow", "port": 22, "protocol": "tcp"}),
        ("ufw allow ssh", {"action": "fw_allow", "service": "ssh"}),
        ("ufw allow OpenSSH", {"action": "fw_allow", "service": "openssh"}),
        ("ufw allow in http", {"action": "fw_allow", "service": "http"}),
        ("ufw reject auth", {"action": "fw_deny", "service": "auth"}),
        ("ufw delete allow 80", {"action": "fw_remove", "port": 80}),
        ("ufw delete deny 80/tcp", {"action": "fw_remove", "port": 80, "protocol": "tcp"}),
        ("ufw deny proto tcp to any port 80", {"action": "fw_deny", "port": 80, "protocol": "tcp"}),
        ("ufw deny proto udp from 1.2.3.4 to any port 514",
         {"action": "fw_deny", "port": 514, "protocol": "udp", "source": "1.2.3.4"}),
        ("ufw deny proto tcp from 2001:db8::/32 to any port 25",
         {"action": "fw_deny", "port": 25, "protocol": "tcp", "source": "2001:db8::/32"}),
        ("ufw allow proto tcp from any to any port 22", {"action": "fw_allow", "port": 22, "protocol": "tcp"}),
        ("ufw allow from 192.168.0.0/16 to any app Samba",
         {"action": "fw_allow", "service": "samba", "source": "192.168.0.0/16"}),
    ],
)  # fmt: skip
def test_ufw_commands(command, intent):
    assert manpages.map_command(command) == intent


@pytest.mark.parametrize(
    ("command", "reason"),
    [
        ("ufw limit ssh/tcp", "rate_limit"),
        ("ufw allow 60000:61000/tcp", "port_range"),
        ("ufw allow proto tcp from any to any port 80,443", "port_list"),
        ("ufw deny proto tcp from 10.0.0.0/8 to 192.168.0.1 port 25", "destination_address"),
        ("ufw route allow in on eth1 out on eth2", "routed_rule"),
        ("ufw allow in on eth0 to any port 80 proto tcp", "interface_rule"),
        ("ufw reject out smtp", "outgoing_rule"),
        ("ufw allow 'Apache Full'", "app_profile_with_spaces"),
        ("ufw allow from 192.168.0.0/16 to any app <name>", "placeholder"),
        ("ufw allow from 10.0.0.0/8", "no_port_or_service"),
        ("ufw allow proto udp from 1.2.3.5 port 5469 to 1.2.3.4 port 5469", "source_port"),
        ("ufw reject telnet comment 'telnet is unencrypted'", "rule_comment"),
        ("ufw allow log 22/tcp", "rule_logging"),
        ("ufw delete 3", "rule_number"),
        ("ufw insert 3 deny to any port 22 from 10.0.0.135 proto tcp", "rule_position"),
        ("ufw status numbered", "not_a_rule"),
        ("ufw deny in on eth0 to 224.0.0.1 proto igmp", "interface_rule"),
        ("ufw allow proto gre from any to any port 1", "unsupported_protocol"),
    ],
)
def test_ufw_drops(command, reason):
    assert _drop(command) == reason


def test_nmcli_commands():
    assert manpages.map_command("nmcli dev down em2") == {"action": "net_down", "interface": "em2"}
    assert manpages.map_command("nmcli device disconnect eth0") == {"action": "net_down", "interface": "eth0"}
    assert manpages.map_command("nmcli dev connect wlp3s0") == {"action": "net_up", "interface": "wlp3s0"}
    assert manpages.map_command("nmcli con up eth0") == {"action": "net_up", "interface": "eth0"}
    assert manpages.map_command("nmcli -p connection down id ens3") == {"action": "net_down", "interface": "ens3"}
    assert manpages.map_command("nmcli con up ifname enp0s25") == {"action": "net_up", "interface": "enp0s25"}
    assert manpages.map_command("nmcli con mod eth0 ipv4.addresses 10.0.0.5/24 ipv4.gateway 10.0.0.1") == {
        "action": "net_set_address", "interface": "eth0", "address": "10.0.0.5/24", "gateway": "10.0.0.1"}  # fmt: skip
    assert manpages.map_command("nmcli connection modify em1 ipv4.method auto") == {
        "action": "net_set_dhcp", "interface": "em1"}  # fmt: skip
    assert manpages.map_command('nmcli con mod eth1 ipv4.dns "8.8.8.8 8.8.4.4"') == {
        "action": "net_set_nameservers", "servers": ["8.8.8.8", "8.8.4.4"], "interface": "eth1"}  # fmt: skip


@pytest.mark.parametrize(
    ("command", "reason"),
    [
        ("nmcli --ask con up my-vpn-con", "connection_id_not_an_interface"),
        ('nmcli con mod "My wifi" ipv4.method auto', "connection_id_not_an_interface"),
        ('nmcli con mod my-con-em1 ipv4.dns "8.8.8.8 8.8.4.4"', "connection_id_not_an_interface"),
        ('nmcli -p con up "My wired connection" ifname eth0', "profile_on_interface"),
        ("nmcli con up 6b028a27-6dc9 ap 00:3A:98:7C:42:D3", "connection_options"),
        ("nmcli con add type bond ifname mybond0 mode active-backup", "adds_a_profile"),
        ("nmcli con modify eth0 +ipv4.dns 8.8.8.8", "appends_or_removes_a_value"),
        ("nmcli con mod eth0 ipv4.addresses 10.0.0.5", "address_without_prefix"),
        ('nmcli con mod eth0 ipv4.addr "10.0.0.5/24, 10.0.1.5/24"', "several_addresses"),
        ("nmcli con mod eth0 bridge.stp no", "unsupported_property:bridge"),
        ("nmcli dev modify em1 ipv4.method shared", "unsupported_method"),
        ('nmcli device wifi connect "$SSID" password "$PASSWORD"', "wifi"),
        ("nmcli connection show", "not_an_action"),
        ("nmcli radio wifi off", "not_an_action"),
        ("nmcli dev disconnect eth0 eth1", "several_interfaces"),
    ],
)
def test_nmcli_drops(command, reason):
    assert _drop(command) == reason


def test_firewall_cmd_commands_and_drops():
    assert manpages.map_command("firewall-cmd --add-service=http") == {"action": "fw_allow", "service": "http"}
    assert manpages.map_command("firewall-cmd --permanent --add-port=443/tcp") == {
        "action": "fw_allow", "port": 443, "protocol": "tcp"}  # fmt: skip
    assert manpages.map_command("firewall-cmd --remove-service SSH") == {"action": "fw_remove", "service": "ssh"}
    assert manpages.map_command("firewall-cmd --remove-port=53/udp") == {
        "action": "fw_remove", "port": 53, "protocol": "udp"}  # fmt: skip
    assert _drop("firewall-cmd --zone=dmz --add-port=8080/tcp") == "zone"
    assert _drop("firewall-cmd --add-rich-rule='rule family=ipv4 source address=10.0.0.0/8 accept'") == "rich_rule"
    assert _drop("firewall-cmd --add-masquerade") == "masquerade"
    assert _drop("firewall-cmd --add-forward-port=port=22:proto=tcp:toport=3753") == "forward_port"
    assert _drop("firewall-cmd --add-port=8080-8090/tcp") == "port_range"
    assert _drop("firewall-cmd --add-port=5000/sctp") == "unsupported_protocol"
    assert _drop("firewall-cmd --add-service=http --add-service=https") == "several_rules"
    assert _drop("firewall-cmd --permanent --policy clientConntrack --add-service tftp") == "policy"
    assert _drop("firewall-cmd --list-all") == "not_an_action"


def test_action_words_must_not_name_another_action():
    allow = {"action": "fw_allow", "port": 80}
    manpages.check_action_words(allow, "Allow all access to tcp port 80")
    manpages.check_action_words(allow, "Enable port 80")
    manpages.check_action_words(allow, "port 80 for the web server")  # no verb at all: grounding decides
    with pytest.raises(Drop, match="action_words_disagree"):
        manpages.check_action_words(allow, "This will deny all traffic to port 80")
    manpages.check_action_words({"action": "fw_remove", "port": 80}, "ufw delete deny 80/tcp")
    with pytest.raises(Drop, match="action_words_disagree"):
        manpages.check_action_words({"action": "net_up", "interface": "em2"}, "disconnects interface em2")


# --- the build -------------------------------------------------------------------------------------------------
def test_mine_manpages_from_an_unpacked_root(tmp_path):
    root = tmp_path / "debian" / "root" / "usr" / "share" / "man"
    _page(root, "man8/ufw.8.gz", UFW)
    _page(root, "man1/firewall-cmd.1.gz", FIREWALL_CMD)
    (tmp_path / "debian" / "packages.tsv").write_text(
        "ufw\t0.36.2-1\tDebian bookworm\tman8/ufw.8.gz\nfirewalld\t1.3.3-1~deb12u2\tDebian bookworm\t"
        "man1/firewall-cmd.1.gz\n"
    )
    rows, report = build.mine_manpages((tmp_path / "empty", root))
    ufw = [(r["input"], r["output"]) for r in rows if r["source"]["file"] == "/usr/share/man/man8/ufw.8.gz"]
    assert ("This rule will allow tcp and udp port 53 to any address on this host.",
            {"action": "fw_allow", "port": 53}) in ufw  # fmt: skip
    assert ("Deny access to udp port 514 from host 1.2.3.4",
            {"action": "fw_deny", "port": 514, "protocol": "udp", "source": "1.2.3.4"}) in ufw  # fmt: skip
    assert ("ufw allow smtp", {"action": "fw_allow", "service": "smtp"}) in ufw
    assert not any(text in ("Eg", "Typical usage is", "") for text, _ in ufw)
    assert report["man8/ufw"]["package"] == "ufw 0.36.2-1 (Debian bookworm)"
    assert report["man8/ufw"]["drops"]["rate_limit"] == 2 and report["man8/ufw"]["drops"]["outgoing_rule"] == 2
    assert report["man1/firewall-cmd"]["rows"] == 6
    assert report["man1/nmcli"]["drops"] == {"page_not_installed": 1}
    assert {r["source"]["package"] for r in rows} == {"ufw 0.36.2-1 (Debian bookworm)",
                                                      "firewalld 1.3.3-1~deb12u2 (Debian bookworm)"}  # fmt: skip
    card = {"summary": "s", "rows_by_category": {"train": {}}, "split": {}, "drops_by_reason": {}, "filters": {},
            "hand_labels_note": "", "sources": {"ansible": {}, "manpages": report}}  # fmt: skip
    assert "| manpages | man8/ufw (ufw 0.36.2-1 (Debian bookworm)) |" in build.render_card(card)

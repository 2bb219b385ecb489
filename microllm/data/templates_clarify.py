"""``clarify`` templates (spec rule 4): each operation with its required fields dropped in turn.

Family ``clarify.<intent>.<missing fields>``; the gold is ``{"intent": ..., "missing": [...]}``.
A record type that follows from the value is not missing; for "exactly one of A / B" the missing
field is A (``port`` for firewall rules, ``username`` for share access).
"""

from __future__ import annotations

from microllm.data.templates_base import Template, family

_C: list[tuple[str, list[str], list[tuple[str, str]]]] = [
    (
        "dns_add",
        ["record_type", "value"],
        [
            ("imperative", "Add a DNS record for {host}"),
            ("polite", "Could you please create a DNS entry for {host}?"),
            ("terse", "dns add {host}"),
            ("ticket", "{ticket}: need {host} in DNS"),
            ("question", "Can you register {host} in DNS?"),
        ],
    ),
    (
        "dns_add",
        ["value"],
        [
            ("imperative", "Create an A record for {host}"),
            ("imperative", "Add a CNAME for {host}"),
            ("polite", "Please add an MX record to {domain}"),
            ("question", "Can you add an AAAA record for {host}?"),
        ],
    ),
    (
        "dns_add",
        ["name"],
        [
            ("imperative", "Add a DNS record pointing to {ipv4}"),
            ("polite", "Please create an A record for {ipv4}"),
            ("question", "Can you add a CNAME that points to {host}?"),
        ],
    ),
    (
        "dns_add",
        ["name", "record_type", "value"],
        [("imperative", "Add a new DNS record"), ("polite", "Could you create a DNS entry for me?")],
    ),
    (
        "dns_update",
        ["record_type", "value"],
        [
            ("imperative", "Update the DNS record for {host}"),
            ("polite", "Please change the DNS entry of {host}"),
            ("context", "{host} is moving next week, update its record"),
        ],
    ),
    (
        "dns_update",
        ["value"],
        [("imperative", "Change the A record of {host}"), ("question", "Can you update the CNAME {host}?")],
    ),
    (
        "dns_update",
        ["name"],
        [
            ("imperative", "Update the A record to {ipv4}"),
            ("polite", "Please change the record so it points to {ipv6}"),
        ],
    ),
    (
        "dns_remove",
        ["name"],
        [
            ("imperative", "Remove the DNS record"),
            ("imperative", "Delete that A record"),
            ("polite", "Could you please drop the old CNAME?"),
            ("terse", "dns rm"),
        ],
    ),
    (
        "dns_lookup",
        ["name"],
        [
            ("imperative", "Look up the IP address"),
            ("question", "Can you resolve a host name for me?"),
            ("command", "nslookup"),
            ("imperative", "Look up the MX record"),
        ],
    ),
    (
        "user_add",
        ["username"],
        [
            ("imperative", "Create a new user account"),
            ("imperative", "Add a user with password {password}"),
            ("polite", "Could you please create an account for {full_name}?"),
            ("command", "useradd"),
            ("context", "We have a new hire starting Monday, set up a login"),
        ],
    ),
    (
        "user_remove",
        ["username"],
        [
            ("imperative", "Delete the user account"),
            ("polite", "Please remove the user, including the home folder"),
            ("context", "Someone left the company, remove their account"),
        ],
    ),
    (
        "user_set_password",
        ["password"],
        [
            ("imperative", "Reset the password for {user}"),
            ("polite", "Could you please change {user}'s password?"),
            ("ticket", "{ticket}: {user} forgot the password, set a new one"),
            ("command", "passwd {user}"),
        ],
    ),
    (
        "user_set_password",
        ["username"],
        [
            ("imperative", "Set the password to {password}"),
            ("polite", "Please change the password to '{password}'"),
        ],
    ),
    (
        "user_set_password",
        ["password", "username"],
        [("imperative", "Reset a user password"), ("question", "Can you change a password for me?")],
    ),
    (
        "user_add_to_group",
        ["group"],
        [("imperative", "Add {user} to a group"), ("polite", "Please put {user} in the right group")],
    ),
    (
        "user_add_to_group",
        ["username"],
        [
            ("imperative", "Add someone to the {group} group"),
            ("question", "Can you add a new member to {group}?"),
        ],
    ),
    (
        "user_remove_from_group",
        ["group"],
        [("imperative", "Remove {user} from the group"), ("polite", "Please take {user} out of that group")],
    ),
    (
        "user_remove_from_group",
        ["username"],
        [
            ("imperative", "Remove a user from {group}"),
            ("question", "Can you drop someone from the {group} group?"),
        ],
    ),
    (
        "user_lock",
        ["username"],
        [
            ("imperative", "Lock the account"),
            ("polite", "Please disable that user"),
            ("command", "usermod -L"),
        ],
    ),
    (
        "user_unlock",
        ["username"],
        [("imperative", "Unlock the account"), ("polite", "Could you please re-enable the user?")],
    ),
    (
        "group_add",
        ["group"],
        [("imperative", "Create a new group"), ("polite", "Please add a group for the new team")],
    ),
    (
        "group_remove",
        ["group"],
        [("imperative", "Delete the group"), ("polite", "Could you remove that old group?")],
    ),
    (
        "share_create",
        ["path"],
        [
            ("imperative", "Create a share called {share}"),
            ("polite", "Please set up a samba share named '{share}'"),
            ("terse", "share add {share}"),
        ],
    ),
    (
        "share_create",
        ["name"],
        [("imperative", "Share the folder {path}"), ("question", "Can you create a samba share for {path}?")],
    ),
    (
        "share_create",
        ["name", "path"],
        [
            ("imperative", "Create a new samba share"),
            ("polite", "Could you set up a read-only share for us?"),
        ],
    ),
    (
        "share_remove",
        ["name"],
        [("imperative", "Remove the share"), ("polite", "Please delete that samba share")],
    ),
    (
        "share_grant_access",
        ["username"],
        [
            ("imperative", "Give write access to the {share} share"),
            ("polite", "Please grant read access on '{share}'"),
            ("question", "Can you give write access on {share}?"),
        ],
    ),
    (
        "share_grant_access",
        ["share"],
        [
            ("imperative", "Give {user} access to the share"),
            ("polite", "Please let the {group} group into the share"),
        ],
    ),
    (
        "share_grant_access",
        ["share", "username"],
        [
            ("imperative", "Grant access to a share"),
            ("question", "Can you give someone write access to the share?"),
        ],
    ),
    (
        "share_revoke_access",
        ["username"],
        [
            ("imperative", "Revoke access to the {share} share"),
            ("polite", "Please remove the user from {share}"),
        ],
    ),
    (
        "share_revoke_access",
        ["share"],
        [
            ("imperative", "Revoke {user}'s share access"),
            ("polite", "Please take away {user}'s access to the share"),
        ],
    ),
    (
        "mail_set_relay",
        ["host"],
        [
            ("imperative", "Configure the mail relay"),
            ("imperative", "Set the SMTP relay port to {relay_port}"),
            ("question", "Can you set up a smarthost for outgoing mail?"),
        ],
    ),
    (
        "mail_alias_add",
        ["destination"],
        [("imperative", "Create mail alias {alias}"), ("polite", "Please add an email alias {alias}")],
    ),
    (
        "mail_alias_add",
        ["alias"],
        [
            ("imperative", "Create a mail alias that forwards to {dest}"),
            ("polite", "Please add an alias for {dest}"),
        ],
    ),
    (
        "mail_alias_add",
        ["alias", "destination"],
        [("imperative", "Add a mail alias"), ("question", "Can you create an email alias?")],
    ),
    (
        "mail_alias_remove",
        ["alias"],
        [("imperative", "Remove the mail alias"), ("polite", "Please delete that email alias")],
    ),
    (
        "cert_create",
        ["common_name"],
        [
            ("imperative", "Create a new certificate valid for {days}"),
            ("imperative", "Issue a TLS certificate"),
            ("polite", "Could you generate an RSA {rsa_bits}-bit cert?"),
        ],
    ),
    (
        "cert_renew",
        ["common_name"],
        [
            ("imperative", "Renew the certificate"),
            ("polite", "Please renew the cert for another {days}"),
            ("context", "The cert expires on Friday, renew it"),
        ],
    ),
    (
        "cert_revoke",
        ["common_name"],
        [("imperative", "Revoke the certificate"), ("context", "The private key leaked, revoke the cert")],
    ),
    (
        "fw_allow",
        ["port"],
        [
            ("imperative", "Open a port on the firewall"),
            ("imperative", "Allow traffic from {source}"),
            ("polite", "Could you please open the firewall for {source}?"),
            ("command", "ufw allow"),
        ],
    ),
    (
        "fw_deny",
        ["port"],
        [
            ("imperative", "Block traffic from {source}"),
            ("polite", "Please close a port on the firewall"),
            ("command", "ufw deny from {source}"),
        ],
    ),
    (
        "fw_remove",
        ["port"],
        [("imperative", "Remove the firewall rule"), ("polite", "Please delete the rule for {source}")],
    ),
    (
        "net_set_address",
        ["address"],
        [
            ("imperative", "Set a static IP on {iface}"),
            ("polite", "Please give {iface} a fixed address"),
            ("question", "Can you configure a static address for {iface}?"),
        ],
    ),
    (
        "net_set_address",
        ["interface"],
        [
            ("imperative", "Set the address to {addr_cidr}"),
            ("polite", "Please configure the static IP {addr_cidr}"),
        ],
    ),
    (
        "net_set_address",
        ["address", "interface"],
        [("imperative", "Configure a static IP address"), ("question", "Can you set a static IP for me?")],
    ),
    (
        "net_set_dhcp",
        ["interface"],
        [
            ("imperative", "Switch the interface to DHCP"),
            ("polite", "Please turn on dhcp for the network card"),
        ],
    ),
    (
        "net_up",
        ["interface"],
        [("imperative", "Bring the interface up"), ("polite", "Please enable the network interface")],
    ),
    (
        "net_down",
        ["interface"],
        [("imperative", "Bring the interface down"), ("question", "Can you disable the network interface?")],
    ),
    (
        "net_set_nameservers",
        ["servers"],
        [
            ("imperative", "Change the DNS servers on {iface}"),
            ("polite", "Please update the nameservers"),
            ("question", "Can you set new resolvers for {iface}?"),
        ],
    ),
]


def templates() -> list[Template]:
    """All clarify templates."""
    out: list[Template] = []
    for intent, missing, items in _C:
        fam = f"{intent}.{'+'.join(sorted(missing))}"
        out += family("clarify", fam, {"intent": intent, "missing": sorted(missing)}, items)
    return out

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


# More phrasings: vague nouns ("a port", "the new server", "that user", "some share") in place of
# the value, CLI commands without their argument, tickets, questions, context-first requests.
# Entries with the same (intent, missing) as above extend that family (ids continue after it).
_MORE: list[tuple[str, list[str], list[tuple[str, str]]]] = [
    (
        "dns_add",
        ["record_type", "value"],
        [
            ("imperative", "Put {host} in DNS"),
            ("context", "The new staging box will be called {host}; add it to DNS"),
            ("passive", "{host} should be added to DNS"),
            ("swapped", "{host} - needs a DNS entry"),
            ("command", "nsupdate add {host}"),
            ("question", "Could you point {host} at the new staging box?"),
        ],
    ),
    (
        "dns_add",
        ["value"],
        [
            ("imperative", "Add an A record for {host} pointing to the new server"),
            ("imperative", "Make {host} an alias"),
            ("polite", "Please create a TXT record on {domain}"),
            ("context", "We bought a mail gateway, add an MX record for {domain}"),
            ("ticket", "{ticket}: A record for {host}, IP to follow"),
            ("command", "add record name={host} type=A"),
            ("passive", "An AAAA record for {host} is needed, address TBD"),
            ("imperative", "Add an MX record for {domain} with priority {prio}"),
            ("imperative", "Create an A record for {host} with a TTL of {ttl}"),
        ],
    ),
    (
        "dns_add",
        ["name"],
        [
            ("imperative", "Create an A record for the new server at {ipv4}"),
            ("polite", "Please add a DNS name for {ipv4}"),
            ("terse", "A record -> {ipv4}"),
            ("imperative", "Add an AAAA record for {ipv6}"),
            ("polite", 'Could you add a TXT record with "{txt}"?'),
            ("imperative", "Add {mx} as a mail server with priority {prio}"),
            ("context", "The new staging box is at {ipv4}, give it a DNS name"),
            ("command", "add record type=CNAME value={host}"),
        ],
    ),
    (
        "dns_add",
        ["name", "value"],
        [
            ("imperative", "Create an A record"),
            ("imperative", "Add a CNAME for the new app"),
            ("polite", "Please add an MX record"),
            ("question", "Can you set up a TXT record for the domain verification?"),
        ],
    ),
    (
        "dns_add",
        ["name", "record_type", "value"],
        [
            ("context", "We need a DNS entry for the new staging box"),
            ("terse", "dns add"),
            ("ticket", "{ticket}: DNS record needed, details to follow"),
        ],
    ),
    (
        "dns_update",
        ["record_type", "value"],
        [
            ("imperative", "Repoint {host} to the new server"),
            ("ticket", "{ticket}: {host} needs its DNS changed"),
            ("question", "Can you change where {host} points?"),
            ("command", "dns update {host}"),
        ],
    ),
    (
        "dns_update",
        ["value"],
        [
            ("imperative", "Update the AAAA record for {host}"),
            ("imperative", "Change the MX of {domain}"),
            ("polite", "Please replace the TXT value on {domain}"),
            ("context", "{host} got a new address after the move, update its A record"),
            ("terse", "cname update {host} -> ?"),
            ("imperative", "Update the A record of {host} and set the TTL to {ttl}"),
        ],
    ),
    (
        "dns_update",
        ["name"],
        [
            ("imperative", "Change the CNAME so it points to {host}"),
            ("context", "The server moved to {ipv4}, update its A record"),
            ("polite", "Please update that record to {ipv4}"),
            ("imperative", "Update the MX to {mx}"),
        ],
    ),
    (
        "dns_update",
        ["name", "value"],
        [("imperative", "Change the A record"), ("polite", "Please update the CNAME")],
    ),
    (
        "dns_update",
        ["name", "record_type", "value"],
        [("imperative", "Update a DNS record"), ("question", "Can you change a DNS entry for me?")],
    ),
    (
        "dns_remove",
        ["name"],
        [
            ("imperative", "Delete the old record from DNS"),
            ("context", "That host is gone now, drop its DNS entry"),
            ("ticket", "{ticket}: remove the stale A record"),
            ("command", "update delete"),
            ("passive", "The MX record should be removed"),
        ],
    ),
    (
        "dns_lookup",
        ["name"],
        [
            ("question", "What does it resolve to?"),
            ("command", "dig +short"),
            ("question", "Can you check the TXT records?"),
            ("polite", "Please look up the new server's IP"),
            ("context", "I need the address of the database server, can you resolve it?"),
        ],
    ),
    (
        "user_add",
        ["username"],
        [
            ("question", "Can you set up an account for the new intern?"),
            ("imperative", "Create a login for {full_name}"),
            ("ticket", "{ticket}: new starter, please create a user"),
            ("swapped", "Password {password} - create the account with it"),
            ("passive", "A user account should be created for the contractor"),
        ],
    ),
    (
        "user_remove",
        ["username"],
        [
            ("imperative", "Remove that user"),
            ("command", "userdel -r"),
            ("ticket", "{ticket}: offboarding, delete the account"),
            ("question", "Can you delete the old intern's account?"),
        ],
    ),
    (
        "user_set_password",
        ["password"],
        [
            ("imperative", "Give {user} a new password"),
            ("swapped", "{user} - password reset please"),
            ("passive", "The password of {user} needs to be changed"),
        ],
    ),
    (
        "user_set_password",
        ["username"],
        [
            ("imperative", "Change that user's password to {password}"),
            ("context", "The new temporary password is {password}, set it on the account"),
        ],
    ),
    (
        "user_set_password",
        ["password", "username"],
        [("terse", "password reset"), ("ticket", "{ticket}: password reset needed")],
    ),
    (
        "user_add_to_group",
        ["group"],
        [
            ("context", "{user} moved teams, add {pron} to the new team's group"),
            ("command", "gpasswd -a {user}"),
        ],
    ),
    (
        "user_add_to_group",
        ["username"],
        [
            ("imperative", "Put the new hire in {group}"),
            ("passive", "Someone new should be added to the {group} group"),
        ],
    ),
    (
        "user_add_to_group",
        ["group", "username"],
        [("imperative", "Add a user to a group"), ("question", "Can you update a group membership for me?")],
    ),
    (
        "user_remove_from_group",
        ["group"],
        [("question", "Can you remove {user} from one of the groups?"), ("command", "gpasswd -d {user}")],
    ),
    (
        "user_remove_from_group",
        ["username"],
        [
            ("imperative", "Remove that user from {group}"),
            ("context", "The intern no longer needs {group}, take them out"),
        ],
    ),
    ("user_remove_from_group", ["group", "username"], [("imperative", "Remove a user from a group")]),
    (
        "user_lock",
        ["username"],
        [
            ("context", "An account looks compromised, lock it now"),
            ("question", "Can you lock out that user?"),
            ("ticket", "{ticket}: lock the user"),
        ],
    ),
    (
        "user_unlock",
        ["username"],
        [
            ("command", "usermod -U"),
            ("context", "Someone is back from leave, re-enable their login"),
            ("question", "Can you unlock a user for me?"),
        ],
    ),
    (
        "group_add",
        ["group"],
        [
            ("command", "groupadd"),
            ("context", "The new project team needs its own group"),
            ("ticket", "{ticket}: new unix group needed"),
        ],
    ),
    (
        "group_remove",
        ["group"],
        [
            ("command", "groupdel"),
            ("context", "The old project is finished, delete its group"),
            ("question", "Can you delete a group for me?"),
        ],
    ),
    (
        "share_create",
        ["path"],
        [
            ("context", "We need a share called {share} for the new project, path to be decided"),
            ("command", "net usershare add {share}"),
            ("question", "Can you create the {share} share?"),
        ],
    ),
    (
        "share_create",
        ["name"],
        [
            ("imperative", "Expose {path} over samba"),
            ("context", "The scans land in {path}; make that folder a share"),
        ],
    ),
    (
        "share_create",
        ["name", "path"],
        [
            ("question", "Can you set up a file share for the team?"),
            ("imperative", "Create a guest-accessible share"),
            ("ticket", "{ticket}: new samba share needed"),
        ],
    ),
    (
        "share_remove",
        ["name"],
        [
            ("context", "The project is over, delete its share"),
            ("command", "net usershare delete"),
            ("ticket", "{ticket}: retire the unused share"),
        ],
    ),
    (
        "share_grant_access",
        ["username"],
        [
            ("context", "The new hire needs access to {share}"),
            ("passive", "Read access to {share} should be granted"),
            ("ticket", "{ticket}: grant access on {share}"),
        ],
    ),
    (
        "share_grant_access",
        ["share"],
        [
            ("imperative", "Give {user} write access to some share"),
            ("imperative", "Grant the {group} group read access"),
            ("question", "Can {user} get read access to the share?"),
        ],
    ),
    (
        "share_grant_access",
        ["share", "username"],
        [("context", "The new contractor needs access to a share")],
    ),
    (
        "share_revoke_access",
        ["username"],
        [
            ("imperative", "Remove someone's access to {share}"),
            ("context", "A person left the team, revoke their access to {share}"),
        ],
    ),
    (
        "share_revoke_access",
        ["share"],
        [
            ("context", "{user} changed departments, take away {pron_pos} share access"),
            ("imperative", "Revoke the {group} group's access to the share"),
        ],
    ),
    (
        "share_revoke_access",
        ["share", "username"],
        [("imperative", "Revoke share access"), ("question", "Can you take away someone's share access?")],
    ),
    (
        "mail_set_relay",
        ["host"],
        [
            ("context", "Our ISP now requires a relay for outgoing mail, configure one"),
            ("command", "postconf relayhost"),
            ("polite", "Please send outgoing mail through the new smarthost"),
        ],
    ),
    (
        "mail_alias_add",
        ["destination"],
        [("terse", "alias {alias} -> ?"), ("question", "Can you create an alias {alias}?")],
    ),
    (
        "mail_alias_add",
        ["alias"],
        [
            ("imperative", "Make a new address that forwards to {dest}"),
            ("context", "{dest} should receive mail sent to a new alias"),
        ],
    ),
    ("mail_alias_add", ["alias", "destination"], [("ticket", "{ticket}: new mail alias needed")]),
    (
        "mail_alias_remove",
        ["alias"],
        [("context", "That distribution alias is obsolete, drop it"), ("question", "Can you remove a mail alias?")],
    ),
    (
        "cert_create",
        ["common_name"],
        [
            ("imperative", "Generate a certificate for the new server"),
            ("imperative", "Create an EC certificate valid for {days}"),
            ("context", "The new staging box needs TLS, issue a cert"),
            ("command", "openssl req -new -x509 -days {days_n}"),
            ("ticket", "{ticket}: TLS cert required for the new service"),
        ],
    ),
    (
        "cert_renew",
        ["common_name"],
        [
            ("question", "Can you renew the cert that expires next week?"),
            ("ticket", "{ticket}: certificate about to expire, renew it"),
        ],
    ),
    (
        "cert_revoke",
        ["common_name"],
        [
            ("question", "Can you revoke the certificate of the old server?"),
            ("polite", "Please revoke the certificate we issued last week"),
        ],
    ),
    (
        "fw_allow",
        ["port"],
        [
            ("imperative", "Open a port for the new app"),
            ("imperative", "Allow {proto} traffic through the firewall"),
            ("context", "The new staging box needs a port opened from {source}"),
            ("question", "Can you permit incoming connections from {source}?"),
        ],
    ),
    (
        "fw_deny",
        ["port"],
        [
            ("imperative", "Block a port"),
            ("context", "Something on {source} is hammering us, close that port"),
            ("question", "Can you deny {proto} traffic on the firewall?"),
        ],
    ),
    (
        "fw_remove",
        ["port"],
        [
            ("imperative", "Delete the firewall rule we added yesterday"),
            ("command", "ufw delete allow"),
            ("context", "The test is over, remove that firewall rule"),
        ],
    ),
    (
        "net_set_address",
        ["address"],
        [
            ("context", "{iface} should stop using DHCP and get a fixed IP"),
            ("command", "ip addr add dev {iface}"),
            ("ticket", "{ticket}: static IP needed on {iface}"),
        ],
    ),
    (
        "net_set_address",
        ["interface"],
        [
            ("imperative", "Give the server the address {addr_cidr}"),
            ("context", "The new IP is {addr_cidr} with gateway {gw}, configure it"),
        ],
    ),
    ("net_set_address", ["address", "interface"], [("ticket", "{ticket}: switch the NIC to a static address")]),
    (
        "net_set_dhcp",
        ["interface"],
        [
            ("context", "The box moved to the office LAN, switch its NIC to DHCP"),
            ("command", "dhclient"),
        ],
    ),
    (
        "net_up",
        ["interface"],
        [("command", "ip link set up"), ("context", "The second NIC is down, bring it up")],
    ),
    (
        "net_down",
        ["interface"],
        [("command", "ifdown"), ("context", "We're recabling, disable the uplink for now")],
    ),
    (
        "net_set_nameservers",
        ["servers"],
        [
            ("context", "Switch to the new internal DNS servers"),
            ("command", "resolvectl dns {iface}"),
            ("ticket", "{ticket}: change the nameservers on {iface}"),
        ],
    ),
]


def templates() -> list[Template]:
    """All clarify templates: one family per (intent, missing), the phrasings of both lists in order."""
    fams: dict[tuple[str, tuple[str, ...]], list[tuple[str, str]]] = {}
    for intent, missing, items in _C + _MORE:
        fams.setdefault((intent, tuple(sorted(missing))), []).extend(items)
    out: list[Template] = []
    for (intent, missing), items in fams.items():
        fam = f"{intent}.{'+'.join(missing)}"
        out += family("clarify", fam, {"intent": intent, "missing": list(missing)}, items)
    return out

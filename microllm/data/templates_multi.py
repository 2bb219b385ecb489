"""``multi`` templates: hand-written multi-step requests (with pronouns) and generic chain connectors.

Chain templates (family ``multi.chain``) hold ``{a}``, ``{b}``, ``{c}``; the generator fills each
with an imperative single-action template of the same split, so chains hold out templates too.
"""

from __future__ import annotations

from microllm.data.templates_base import Template, family


def _s(action: str, **fields) -> dict:
    return {"action": action, **fields}


_ADD = _s("user_add", username="{user}")
_ADD_PW = _s("user_add", username="{user}", password="{password}")
_TO_GROUP = _s("user_add_to_group", username="{user}", group="{group}")
_GRANT_RW = _s("share_grant_access", share="{share}", username="{user}", access="write")


def templates() -> list[Template]:
    """Hand-written multi templates plus the chain connector templates."""
    t: list[Template] = []
    t += family(
        "multi",
        "user_group",
        {"steps": [_ADD, _TO_GROUP]},
        [
            ("imperative", "Create user {user} and add {pron} to the {group} group"),
            ("polite", "Could you create the account {user} and put {pron} in {group}?"),
            ("terse", "new user {user}, member of {group}"),
            ("context", "{user} starts tomorrow: create the user and add {pron} to group {group}"),
            ("ticket", "{ticket}: create login {user}, then add it to the {group} group"),
            ("imperative", "Add a new user {user} and make {pron} a member of {group}"),
        ],
    )
    t += family(
        "multi",
        "user_pw_group",
        {"steps": [_ADD_PW, _TO_GROUP]},
        [
            ("imperative", "Create user {user} with password {password} and add {pron} to {group}"),
            ("command", "useradd {user} pw {password}; add to group {group}"),
            ("polite", "Please set up {user} (password: {password}) and put {pron} in the {group} group"),
        ],
    )
    t += family(
        "multi",
        "user_share",
        {"steps": [_ADD, _GRANT_RW]},
        [
            ("imperative", "Create user {user} and give {pron} write access to the {share} share"),
            ("context", "New accountant {user} needs an account and write access to {share}"),
            ("polite", "Could you add the user {user} and let {pron} write to the {share} share?"),
        ],
    )
    t += family(
        "multi",
        "user_fn_share",
        {"steps": [_s("user_add", username="{user}", full_name="{full_name}"), _GRANT_RW]},
        [
            (
                "imperative",
                "Create an account {user} for {full_name} and give them write access to the {share} share",
            ),
            ("terse", "new user {user} ({full_name}) + rw on {share}"),
        ],
    )
    t += family(
        "multi",
        "user_group_share",
        {"steps": [_ADD, _TO_GROUP, _s("share_grant_access", share="{share}", username="{user}")]},
        [
            (
                "imperative",
                "Create user {user}, add {pron} to {group} and give {pron} access to the {share} share",
            ),
            (
                "context",
                "Onboarding {user}: create the account, put {pron} in {group}, grant access to {share}",
            ),
        ],
    )
    t += family(
        "multi",
        "share_group",
        {
            "steps": [
                _s("share_create", name="{share}", path="{path}"),
                _s("share_grant_access", share="{share}", group="{group}", access="read"),
            ]
        },
        [
            ("imperative", "Create share '{share}' at {path} and give the {group} group read access"),
            ("polite", "Please share {path} as {share} and let group {group} read it"),
        ],
    )
    t += family(
        "multi",
        "dns_cert",
        {
            "steps": [
                _s("dns_add", name="{host}", record_type="A", value="{ipv4}"),
                _s("cert_create", common_name="{host}"),
            ]
        },
        [
            ("imperative", "Add {host} -> {ipv4} in DNS and issue a certificate for it"),
            ("context", "New service at {ipv4}: create the A record {host} and then a TLS cert for it"),
            ("polite", "Could you add {host} pointing to {ipv4} and create a cert for that name?"),
        ],
    )
    t += family(
        "multi",
        "decom",
        {"steps": [_s("dns_remove", name="{host}"), _s("cert_revoke", common_name="{host}")]},
        [
            ("imperative", "Remove {host} from DNS and revoke its certificate"),
            ("context", "Decommission {host}: delete its DNS record, then revoke the cert"),
        ],
    )
    t += family(
        "multi",
        "leaver",
        {
            "steps": [
                _s("user_lock", username="{user}"),
                _s("share_revoke_access", share="{share}", username="{user}"),
            ]
        },
        [
            ("context", "{user} left: lock the account and revoke {pron_pos} access to {share}"),
            ("imperative", "Lock {user} and remove {pron} from the {share} share"),
        ],
    )
    t += family(
        "multi",
        "move_group",
        {
            "steps": [
                _s("user_remove_from_group", username="{user}", group="{group}"),
                _s("user_add_to_group", username="{user}", group="{group2}"),
            ]
        },
        [
            ("imperative", "Take {user} out of {group} and add {pron} to {group2}"),
            ("polite", "Please remove {user} from the {group} group and then put {pron} in {group2}"),
        ],
    )
    t += family(
        "multi",
        "group_members",
        {
            "steps": [
                _s("group_add", group="{group}"),
                _s("user_add_to_group", username="{user}", group="{group}"),
                _s("user_add_to_group", username="{user2}", group="{group}"),
            ]
        },
        [
            ("imperative", "Create group {group} and add {user} and {user2} to it"),
            ("command", "groupadd {group}; members {user}, {user2}"),
        ],
    )
    t += family(
        "multi",
        "a_cname",
        {
            "steps": [
                _s("dns_add", name="{host}", record_type="A", value="{ipv4}"),
                _s("dns_add", name="{host2}", record_type="CNAME", value="{host}"),
            ]
        },
        [
            ("imperative", "Add A record {host} -> {ipv4} and a CNAME {host2} pointing to it"),
            ("polite", "Please create {host} at {ipv4}, and make {host2} an alias of {host}"),
        ],
    )
    t += family(
        "multi",
        "bounce",
        {"steps": [_s("net_down", interface="{iface}"), _s("net_up", interface="{iface}")]},
        [
            ("imperative", "Bring {iface} down and back up"),
            ("command", "ifdown {iface} && ifup {iface}"),
        ],
    )
    t += family(
        "multi",
        "net_static",
        {
            "steps": [
                _s("net_set_address", interface="{iface}", address="{addr_cidr}", gateway="{gw}"),
                _s("net_set_nameservers", servers="{servers}"),
            ]
        },
        [
            (
                "imperative",
                "Set {iface} to {addr_cidr} with gateway {gw}, then set the nameservers to {servers}",
            ),
        ],
    )
    t += family(
        "multi",
        "fw_swap",
        {"steps": [_s("fw_deny", port="{port}"), _s("fw_allow", port="{port2}", protocol="tcp")]},
        [
            ("imperative", "Block port {port} and open port {port2}/tcp"),
            ("context", "Move the service off {port}: deny port {port}, then allow {port2}/tcp"),
        ],
    )
    t += family(
        "multi",
        "mail",
        {
            "steps": [
                _s("mail_set_relay", host="{relay}"),
                _s("mail_alias_add", alias="{alias}", destination="{dest}"),
            ]
        },
        [
            ("imperative", "Set the mail relay to {relay} and forward {alias} to {dest}"),
        ],
    )
    t += family(
        "multi",
        "user_remove_group",
        {
            "steps": [
                _s("user_remove", username="{user}", remove_home=True),
                _s("group_remove", group="{group}"),
            ]
        },
        [
            ("imperative", "Delete user {user} with {pron_pos} home directory and remove the group {group}"),
        ],
    )
    t += family(
        "multi",
        "dns_a_aaaa",
        {
            "steps": [
                _s("dns_add", name="{host}", record_type="A", value="{ipv4}"),
                _s("dns_add", name="{host}", record_type="AAAA", value="{ipv6}"),
            ]
        },
        [
            ("imperative", "Add {host} to DNS with {ipv4} and {ipv6}"),
            ("polite", "Please create an A record {host} -> {ipv4} and an AAAA record for it pointing to {ipv6}"),
            ("command", "{host} IN A {ipv4}; {host} IN AAAA {ipv6}"),
            ("context", "The new staging box is dual-stack: publish {host} as {ipv4}, then as {ipv6} too"),
        ],
    )
    t += family(
        "multi",
        "dns_rename",
        {"steps": [_s("dns_remove", name="{host}"), _s("dns_add", name="{host2}", record_type="A", value="{ipv4}")]},
        [
            ("imperative", "Remove {host} from DNS and add {host2} at {ipv4} instead"),
            ("context", "Renaming the box: delete the record {host}, then create {host2} -> {ipv4}"),
            ("ticket", "{ticket}: 1) drop {host} from DNS 2) add A record {host2} {ipv4}"),
        ],
    )
    t += family(
        "multi",
        "dns_two_removes",
        {"steps": [_s("dns_remove", name="{host}"), _s("dns_remove", name="{host2}")]},
        [
            ("imperative", "Delete {host} and {host2} from DNS"),
            ("terse", "dns rm {host} + dns rm {host2}"),
        ],
    )
    t += family(
        "multi",
        "dns_update_renew",
        {
            "steps": [
                _s("dns_update", name="{host}", record_type="A", value="{ipv4}"),
                _s("cert_renew", common_name="{host}"),
            ]
        },
        [
            ("imperative", "Update {host} to {ipv4} and renew its certificate"),
            ("context", "{host} moved to {ipv4}: change the A record, and once that's done renew the cert"),
        ],
    )
    t += family(
        "multi",
        "lookup_update",
        {
            "steps": [
                _s("dns_lookup", name="{host}"),
                _s("dns_update", name="{host}", record_type="A", value="{ipv4}"),
            ]
        },
        [
            ("imperative", "Look up {host} and then change it to {ipv4}"),
            ("polite", "Could you resolve {host} first, then update its A record to {ipv4}?"),
        ],
    )
    t += family(
        "multi",
        "mx_txt",
        {
            "steps": [
                _s("dns_add", name="{domain}", record_type="MX", value="{mx}", priority="{prio}"),
                _s("dns_add", name="{domain}", record_type="TXT", value="{txt}"),
            ]
        },
        [
            (
                "imperative",
                'Add an MX record for {domain} pointing to {mx} with priority {prio} and a TXT record "{txt}"',
            ),
            ("ticket", '{ticket}: mail setup for {domain} - MX {mx} (priority {prio}), then TXT "{txt}"'),
            ("command", '{domain} IN MX {prio} {mx}; {domain} IN TXT "{txt}"'),
        ],
    )
    t += family(
        "multi",
        "mx_lookups",
        {
            "steps": [
                _s("dns_lookup", name="{domain}", record_type="MX"),
                _s("dns_lookup", name="{domain}", record_type="TXT"),
            ]
        },
        [
            ("imperative", "Look up the MX records of {domain}, then its TXT records"),
            ("command", "dig {domain} MX; dig {domain} TXT"),
        ],
    )
    t += family(
        "multi",
        "web_stack",
        {
            "steps": [
                _s("dns_add", name="{host}", record_type="A", value="{ipv4}"),
                _s("cert_create", common_name="{host}"),
                _s("fw_allow", port="{port}", protocol="tcp"),
            ]
        },
        [
            ("imperative", "Add {host} -> {ipv4} to DNS, issue a cert for it and open {port}/tcp"),
            (
                "context",
                "New web app on {ipv4}: A record {host}, then a TLS certificate for it, then allow port {port}/tcp",
            ),
        ],
    )
    t += family(
        "multi",
        "cname_ttl_cert",
        {
            "steps": [
                _s("dns_add", name="{host}", record_type="CNAME", value="{host2}", ttl="{ttl}"),
                _s("cert_create", common_name="{host}", days="{days}"),
            ]
        },
        [
            (
                "imperative",
                "Alias {host} to {host2} with a TTL of {ttl}, then issue a cert for {host} valid for {days}",
            ),
        ],
    )
    t += family(
        "multi",
        "unlock_pw",
        {
            "steps": [
                _s("user_unlock", username="{user}"),
                _s("user_set_password", username="{user}", password="{password}"),
            ]
        },
        [
            ("imperative", "Unlock {user} and set {pron_pos} password to {password}"),
            ("context", "{user} is back from leave: unlock the account, then reset the password to {password}"),
            ("command", "usermod -U {user} && passwd {user} -> {password}"),
        ],
    )
    t += family(
        "multi",
        "leaver3",
        {
            "steps": [
                _s("user_lock", username="{user}"),
                _s("user_remove_from_group", username="{user}", group="{group}"),
                _s("share_revoke_access", share="{share}", username="{user}"),
            ]
        },
        [
            (
                "context",
                "{user} has left: lock the account, remove {pron} from {group} and revoke {pron_pos} access to {share}",
            ),
            ("ticket", "{ticket} offboarding {user}: lock account; remove from {group}; revoke access to {share}"),
        ],
    )
    t += family(
        "multi",
        "remove_alias",
        {
            "steps": [
                _s("user_remove", username="{user}", remove_home=True),
                _s("mail_alias_remove", alias="{alias}"),
            ]
        },
        [
            ("imperative", "Delete the user {user} including {pron_pos} home directory, plus remove the alias {alias}"),
        ],
    )
    t += family(
        "multi",
        "group_share_rw",
        {
            "steps": [
                _s("group_add", group="{group}"),
                _s("share_grant_access", share="{share}", group="{group}", access="write"),
            ]
        },
        [
            ("imperative", "Create the group {group} and give it write access to {share}"),
            ("terse", "groupadd {group} + rw on {share}"),
            ("polite", "Could you set up a {group} group and then let it write to the {share} share?"),
        ],
    )
    t += family(
        "multi",
        "share_user_read",
        {
            "steps": [
                _s("share_create", name="{share}", path="{path}"),
                _s("share_grant_access", share="{share}", username="{user}", access="read"),
            ]
        },
        [
            ("imperative", "Create a share {share} at {path} and give {user} read access to it"),
            ("context", "For the auditors: share {path} as '{share}', after that let {user} read it"),
        ],
    )
    t += family(
        "multi",
        "share_cleanup",
        {"steps": [_s("share_remove", name="{share}"), _s("group_remove", group="{group}")]},
        [
            ("imperative", "Remove the {share} share and delete the {group} group"),
            ("context", "The project is over, so drop the share {share}; the group {group} can go as well"),
        ],
    )
    t += family(
        "multi",
        "two_users",
        {"steps": [_s("user_add", username="{user}"), _s("user_add", username="{user2}")]},
        [
            ("imperative", "Create users {user} and {user2}"),
            ("command", "useradd {user}; useradd {user2}"),
        ],
    )
    t += family(
        "multi",
        "fw_two_ports",
        {"steps": [_s("fw_allow", port="{port}", protocol="tcp"), _s("fw_allow", port="{port2}", protocol="udp")]},
        [
            ("imperative", "Open {port}/tcp and {port2}/udp"),
            ("terse", "allow {port}/tcp, allow {port2}/udp"),
        ],
    )
    t += family(
        "multi",
        "fw_service_source",
        {
            "steps": [
                _s("fw_allow", service="{service}", source="{source}"),
                _s("fw_deny", service="{service}"),
            ]
        },
        [
            ("imperative", "Allow {service} from {source} and block it for everyone else"),
            (
                "context",
                "Only the admin network should reach {service}: permit it from {source}, then deny it otherwise",
            ),
        ],
    )
    t += family(
        "multi",
        "net_addr_up",
        {
            "steps": [
                _s("net_set_address", interface="{iface}", address="{addr_cidr}"),
                _s("net_up", interface="{iface}"),
            ]
        },
        [
            ("imperative", "Set {iface} to {addr_cidr} and bring it up"),
            ("command", "ip addr add {addr_cidr} dev {iface} && ip link set {iface} up"),
        ],
    )
    t += family(
        "multi",
        "net_dhcp_up",
        {"steps": [_s("net_set_dhcp", interface="{iface}"), _s("net_up", interface="{iface}")]},
        [
            ("imperative", "Switch {iface} to DHCP, then bring it up"),
            ("context", "The laptop dock uses {iface}; put it on DHCP and after that enable it"),
        ],
    )
    t += family(
        "multi",
        "alias_swap",
        {
            "steps": [
                _s("mail_alias_remove", alias="{alias}"),
                _s("mail_alias_add", alias="{alias2}", destination="{dest}"),
            ]
        },
        [
            ("imperative", "Remove the alias {alias} and create {alias2} forwarding to {dest}"),
        ],
    )
    t += family(
        "multi",
        "cert_reissue",
        {
            "steps": [
                _s("cert_revoke", common_name="{host}"),
                _s("cert_create", common_name="{host}", days="{days}"),
            ]
        },
        [
            ("imperative", "Revoke the cert for {host} and issue a new one valid for {days}"),
            ("context", "The key of {host} leaked: revoke its certificate, then create a fresh one for {days}"),
        ],
    )
    chains = [
        ("imperative", "{a} and {b}"),
        ("imperative", "{a}, then {b}"),
        ("imperative", "{a}; also {b}"),
        ("imperative", "{a} and after that {b}"),
        ("imperative", "First {a}, then {b}"),
        ("imperative", "{a}. Then {b}"),
        ("imperative", "{a}, and also {b}"),
        ("imperative", "{a}; afterwards {b}"),
        ("imperative", "{a}, {b} and {c}"),
        ("imperative", "{a}; {b}; then {c}"),
        ("imperative", "First {a}, then {b}, and finally {c}"),
        ("polite", "Please {a} and {b}"),
        ("polite", "Could you {a}, and then {b}?"),
        ("terse", "{a} + {b}"),
        ("imperative", "{a} and then {b}"),
        ("imperative", "{a}. After that, {b}"),
        ("imperative", "{a}. Also {b}"),
        ("imperative", "{a}, plus {b}"),
        ("imperative", "{a}; {b}"),
        ("imperative", "1) {a} 2) {b}"),
        ("imperative", "1. {a}; 2. {b}; 3. {c}"),
        ("imperative", "{a}, {b}, then {c}"),
        ("imperative", "{a}. Once that's done, {b}"),
        ("polite", "Please {a}, {b} and {c}"),
        ("polite", "Could you {a} and also {b}, please?"),
        ("question", "Can you {a} and then {b}?"),
        ("context", "Two things: {a}, and {b}"),
        ("context", "A few changes for today: {a}; {b}; {c}"),
        ("terse", "{a} && {b}"),
        ("ticket", "Change request: {a}, then {b}"),
    ]
    t += family("multi", "chain", {}, chains)
    return t

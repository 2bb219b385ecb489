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
    ]
    t += family("multi", "chain", {}, chains)
    return t

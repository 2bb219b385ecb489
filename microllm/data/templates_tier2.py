"""Tier-2 domain templates: mail, pki, firewall and network."""

from __future__ import annotations

from microllm.data.templates_base import Template, family


def _mail() -> list[Template]:
    t = family(
        "mail_set_relay",
        "host",
        {"host": "{relay}"},
        [
            ("imperative", "Set the mail relay to {relay}"),
            ("imperative", "Relay outgoing mail through {relay}"),
            ("command", "relayhost {relay}"),
            ("polite", "Could you please configure {relay} as our smarthost?"),
            ("ticket", "{ticket}: switch the SMTP relay to {relay}"),
            ("question", "Can you send all outbound mail via {relay}?"),
            ("passive", "Outgoing email should be relayed via {relay}"),
            ("context", "The provider changed, so use {relay} as the relay host from now on"),
        ],
    )
    t += family(
        "mail_set_relay",
        "port",
        {"host": "{relay}", "port": "{relay_port}"},
        [
            ("imperative", "Set the mail relay to {relay} on port {relay_port}"),
            ("command", "relayhost {relay}:{relay_port}"),
            ("polite", "Please relay mail through {relay}, port {relay_port}"),
            ("swapped", "Use port {relay_port} on {relay} as the outgoing SMTP relay"),
            ("context", "Our ISP blocks 25, so relay via {relay} using port {relay_port}"),
        ],
    )
    t += family(
        "mail_alias_add",
        "main",
        {"alias": "{alias}", "destination": "{dest}"},
        [
            ("imperative", "Create mail alias {alias} for {dest}"),
            ("imperative", "Forward mail for {alias} to {dest}"),
            ("terse", "alias {alias}: {dest}"),
            ("polite", "Could you please add an email alias {alias} that delivers to {dest}?"),
            ("ticket", "{ticket}: mails to {alias} should go to {dest}"),
            ("question", "Can you set up {alias} as an alias pointing to {dest}?"),
            ("passive", "Mail sent to {alias} should be forwarded to {dest}"),
            ("swapped", "Let {dest} receive the mail for the alias {alias}"),
            ("context", "{dest} takes over the mailbox duties, add the mail alias {alias} for them"),
            ("terse", "mail alias add {alias} -> {dest}"),
        ],
    )
    t += family(
        "mail_alias_remove",
        "main",
        {"alias": "{alias}"},
        [
            ("imperative", "Remove the mail alias {alias}"),
            ("imperative", "Delete email alias {alias}"),
            ("terse", "mail alias rm {alias}"),
            ("polite", "Could you please drop the alias {alias}?"),
            ("ticket", "{ticket}: stop forwarding mail for {alias}"),
            ("question", "Can you get rid of the {alias} mail alias?"),
            ("passive", "The mail alias {alias} should be removed"),
            ("context", "Nobody reads {alias} anymore, delete that mail alias"),
            ("swapped", "{alias} no longer needs to be forwarded, remove the alias"),
            ("imperative", "Delete the mail forwarding for {alias}"),
            ("terse", "rm mail alias {alias}"),
        ],
    )
    return t


def _pki() -> list[Template]:
    cn = {"common_name": "{host}"}
    t = family(
        "cert_create",
        "plain",
        cn,
        [
            ("imperative", "Create a certificate for {host}"),
            ("imperative", "Issue a TLS cert for {host}"),
            ("terse", "cert new {host}"),
            ("polite", "Could you please generate a certificate for {host}?"),
            ("ticket", "{ticket}: {host} needs an SSL certificate"),
            ("question", "Can you make a new cert for {host}?"),
            ("passive", "A certificate should be issued for {host}"),
            ("context", "The new dashboard goes live tomorrow, create a certificate for {host}"),
        ],
    )
    t += family(
        "cert_create",
        "days",
        {**cn, "days": "{days}"},
        [
            ("imperative", "Issue a certificate for {host} valid for {days}"),
            ("terse", "cert new {host} days={days_n}"),
            ("polite", "Please create a cert for {host} that is valid for {days}"),
        ],
    )
    t += family(
        "cert_create",
        "sans",
        {**cn, "alt_names": "{alt_names}"},
        [
            ("imperative", "Create a certificate for {host} with alternative names {alt_names}"),
            ("terse", "cert new {host} san {alt_names}"),
            ("polite", "Could you issue a cert for {host}, also covering {alt_names}?"),
        ],
    )
    t += family(
        "cert_create",
        "rsa",
        {**cn, "key_type": "rsa", "key_size": "{rsa_bits}"},
        [
            ("imperative", "Generate an RSA {rsa_bits}-bit certificate for {host}"),
            ("terse", "cert new {host} rsa {rsa_bits}"),
            ("polite", "Please create a cert for {host} using a {rsa_bits} bit RSA key"),
        ],
    )
    t += family(
        "cert_create",
        "ec",
        {**cn, "key_type": "ec"},
        [
            ("imperative", "Create an EC certificate for {host}"),
            ("question", "Can you issue a cert for {host} with an elliptic-curve key?"),
        ],
    )
    t += family(
        "cert_create",
        "full",
        {**cn, "key_type": "ec", "key_size": "{ec_bits}", "days": "{days}"},
        [
            ("imperative", "Issue a certificate for {host} with an EC {ec_bits}-bit key, valid {days}"),
            ("terse", "cert new {host} ec {ec_bits} days={days_n}"),
        ],
    )
    t += family(
        "cert_create",
        "rsa_sans",
        {**cn, "alt_names": "{alt_names}", "key_type": "rsa"},
        [
            ("imperative", "Create an RSA cert for {host} with SANs {alt_names}"),
        ],
    )
    t += family(
        "cert_renew",
        "plain",
        cn,
        [
            ("imperative", "Renew the certificate for {host}"),
            ("terse", "cert renew {host}"),
            ("polite", "Could you please renew {host}'s certificate?"),
            ("ticket", "{ticket}: cert for {host} expires next week, renew it"),
            ("question", "Can you renew the TLS cert of {host}?"),
            ("passive", "The certificate of {host} should be renewed"),
            ("context", "Monitoring says the cert on {host} expires soon; renew it"),
        ],
    )
    t += family(
        "cert_renew",
        "days",
        {**cn, "days": "{days}"},
        [
            ("imperative", "Renew the certificate for {host} for {days}"),
            ("terse", "cert renew {host} days={days_n}"),
            ("polite", "Please renew {host}'s cert for another {days}"),
            ("swapped", "For {days} more, renew the cert on {host}"),
        ],
    )
    t += family(
        "cert_revoke",
        "main",
        cn,
        [
            ("imperative", "Revoke the certificate for {host}"),
            ("terse", "cert revoke {host}"),
            ("polite", "Could you please revoke the cert of {host}?"),
            ("ticket", "{ticket}: private key of {host} leaked, revoke its certificate"),
            ("question", "Can you revoke {host}'s TLS certificate?"),
            ("passive", "The certificate for {host} should be revoked"),
            ("context", "{host} was compromised last night, revoke the cert"),
            ("imperative", "Invalidate the certificate issued to {host}"),
            ("terse", "revoke cert {host}"),
            ("swapped", "Put the certificate of {host} on the revocation list"),
            ("polite", "Please revoke {host}'s cert, it is no longer trusted"),
        ],
    )
    # Plain-number days slot for terse forms ("days=90").
    return [_days_n(x) if "{days_n}" in x.text else x for x in t]


def _days_n(tpl: Template) -> Template:
    return Template(tpl.id, tpl.action, tpl.text, {**tpl.fields, "days": "{days_n}"}, tpl.style)


def _firewall() -> list[Template]:
    t: list[Template] = []
    # (imperative verb, second verb, ufw word, lower-case verb, passive, context for port, for service)
    words = {
        "fw_allow": (
            "Open",
            "Allow",
            "allow",
            "permit",
            "should be allowed",
            "The monitoring agent listens on {port}, open port {port} for it",
            "Only the office network needs it: permit {service} from {source}",
        ),
        "fw_deny": (
            "Block",
            "Deny",
            "deny",
            "close",
            "should be blocked",
            "Something is scanning us on {port}, block port {port}",
            "We saw brute-force attempts, so deny {service} from {source}",
        ),
        "fw_remove": (
            "Remove the firewall rule for",
            "Delete the rule for",
            "delete allow",
            "drop the rule for",
            "rule should be removed from the firewall",
            "The old agent on port {port} is gone, delete the firewall rule for port {port}",
            "That exception is obsolete: remove the rule for {service} from {source}",
        ),
    }
    for action, (v1, v2, cmd, v3, passive, ctx_port, ctx_svc) in words.items():
        t += family(
            action,
            "port",
            {"port": "{port}"},
            [
                ("imperative", f"{v1} port {{port}}"),
                ("command", f"ufw {cmd} {{port}}"),
                ("polite", f"Could you please {v3} port {{port}} on the firewall?"),
                ("ticket", f"{{ticket}}: {v3} {{port}} on the host firewall"),
                ("context", ctx_port),
            ],
        )
        t += family(
            action,
            "port_proto",
            {"port": "{port}", "protocol": "{proto}"},
            [
                ("imperative", f"{v1} port {{port}}/{{proto}}"),
                ("command", f"ufw {cmd} {{port}}/{{proto}}"),
                ("question", f"Can you {v3} {{proto}} port {{port}}?"),
            ],
        )
        t += family(
            action,
            "port_src",
            {"port": "{port}", "protocol": "{proto}", "source": "{source}"},
            [
                ("imperative", f"{v1} port {{port}}/{{proto}} from {{source}}"),
                ("command", f"ufw {cmd} from {{source}} to any port {{port}} proto {{proto}}"),
                ("swapped", f"From {{source}}, {v3} {{proto}} port {{port}}"),
            ],
        )
        t += family(
            action,
            "service",
            {"service": "{service}"},
            [
                ("imperative", f"{v2} {{service}}"),
                ("polite", f"Please {v3} {{service}} in the firewall"),
                ("terse", f"firewall {cmd} service {{service}}"),
                (
                    "passive",
                    f"The {{service}} {passive}" if action == "fw_remove" else f"{{service}} traffic {passive}",
                ),
            ],
        )
        t += family(
            action,
            "service_src",
            {"service": "{service}", "source": "{source}"},
            [
                ("imperative", f"{v2} {{service}} from {{source}}"),
                ("context", ctx_svc),
            ],
        )
    return t


def _network() -> list[Template]:
    addr = {"interface": "{iface}", "address": "{addr_cidr}"}
    t = family(
        "net_set_address",
        "cidr",
        addr,
        [
            ("imperative", "Set {iface} to {addr_cidr}"),
            ("imperative", "Assign the address {addr_cidr} to {iface}"),
            ("terse", "ip {iface} {addr_cidr}"),
            ("polite", "Could you please give {iface} the static IP {addr_cidr}?"),
            ("ticket", "{ticket}: configure {iface} with {addr_cidr}"),
            ("swapped", "Configure {addr_cidr} on interface {iface}"),
        ],
    )
    t += family(
        "net_set_address",
        "gw",
        {**addr, "gateway": "{gw}"},
        [
            ("imperative", "Set {iface} to {addr_cidr} with gateway {gw}"),
            ("terse", "{iface}: address {addr_cidr}, gw {gw}"),
            ("context", "The box moves to the new VLAN: set {iface} to {addr_cidr}, default gateway {gw}"),
        ],
    )
    mask = {"interface": "{iface}", "address": "{ipv4}/{netmask}"}
    t += family(
        "net_set_address",
        "mask",
        mask,
        [
            ("imperative", "Configure {iface} with static IP {ipv4} netmask {netmask}"),
            ("polite", "Please set {iface} to {ipv4} with netmask {netmask}"),
            ("terse", "{iface} {ipv4} netmask {netmask}"),
        ],
    )
    t += family(
        "net_set_address",
        "mask_gw",
        {**mask, "gateway": "{gw}"},
        [
            ("imperative", "Set {iface} to {ipv4} netmask {netmask} gateway {gw}"),
            ("question", "Can you give {iface} the address {ipv4}, mask {netmask}, and gateway {gw}?"),
        ],
    )
    t += family(
        "net_set_dhcp",
        "main",
        {"interface": "{iface}"},
        [
            ("imperative", "Switch {iface} to DHCP"),
            ("imperative", "Use DHCP on {iface}"),
            ("terse", "{iface} dhcp"),
            ("polite", "Could you please set {iface} back to DHCP?"),
            ("ticket", "{ticket}: {iface} should get its address via DHCP"),
            ("question", "Can you make {iface} use dhcp instead of a static IP?"),
            ("passive", "{iface} should be configured for DHCP"),
            ("context", "We moved the static leases to the router, so put {iface} on DHCP"),
            ("swapped", "DHCP for {iface}, please"),
            ("imperative", "Configure {iface} to obtain its address automatically via DHCP"),
            ("imperative", "Drop the static IP on {iface} and use DHCP"),
        ],
    )
    updown = {
        "net_up": [
            ("imperative", "Bring up {iface}"),
            ("command", "ifup {iface}"),
            ("polite", "Could you please enable interface {iface}?"),
            ("ticket", "{ticket}: bring {iface} up again"),
            ("question", "Can you activate {iface}?"),
            ("passive", "{iface} should be brought up"),
            ("context", "The cable is fixed, bring {iface} back up"),
            ("command", "ip link set {iface} up"),
            ("imperative", "Enable the network interface {iface}"),
            ("swapped", "{iface} is down, bring it up"),
            ("terse", "up {iface}"),
        ],
        "net_down": [
            ("imperative", "Bring {iface} down"),
            ("command", "ifdown {iface}"),
            ("polite", "Could you please disable interface {iface}?"),
            ("ticket", "{ticket}: take {iface} down for maintenance"),
            ("question", "Can you shut down {iface}?"),
            ("passive", "{iface} should be brought down"),
            ("context", "We are rewiring the rack, take {iface} down"),
            ("command", "ip link set {iface} down"),
            ("imperative", "Deactivate the interface {iface}"),
            ("swapped", "Take {iface} offline"),
            ("terse", "down {iface}"),
        ],
    }
    for action, items in updown.items():
        t += family(action, "main", {"interface": "{iface}"}, items)
    t += family(
        "net_set_nameservers",
        "plain",
        {"servers": "{servers}"},
        [
            ("imperative", "Set nameservers to {servers}"),
            ("imperative", "Use {servers} as DNS servers"),
            ("terse", "nameservers {servers}"),
            ("polite", "Could you please configure the resolvers {servers}?"),
            ("ticket", "{ticket}: switch DNS resolvers to {servers}"),
            ("passive", "The DNS servers should be {servers}"),
            ("question", "Can you set the resolvers to {servers}?"),
        ],
    )
    t += family(
        "net_set_nameservers",
        "iface",
        {"servers": "{servers}", "interface": "{iface}"},
        [
            ("imperative", "Set the DNS servers on {iface} to {servers}"),
            ("terse", "{iface} dns {servers}"),
            ("swapped", "Use {servers} as nameservers for {iface}"),
            ("context", "The old resolver dies tonight, so point {iface} at {servers} for DNS"),
            ("command", "resolvectl dns {iface} {servers}"),
        ],
    )
    return t


def templates() -> list[Template]:
    """All tier-2 templates (mail, pki, firewall, network)."""
    return _mail() + _pki() + _firewall() + _network()

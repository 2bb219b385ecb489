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
        "mail_set_relay",
        "host_alt",
        {"host": "{relay}"},
        [
            ("command", "postconf -e relayhost={relay}"),
            ("command", "postconf -e 'relayhost = [{relay}]'"),
            ("imperative", "Use {relay} as the smarthost"),
            ("imperative", "Route all outgoing mail through {relay}"),
            ("imperative", "Configure Postfix to relay via {relay}"),
            ("imperative", "Point the SMTP relay at {relay}"),
            ("terse", "smarthost {relay}"),
            ("terse", "mail relay = {relay}"),
            ("ticket", "{ticket}: set relayhost to {relay}"),
            ("ticket", "[{ticket}] Outbound mail must go via {relay}"),
            ("question", "Could you set {relay} as the outbound relay?"),
            ("passive", "All outbound mail should be sent through {relay}"),
            ("swapped", "{relay} - make that our mail relay"),
            ("context", "Mail to external domains keeps bouncing; relay it through {relay} instead"),
            ("context", "We moved to a new email provider, so set the relay host to {relay}"),
            ("polite", "Please make {relay} the relay host for outgoing email, thanks"),
        ],
    )
    t += family(
        "mail_set_relay",
        "port_alt",
        {"host": "{relay}", "port": "{relay_port}"},
        [
            ("command", "postconf -e relayhost=[{relay}]:{relay_port}"),
            ("imperative", "Relay outbound mail via {relay} port {relay_port}"),
            ("terse", "smarthost {relay}:{relay_port}"),
            ("terse", "mail relay {relay} port {relay_port}"),
            ("ticket", "{ticket}: relayhost {relay}, port {relay_port}"),
            ("question", "Can you send outgoing mail through {relay} on port {relay_port}?"),
            ("passive", "Mail should be relayed via {relay} using port {relay_port}"),
            ("context", "The provider only accepts mail on port {relay_port}, so relay through {relay} on that port"),
            ("polite", "Please configure {relay}:{relay_port} as the smarthost"),
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
        "mail_alias_add",
        "alt",
        {"alias": "{alias}", "destination": "{dest}"},
        [
            ("command", "echo '{alias}: {dest}' >> /etc/aliases"),
            ("imperative", "Add the alias {alias} pointing to {dest}"),
            ("imperative", "Redirect mail for {alias} to {dest}"),
            ("imperative", "Make {alias} an alias of {dest}"),
            ("imperative", "Deliver mail addressed to {alias} to {dest}"),
            ("imperative", "Set up a mail forward from {alias} to {dest}"),
            ("imperative", "Create an email alias {alias} that goes to {dest}"),
            ("imperative", "Route {alias} to {dest}"),
            ("terse", "alias {alias} => {dest}"),
            ("terse", "forward {alias} to {dest}"),
            ("terse", "aliases: {alias}: {dest}"),
            ("ticket", "{ticket}: create alias {alias} for {dest}"),
            ("ticket", "[{ticket}] New mail alias {alias} -> {dest}"),
            ("question", "Could mail for {alias} be forwarded to {dest}?"),
            ("question", "Can you make {alias} deliver to {dest}?"),
            ("passive", "{dest} should receive everything sent to {alias}"),
            ("passive", "An alias {alias} for {dest} needs to be created"),
            ("swapped", "For {dest}, add the mail alias {alias}"),
            ("swapped", "To {dest}: forward all mail for {alias}"),
            ("context", "{dest} is the new office manager, so route {alias} to {dest}"),
            ("context", "We are launching a new contact address; add the alias {alias} and deliver it to {dest}"),
            ("polite", "Would you mind adding a mail alias {alias} for {dest}?"),
            ("polite", "Please forward emails for {alias} to {dest}, thanks"),
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
    t += family(
        "mail_alias_remove",
        "alt",
        {"alias": "{alias}"},
        [
            ("imperative", "Delete the alias {alias}"),
            ("imperative", "Drop the mail alias {alias}"),
            ("imperative", "Get rid of the email alias {alias}"),
            ("imperative", "Remove the forwarding alias {alias}"),
            ("imperative", "Remove {alias} from the mail aliases"),
            ("imperative", "Remove the {alias} entry from /etc/aliases"),
            ("terse", "alias del {alias}"),
            ("terse", "-alias {alias}"),
            ("terse", "aliases: rm {alias}"),
            ("ticket", "{ticket}: delete mail alias {alias}"),
            ("ticket", "[{ticket}] Alias cleanup - remove {alias}"),
            ("question", "Could you remove the alias {alias}?"),
            ("question", "Can the {alias} alias be deleted?"),
            ("passive", "The alias {alias} is obsolete and should be deleted"),
            ("passive", "Mail to {alias} should no longer be forwarded anywhere"),
            ("swapped", "{alias} - please delete this alias"),
            ("context", "The campaign is over, so remove the {alias} alias"),
            ("context", "Since {alias} only gets spam now, delete that mail alias"),
            ("context", "The team behind {alias} was disbanded; drop the alias"),
            ("polite", "Would you mind deleting the mail alias {alias}?"),
            ("polite", "Please remove the email alias {alias}, thanks"),
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
        "cert_create",
        "plain_alt",
        cn,
        [
            ("command", "certbot certonly -d {host}"),
            ("command", "openssl req -new -x509 -subj /CN={host}"),
            ("imperative", "Generate a new SSL certificate for {host}"),
            ("imperative", "Get a certificate for {host}"),
            ("imperative", "Make a TLS certificate with CN {host}"),
            ("imperative", "Create a cert with the common name {host}"),
            ("terse", "new cert CN={host}"),
            ("terse", "tls cert {host}"),
            ("ticket", "{ticket}: issue certificate for {host}"),
            ("ticket", "[{ticket}] Cert request - {host}"),
            ("question", "Could you issue an SSL cert for {host}?"),
            ("passive", "{host} needs a TLS certificate"),
            ("swapped", "For {host}, generate a certificate"),
            ("context", "Browsers complain that {host} has no valid cert, so create one for it"),
            ("context", "We are enabling HTTPS on {host}; please issue a certificate"),
            ("polite", "Would you mind creating a certificate for {host}?"),
        ],
    )
    t += family(
        "cert_create",
        "days_alt",
        {**cn, "days": "{days}"},
        [
            ("command", "openssl req -x509 -days {days_n} -subj /CN={host}"),
            ("imperative", "Create a cert for {host} that expires in {days}"),
            ("imperative", "Issue a certificate for {host} valid for {days_n} days"),
            ("ticket", "{ticket}: certificate for {host}, lifetime {days}"),
            ("question", "Can you generate a {days_n}-day certificate for {host}?"),
            ("swapped", "Valid for {days}: a new certificate for {host}"),
            ("context", "The test box {host} only needs a short-lived cert; issue one valid for {days}"),
        ],
    )
    t += family(
        "cert_create",
        "sans_alt",
        {**cn, "alt_names": "{alt_names}"},
        [
            ("imperative", "Issue a certificate for {host} with SANs {alt_names}"),
            ("imperative", "Create a cert for {host} that also covers {alt_names}"),
            ("ticket", "{ticket}: cert for {host}, subject alternative names {alt_names}"),
            ("question", "Can you make a certificate for {host} including the alt names {alt_names}?"),
            ("context", "{host} is also reached as {alt_names}, so issue a cert for {host} covering those names"),
        ],
    )
    t += family(
        "cert_create",
        "certbot_san",
        {**cn, "alt_names": ["{host2}"]},
        [
            ("command", "certbot certonly -d {host} -d {host2}"),
            ("imperative", "Create a certificate for {host} with {host2} as an alternative name"),
        ],
    )
    t += family(
        "cert_create",
        "rsa_alt",
        {**cn, "key_type": "rsa", "key_size": "{rsa_bits}"},
        [
            ("command", "openssl req -newkey rsa:{rsa_bits} -subj /CN={host}"),
            ("imperative", "Create a certificate for {host} with a {rsa_bits}-bit RSA key"),
            ("question", "Can you issue a cert for {host}, RSA {rsa_bits}?"),
            ("ticket", "{ticket}: cert for {host}, key RSA/{rsa_bits}"),
        ],
    )
    t += family(
        "cert_create",
        "rsa_only",
        {**cn, "key_type": "rsa"},
        [
            ("imperative", "Create a certificate for {host} with an RSA key"),
            ("terse", "cert new {host} rsa"),
        ],
    )
    t += family(
        "cert_create",
        "ec_alt",
        {**cn, "key_type": "ec"},
        [
            ("imperative", "Issue an ECDSA certificate for {host}"),
            ("terse", "cert new {host} ec"),
            ("command", "certbot certonly --key-type ecdsa -d {host}"),
        ],
    )
    t += family(
        "cert_create",
        "ec_size",
        {**cn, "key_type": "ec", "key_size": "{ec_bits}"},
        [
            ("imperative", "Create a certificate for {host} with an EC P-{ec_bits} key"),
            ("terse", "cert new {host} ec {ec_bits}"),
            ("command", "certbot certonly --key-type ecdsa --elliptic-curve secp{ec_bits}r1 -d {host}"),
        ],
    )
    t += family(
        "cert_create",
        "rsa_days",
        {**cn, "key_type": "rsa", "key_size": "{rsa_bits}", "days": "{days}"},
        [
            ("command", "openssl req -x509 -newkey rsa:{rsa_bits} -days {days_n} -subj /CN={host}"),
            ("imperative", "Issue a {rsa_bits}-bit RSA certificate for {host}, valid for {days}"),
        ],
    )
    t += family(
        "cert_create",
        "sans_days",
        {**cn, "alt_names": "{alt_names}", "days": "{days}"},
        [
            ("imperative", "Create a certificate for {host} with alt names {alt_names}, valid {days}"),
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
        "cert_renew",
        "plain_alt",
        cn,
        [
            ("command", "certbot renew --cert-name {host}"),
            ("imperative", "Renew {host}'s TLS certificate"),
            ("imperative", "Extend the certificate of {host}"),
            ("imperative", "Refresh the expiring cert on {host}"),
            ("terse", "renew cert {host}"),
            ("ticket", "[{ticket}] Certificate renewal - {host}"),
            ("question", "Could you renew the SSL certificate for {host}?"),
            ("passive", "{host}'s certificate needs to be renewed"),
            ("swapped", "For {host}, renew the certificate"),
            ("context", "Users see an expiry warning on {host}, please renew its cert"),
            ("context", "The cert for {host} runs out on Friday; renew it before then"),
            ("polite", "Would you mind renewing the certificate of {host}?"),
            ("polite", "Please renew the TLS cert on {host}, thanks"),
        ],
    )
    t += family(
        "cert_renew",
        "days_alt",
        {**cn, "days": "{days}"},
        [
            ("terse", "renew {host} -days {days_n}"),
            ("imperative", "Renew the cert for {host} for another {days_n} days"),
            ("imperative", "Extend {host}'s certificate by {days}"),
            ("imperative", "Renew the certificate of {host} with a validity of {days}"),
            ("ticket", "{ticket}: renew {host} cert, validity {days}"),
            ("question", "Can you renew the certificate of {host} for {days}?"),
            ("passive", "The cert on {host} should be renewed for {days}"),
            ("context", "{host} will be retired soon, so renew its certificate for just {days}"),
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
    t += family(
        "cert_revoke",
        "alt",
        cn,
        [
            ("command", "certbot revoke --cert-name {host}"),
            ("command", "openssl ca -revoke /etc/ssl/certs/{host}.pem"),
            ("imperative", "Revoke {host}'s certificate"),
            ("imperative", "Mark the cert of {host} as revoked"),
            ("imperative", "Add {host}'s certificate to the CRL"),
            ("imperative", "Revoke the SSL certificate of {host}"),
            ("imperative", "Invalidate {host}'s TLS cert"),
            ("terse", "revoke {host}"),
            ("terse", "crl add {host}"),
            ("ticket", "{ticket}: revoke cert {host}"),
            ("ticket", "[{ticket}] Key compromise - revoke certificate for {host}"),
            ("question", "Could you revoke the certificate issued for {host}?"),
            ("question", "Can the cert of {host} be revoked right away?"),
            ("passive", "{host}'s TLS certificate must be revoked"),
            ("swapped", "For {host}, revoke the certificate"),
            ("context", "We decommissioned {host}, so revoke its certificate"),
            ("context", "The key for {host} was committed to a public repo; revoke the cert"),
            ("context", "Since {host} no longer belongs to us, revoke the certificate"),
            ("polite", "Would you mind revoking {host}'s certificate?"),
            ("polite", "Please revoke the SSL cert for {host}, thanks"),
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
    # More phrasings per action and family: ufw / firewalld / iptables forms, tickets, questions, reasons.
    extra = {
        "fw_allow": {
            "port_alt": [
                ("imperative", "Allow traffic on port {port}"),
                ("imperative", "Permit incoming connections on port {port}"),
                ("imperative", "Let port {port} through the firewall"),
                ("terse", "fw allow {port}"),
                ("terse", "open {port}"),
                ("ticket", "[{ticket}] Open firewall port {port}"),
                ("question", "Could you open port {port}?"),
                ("question", "Can port {port} be allowed through?"),
                ("passive", "Port {port} should be opened in the firewall"),
                ("swapped", "Port {port} - please open it"),
                ("context", "The new app listens on {port}, so allow that port"),
                ("context", "Clients can't connect because {port} is closed; open it"),
                ("polite", "Please allow port {port}, thanks"),
            ],
            "port_proto_alt": [
                ("command", "firewall-cmd --add-port={port}/{proto}"),
                ("command", "iptables -A INPUT -p {proto} --dport {port} -j ACCEPT"),
                ("imperative", "Allow {proto} traffic on port {port}"),
                ("terse", "allow {port}/{proto}"),
                ("ticket", "{ticket}: open {port}/{proto}"),
                ("passive", "{proto} port {port} should be allowed"),
                ("context", "The VoIP gateway talks {proto} on {port}; permit it in the firewall"),
            ],
            "port_src_alt": [
                ("command", "iptables -A INPUT -s {source} -p {proto} --dport {port} -j ACCEPT"),
                ("imperative", "Allow {proto} port {port} from {source}"),
                ("ticket", "{ticket}: permit {port}/{proto} from {source} only"),
                ("context", "Only {source} needs it: open {port}/{proto} for that source"),
            ],
            "port_srconly": [
                ("imperative", "Open port {port} for {source}"),
                ("command", "ufw allow from {source} to any port {port}"),
                ("question", "Can you allow connections to port {port} from {source}?"),
                ("context", "The monitoring hosts at {source} scrape port {port}; allow that"),
            ],
            "service_alt": [
                ("command", "firewall-cmd --add-service={service}"),
                ("command", "ufw allow {service}"),
                ("imperative", "Open the firewall for {service}"),
                ("imperative", "Permit {service} traffic"),
                ("terse", "fw allow {service}"),
                ("ticket", "{ticket}: allow {service} through the firewall"),
                ("question", "Could you open {service} on this host?"),
                ("swapped", "{service} - please allow it through the firewall"),
                ("context", "We just installed the {service} server, so allow {service} in the firewall"),
            ],
            "service_src_alt": [
                ("command", "ufw allow from {source} to any app {service}"),
                ("imperative", "Allow {service} only from {source}"),
                ("question", "Can you permit {service} connections from {source}?"),
                ("ticket", "{ticket}: open {service} for {source}"),
            ],
            "service_proto": [
                ("imperative", "Allow {service} over {proto}"),
                ("terse", "allow {service}/{proto}"),
            ],
        },
        "fw_deny": {
            "port_alt": [
                ("imperative", "Close port {port}"),
                ("imperative", "Deny traffic on port {port}"),
                ("imperative", "Drop incoming connections on port {port}"),
                ("terse", "fw deny {port}"),
                ("terse", "block {port}"),
                ("ticket", "[{ticket}] Close firewall port {port}"),
                ("question", "Could you block port {port}?"),
                ("question", "Can port {port} be closed on the firewall?"),
                ("passive", "Port {port} should be blocked at the firewall"),
                ("swapped", "Port {port} - please block it"),
                ("context", "Nothing should listen on {port} anymore, so close that port"),
                ("context", "The pentest flagged port {port} as exposed; block it"),
                ("polite", "Please deny port {port}, thanks"),
            ],
            "port_proto_alt": [
                ("command", "iptables -A INPUT -p {proto} --dport {port} -j DROP"),
                ("command", "ufw reject {port}/{proto}"),
                ("imperative", "Block {proto} traffic on port {port}"),
                ("terse", "deny {port}/{proto}"),
                ("ticket", "{ticket}: block {port}/{proto}"),
                ("passive", "{proto} port {port} should be denied"),
                ("context", "Someone is flooding us on {proto} {port}; close it"),
            ],
            "port_src_alt": [
                ("command", "iptables -A INPUT -s {source} -p {proto} --dport {port} -j DROP"),
                ("imperative", "Block {proto} port {port} from {source}"),
                ("ticket", "{ticket}: deny {port}/{proto} from {source}"),
                ("context", "The scans come from {source}: block {proto} port {port} for that source"),
            ],
            "port_srconly": [
                ("imperative", "Block port {port} for {source}"),
                ("command", "ufw deny from {source} to any port {port}"),
                ("question", "Can you deny connections to port {port} from {source}?"),
                ("context", "Traffic from {source} is hammering port {port}; block it"),
            ],
            "service_alt": [
                ("command", "ufw deny {service}"),
                ("imperative", "Block all {service} traffic"),
                ("imperative", "Close {service} on the firewall"),
                ("terse", "fw deny {service}"),
                ("ticket", "{ticket}: block {service} at the firewall"),
                ("question", "Could you block {service} on this host?"),
                ("swapped", "{service} - please deny it in the firewall"),
                ("context", "We don't run {service} here, so block it in the firewall"),
            ],
            "service_src_alt": [
                ("command", "ufw deny from {source} to any app {service}"),
                ("imperative", "Block {service} from {source}"),
                ("question", "Can you deny {service} connections coming from {source}?"),
                ("ticket", "{ticket}: block {service} from {source}"),
            ],
            "service_proto": [
                ("imperative", "Block {service} over {proto}"),
                ("terse", "deny {service}/{proto}"),
            ],
        },
        "fw_remove": {
            "port_alt": [
                ("imperative", "Delete the firewall rule for port {port}"),
                ("imperative", "Get rid of the rule for port {port}"),
                ("imperative", "Remove the port {port} rule"),
                ("command", "ufw delete deny {port}"),
                ("terse", "fw rule rm {port}"),
                ("ticket", "[{ticket}] Remove firewall rule for {port}"),
                ("question", "Could you delete the rule for port {port}?"),
                ("passive", "The firewall rule for port {port} should be deleted"),
                ("swapped", "Port {port} rule - please remove it"),
                ("context", "We moved the service off this host, so drop the firewall rule for port {port}"),
                ("polite", "Please delete the rule covering port {port}, thanks"),
            ],
            "port_proto_alt": [
                ("command", "iptables -D INPUT -p {proto} --dport {port} -j ACCEPT"),
                ("command", "firewall-cmd --remove-port={port}/{proto}"),
                ("imperative", "Remove the rule for {proto} port {port}"),
                ("terse", "fw rule rm {port}/{proto}"),
                ("ticket", "{ticket}: delete rule {port}/{proto}"),
            ],
            "port_src_alt": [
                ("command", "iptables -D INPUT -s {source} -p {proto} --dport {port} -j ACCEPT"),
                ("imperative", "Delete the rule for {port}/{proto} from {source}"),
            ],
            "port_srconly": [
                ("imperative", "Remove the rule for port {port} from {source}"),
                ("command", "ufw delete allow from {source} to any port {port}"),
                ("question", "Can you delete the firewall rule that lets {source} reach port {port}?"),
            ],
            "service_alt": [
                ("command", "firewall-cmd --remove-service={service}"),
                ("command", "ufw delete allow {service}"),
                ("imperative", "Delete the {service} rule from the firewall"),
                ("imperative", "Get rid of the firewall rule for {service}"),
                ("terse", "fw rule rm {service}"),
                ("ticket", "{ticket}: remove the {service} firewall rule"),
                ("question", "Could you remove the rule for {service}?"),
                ("context", "{service} was migrated to another box; delete its firewall rule"),
            ],
            "service_src_alt": [
                ("imperative", "Get rid of the {service} rule for {source}"),
                ("command", "ufw delete deny from {source} to any app {service}"),
                ("ticket", "{ticket}: drop the {service} rule for {source}"),
            ],
            "service_proto": [
                ("imperative", "Remove the firewall rule for {service} over {proto}"),
            ],
        },
    }
    fields = {
        "port_alt": {"port": "{port}"},
        "port_proto_alt": {"port": "{port}", "protocol": "{proto}"},
        "port_src_alt": {"port": "{port}", "protocol": "{proto}", "source": "{source}"},
        "port_srconly": {"port": "{port}", "source": "{source}"},
        "service_alt": {"service": "{service}"},
        "service_src_alt": {"service": "{service}", "source": "{source}"},
        "service_proto": {"service": "{service}", "protocol": "{proto}"},
    }
    for action, fams in extra.items():
        for fam, items in fams.items():
            t += family(action, fam, fields[fam], items)
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
    t += family(
        "net_set_address",
        "cidr_alt",
        addr,
        [
            ("command", "ip addr add {addr_cidr} dev {iface}"),
            ("command", "nmcli con mod {iface} ipv4.method manual ipv4.addresses {addr_cidr}"),
            ("imperative", "Give {iface} the address {addr_cidr}"),
            ("imperative", "Configure a static IP of {addr_cidr} on {iface}"),
            ("imperative", "Change the IP of {iface} to {addr_cidr}"),
            ("terse", "{iface} -> {addr_cidr}"),
            ("terse", "addr {iface} {addr_cidr}"),
            ("question", "Can you set a static address {addr_cidr} on {iface}?"),
            ("passive", "{iface} should have the static address {addr_cidr}"),
            ("context", "We are renumbering the lab network, so set {iface} to {addr_cidr}"),
            ("context", "The server moved racks; its {iface} now needs {addr_cidr}"),
            ("polite", "Please assign {addr_cidr} to interface {iface}, thanks"),
            ("swapped", "{addr_cidr} on {iface}, static please"),
        ],
    )
    t += family(
        "net_set_address",
        "gw_alt",
        {**addr, "gateway": "{gw}"},
        [
            ("command", "nmcli con mod {iface} ipv4.addresses {addr_cidr} ipv4.gateway {gw}"),
            ("imperative", "Give {iface} the address {addr_cidr} and the gateway {gw}"),
            ("ticket", "{ticket}: {iface} static {addr_cidr}, gateway {gw}"),
            ("question", "Could you set {iface} to {addr_cidr} using {gw} as the default gateway?"),
            ("polite", "Please configure {iface} with {addr_cidr} and a default route via {gw}"),
            ("passive", "{iface} should get {addr_cidr} with {gw} as gateway"),
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
        "net_set_address",
        "mask_alt",
        mask,
        [
            ("command", "ifconfig {iface} {ipv4} netmask {netmask}"),
            ("imperative", "Assign {ipv4} with subnet mask {netmask} to {iface}"),
            ("ticket", "{ticket}: {iface} = {ipv4} / mask {netmask}"),
            ("question", "Can you set {iface} to IP {ipv4}, netmask {netmask}?"),
            ("context", "The ISP gave us {ipv4} with mask {netmask}; put that on {iface}"),
            ("swapped", "IP {ipv4}, netmask {netmask} - configure that on {iface}"),
        ],
    )
    t += family(
        "net_set_address",
        "mask_gw_alt",
        {**mask, "gateway": "{gw}"},
        [
            ("terse", "{iface}: ip {ipv4}, mask {netmask}, gw {gw}"),
            ("polite", "Please give {iface} the static IP {ipv4} (netmask {netmask}) and gateway {gw}"),
            ("ticket", "{ticket}: static config for {iface} - {ipv4} netmask {netmask} gateway {gw}"),
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
    t += family(
        "net_set_dhcp",
        "alt",
        {"interface": "{iface}"},
        [
            ("command", "nmcli con mod {iface} ipv4.method auto"),
            ("command", "dhclient {iface}"),
            ("imperative", "Set {iface} to dynamic addressing"),
            ("imperative", "Make {iface} get its IP from DHCP"),
            ("imperative", "Remove the static config from {iface} and switch it to DHCP"),
            ("imperative", "Enable DHCP on {iface}"),
            ("imperative", "Have {iface} obtain an IP automatically"),
            ("terse", "{iface} -> dhcp"),
            ("terse", "dhcp on {iface}"),
            ("terse", "{iface} BOOTPROTO=dhcp"),
            ("ticket", "[{ticket}] Switch {iface} to DHCP"),
            ("question", "Could {iface} use DHCP from now on?"),
            ("question", "Can you turn on DHCP for {iface}?"),
            ("passive", "{iface} should pull its address from the DHCP server"),
            ("swapped", "On {iface}, enable DHCP"),
            ("context", "The office router hands out addresses now, so switch {iface} to DHCP"),
            ("context", "This laptop moves between networks; configure {iface} for DHCP"),
            ("context", "Static addressing on {iface} causes conflicts, so move it to DHCP"),
            ("polite", "Please put {iface} on DHCP, thanks"),
            ("polite", "Would you mind switching {iface} to automatic addressing (DHCP)?"),
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
    updown_alt = {
        "net_up": [
            ("command", "ifconfig {iface} up"),
            ("command", "nmcli device connect {iface}"),
            ("command", "ip link set dev {iface} up"),
            ("imperative", "Turn on {iface}"),
            ("imperative", "Activate the interface {iface}"),
            ("imperative", "Bring the link {iface} online"),
            ("imperative", "Start the network interface {iface}"),
            ("imperative", "Re-enable the NIC {iface}"),
            ("imperative", "Set link {iface} up"),
            ("terse", "{iface} up"),
            ("terse", "link up {iface}"),
            ("ticket", "[{ticket}] {iface} is down, please bring it up"),
            ("question", "Could you bring {iface} back online?"),
            ("question", "Can {iface} be brought up?"),
            ("passive", "{iface} needs to be up again"),
            ("swapped", "Online again, please: {iface}"),
            ("context", "The switch port was replaced, so bring {iface} up"),
            ("context", "Maintenance is over; re-enable {iface}"),
            ("polite", "Please bring up interface {iface}, thanks"),
            ("polite", "Would you mind enabling {iface}?"),
        ],
        "net_down": [
            ("command", "ifconfig {iface} down"),
            ("command", "nmcli device disconnect {iface}"),
            ("command", "ip link set dev {iface} down"),
            ("imperative", "Turn off {iface}"),
            ("imperative", "Disable the NIC {iface}"),
            ("imperative", "Take the link {iface} offline"),
            ("imperative", "Shut the interface {iface}"),
            ("imperative", "Stop the network interface {iface}"),
            ("imperative", "Set link {iface} down"),
            ("terse", "{iface} down"),
            ("terse", "link down {iface}"),
            ("ticket", "[{ticket}] Please shut {iface} during the maintenance window"),
            ("question", "Could you take {iface} down?"),
            ("question", "Can {iface} be shut down?"),
            ("passive", "{iface} needs to be disabled for now"),
            ("swapped", "Offline, please: {iface}"),
            ("context", "{iface} is flapping and spamming the logs, so bring it down"),
            ("context", "We are swapping the cable on {iface}; take it down first"),
            ("polite", "Please bring down interface {iface}, thanks"),
            ("polite", "Would you mind disabling {iface}?"),
        ],
    }
    for action, items in updown_alt.items():
        t += family(action, "alt", {"interface": "{iface}"}, items)
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
        "plain_alt",
        {"servers": "{servers}"},
        [
            ("imperative", "Point DNS resolution at {servers}"),
            ("imperative", "Change the name servers to {servers}"),
            ("imperative", "Configure {servers} as the DNS resolvers"),
            ("terse", "dns servers: {servers}"),
            ("terse", "resolv.conf -> {servers}"),
            ("ticket", "[{ticket}] Update nameservers to {servers}"),
            ("question", "Could you switch the resolvers to {servers}?"),
            ("swapped", "{servers} - use those as DNS servers"),
            ("context", "The old DNS server is being retired, so use {servers} as nameservers"),
            ("context", "Lookups are slow; switch the resolvers to {servers}"),
            ("polite", "Please set the DNS servers to {servers}, thanks"),
        ],
    )
    t += family(
        "net_set_nameservers",
        "primary",
        {"servers": ["{ns}", "{ns2}"]},
        [
            ("imperative", "Set the primary DNS to {ns} and the secondary to {ns2}"),
            ("terse", "dns1={ns} dns2={ns2}"),
            ("polite", "Please use {ns} as primary nameserver and {ns2} as secondary"),
            ("context", "Our resolvers are {ns} (primary) and {ns2} (backup); configure them"),
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
    t += family(
        "net_set_nameservers",
        "iface_alt",
        {"servers": "{servers}", "interface": "{iface}"},
        [
            ("imperative", "Use {servers} for DNS on {iface}"),
            ("ticket", "{ticket}: {iface} resolvers -> {servers}"),
            ("question", "Can you set the nameservers of {iface} to {servers}?"),
            ("polite", "Please configure {servers} as DNS servers on interface {iface}"),
            ("passive", "{iface} should resolve names via {servers}"),
        ],
    )
    t += family(
        "net_set_nameservers",
        "iface_ns",
        {"servers": ["{ns}", "{ns2}"], "interface": "{iface}"},
        [
            ("command", 'nmcli con mod {iface} ipv4.dns "{ns} {ns2}"'),
            ("command", "resolvectl dns {iface} {ns} {ns2}"),
            ("imperative", "On {iface}, set DNS 1 to {ns} and DNS 2 to {ns2}"),
        ],
    )
    return t


def templates() -> list[Template]:
    """All tier-2 templates (mail, pki, firewall, network)."""
    return _mail() + _pki() + _firewall() + _network()

"""DNS templates: dns_add (A / AAAA / CNAME / MX / TXT, TTL), dns_update, dns_remove, dns_lookup."""

from __future__ import annotations

from microllm.data.templates_base import Template, family

_A = {"name": "{host}", "record_type": "A", "value": "{ipv4}"}
_AAAA = {"name": "{host}", "record_type": "AAAA", "value": "{ipv6}"}
_CNAME = {"name": "{host}", "record_type": "CNAME", "value": "{host2}"}
_MX = {"name": "{domain}", "record_type": "MX", "value": "{mx}", "priority": "{prio}"}
_TXT = {"name": "{domain}", "record_type": "TXT", "value": "{txt}"}


def templates() -> list[Template]:
    """All DNS templates."""
    t: list[Template] = []
    t += family(
        "dns_add",
        "a",
        _A,
        [
            ("imperative", "Add DNS record {host} to {ipv4}"),
            ("imperative", "Create an A record for {host} pointing to {ipv4}"),
            ("polite", "Could you please add {host} to DNS with the address {ipv4}?"),
            ("terse", "dns add {host} -> {ipv4}"),
            ("ticket", "{ticket}: new A record needed for {host} ({ipv4})"),
            ("question", "Can you add a DNS entry for {host} resolving to {ipv4}?"),
            ("passive", "An A record for {host} should be created pointing to {ipv4}"),
            ("swapped", "Register {ipv4} in DNS as {host}"),
            ("context", "The new build box is up at {ipv4}, add {host} to DNS so CI can reach it"),
            ("imperative", "Point {host} at {ipv4}"),
            ("swapped", "{ipv4} should resolve as {host}, please add the record"),
            ("terse", "A {host} {ipv4}"),
            ("polite", "Please create a host record {host} with IP {ipv4}, thanks"),
            ("imperative", "Make {host} resolve to {ipv4}"),
            ("context", "We just racked a new server ({ipv4}). Add a DNS record {host} for it"),
            ("command", "add record name={host} type=A value={ipv4}"),
        ],
    )
    t += family(
        "dns_add",
        "a_ttl",
        {**_A, "ttl": "{ttl}"},
        [
            ("imperative", "Add an A record {host} -> {ipv4} with a TTL of {ttl}"),
            ("terse", "dns add {host} {ipv4} ttl {ttl_s}"),
            ("polite", "Could you create {host} pointing to {ipv4}? Use a TTL of {ttl} please"),
            ("context", "For the failover test add {host} at {ipv4} with a short TTL ({ttl})"),
            ("question", "Can you add {host} -> {ipv4} to DNS, TTL {ttl}?"),
            ("swapped", "With a {ttl} TTL, add the A record {host} for {ipv4}"),
        ],
    )
    t = [x if "ttl_s" not in x.text else _ttl_s(x) for x in t]
    t += family(
        "dns_add",
        "aaaa",
        _AAAA,
        [
            ("imperative", "Add an AAAA record for {host} pointing to {ipv6}"),
            ("imperative", "Add DNS record {host} to {ipv6}"),
            ("terse", "dns add {host} -> {ipv6}"),
            ("polite", "Please add the IPv6 address {ipv6} for {host} to DNS"),
            ("ticket", "{ticket} - {host} needs an AAAA record, address {ipv6}"),
            ("question", "Could you create an AAAA entry {host} with value {ipv6}?"),
            ("passive", "{host} should be published in DNS with {ipv6}"),
            ("swapped", "Register {ipv6} as {host}"),
            ("context", "We are enabling IPv6 on the web tier: add {host} with {ipv6}"),
        ],
    )
    t += family(
        "dns_add",
        "aaaa_ttl",
        {**_AAAA, "ttl": "{ttl}"},
        [
            ("imperative", "Create an AAAA record {host} -> {ipv6}, TTL {ttl}"),
            ("polite", "Please add {host} at {ipv6} with a TTL of {ttl}"),
        ],
    )
    t += family(
        "dns_add",
        "cname",
        _CNAME,
        [
            ("imperative", "Create CNAME from {host} to {host2}"),
            ("imperative", "Make {host} an alias for {host2}"),
            ("terse", "cname {host} -> {host2}"),
            ("polite", "Could you please add a CNAME record {host} pointing to {host2}?"),
            ("ticket", "{ticket}: please alias {host} to {host2}"),
            ("question", "Can you set up {host} as a CNAME of {host2}?"),
            ("passive", "A CNAME for {host} should be created that points to {host2}"),
            ("swapped", "{host2} also needs to answer as {host}: add a CNAME for it"),
            ("context", "The docs moved to the new server, add a DNS alias {host} for {host2}"),
            ("imperative", "Add a CNAME {host} targeting {host2}"),
            ("command", "add record name={host} type=CNAME value={host2}"),
        ],
    )
    t += family(
        "dns_add",
        "cname_ttl",
        {**_CNAME, "ttl": "{ttl}"},
        [
            ("imperative", "Create a CNAME {host} -> {host2} with TTL {ttl}"),
            ("polite", "Please alias {host} to {host2}, TTL {ttl}"),
        ],
    )
    t += family(
        "dns_add",
        "mx",
        _MX,
        [
            ("imperative", "Add an MX record for {domain} pointing to {mx} with priority {prio}"),
            ("terse", "mx {domain} {prio} {mx}"),
            ("polite", "Could you add {mx} as mail server for {domain} with preference {prio}?"),
            ("ticket", "{ticket}: add MX {mx} (priority {prio}) to {domain}"),
            ("swapped", "Use {mx} with priority {prio} as the mail server of {domain}"),
            ("context", "We are moving mail in-house, so add an MX for {domain}: {mx}, priority {prio}"),
            ("imperative", "Create an MX record {domain} -> {mx}, priority {prio}"),
            ("question", "Can you make {mx} the MX for {domain} with priority {prio}?"),
            ("passive", "{mx} should become a mail server of {domain} at priority {prio}"),
        ],
    )
    t += family(
        "dns_add",
        "mx_noprio",
        {k: v for k, v in _MX.items() if k != "priority"},
        [
            ("imperative", "Set {mx} as the mail server for {domain}"),
            ("question", "Can you add an MX record on {domain} for {mx}?"),
            ("passive", "Mail for {domain} should be delivered to {mx}, add the MX record"),
        ],
    )
    t += family(
        "dns_add",
        "txt",
        _TXT,
        [
            ("imperative", 'Add a TXT record to {domain} with the value "{txt}"'),
            ("terse", 'txt {domain} "{txt}"'),
            ("polite", 'Could you please publish a TXT record on {domain}: "{txt}"'),
            ("ticket", '{ticket}: vendor needs TXT "{txt}" on {domain}'),
            ("question", 'Can you create a TXT entry for {domain} containing "{txt}"?'),
            ("context", 'To verify the domain with the vendor, add TXT "{txt}" to {domain}'),
            ("swapped", 'Put "{txt}" in a TXT record for {domain}'),
        ],
    )
    t += family(
        "dns_add",
        "txt_ttl",
        {**_TXT, "ttl": "{ttl}"},
        [
            ("imperative", 'Add TXT record {domain} "{txt}" with a TTL of {ttl}'),
        ],
    )

    t += family(
        "dns_update",
        "a",
        _A,
        [
            ("imperative", "Change {host} to {ipv4}"),
            ("imperative", "Update the A record for {host} to {ipv4}"),
            ("terse", "dns update {host} -> {ipv4}"),
            ("polite", "Could you please point {host} to the new address {ipv4}?"),
            ("ticket", "{ticket}: {host} moved, update its DNS record to {ipv4}"),
            ("question", "Can you update {host} so it resolves to {ipv4}?"),
            ("passive", "The record for {host} should be changed to {ipv4}"),
            ("context", "{host} moved to {ipv4} after the migration, please update DNS"),
            ("swapped", "Set {ipv4} as the new IP of {host} in DNS"),
            ("imperative", "Modify the DNS entry of {host}: new IP {ipv4}"),
        ],
    )
    t += family(
        "dns_update",
        "a_ttl",
        {**_A, "ttl": "{ttl}"},
        [
            ("imperative", "Update {host} to {ipv4} and set the TTL to {ttl}"),
            ("polite", "Please change the A record of {host} to {ipv4} with a TTL of {ttl}"),
            ("terse", "dns update {host} {ipv4} ttl {ttl_s}"),
        ],
    )
    t += family(
        "dns_update",
        "aaaa",
        _AAAA,
        [
            ("imperative", "Update the AAAA record of {host} to {ipv6}"),
            ("context", "{host} got a new IPv6 address: {ipv6}, update the record"),
            ("polite", "Please change {host} to {ipv6}"),
        ],
    )
    t += family(
        "dns_update",
        "cname",
        _CNAME,
        [
            ("imperative", "Update the CNAME {host} to point to {host2}"),
            ("polite", "Could you change the alias {host} so it targets {host2}?"),
            ("terse", "cname update {host} -> {host2}"),
            ("context", "We retired the old box, repoint the CNAME {host} at {host2}"),
        ],
    )
    t += family(
        "dns_update",
        "mx",
        {k: v for k, v in _MX.items() if k != "priority"},
        [
            ("imperative", "Change the MX record of {domain} to {mx}"),
            ("passive", "The mail server for {domain} should now be {mx}, update the MX"),
        ],
    )
    t += family(
        "dns_update",
        "txt",
        _TXT,
        [
            ("imperative", 'Update the TXT record on {domain} to "{txt}"'),
            ("polite", 'Please replace the TXT value of {domain} with "{txt}"'),
        ],
    )
    t = [x if "ttl_s" not in x.text else _ttl_s(x) for x in t]

    t += family(
        "dns_remove",
        "any",
        {"name": "{host}"},
        [
            ("imperative", "Remove DNS entry for {host}"),
            ("imperative", "Delete the DNS record {host}"),
            ("terse", "dns rm {host}"),
            ("polite", "Could you please remove {host} from DNS?"),
            ("ticket", "{ticket}: decommissioned, drop {host} from DNS"),
            ("question", "Can you delete the record for {host}?"),
            ("passive", "{host} should be removed from the zone"),
            ("context", "{host} is decommissioned, please remove it from DNS"),
            ("imperative", "Get rid of the DNS entry {host}"),
            ("command", "delete record name={host}"),
            ("terse", "remove dns {host}"),
        ],
    )
    for rt, word in (("A", "A"), ("AAAA", "AAAA"), ("CNAME", "CNAME"), ("TXT", "TXT"), ("MX", "MX")):
        t += family(
            "dns_remove",
            rt.lower(),
            {"name": "{host}", "record_type": rt},
            [
                ("imperative", f"Delete the {word} record for {{host}}"),
                ("polite", f"Please remove the {word} record of {{host}}"),
                ("terse", f"dns rm {{host}} {word}"),
            ][: 3 if rt in ("A", "CNAME") else 2],
        )

    t += family(
        "dns_lookup",
        "any",
        {"name": "{host}"},
        [
            ("imperative", "Look up {host}"),
            ("imperative", "Resolve {host}"),
            ("question", "What is the IP of {host}?"),
            ("command", "nslookup {host}"),
            ("question", "What does {host} resolve to?"),
            ("polite", "Could you check what {host} resolves to?"),
            ("question", "Can you tell me the address of {host}?"),
            ("ticket", "{ticket}: please look up {host} in DNS"),
            ("context", "Before I update the firewall, resolve {host} for me"),
            ("command", "dig {host}"),
            ("question", "what's the IP address for {host}"),
            ("imperative", "Find the DNS record for {host}"),
        ],
    )
    for rt in ("A", "AAAA", "MX", "TXT", "CNAME", "NS"):
        name = "{domain}" if rt in ("MX", "TXT", "NS") else "{host}"
        t += family(
            "dns_lookup",
            rt.lower(),
            {"name": name, "record_type": rt},
            [
                ("question", f"What's the {rt} record for {name}?"),
                ("command", f"dig {name} {rt}"),
                ("imperative", f"Look up the {rt} records of {name}"),
            ][: 3 if rt in ("MX", "AAAA", "TXT") else 2],
        )
    return t


def _ttl_s(tpl: Template) -> Template:
    """Same template, but the TTL field reads the plain-seconds slot."""
    fields = {**tpl.fields, "ttl": "{ttl_s}"}
    return Template(tpl.id, tpl.action, tpl.text, fields, tpl.style)

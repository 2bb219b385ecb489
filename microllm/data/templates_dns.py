"""DNS templates: dns_add (A / AAAA / CNAME / MX / TXT / NS, TTL), dns_update, dns_remove, dns_lookup.

Besides plain requests, families hold CLI-like forms (nsupdate ``update add`` lines, zone-file
``IN A`` lines, ``dig`` / ``host -t``) and requests with a reason or context around the values.
TTLs read the ``{ttl}`` slot (seconds, minutes, hours, days in words) or, in CLI forms, the
plain-seconds ``{ttl_s}`` slot (see :func:`_ttl_s`).
"""

from __future__ import annotations

from microllm.data.templates_base import Template, family

_A = {"name": "{host}", "record_type": "A", "value": "{ipv4}"}
_AAAA = {"name": "{host}", "record_type": "AAAA", "value": "{ipv6}"}
_CNAME = {"name": "{host}", "record_type": "CNAME", "value": "{host2}"}
_MX = {"name": "{domain}", "record_type": "MX", "value": "{mx}", "priority": "{prio}"}
_MX_NOPRIO = {k: v for k, v in _MX.items() if k != "priority"}
_TXT = {"name": "{domain}", "record_type": "TXT", "value": "{txt}"}
_NS = {"name": "{domain}", "record_type": "NS", "value": "{host}"}


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
            ("imperative", "Create a host record for {host} with address {ipv4}"),
            ("imperative", "Map {host} to {ipv4} in DNS"),
            ("imperative", "Publish {host} at {ipv4}"),
            ("imperative", "Set up an A record {host} -> {ipv4} for the new staging box"),
            ("imperative", "Add {host} with IP {ipv4} to the zone"),
            ("polite", "Would you mind adding an A record so {host} resolves to {ipv4}? Thanks!"),
            ("polite", "Hi, please register {host} -> {ipv4} when you get a chance"),
            ("terse", "new A: {host} {ipv4}"),
            ("ticket", "{ticket} | DNS | add A record {host} -> {ipv4}"),
            ("ticket", "Re {ticket}: the box {host} is live on {ipv4}, please create the A record"),
            ("question", "Could {host} get an A record pointing at {ipv4}?"),
            ("question", "Is it possible to add {host} as {ipv4} in our DNS?"),
            ("passive", "{host} needs to be resolvable at {ipv4}"),
            ("passive", "A new record is required: {host} resolving to {ipv4}"),
            ("swapped", "IP {ipv4}, hostname {host}: please add it to DNS"),
            ("swapped", "{ipv4} is the address of {host}, create the DNS record"),
            ("context", "For the new staging box we need {host} pointing at {ipv4}"),
            ("context", "Monitoring can't find the new VM yet; add {host} -> {ipv4}"),
            ("command", "{host} IN A {ipv4}"),
            ("command", "add to zone: {host} IN A {ipv4}"),
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
            ("imperative", "Add {host} pointing to {ipv4}, TTL of {ttl}"),
            ("command", "update add {host} {ttl_s} A {ipv4}"),
            ("command", "{host} {ttl_s} IN A {ipv4}"),
            ("terse", "A {host} {ipv4} ttl={ttl_s}"),
            ("ticket", "{ticket}: A record {host} -> {ipv4} (TTL {ttl})"),
            ("passive", "{host} should resolve to {ipv4} with a TTL of {ttl}"),
            ("context", "We're migrating soon, so add {host} at {ipv4} but keep the TTL at {ttl}"),
            ("polite", "Please add an A record for {host} ({ipv4}); a TTL of {ttl} is fine"),
            ("question", "Could you publish {host} as {ipv4} with a {ttl_s} second TTL?"),
            ("swapped", "TTL of {ttl}, address {ipv4}, name {host}: please add it"),
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
            ("imperative", "Publish an IPv6 record for {host}: {ipv6}"),
            ("imperative", "Point {host} at {ipv6}"),
            ("imperative", "Add a quad-A record {host} -> {ipv6}"),
            ("command", "{host} IN AAAA {ipv6}"),
            ("terse", "AAAA {host} {ipv6}"),
            ("question", "Can {host} also get the v6 address {ipv6} in DNS?"),
            ("passive", "An AAAA record pointing {host} to {ipv6} is needed"),
            ("context", "The dual-stack rollout reached {host}; publish {ipv6} for it"),
            ("swapped", "{ipv6} belongs to {host}, add the AAAA record"),
            ("ticket", "{ticket}: IPv6 for {host} is {ipv6}, please publish it"),
        ],
    )
    t += family(
        "dns_add",
        "aaaa_ttl",
        {**_AAAA, "ttl": "{ttl}"},
        [
            ("imperative", "Create an AAAA record {host} -> {ipv6}, TTL {ttl}"),
            ("polite", "Please add {host} at {ipv6} with a TTL of {ttl}"),
            ("command", "update add {host} {ttl_s} AAAA {ipv6}"),
            ("terse", "aaaa {host} {ipv6} ttl {ttl}"),
            ("context", "While we test IPv6, add {ipv6} for {host} with a TTL of {ttl}"),
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
            ("imperative", "Alias {host} to {host2}"),
            ("imperative", "Create an alias record {host} for {host2}"),
            ("imperative", "Set up {host} as an alias of {host2}"),
            ("imperative", "Add a canonical name record {host} -> {host2}"),
            ("command", "{host} IN CNAME {host2}"),
            ("terse", "CNAME: {host} => {host2}"),
            ("ticket", "{ticket} - add CNAME {host} (target {host2})"),
            ("question", "Could {host} be a CNAME pointing to {host2}?"),
            ("passive", "{host} should be aliased to {host2}"),
            ("context", "For the new staging box we want the friendly name {host}; make it a CNAME to {host2}"),
            ("swapped", "Target {host2}, alias {host}: please create the CNAME"),
            ("polite", "Please set up a CNAME so {host} goes to {host2}, thanks"),
        ],
    )
    t += family(
        "dns_add",
        "cname_ttl",
        {**_CNAME, "ttl": "{ttl}"},
        [
            ("imperative", "Create a CNAME {host} -> {host2} with TTL {ttl}"),
            ("polite", "Please alias {host} to {host2}, TTL {ttl}"),
            ("command", "update add {host} {ttl_s} CNAME {host2}"),
            ("terse", "cname {host} {host2} ttl={ttl_s}"),
            ("context", "We may flip it back soon, so alias {host} to {host2} with a TTL of {ttl}"),
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
            ("command", "{domain} IN MX {prio} {mx}"),
            ("imperative", "Add {mx} as an MX for {domain} at preference {prio}"),
            ("imperative", "Register the mail server {mx} for {domain}, priority {prio}"),
            ("terse", "MX {domain} -> {mx} pri {prio}"),
            ("polite", "Please add a mail server record for {domain}: {mx} with priority {prio}"),
            ("question", "Could {domain} get an MX record for {mx}, priority {prio}?"),
            ("ticket", "{ticket}: new MX for {domain} - host {mx}, pref {prio}"),
            ("context", "The backup mail gateway is ready; add {mx} as MX of {domain} with priority {prio}"),
        ],
    )
    t += family(
        "dns_add",
        "mx_ttl",
        {**_MX, "ttl": "{ttl}"},
        [
            ("command", "update add {domain} {ttl_s} MX {prio} {mx}"),
            ("imperative", "Add an MX record for {domain} to {mx} with priority {prio} and a TTL of {ttl}"),
            ("command", "{domain} {ttl_s} IN MX {prio} {mx}"),
        ],
    )
    t += family(
        "dns_add",
        "mx_noprio",
        _MX_NOPRIO,
        [
            ("imperative", "Set {mx} as the mail server for {domain}"),
            ("question", "Can you add an MX record on {domain} for {mx}?"),
            ("passive", "Mail for {domain} should be delivered to {mx}, add the MX record"),
            ("imperative", "Make {mx} the mail server for {domain}"),
            ("polite", "Please add an MX for {domain} pointing to {mx}"),
            ("terse", "mx {domain} -> {mx}"),
            ("context", "Mail is moving to the new gateway; {domain} should use {mx} as its MX"),
            ("ticket", "{ticket}: add MX record {mx} to {domain}"),
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
            ("command", '{domain} IN TXT "{txt}"'),
            ("imperative", 'Set a TXT record "{txt}" on {domain}'),
            ("imperative", 'Publish "{txt}" as a TXT record of {domain}'),
            ("passive", '{domain} needs a TXT record with "{txt}"'),
            ("polite", 'Hi, could you add this TXT to {domain} please: "{txt}"'),
            ("question", 'Could you put a TXT entry "{txt}" on {domain}?'),
        ],
    )
    t += family(
        "dns_add",
        "txt_ttl",
        {**_TXT, "ttl": "{ttl}"},
        [
            ("imperative", 'Add TXT record {domain} "{txt}" with a TTL of {ttl}'),
            ("command", 'update add {domain} {ttl_s} TXT "{txt}"'),
            ("polite", 'Please add a TXT record on {domain} with "{txt}", TTL of {ttl}'),
        ],
    )
    t += family(
        "dns_add",
        "ns",
        _NS,
        [
            ("imperative", "Add an NS record for {domain} pointing to {host}"),
            ("command", "{domain} IN NS {host}"),
            ("imperative", "Delegate {domain} to the name server {host}"),
            ("polite", "Please add {host} as a name server for {domain}"),
        ],
    )
    t = [x if "ttl_s" not in x.text else _ttl_s(x) for x in t]

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
            ("imperative", "Repoint {host} to {ipv4}"),
            ("imperative", "Move {host} to the new IP {ipv4}"),
            ("imperative", "Replace the address of {host} with {ipv4}"),
            ("imperative", "Switch {host} over to {ipv4}"),
            ("imperative", "Edit the A record {host} so it points to {ipv4}"),
            ("command", "dns update name={host} type=A value={ipv4}"),
            ("terse", "{host}: new IP {ipv4}"),
            ("ticket", "{ticket} - IP change for {host}, new address {ipv4}"),
            ("question", "Could you change the IP of {host} to {ipv4} in DNS?"),
            ("passive", "{host} has to point to {ipv4} from now on"),
            ("context", "After the rack move the server got {ipv4}; update {host} accordingly"),
            ("swapped", "The new address {ipv4} should replace what {host} has now"),
            ("polite", "Please update {host}'s A record to {ipv4}, thanks"),
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
            ("context", "Ahead of the cutover, change {host} to {ipv4} and drop the TTL to {ttl}"),
            ("command", "dns update name={host} type=A value={ipv4} ttl={ttl_s}"),
            ("question", "Can you repoint {host} to {ipv4} with a TTL of {ttl}?"),
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
            ("imperative", "Change the IPv6 address of {host} to {ipv6}"),
            ("terse", "dns update {host} -> {ipv6}"),
            ("ticket", "{ticket}: the AAAA of {host} changes to {ipv6}"),
            ("question", "Can you update the AAAA record of {host} to {ipv6}?"),
        ],
    )
    t += family(
        "dns_update",
        "aaaa_ttl",
        {**_AAAA, "ttl": "{ttl}"},
        [
            ("imperative", "Update the AAAA record of {host} to {ipv6} with a TTL of {ttl}"),
            ("terse", "aaaa update {host} {ipv6} ttl={ttl_s}"),
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
            ("imperative", "Repoint the alias {host} to {host2}"),
            ("imperative", "Change the CNAME target of {host} to {host2}"),
            ("question", "Can you make the CNAME {host} point to {host2} instead?"),
            ("passive", "The alias {host} should now point at {host2}"),
            ("ticket", "{ticket}: switch the CNAME {host} over to {host2}"),
            ("swapped", "{host2} is the new target of the CNAME {host}, please update it"),
        ],
    )
    t += family(
        "dns_update",
        "cname_ttl",
        {**_CNAME, "ttl": "{ttl}"},
        [
            ("imperative", "Update the CNAME {host} to {host2} and set the TTL to {ttl}"),
            ("polite", "Please repoint the alias {host} at {host2} with a TTL of {ttl}"),
        ],
    )
    t += family(
        "dns_update",
        "mx",
        _MX_NOPRIO,
        [
            ("imperative", "Change the MX record of {domain} to {mx}"),
            ("passive", "The mail server for {domain} should now be {mx}, update the MX"),
            ("imperative", "Switch the MX of {domain} to {mx}"),
            ("polite", "Please update the mail server record of {domain} to {mx}"),
            ("context", "We changed mail providers, so the MX of {domain} now has to be {mx}"),
            ("ticket", "{ticket}: update MX on {domain} -> {mx}"),
        ],
    )
    t += family(
        "dns_update",
        "txt",
        _TXT,
        [
            ("imperative", 'Update the TXT record on {domain} to "{txt}"'),
            ("polite", 'Please replace the TXT value of {domain} with "{txt}"'),
            ("imperative", 'Change the TXT on {domain} to "{txt}"'),
            ("context", 'The vendor rotated the token; the TXT of {domain} must now read "{txt}"'),
            ("terse", 'txt update {domain} "{txt}"'),
        ],
    )
    t += family(
        "dns_update",
        "txt_ttl",
        {**_TXT, "ttl": "{ttl}"},
        [("imperative", 'Update the TXT record on {domain} to "{txt}" with a TTL of {ttl}')],
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
            ("imperative", "Drop {host} from DNS"),
            ("imperative", "Purge all records for {host}"),
            ("imperative", "Unregister {host} from DNS"),
            ("imperative", "Take {host} out of the zone"),
            ("command", "update delete {host}"),
            ("command", "dns delete {host}"),
            ("terse", "rm dns {host} pls"),
            ("ticket", "{ticket}: cleanup, {host} no longer exists - remove it from DNS"),
            ("question", "Could you get rid of the DNS entry for {host}?"),
            ("passive", "The DNS record of {host} is no longer needed and should be deleted"),
            ("context", "The old staging box is gone, so {host} can be removed from DNS"),
            ("polite", "Please clean up the DNS record for {host}, thank you"),
            ("swapped", "{host} - please delete it from DNS"),
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
    for rt in ("A", "AAAA", "CNAME", "TXT", "MX", "NS"):
        name = "{domain}" if rt in ("MX", "TXT", "NS") else "{host}"
        items = [
            ("command", f"update delete {name} {rt}"),
            ("imperative", f"Remove the {rt} entry of {name}"),
            ("question", f"Can you drop the {rt} record on {name}?"),
            ("context", f"{name} keeps its other records, just delete the {rt} record"),
        ]
        t += family("dns_remove", f"{rt.lower()}_x", {"name": name, "record_type": rt}, items[: 4 if rt != "NS" else 2])
    t += family(
        "dns_remove",
        "typed_words",
        {"name": "{domain}", "record_type": "MX"},
        [
            ("imperative", "Remove the mail server record of {domain}"),
            ("passive", "The MX record of {domain} should be deleted"),
        ],
    )
    t += family(
        "dns_remove",
        "alias",
        {"name": "{host}", "record_type": "CNAME"},
        [
            ("imperative", "Remove the alias {host}"),
            ("ticket", "{ticket}: drop the CNAME {host}, nothing uses it anymore"),
            ("polite", "Could you delete the DNS alias {host}, please?"),
        ],
    )
    t += family(
        "dns_remove",
        "aaaa_only",
        {"name": "{host}", "record_type": "AAAA"},
        [("imperative", "Delete the AAAA record of {host} but keep the A record")],
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
            ("command", "host {host}"),
            ("command", "dig +short {host}"),
            ("imperative", "Query DNS for {host}"),
            ("imperative", "Check what {host} points to"),
            ("question", "Which IP does {host} have?"),
            ("question", "where does {host} point?"),
            ("polite", "Could you do a quick DNS lookup on {host}, please?"),
            ("ticket", "{ticket}: need the current DNS answer for {host}"),
            ("passive", "A lookup of {host} is needed"),
            ("context", "I'm writing the firewall rule for the new box - what does {host} resolve to?"),
            ("swapped", "{host} - what IP is that?"),
            ("terse", "resolve {host} pls"),
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
    for rt in ("A", "AAAA", "MX", "TXT", "CNAME", "NS"):
        name = "{domain}" if rt in ("MX", "TXT", "NS") else "{host}"
        t += family(
            "dns_lookup",
            f"{rt.lower()}_x",
            {"name": name, "record_type": rt},
            [
                ("command", f"dig +short {name} {rt}"),
                ("command", f"host -t {rt.lower()} {name}"),
                ("question", f"Which {rt} records does {name} have?"),
                ("imperative", f"Show me the {rt} record of {name}"),
                ("polite", f"Could you check the {rt} entries for {name}, please?"),
            ],
        )
    t += family(
        "dns_lookup",
        "mx_words",
        {"name": "{domain}", "record_type": "MX"},
        [
            ("question", "Which mail servers does {domain} use?"),
            ("command", "nslookup -type=mx {domain}"),
        ],
    )
    t += family(
        "dns_lookup",
        "ns_words",
        {"name": "{domain}", "record_type": "NS"},
        [("question", "Which name servers are authoritative for {domain}?")],
    )
    t += family(
        "dns_lookup",
        "cname_words",
        {"name": "{host}", "record_type": "CNAME"},
        [("question", "What does the alias {host} point to?")],
    )
    return t


def _ttl_s(tpl: Template) -> Template:
    """Same template, but the TTL field reads the plain-seconds slot."""
    fields = {**tpl.fields, "ttl": "{ttl_s}"}
    return Template(tpl.id, tpl.action, tpl.text, fields, tpl.style)

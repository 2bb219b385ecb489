"""Slot sampling: for one operation, draw its values (surfaces and gold fields), optional fields included at random.

The gold of a request is ``{"action": op}`` merged with the gold fields of its slots (:func:`gold_of`). Surfaces
follow the spec's rules from the other side: host names may be written in any case or with a trailing dot (the
gold is lower-case, no dot), IPv6 addresses in any textual form (the gold is canonical), an address with a netmask
(the gold is CIDR), durations in words ("a year" is 365), services in upper case (the gold is lower-case).
"""

from __future__ import annotations

import ipaddress
import random

from microllm.data.diverse.values import DiversePool, Val
from microllm.schema import MODEL_BY_ACTION, required_fields

_TTL = [
    ("300", 300),
    ("300s", 300),
    ("60 seconds", 60),
    ("5 minutes", 300),
    ("5 min", 300),
    ("1h", 3600),
    ("1 hour", 3600),
    ("an hour", 3600),
    ("2 hours", 7200),
    ("1 day", 86400),
    ("a day", 86400),
    ("86400", 86400),
    ("3600 seconds", 3600),
    ("15 minutes", 900),
    ("half an hour", 1800),
    ("600", 600),
    ("120s", 120),
    ("10 minutes", 600),
    ("4 hours", 14400),
]
_DAYS = [
    ("90 days", 90),
    ("30 days", 30),
    ("365 days", 365),
    ("a year", 365),
    ("one year", 365),
    ("1 year", 365),
    ("2 weeks", 14),
    ("3 weeks", 21),
    ("52 weeks", 364),
    ("397 days", 397),
    ("825 days", 825),
    ("10 days", 10),
    ("14 days", 14),
    ("a week", 7),
    ("1 week", 7),
    ("60 days", 60),
    ("180 days", 180),
    ("4 weeks", 28),
    ("two weeks", 14),
    ("730 days", 730),
]
_RTYPE_SURFACES = {
    "A": ["A"],
    "AAAA": ["AAAA"],
    "CNAME": ["CNAME", "CNAME", "cname", "alias"],
    "MX": ["MX", "MX", "mx"],
    "TXT": ["TXT", "TXT", "txt"],
}
# Anaphors a later step (or clause) may use for a value an earlier one wrote out.
ANAPHORS = {
    "username": ["him", "her", "them", "the new user", "that account"],
    "group": ["it", "that group", "the new group"],
    "share": ["it", "the new share", "that share"],
    "common_name": ["it", "that name", "the same host"],
    "name": ["it", "that name"],
    "port": ["it", "that port"],
    "service": ["it"],
}


def host_surface(gold: str, rng: random.Random) -> str:
    """How a request may write host name ``gold``: mostly as is, sometimes capitalised, upper-case or with a dot."""
    r = rng.random()
    surface = gold
    if r < 0.07:
        surface = gold[0].upper() + gold[1:]
    elif r < 0.1:
        surface = gold.upper()
    elif r < 0.13:
        labels = gold.split(".")
        surface = ".".join(x.capitalize() for x in labels[:-1]) + "." + labels[-1].upper()
    if rng.random() < 0.05:
        surface += "."
    return surface


def _join_items(items: list[str], rng: random.Random) -> str:
    if len(items) == 1:
        return items[0]
    if len(items) == 2:
        return rng.choice([" and ", ", ", " & "]).join(items)
    style = rng.random()
    if style < 0.4:
        return ", ".join(items)
    if style < 0.8:
        return ", ".join(items[:-1]) + " and " + items[-1]
    return ", ".join(items[:-1]) + ", and " + items[-1]


def list_val(field: str, items: list[str], golds: list[str], rng: random.Random) -> Val:
    """A list slot: surfaces joined for prose; genres that join items their own way read ``items``."""
    return Val(_join_items(items, rng), {field: golds}, items=tuple(items))


def _ip_or_v6(pool: DiversePool, rng: random.Random, v6: float = 0.2) -> tuple[str, str]:
    if rng.random() < v6:
        return pool.ipv6()
    ip = pool.ipv4()
    return ip, ip


def _host(pool: DiversePool, rng: random.Random, field: str, domain: float = 0.15) -> Val:
    gold = pool.domain() if rng.random() < domain else pool.fqdn()
    return Val(host_surface(gold, rng), {field: gold})


def _dns_value(rtype: str, name: str, pool: DiversePool, rng: random.Random) -> Val:
    if rtype == "A":
        ip = pool.ipv4()
        return Val(ip, {"value": ip}, key="ip")
    if rtype == "AAAA":
        surface, gold = pool.ipv6()
        return Val(surface, {"value": gold}, key="ip")
    if rtype == "CNAME":
        gold = pool.fqdn()
        return Val(host_surface(gold, rng), {"value": gold}, key="host")
    if rtype == "MX":
        domain = name.removeprefix("_dmarc.") if rng.random() < 0.4 else pool.domain()
        gold = f"{rng.choice(['mx1', 'mx2', 'mail', 'smtp', 'mx', 'inbound'])}.{domain}"
        return Val(host_surface(gold, rng), {"value": gold}, key="mx")
    text = pool.txt()
    return Val(f'"{text}"', {"value": text}, key="txt")


def _record_type(rtype: str, rng: random.Random, optional: bool) -> Val:
    return Val(rng.choice(_RTYPE_SURFACES[rtype]), {"record_type": rtype}, key=rtype.lower(), optional=optional)


def _dns(action: str, pool: DiversePool, rng: random.Random) -> dict[str, Val]:
    slots: dict[str, Val] = {}
    if action in ("dns_add", "dns_update"):
        types, weights = (["A", "AAAA", "CNAME", "MX", "TXT"], [45, 15, 20, 10, 10])
        if action == "dns_update":
            types, weights = (["A", "AAAA", "CNAME", "TXT"], [50, 15, 25, 10])
        rtype = rng.choices(types, weights)[0]
        name = pool.domain() if rtype in ("MX", "TXT") and rng.random() < 0.7 else pool.fqdn()
        if rtype == "TXT" and rng.random() < 0.2:
            name = "_dmarc." + name
        slots["name"] = Val(host_surface(name, rng), {"name": name})
        slots["record_type"] = _record_type(rtype, rng, optional=rtype in ("A", "AAAA"))
        slots["value"] = _dns_value(rtype, name, pool, rng)
        if action == "dns_update" and rtype in ("A", "AAAA", "CNAME") and rng.random() < 0.3:
            old = _dns_value(rtype, name, pool, rng)
            slots["old"] = Val(old.surface, {}, optional=True)
        if rng.random() < 0.25:
            surface, ttl = rng.choice(_TTL)
            slots["ttl"] = Val(surface, {"ttl": ttl})
        if rtype == "MX" and rng.random() < 0.6:
            prio = rng.choice([0, 5, 10, 10, 20, 30, 50])
            slots["priority"] = Val(str(prio), {"priority": prio})
        return slots
    slots["name"] = _host(pool, rng, "name", domain=0.25)
    if rng.random() < 0.3:
        slots["record_type"] = _record_type(rng.choice(["A", "AAAA", "CNAME", "MX", "TXT"]), rng, optional=False)
    return slots


def _user(pool: DiversePool) -> Val:
    u = pool.username()
    return Val(u, {"username": u})


def _group(pool: DiversePool) -> Val:
    g = pool.group()
    return Val(g, {"group": g})


def _users(action: str, pool: DiversePool, rng: random.Random) -> dict[str, Val]:
    if action in ("group_add", "group_remove"):
        return {"group": _group(pool)}
    slots = {"username": _user(pool)}
    if action == "user_add":
        if rng.random() < 0.35:
            pw = pool.password()
            slots["password"] = Val(pw, {"password": pw})
        if rng.random() < 0.3:
            fn = pool.full_name()
            slots["full_name"] = Val(fn, {"full_name": fn})
    elif action == "user_remove" and rng.random() < 0.35:
        flag = rng.random() < 0.7
        slots["remove_home"] = Val("", {"remove_home": flag}, key=str(flag).lower())
    elif action == "user_set_password":
        pw = pool.password()
        slots["password"] = Val(pw, {"password": pw})
    elif action in ("user_add_to_group", "user_remove_from_group"):
        slots["group"] = _group(pool)
    return slots


def _samba(action: str, pool: DiversePool, rng: random.Random) -> dict[str, Val]:
    share = pool.share()
    field = "name" if action in ("share_create", "share_remove") else "share"
    slots = {"share": Val(share, {field: share})}
    if action == "share_create":
        path = pool.path(share)
        slots["path"] = Val(path, {"path": path})
        for name, p in (("read_only", 0.25), ("guest_ok", 0.2)):
            if rng.random() < p:
                flag = rng.random() < 0.6
                slots[name] = Val("", {name: flag}, key=str(flag).lower())
        if rng.random() < 0.15:
            c = pool.comment()
            slots["comment"] = Val(c, {"comment": c})
    elif action in ("share_grant_access", "share_revoke_access"):
        if rng.random() < 0.65:
            slots["username"] = _user(pool)
        else:
            slots["group"] = _group(pool)
        if action == "share_grant_access" and rng.random() < 0.45:
            access = "read" if rng.random() < 0.4 else "write"
            slots["access"] = Val("", {"access": access}, key=access)
    return slots


def _mail(action: str, pool: DiversePool, rng: random.Random) -> dict[str, Val]:
    if action == "mail_set_relay":
        if rng.random() < 0.12:
            host = pool.ipv4()
            surface = host
        else:
            host = pool.relay_host()
            surface = host_surface(host, rng).rstrip(".")
        if rng.random() < 0.4:
            port = rng.choice([25, 587, 587, 10025, 8025])
            if rng.random() < 0.25:
                return {"host": Val(f"{surface}:{port}", {"host": host, "port": port}, key="hostport")}
            return {"host": Val(surface, {"host": host}), "port": Val(str(port), {"port": port})}
        return {"host": Val(surface, {"host": host})}
    alias = pool.alias()
    slots = {"alias": Val(alias, {"alias": alias}, key="address" if "@" in alias else "local")}
    if action == "mail_alias_add":
        dest = pool.destination()
        slots["destination"] = Val(dest, {"destination": dest})
    return slots


def _key(rng: random.Random) -> Val:
    kind = rng.choice(["rsa", "ec", "size", "rsa_size", "ec_size"])
    if kind == "rsa":
        return Val(rng.choice(["RSA", "rsa"]), {"key_type": "rsa"}, key=kind)
    if kind == "ec":
        return Val(rng.choice(["EC", "ECDSA", "elliptic-curve"]), {"key_type": "ec"}, key=kind)
    if kind == "size":
        bits = rng.choice([2048, 3072, 4096])
        return Val(rng.choice([f"{bits}-bit", f"{bits} bit"]), {"key_size": bits}, key=kind)
    if kind == "rsa_size":
        bits = rng.choice([2048, 3072, 4096])
        return Val(
            rng.choice([f"RSA {bits}", f"{bits}-bit RSA", f"RSA-{bits}"]),
            {"key_type": "rsa", "key_size": bits},
            key=kind,
        )
    bits = rng.choice([256, 384])
    return Val(
        rng.choice([f"EC {bits}", f"{bits}-bit EC", f"ECDSA P-{bits}"]), {"key_type": "ec", "key_size": bits}, key=kind
    )


def _pki(action: str, pool: DiversePool, rng: random.Random) -> dict[str, Val]:
    cn = pool.fqdn()
    if action == "cert_create" and rng.random() < 0.1:
        cn = "*." + pool.domain()
    slots = {"common_name": Val(host_surface(cn, rng).rstrip("."), {"common_name": cn})}
    if action in ("cert_create", "cert_renew") and rng.random() < 0.35:
        surface, days = rng.choice(_DAYS)
        slots["days"] = Val(surface, {"days": days})
    if action == "cert_create":
        if rng.random() < 0.25:
            names: list[str] = []
            while len(names) < rng.choice([1, 2, 2, 3]):
                n = (
                    pool.fqdn()
                    if rng.random() < 0.6
                    else f"{rng.choice(['www', 'api', 'mail', 'app'])}.{cn.lstrip('*.')}"
                )
                if n not in names and n != cn:
                    names.append(n)
            slots["alt_names"] = list_val("alt_names", names, names, rng)
        if rng.random() < 0.3:
            slots["key"] = _key(rng)
    return slots


def _firewall(action: str, pool: DiversePool, rng: random.Random) -> dict[str, Val]:
    slots: dict[str, Val] = {}
    if rng.random() < 0.6:
        port = pool.port()
        proto = rng.choice(["tcp", "tcp", "udp"]) if rng.random() < 0.4 else None
        if proto and rng.random() < 0.5:
            surface = f"{port}/{proto.upper() if rng.random() < 0.15 else proto}"
            slots["port"] = Val(surface, {"port": port, "protocol": proto}, key="portproto")
        else:
            slots["port"] = Val(str(port), {"port": port}, key="port")
            if proto:
                slots["protocol"] = Val(proto.upper() if rng.random() < 0.3 else proto, {"protocol": proto})
    else:
        svc = pool.service()
        slots["service"] = Val(svc.upper() if rng.random() < 0.25 else svc, {"service": svc})
    if rng.random() < 0.35:
        src = pool.ipv4() if rng.random() < 0.4 else pool.network()
        slots["source"] = Val(src, {"source": src})
    return slots


def _address(pool: DiversePool, rng: random.Random) -> tuple[Val, str | None]:
    """An interface address slot and a matching default gateway (None for IPv6)."""
    if rng.random() < 0.1:
        _, ip = pool.ipv6()
        plen = rng.choice([64, 64, 48, 56])
        return Val(f"{ip}/{plen}", {"address": str(ipaddress.ip_interface(f"{ip}/{plen}"))}, key="cidr"), None
    ip, plen = pool.ipv4(), pool.prefix_len()
    iface = ipaddress.ip_interface(f"{ip}/{plen}")
    hosts = iface.network.num_addresses
    first = iface.network.network_address + 1
    gw = first if first != iface.ip else iface.network.network_address + (hosts - 2 if hosts > 4 else 2)
    if rng.random() < 0.6:
        return Val(f"{ip}/{plen}", {"address": str(iface)}, key="cidr"), str(gw)
    mask = str(iface.network.netmask)
    form = rng.choice([f"{ip} netmask {mask}", f"{ip} netmask {mask}", f"{ip} mask {mask}"])
    return Val(form, {"address": str(iface)}, key="mask"), str(gw)


def _network(action: str, pool: DiversePool, rng: random.Random) -> dict[str, Val]:
    iface = pool.interface()
    slots = {"interface": Val(iface, {"interface": iface})}
    if action == "net_set_address":
        slots["address"], gw = _address(pool, rng)
        if gw and rng.random() < 0.35:
            slots["gateway"] = Val(gw, {"gateway": gw})
    elif action == "net_set_nameservers":
        servers: list[tuple[str, str]] = []
        while len(servers) < rng.choice([1, 2, 2, 2, 3]):
            ip = pool.resolver()
            if ip not in [g for _, g in servers]:
                servers.append((ip, str(ipaddress.ip_address(ip))))
        slots = {"servers": list_val("servers", [s for s, _ in servers], [g for _, g in servers], rng)}
        if rng.random() < 0.35:
            slots["interface"] = Val(iface, {"interface": iface})
    return slots


def sample_slots(action: str, pool: DiversePool, rng: random.Random) -> dict[str, Val]:
    """The slots of one request for operation ``action``."""
    if action.startswith("dns_"):
        return _dns(action, pool, rng)
    if action.startswith(("user_", "group_")):
        return _users(action, pool, rng)
    if action.startswith("share_"):
        return _samba(action, pool, rng)
    if action.startswith("mail_"):
        return _mail(action, pool, rng)
    if action.startswith("cert_"):
        return _pki(action, pool, rng)
    if action.startswith("fw_"):
        return _firewall(action, pool, rng)
    if action.startswith("net_"):
        return _network(action, pool, rng)
    raise ValueError(f"no slot sampler for {action!r}")


def gold_of(action: str, slots: dict[str, Val]) -> dict:
    """The raw gold intent of an operation request (validate it with :func:`microllm.schema.validate_intent`)."""
    gold: dict = {"action": action}
    for val in slots.values():
        gold.update(val.gold)
    return gold


def required_slots(action: str, slots: dict[str, Val]) -> list[str]:
    """Slots that hold a required field of ``action`` (for "exactly one of A / B", whichever of the two is there)."""
    required = set(required_fields(action)) | set(getattr(MODEL_BY_ACTION[action], "one_of", ("", ""))) - {""}
    return [n for n, v in slots.items() if set(v.gold) & required]


def missing_fields(action: str, dropped: list[Val]) -> list[str]:
    """The clarify ``missing`` list for the dropped slots: required fields only, "exactly one of A / B" as A."""
    fields = {f for v in dropped for f in v.gold}
    one_of = getattr(MODEL_BY_ACTION[action], "one_of", ("", ""))
    required = set(required_fields(action))
    out = {f for f in fields if f in required}
    if one_of[0] and fields & set(one_of):
        out.add(one_of[0])
    return sorted(out)

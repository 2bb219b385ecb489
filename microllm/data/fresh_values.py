"""Made-up slot values (pronounceable words, interface names, ports, more services) for the training split.

Data v2 drew every name from short curated lists (46 host labels, 62 user names, 24 groups, 20 shares), so the
model learned those lists instead of copying: on held-out values it wrote ``io`` for ``minio``, ``track`` for
``tracker`` and invented full names. Mixing in values it cannot have memorised makes copying the only strategy
that works. Only the train split gets them; val and test keep their own held-out lists, and a made-up value is
redrawn whenever it equals one of theirs.
"""

from __future__ import annotations

import random
from collections.abc import Callable

_C = "bcdfghjklmnprstvwxz"
_V = "aeiou"
_TAIL = "nrlsxk"


def word(rng: random.Random, lo: int = 2, hi: int = 3) -> str:
    """A pronounceable made-up word of ``lo``..``hi`` syllables, lower case (``kelimo``, ``vatrun``)."""
    w = "".join(rng.choice(_C) + rng.choice(_V) for _ in range(rng.randint(lo, hi)))
    return w + rng.choice(_TAIL) if rng.random() < 0.35 else w


def _num(rng: random.Random) -> str:
    return rng.choice([str(rng.randint(1, 9)), f"{rng.randint(1, 99):02d}", str(rng.randint(10, 999))])


def _user(rng: random.Random) -> str:
    w = word(rng)
    form = rng.randrange(7)
    if form == 0:
        return f"{rng.choice(_C)}.{w}"
    if form == 1:
        return f"{w}.{rng.choice(_C)}"
    if form == 2:
        return f"{w}_{rng.choice(_C)}"
    if form == 3:
        return w + _num(rng)
    if form == 4:
        return f"svc_{w}"
    if form == 5:
        return w.capitalize() + rng.choice(_C).upper()
    return w


def _group(rng: random.Random) -> str:
    w = word(rng)
    form = rng.randrange(5)
    if form == 0:
        return f"{w}-{rng.choice(['team', 'ops', 'users', 'admins', 'devs'])}"
    if form == 1:
        return f"{w}_{rng.choice(['staff', 'ro', 'rw', 'lead'])}"
    if form == 2:
        return w.capitalize()
    return w


def _share(rng: random.Random) -> str:
    w = word(rng)
    form = rng.randrange(5)
    if form == 0:
        return w.capitalize()
    if form == 1:
        return f"{w}_{rng.choice(['docs', 'data', 'files', 'backup'])}"
    if form == 2:
        return f"{w}-{rng.randint(2019, 2030)}"
    return w


def _host_label(rng: random.Random) -> str:
    w = word(rng)
    form = rng.randrange(4)
    if form == 0:
        return f"{w}-{rng.randint(1, 20):02d}"
    if form == 1:
        return w + str(rng.randint(1, 9))
    return w


def _alias(rng: random.Random) -> str:
    w = word(rng)
    return f"{w}-{rng.choice(['team', 'list', 'desk'])}" if rng.random() < 0.3 else w


def _full_name(rng: random.Random) -> str:
    return f"{word(rng).capitalize()} {word(rng).capitalize()}"


def _iface(rng: random.Random) -> str:
    n = rng.randint(0, 9)
    forms = [f"eth{n}", f"ens{rng.randint(1, 256)}", f"enp{n}s{rng.randint(0, 31)}", f"eno{n}", f"bond{n}",
             f"br{n}", f"wlan{n}", f"enp{n}s{rng.randint(0, 9)}f{rng.randint(0, 3)}"]  # fmt: skip
    return rng.choice(forms)


def _port(rng: random.Random) -> str:
    return str(rng.randint(1024, 49151))


# Firewall services must be real names, so "fresh" ones are real services the curated train list lacks.
_MORE_SERVICES = (
    "telnet dhcp mdns ipp rsyncd git memcached mqtt vnc-server rdp tftp sip bgp irc elasticsearch prometheus "
    "zabbix-agent etcd-client docker-registry cockpit squid xmpp-client"
).split()


def _service(rng: random.Random) -> str:
    return rng.choice(_MORE_SERVICES)


def _pw_word(rng: random.Random) -> str:
    return word(rng).capitalize()


FRESH: dict[str, Callable[[random.Random], str]] = {
    "user": _user,
    "group": _group,
    "share": _share,
    "host_label": _host_label,
    "alias": _alias,
    "full_name": _full_name,
    "iface": _iface,
    "port": _port,
    "service": _service,
    "pw_word": _pw_word,
}


def fresh_value(kind: str, rng: random.Random, taken: set[str]) -> str:
    """A made-up value of pool ``kind`` that is not in ``taken`` (the other splits' values, case-folded)."""
    for _ in range(100):
        v = FRESH[kind](rng)
        if v.lower() not in taken:
            return v
    raise RuntimeError(f"could not draw a fresh {kind} outside the held-out pools")

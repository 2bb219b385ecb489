"""Made-up slot values (pronounceable words, interface names, ports, more services) for the training split.

Data v2 drew every name from short curated lists (33 host labels, 62 user names, 24 groups, 20 shares in train), so
the model could learn those lists instead of copying: on held-out values it wrote ``io`` for ``minio``, ``track`` for
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


Form = Callable[[str, random.Random], str]


def _plain(w: str, rng: random.Random) -> str:
    return w


def _forms(*forms: Form) -> Callable[[random.Random], str]:
    """A drawer: a made-up word, then one of ``forms`` (equally likely; repeat one to weight it) applied to it."""

    def draw(rng: random.Random) -> str:
        w = word(rng)
        return rng.choice(forms)(w, rng)

    return draw


_user = _forms(
    lambda w, r: f"{r.choice(_C)}.{w}",
    lambda w, r: f"{w}.{r.choice(_C)}",
    lambda w, r: f"{w}_{r.choice(_C)}",
    lambda w, r: w + _num(r),
    lambda w, r: f"svc_{w}",
    lambda w, r: w.capitalize() + r.choice(_C).upper(),
    _plain,
)
_group = _forms(
    lambda w, r: f"{w}-{r.choice(['team', 'ops', 'users', 'admins', 'devs'])}",
    lambda w, r: f"{w}_{r.choice(['staff', 'ro', 'rw', 'lead'])}",
    lambda w, r: w.capitalize(),
    _plain,
    _plain,
)
_share = _forms(
    lambda w, r: w.capitalize(),
    lambda w, r: f"{w}_{r.choice(['docs', 'data', 'files', 'backup'])}",
    lambda w, r: f"{w}-{r.randint(2019, 2030)}",
    _plain,
    _plain,
)
_host_label = _forms(
    lambda w, r: f"{w}-{r.randint(1, 20):02d}",
    lambda w, r: w + str(r.randint(1, 9)),
    _plain,
    _plain,
)


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

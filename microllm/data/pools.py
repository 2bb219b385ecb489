"""Value pools for the synthetic generator, split into disjoint train / val / test sub-pools.

Every list below is held out per split (different user names, domain suffixes, interfaces, ...)
and every generated value (IPs, passwords, tokens) comes from a split-specific range or word
list, so the test split only contains values the training split never shows.
"""

from __future__ import annotations

import ipaddress
import random

from microllm.data.fresh_values import FRESH, fresh_value

SPLITS = ("train", "val", "test")


def _three(train: str, val: str, test: str) -> dict[str, list[str]]:
    return {"train": train.split(), "val": val.split(), "test": test.split()}


POOLS: dict[str, dict[str, list[str]]] = {
    "user": _three(
        "john jane anna j.smith dev_ops2 mkowalski alice bob carol dave erin frank grace heidi ivan judy "
        "a.nowak b.jensen c.dubois d.rossi e.garcia f.yamamoto g.okafor h.larsen k.ivanova l.moreau "
        "svc_backup svc_ci build01 deploy_bot jenkins2 webadmin dbadmin3 tom.h sara_k mike88 lucy.w "
        "omar.f priya_s chen.li ngozi ravi.k fatima jonas ingrid pedro yusuf olga.p tariq hannah.b "
        "noah_t emma.j liam99 mia_r backup_ops ops.oncall kiosk01 scanner2 printsvc AnnaK JSmith M.Keller",
        "r.tanaka m.silva keisha bjorn svc_monitor qa_runner1 lena.v dmitri aylin joao.p wei_z helga "
        "marco.b nadia ops2 t.nguyen ci_agent7 sofia.r kwame elif P.Wright gus_h",
        "s.oconnor rajesh.m zainab ulrich svc_gitlab grafana_ro lars.e amara diego_f yuki.s hamid "
        "beatriz ohm3 k.andersen nina.t femi thijs mei.ling report_bot4 v.petrov Ole.H ama_k",
    ),
    "group": _three(
        "samba developers sudo wheel finance hr sales support docker admins backup accounting devops "
        "interns contractors staff printers webteam dba legal auditors sysadmins research ops",
        "qa designers ops-oncall data-science vpn-users managers build_agents Tier2 plotters mobile-devs",
        "security release-mgrs it_helpdesk lab-users payroll warehouse Partners field_techs editors sre",
    ),
    "share": _three(
        "family finance public projects scans home-backup media Shared HR-Docs software photos archive "
        "team_docs Design builds invoices music templates exchange Office",
        "engineering Contracts videos drivers qa_reports tools Handbooks cad_files Board",
        "marketing legal-archive Renders iso_images teamspace payroll2024 Podcasts lab_data Minutes",
    ),
    "path_base": _three(
        "/srv/shares /srv/samba /data /export /home/samba",
        "/mnt/storage /srv/files",
        "/srv/smb /volume1 /opt/shares",
    ),
    "full_name": _three(
        "José Álvarez|Zoë Müller|John Smith|Anna Kowalska|Jürgen Weiß|Chloé Dubois|Søren Nielsen|"
        "Łukasz Wiśniewski|Mary-Jane Watson|Ahmed Hassan|Grace O'Neill|Renée Lefèvre|Kenji Sato|"
        "Björn Svensson|Ana María Pérez|Fatima Zahra|Tom Baker|Ingrid Håkansson",
        "Núria Puig|Dmitri Volkov|Amélie Roux|Seán Murphy|Priya Raman",
        "Çağla Yılmaz|Øyvind Berg|Inês Carvalho|Mateus Gonçalves|Hélène Brun",
    ),
    "comment": _three(
        "Finance team documents|Scanned invoices|Shared family photos|Project deliverables|"
        "Do not store personal data here|Nightly build artifacts|Team templates and letterheads",
        "QA reports and logs|Installer images",
        "Marketing assets 2025|Legal hold - do not delete",
    ),
    "host_label": _three(
        "api www grafana db-02 build ci git wiki vpn proxy cache ldap web01 web02 app-01 jenkins "
        "nexus backup files printer3 nas monitor kibana redis-01 pg-primary auth sso status docs "
        "intranet crm erp registry",
        "portal metrics db-07 artifacts chat vault search",
        "gateway tracker db-11 forms shop minio kafka",
    ),
    "host_mid": _three(
        "mon eu-west us-east prod staging dev lab dmz office dc1",
        "int test dc2",
        "edge ap-south dc3",
    ),
    # Last labels are disjoint per split, so no train host can ever equal a test host.
    "suffix": _three(
        "local internal example.com corp.example.com acme.io office.acme.io",
        "lan example.net eu.example.net contoso.dev",
        "home.arpa example.org corp.example.org globex.cloud initech.co.uk",
    ),
    "alias": _three(
        "postmaster sales info support abuse webmaster billing jobs noc security-team",
        "helpdesk press careers partners-list events",
        "invoices privacy hostmaster marketing-team recruiting ceo-office",
    ),
    "service": _three(
        "ssh http https smtp dns ntp mysql postgresql samba ftp imaps snmp",
        "openvpn ldap nfs kerberos",
        "wireguard redis pop3 ldaps syslog mongodb",
    ),
    "port": _three(
        "22 80 443 8080 3306 5432 53 123 25 587 993 3389 5900 6443 9100 27017 8443 161",
        "2222 8000 5000 11211 1194 51820",
        "8888 6379 9200 5601 1883 4443 10050 2049",
    ),
    "relay_port": _three("25 587", "465", "2525"),
    "iface": _three(
        "eth0 eth1 eth2 ens18 ens19 ens160 enp3s0 enp0s31f6 eno1 bond0 br0 wlan0",
        "ens33 enp2s0 eno2 br1 wlp3s0",
        "ens192 enp5s0 bond1 eno3 wlan1 ens224",
    ),
    "resolver": _three("1.1.1.1 8.8.8.8 9.9.9.9 1.0.0.1", "8.8.4.4 149.112.112.112", "208.67.222.222 94.140.14.14"),
    "pw_word": _three(
        "Secure Winter Falcon Orange Puzzle Rocket Maple Tiger Summer Coffee Dragon Silver",
        "Harbor Velvet Cobalt Meadow",
        "Glacier Saffron Quartz Lantern",
    ),
    "password": _three(
        "S3cure!pass# P@ss-w0rd abc123 Tr0ub4dor&3 hunter2 correct-horse-9 Ch@ngeMe1 qwerty_42",
        "V4lley#Mist N0tS0Secret$",
        "Zebra%Crossing7 m00nL1ght&",
    ),
}

for _name, _cut in (("full_name", "|"), ("comment", "|")):
    POOLS[_name] = {s: " ".join(v).split(_cut) for s, v in POOLS[_name].items()}

# Generated ranges: first octets / hextets differ per split, so generated IPs never collide.
_V4_NETS = {
    "train": ["10.0.0.0/8", "192.168.0.0/16"],
    "val": ["172.16.0.0/13"],
    "test": ["172.24.0.0/13", "100.64.0.0/10"],
}
_V6_PREFIX = {"train": "2001:db8", "val": "fd12:3456", "test": "2a01:4f8"}
_SYMBOLS = "!#@$%&*-_+"
_TTL = [("300", 300), ("300 seconds", 300), ("60s", 60), ("5 minutes", 300), ("1 hour", 3600),
        ("an hour", 3600), ("2 hours", 7200), ("a day", 86400), ("1 day", 86400), ("30 minutes", 1800),
        ("10 minutes", 600), ("900 seconds", 900), ("3600", 3600), ("120 seconds", 120)]  # fmt: skip
_DAYS = [("90 days", 90), ("30 days", 30), ("365 days", 365), ("a year", 365), ("one year", 365),
         ("1 year", 365), ("2 weeks", 14), ("4 weeks", 28), ("52 weeks", 364), ("6 weeks", 42),
         ("180 days", 180), ("825 days", 825), ("12 weeks", 84), ("7 days", 7)]  # fmt: skip
_MASKS = [24, 24, 24, 16, 22, 25, 26, 28, 20]


class ValuePool:
    """Draws (surface text, gold value) pairs for slot kinds, from one split's sub-pools only."""

    def __init__(self, split: str, seed: int = 13, fresh: float = 0.0):
        """``fresh``: the share of train-split draws (of the kinds in ``FRESH``) that are made-up values."""
        if split not in SPLITS:
            raise ValueError(f"unknown split {split!r}")
        if not 0.0 <= fresh <= 1.0:
            raise ValueError("fresh must be in [0, 1]")
        self.split = split
        self.fresh = fresh if split == "train" else 0.0
        self.rng = random.Random(f"microllm-data:{seed}:{split}:values")
        self._held_out = {k: {v.lower() for s in SPLITS if s != split for v in POOLS[k][s]} for k in FRESH}

    def draw(self, kind: str, ctx: dict) -> tuple[str, object]:
        """One value of slot kind ``kind``; ``ctx`` carries values earlier slots of the row drew."""
        fn = getattr(self, "_" + kind, None)
        if fn is not None:
            return fn(ctx)
        if kind in POOLS:
            v = self.pick(kind)
            return v, v
        raise KeyError(f"no slot kind {kind!r}")

    def pick(self, name: str) -> str:
        """A random element of this split's sub-pool ``name`` (or, at rate ``fresh``, a made-up value)."""
        # No extra draw at fresh=0, so data v2 (built without made-up values) still rebuilds byte for byte.
        if self.fresh and name in FRESH and self.rng.random() < self.fresh:
            return fresh_value(name, self.rng, self._held_out[name])
        return self.rng.choice(POOLS[name][self.split])

    # --- hosts and DNS values -------------------------------------------------------------
    def _fqdn(self) -> str:
        parts, suffix = [self.pick("host_label")], self.pick("suffix")
        mid = self.pick("host_mid")
        if self.rng.random() < 0.45 and not suffix.startswith(mid + "."):
            parts.append(mid)
        return ".".join(parts + [suffix])

    def _host(self, ctx):
        gold = self._fqdn()
        r, surface = self.rng.random(), gold
        # Rule 1: the request may write any case and a trailing dot; the gold never does.
        if r < 0.08:
            surface = gold[0].upper() + gold[1:]
        elif r < 0.12:
            surface = ".".join(p.capitalize() for p in gold.split(".")[:-1]) + "." + gold.split(".")[-1].upper()
        elif r < 0.14:
            surface = gold.upper()
        if self.rng.random() < 0.08:
            surface += "."
        return surface, gold

    def _domain(self, ctx):
        d, mid = self.pick("suffix"), self.pick("host_mid")
        if self.rng.random() < 0.5 and not d.startswith(mid + "."):
            d = f"{mid}.{d}"
        return d, d

    def _mx(self, ctx):
        h = f"{self.rng.choice(['mx1', 'mx2', 'mail', 'smtp', 'mx'])}.{self.pick('suffix')}"
        return h, h

    def _relay(self, ctx):
        if self.rng.random() < 0.15:
            return self._ipv4(ctx)
        h = f"{self.rng.choice(['smtp', 'relay', 'mailgw', 'smarthost', 'smtp-out'])}.{self.pick('suffix')}"
        return h, h

    def _txt(self, ctx):
        tok = "".join(self.rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(16))
        d = self.pick("suffix")
        options = [
            f"v=spf1 include:_spf.{d} ~all",
            f"v=spf1 mx a:{self.pick('host_label')}.{d} -all",
            f"google-site-verification={tok}",
            f"ms=ms{self.rng.randint(10000000, 99999999)}",
            f"v=DMARC1; p=quarantine; rua=mailto:dmarc@{d}",
            f"verification-token {tok}",
        ]
        v = self.rng.choice(options)
        return v, v

    def _alias(self, ctx):
        a = self.pick("alias")
        if self.rng.random() < 0.3:
            a = f"{a}@{self.pick('suffix')}"
        return a, a

    def _dest(self, ctx):
        u = self.pick("user")
        if self.rng.random() < 0.5:
            u = f"{u}@{self.pick('suffix')}"
        return u, u

    # --- addresses ------------------------------------------------------------------------
    def _v4(self) -> ipaddress.IPv4Address:
        net = ipaddress.ip_network(self.rng.choice(_V4_NETS[self.split]))
        while True:
            ip = net.network_address + self.rng.randrange(1, net.num_addresses - 1)
            if 0 < int(ip) % 256 < 255:
                return ip

    def _ipv4(self, ctx):
        ip = str(self._v4())
        ctx["last_v4"] = ip
        return ip, ip

    def _ipv6(self, ctx):
        hextets = [self.rng.randrange(1, 0xFFFF) for _ in range(2)]
        tail = self.rng.randrange(1, 0xFFF)
        ip = ipaddress.IPv6Address(f"{_V6_PREFIX[self.split]}:{hextets[0]:x}:{hextets[1]:x}::{tail:x}")
        r = self.rng.random()
        # Non-canonical input forms; the gold is the canonical ipaddress text.
        if r < 0.15:
            surface = ip.exploded.upper()
        elif r < 0.3:
            surface = ip.exploded
        elif r < 0.45:
            surface = str(ip).upper()
        else:
            surface = str(ip)
        return surface, str(ip)

    def _addr_cidr(self, ctx):
        ip, plen = self._v4(), self.rng.choice(_MASKS)
        ctx["last_v4"] = str(ip)
        return f"{ip}/{plen}", f"{ip}/{plen}"

    def _netmask(self, ctx):
        plen = self.rng.choice(_MASKS)
        return str(ipaddress.ip_network(f"0.0.0.0/{plen}").netmask), plen

    def _gw(self, ctx):
        base = ipaddress.ip_address(ctx.get("last_v4") or str(self._v4()))
        net = ipaddress.ip_network(f"{base}/24", strict=False)
        gw = str(net.network_address + (254 if base == net.network_address + 1 else 1))
        return gw, gw

    def _source(self, ctx):
        if self.rng.random() < 0.4:
            return self._ipv4(ctx)
        # A /8 would leave the split's range (172.24.0.0/13 -> 172.0.0.0/8), so only train uses it.
        plens = [8, 16, 24, 24, 28] if self.split == "train" else [16, 24, 24, 28]
        net = ipaddress.ip_network(f"{self._v4()}/{self.rng.choice(plens)}", strict=False)
        return str(net), str(net)

    def _ns(self, ctx):
        ip = self.pick("resolver") if self.rng.random() < 0.5 else str(self._v4())
        return ip, ip

    def _servers(self, ctx):
        ips: list[str] = []
        while len(ips) < self.rng.choice([2, 2, 3]):
            ip = self._ns(ctx)[0]
            if ip not in ips:
                ips.append(ip)
        return self._join(ips), ips

    def _alt_names(self, ctx):
        names: list[str] = []
        while len(names) < self.rng.choice([2, 2, 3]):
            n = self._fqdn()
            if n not in names:
                names.append(n)
        return self._join(names), names

    def _join(self, items: list[str]) -> str:
        if len(items) == 2:
            return self.rng.choice([" and ", ", "]).join(items)
        style = self.rng.choice(["comma", "and"])
        return ", ".join(items) if style == "comma" else ", ".join(items[:-1]) + " and " + items[-1]

    # --- numbers --------------------------------------------------------------------------
    def _ttl(self, ctx):
        return self.rng.choice(_TTL)

    def _ttl_s(self, ctx):
        v = self.rng.choice([60, 120, 300, 600, 900, 1800, 3600, 7200, 86400])
        return str(v), v

    def _prio(self, ctx):
        v = self.rng.choice([5, 10, 10, 20, 30, 50, 100])
        return str(v), v

    def _days(self, ctx):
        return self.rng.choice(_DAYS)

    def _days_n(self, ctx):
        v = self.rng.choice([30, 60, 90, 180, 365, 397, 730, 825])
        return str(v), v

    def _rsa_bits(self, ctx):
        v = self.rng.choice([2048, 3072, 4096])
        return str(v), v

    def _ec_bits(self, ctx):
        v = self.rng.choice([256, 384])
        return str(v), v

    def _port(self, ctx):
        p = self.pick("port")
        return p, int(p)

    def _relay_port(self, ctx):
        p = self.pick("relay_port")
        return p, int(p)

    def _proto(self, ctx):
        p = self.rng.choice(["tcp", "tcp", "udp"])
        return (p.upper() if self.rng.random() < 0.2 else p), p

    def _service(self, ctx):
        s = self.pick("service")
        return (s.upper() if self.rng.random() < 0.3 else s), s

    # --- users and shares -----------------------------------------------------------------
    def _password(self, ctx):
        if self.rng.random() < 0.3:
            pw = self.pick("password")
        else:
            word = self.pick("pw_word")
            word = word.replace("e", "3") if self.rng.random() < 0.3 else word
            pw = f"{word}{self.rng.choice(_SYMBOLS)}{self.rng.randint(1, 9999)}"
            if self.rng.random() < 0.3:
                pw += self.rng.choice("xyzqk")
        return pw, pw

    def _path(self, ctx):
        leaf = ctx.get("share") if self.rng.random() < 0.6 and ctx.get("share") else self.pick("share")
        p = f"{self.pick('path_base')}/{leaf.lower() if self.rng.random() < 0.5 else leaf}"
        return p, p

    def _share(self, ctx):
        s = self.pick("share")
        ctx["share"] = s
        return s, s

    # --- context-only slots (never copied into the gold) ---------------------------------
    def _ticket(self, ctx):
        n = self.rng.randint(100, 99999)
        f = self.rng.choice(["TICKET-{}", "INC{:07d}", "OPS-{}", "CHG{:06d}", "#{}", "REQ-{}"])
        return f.format(n), None

    def _pron(self, ctx):
        return self.rng.choice(["them", "him", "her"]), None

    def _pron_pos(self, ctx):
        return self.rng.choice(["their", "his", "her"]), None

    def _app(self, ctx):
        a = self.rng.choice(["payments-api", "frontend", "checkout", "auth-svc", "billing-worker", "search"])
        return a, None

    def _rtype(self, ctx):
        r = self.rng.choice(["CNAME", "MX", "TXT", "AAAA", "PTR", "SRV", "NS", "SOA"])
        return r, None

    def _num(self, ctx):
        n = str(self.rng.randint(2, 40))
        return n, None

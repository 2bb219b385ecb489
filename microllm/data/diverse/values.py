"""Value pools of the diverse generator: realistic names, hosts, addresses and numbers, split train / val.

Every drawn value is a :class:`Val`: the text written in the request (``surface``) and the gold fields it sets.
Name-like values (users, groups, shares, hosts, addresses, passwords, ...) are assigned to train or val by a hash
of the gold value, so the val split only shows values that train never does. Values that the template generator
holds out for its own val and test splits (:data:`microllm.data.pools.POOLS`, its address ranges) are never drawn,
so mixing diverse rows into a template dataset keeps that dataset's held-out values unseen.
"""

from __future__ import annotations

import hashlib
import ipaddress
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from microllm.data.fresh_values import word
from microllm.data.pools import POOLS

SPLITS = ("train", "val")
VAL_PERCENT = 15  # share of name-like values (by hash) that only the val split draws


@dataclass(frozen=True)
class Val:
    """One slot of a request: its surface text and the gold fields it sets.

    ``key`` selects phrase lists of enumerated slots (``remove_home=true``, ``value=ip``); ``optional`` slots may be
    left unsaid (an A record's type follows from its IPv4 value); ``items`` are the surfaces of a list slot, so a
    genre can join them its own way; ``pron`` marks an anaphor ("him", "it") whose gold is written elsewhere."""

    surface: str
    gold: dict = field(default_factory=dict, hash=False, compare=False)
    key: str = ""
    optional: bool = False
    items: tuple[str, ...] = ()
    pron: bool = False


def _words(text: str) -> list[str]:
    return text.split()


# --- names -----------------------------------------------------------------------------------------------------
# ASCII given names and surnames from many languages: login names are built from them.
GIVEN = _words(
    "anna lukas sophie mateo chiara lars pieter tomasz agnieszka jiri eszter mihai dimitris eleni aoife niamh oisin "
    "wei hiroshi haruto sakura minjun jiwoo arjun ananya rahul thanh linh somchai siti budi rizal chidi ngozi thabo "
    "zanele abebe tendai oluwaseun wanjiru kofi aminata omar layla yusuf fatemeh reza noa yael emre valentina camila "
    "santiago lucia pablo marta jakub katarzyna petra sven astrid mikko aino olav freya ivana goran milica nikola "
    "andrei irina pavel sasha ahmet zeynep kemal sara leila karim youssef amir hassan farah liam olivia noah emma "
    "ethan ava mason isabella logan mia chloe jules manon hugo elodie matteo giulia lorenzo francesca dirk anke jens "
    "maren finn greta bram sanne daan femke lotte nils malin oskar saga kai leon mila tim lea ben paul marie akira "
    "ren hana taro jin soo min xiu bao ngoc duc kwabena ama efua kojo ife tunde bola musa halima aisha"
)
SURNAMES = _words(
    "garcia mueller rossi novak kowalski nguyen tanaka kim patel okafor mensah haddad cohen yilmaz silva santos "
    "johansson virtanen dubois papadopoulos ivanov horvath murphy singh chen wang sato adeyemi diallo mwangi nkosi "
    "schmidt fischer weber meyer wagner becker moreau laurent lefebvre bianchi romano colombo ferrari jansen devries "
    "bakker visser larsen hansen nielsen berg lindqvist nowak wojcik kaminski dvorak svoboda popescu ionescu smirnov "
    "kozlov demir kaya celik sahin ozturk hosseini rahimi alvarez fernandez lopez martinez gonzalez rodriguez perez "
    "sanchez ramirez torres suzuki takahashi watanabe ito yamamoto park lee choi jung tran pham hoang sharma gupta "
    "kumar reddy iyer das mukherjee abdullah rahman hussain khan okonkwo eze obi balogun asante boateng kamau otieno "
    "moyo dlamini"
)
# Full names in their own spelling: (given names, surnames) per language, plus whole names where order differs.
_FULL_PARTS: list[tuple[list[str], list[str]]] = [
    (
        _words("Jürgen Jörg Günther Käthe Lena Maximilian Sören Anke Uwe Friederike"),
        _words("Müller Schröder Weiß Groß Köhler Hoffmann Schäfer Krüger Vogel"),
    ),
    (
        _words("Chloé Renée Hélène Léa François Jérôme Gaël Anaïs Noël Cécile"),
        _words("Dubois Lefèvre Moreau Girard Bérenger Rousseau Lemaître Côté Fournier"),
    ),
    (
        _words("José María Sofía Martín Iñigo Begoña Raúl Lucía Andrés Ángel"),
        _words("Álvarez Núñez Peña Muñoz García Ibáñez Hernández Gómez Castaño"),
    ),
    (
        _words("João Gonçalo Inês Luís Sebastião Mônica Tânia Conceição"),
        _words("Gonçalves Magalhães Araújo Simões Brandão Assunção"),
    ),
    (
        _words("Łukasz Małgorzata Wojciech Zofia Bartłomiej Agnieszka Józef Jędrzej"),
        _words("Wiśniewski Wójcik Łączyński Kowalczyk Zieliński Dąbrowska Król"),
    ),
    (_words("Jiří Tomáš Kateřina Lukáš Markéta Radek"), _words("Dvořák Novotný Černý Procházka Kučera Horák")),
    (
        _words("Søren Åsa Øystein Bjørn Märta Sigríður Ásgeir Halldóra"),
        _words("Håkansson Sørensen Ødegård Åberg Lindqvist Jónsdóttir Guðmundsson"),
    ),
    (_words("Çağla Ayşe Gökhan İlkay Şule Oğuz Ömer Gülşen"), _words("Yılmaz Öztürk Çelik Şahin Doğan Aydın Güneş")),
    (_words("Ștefan Ioana Mihály Zsófia Gergő Réka"), _words("Popescu Ionescu Szabó Kovács Tóth Nagy")),
    (_words("Siobhán Aoife Niamh Pádraig Órla Ciarán"), ["Ó Briain", "Mac Cárthaigh", "O'Neill", "Ní Dhomhnaill"]),
    (
        _words("Chiamaka Oluwaseun Wanjiru Thandiwe Kwabena Aminata Chukwuemeka Nomvula"),
        _words("Okonkwo Adeyemi Kamau Dlamini Asante Diallo Mensah Achebe"),
    ),
    (
        _words("Priyanka Venkatesh Gurpreet Lakshmi Aditi Sanjay"),
        _words("Chakraborty Iyer Singh Narayanan Deshpande Bhattacharya"),
    ),
    (_words("Youssef Layla Omar Nour Rania Tariq"), _words("El-Amrani Haddad Al-Farsi Abdel-Rahman Khoury Mansour")),
    (_words("Mary-Jane D'Arcy Siân Zoë Renée-Claire"), _words("O'Connor Smith-Jones MacLeod Fitzgerald Baker")),
]
_WHOLE_NAMES = [
    "Nguyễn Văn An",
    "Trần Thị Bích",
    "Phạm Minh Tuấn",
    "Lê Hoàng Nam",
    "Иван Петров",
    "Анна Смирнова",
    "Ольга Кузнецова",
    "Γιώργος Παπαδόπουλος",
    "Ελένη Γεωργίου",
    "山田 太郎",
    "佐藤 花子",
    "王伟",
    "李娜",
    "김민준",
    "박서연",
    "Hiroshi Tanaka",
    "Wei Zhang",
    "Min-jun Park",
    "Ji-woo Kim",
    "Ngozi Okafor-Bello",
]
SERVICE_ACCOUNTS = _words(
    "deploy backup ansible jenkins gitlab-runner nagios prometheus postgres_ro ci-runner svc-reports svc_ldapsync "
    "scanner webhook monitoring ftpupload etl_loader"
)

GROUPS = _words(
    "wheel sudo adm docker developers devs engineering finance accounting hr payroll sales marketing support "
    "helpdesk ops netops secops dba analysts interns contractors staff faculty students researchers lab printers "
    "git ci backup auditors legal compliance management board design media video audio lpadmin sambashare "
    "smbusers vpn remote rdp-users ftpusers mailusers vertrieb buchhaltung einkauf compta direction ventas "
    "contabilidad soporte ricerca amministrazione kaihatsu eigyo it-ops data-eng ml-team qa-team web-admins "
    "dev-leads on-call site-reliability platform infra cloud-admins desktop-support service-desk customer-care "
    "procurement logistics warehouse-staff teachers pupils editors translators"
)
_GROUP_SUFFIXES = ["-rw", "_ro", "-admins", "-users", "_team", "-staff"]

SHARES = _words(
    "public shared scans projects media photos backups archive software iso install templates finance hr legal "
    "Team-Docs Buchhaltung Projekte Compartido Partage Archivio Fotos Musik Rechnungen cad gis-data q3-reports "
    "Projects2025 Marketing Design-Assets Dropbox Inbox outgoing incoming Transfer tmp-share Vorlagen Documentos "
    "Scans_Floor2 Board-Minutes HR_Confidential Releases Installers Homework Lehrer Schueler Clients Contratos"
)
PATH_BASES = _words(
    "/srv/samba /srv/share /srv/data /data /data/shares /export /exports /mnt/data /mnt/raid1 /mnt/nas /tank "
    "/tank/shares /pool1 /home/shares /var/samba /storage /media/disk1 /opt/share /srv/nas /raid/smb"
)
COMMENTS = [
    "Scans from the 2nd floor copier",
    "Month-end reports",
    "Shared drive for the design team",
    "Archiv - bitte nicht löschen",
    "Documents partagés",
    "Carpeta compartida de ventas",
    "No personal data here",
    "ISO images and installers",
    "Board meeting minutes",
    "Team photos 2024",
    "CAD drawings (v2)",
    "Read-only mirror of the wiki export",
    "Drop zone for the scanner",
    "Temporary transfer area",
    "Project files for Q3",
    "Unterlagen der Buchhaltung",
    "Backups of laptops",
    "Music for the lobby",
]

HOST_LABELS = _words(
    "web www api app db db01 mail smtp mx ns1 vpn git gitlab jenkins ci build01 nas files fs01 print wiki "
    "intranet grafana prometheus kibana elastic k8s-master node03 proxy lb1 cache status docs crm erp sso auth dc01 "
    "backup mon log time ntp1 jump bastion cdn static assets s3 registry harbor nexus sonar consul nomad rancher "
    "argo mattermost nextcloud owncloud jira confluence bitbucket matrix jitsi meet helpdesk billing pay shop2 "
    "blog forum git2 pbx voip cams nvr ipam dhcp1 radius pki ca ocsp webmail autodiscover share sftp ftp repo "
    "mirror pkg apt yum pypi npm devbox lab01 test01 uat web-eu web-us edge01 api-v2 app01 app02 db-replica"
)
HOST_MIDS = _words("prod staging dev qa uat eu us us-east-1 eu-central-1 fra1 ams3 nyc2 office branch2 lab corp ext")
COMPANIES = _words(
    "acme contoso fabrikam northwind tailspin wingtip adatum litware proseware woodgrove umbrella hooli piedpiper "
    "initrode vandelay monsters soylent cyberdyne aperture blackmesa weyland tyrell oscorp wonka dunder gringotts "
    "stark wayne kita-sonnenschein baeckerei-weber cabinet-durand ferreteria-lopez studio-rossi "
    # the placeholder domains of documentation and runbooks, weighted up: real requests copy them
    "example example example foo mydomain mycompany yourcompany"
)
TLDS = _words(
    "com net org io dev app cloud tech ai co de fr it es nl be ch at se no dk fi pl cz pt gr ie co.uk org.uk ac.uk "
    "com.au com.br co.jp co.za co.nz ca mx com.ar cl in co.in sg hk kr tw id my ph vn th com.tr ua ro hu sk si hr rs "
    "bg lt lv ee is lu eu info biz xyz online site"
)
INTERNAL_SUFFIXES = _words("local internal corp intra localdomain priv")
RELAY_HOSTS = _words(
    "smtp.sendgrid.net smtp.mailgun.org email-smtp.eu-west-1.amazonaws.com smtp.office365.com smtp-relay.gmail.com "
    "mail.gmx.net smtp.ionos.de smtp.strato.de ssl0.ovh.net smtp.postmarkapp.com smtp.sparkpostmail.com"
)
ALIASES = _words(
    "info sales support billing noc abuse postmaster webmaster contact hello team office jobs security it hr dev "
    "ops alerts reports newsletter kontakt bureau ventas facturas rechnung no-reply do-not-reply admin finance "
    "orders returns helpdesk events media datenschutz presse recrutement"
)
TXT_FORMS = [
    "v=spf1 include:_spf.{domain} ~all",
    "v=spf1 mx -all",
    "google-site-verification={token}",
    "MS=ms{digits}",
    "v=DMARC1; p=none; rua=mailto:dmarc@{domain}",
    "apple-domain-verification={token}",
    "atlassian-domain-verification={token}",
    "v=DKIM1; k=rsa; p={token}",
    "facebook-domain-verification={token}",
]

# Firewall services by their firewalld names, and ports.
SERVICES = _words(
    "ssh http https smtp smtps submission imap imaps pop3s dns ntp mysql postgresql samba samba-client ftp snmp "
    "mdns dhcp dhcpv6-client rdp vnc-server cockpit kube-apiserver prometheus grafana git svn squid tftp nfs3 "
    "rsyncd zabbix-agent zabbix-server elasticsearch kibana jenkins minecraft plex ipp ipp-client bgp sip "
    "xmpp-client irc mosquitto etcd-client docker-registry ceph http3 bacula"
)
PORTS = [
    22,
    80,
    443,
    25,
    587,
    993,
    995,
    53,
    123,
    3306,
    5432,
    3389,
    5900,
    6443,
    9100,
    3000,
    9090,
    8080,
    8443,
    9443,
    25565,
    1812,
    389,
    636,
    445,
    139,
    161,
    514,
    500,
    4500,
    873,
    8081,
    8200,
    9000,
    15672,
    5672,
    7000,
    30000,
    32400,
    10051,
    6514,
    1514,
    2376,
    8140,
]
INTERFACES = _words(
    "eth0 eth1 eth2 eth3 ens3 ens4 ens18 ens160 ens1f0 ens2f1 enp0s3 enp0s8 enp0s25 enp1s0 enp1s0f1 enp6s0 eno1 "
    "em1 em2 bond0 br0 br-lan vlan10 vlan200 eth0.100 team0 wlan0 wlp2s0 wg0 tun0 ib0 enx00e04c680001"
)
RESOLVERS = _words(
    "1.1.1.1 1.0.0.1 8.8.8.8 9.9.9.9 208.67.220.220 94.140.15.15 76.76.2.0 185.228.168.9 2606:4700:4700::1111 "
    "2001:4860:4860::8888 2620:fe::fe 80.80.80.80"
)

# IPv4 ranges (with weights) and IPv6 prefixes the generator draws from.
_V4_NETS = [
    ("10.0.0.0/8", 5),
    ("192.168.0.0/16", 4),
    ("198.18.0.0/15", 1),
    ("192.0.2.0/24", 1),
    ("198.51.100.0/24", 1),
    ("203.0.113.0/24", 1),
    ("45.0.0.0/8", 1),
    ("85.0.0.0/8", 1),
    ("139.0.0.0/8", 1),
    ("185.0.0.0/8", 1),
]
_V6_PREFIXES = ["2001:db8", "fd00", "fd4a", "fdab", "2a02:c7f", "2600:1f18", "2001:470", "2a00:1450"]

# --- what the template generator holds out (its val and test values) ----------------------------------------------
_HELD = {kind: {v.lower() for s in ("val", "test") for v in vals[s]} for kind, vals in POOLS.items()}
_HELD_LABELS = _HELD["host_label"] | _HELD["host_mid"]
_HELD_V4 = [ipaddress.ip_network(n) for n in ("172.16.0.0/12", "100.64.0.0/10")]
_HELD_V6 = [ipaddress.ip_network(n) for n in ("fd12:3456::/32", "2a01:4f8::/32")]


def held_out_by_templates(kind: str, value: str) -> bool:
    """Whether ``value`` (of pool kind ``kind``) is one the template generator keeps for its val or test split."""
    v = str(value).lower()
    if kind in ("host", "domain"):
        labels = v.rstrip(".").split(".")
        return bool(set(labels) & _HELD_LABELS) or any(v == s or v.endswith("." + s) for s in _HELD["suffix"])
    if kind == "path":
        return any(
            v == b.lower() or v.startswith(b.lower() + "/")
            for b in POOLS["path_base"]["val"] + POOLS["path_base"]["test"]
        )
    if kind == "password":
        return v in _HELD["password"] or any(w in v for w in _HELD["pw_word"])
    if kind == "ip":
        try:
            ip = ipaddress.ip_interface(v).ip
        except ValueError:
            return False
        nets = _HELD_V4 if ip.version == 4 else _HELD_V6
        return any(ip in n for n in nets) or str(ip) in _HELD["resolver"]
    if kind == "port":
        return v in _HELD["port"] or v in _HELD["relay_port"]
    held = {
        "user": "user",
        "group": "group",
        "share": "share",
        "alias": "alias",
        "service": "service",
        "interface": "iface",
        "full_name": "full_name",
        "comment": "comment",
    }
    return kind in held and v in _HELD[held[kind]]


def value_split(value: str) -> str:
    """The split a name-like value belongs to, by a stable hash of its lower-case text."""
    digest = hashlib.sha1(("diverse:" + str(value).lower()).encode("utf-8")).hexdigest()
    return "val" if int(digest[:8], 16) % 100 < VAL_PERCENT else "train"


class DiversePool:
    """Draws values for one split: name-like values of that split's hash partition, never a held-out one."""

    def __init__(self, split: str, seed: int = 13):
        if split not in SPLITS:
            raise ValueError(f"unknown split {split!r}; the diverse generator has {list(SPLITS)}")
        self.split = split
        self.rng = random.Random(f"microllm-diverse:{seed}:{split}:values")

    def _draw(self, kind: str, make: Callable[[], str]) -> str:
        """A value from ``make`` that falls into this split and is not held out by the template generator."""
        for _ in range(500):
            v = make()
            if value_split(v) == self.split and not held_out_by_templates(kind, v):
                return v
        raise RuntimeError(f"could not draw a {kind} value for the {self.split} split")

    # --- people and groups ------------------------------------------------------------------------------------
    def username(self) -> str:
        """A login name built from a given name and a surname (several conventions), or a service account."""
        r = self.rng

        def make() -> str:
            g, s = r.choice(GIVEN), r.choice(SURNAMES)
            form = r.randrange(12)
            if form == 0:
                return r.choice(SERVICE_ACCOUNTS) + (str(r.randint(1, 9)) if r.random() < 0.3 else "")
            forms = [
                g,
                f"{g}.{s}",
                f"{g[0]}{s}",
                f"{g}_{s[0]}",
                f"{s}{g[0]}",
                f"{g}{r.randint(1, 99)}",
                f"{g[0]}.{s}",
                f"{g}.{s}{r.randint(1, 9)}",
                f"{g}-{s}",
                f"{g[0].upper()}{s.capitalize()}",
                f"{s}.{g}",
            ]
            return forms[form - 1]

        return self._draw("user", make)

    def full_name(self) -> str:
        """A full name in its own spelling (diacritics, other scripts, compound surnames)."""
        r = self.rng

        def make() -> str:
            if r.random() < 0.15:
                return r.choice(_WHOLE_NAMES)
            given, surnames = r.choice(_FULL_PARTS)
            return f"{r.choice(given)} {r.choice(surnames)}"

        return self._draw("full_name", make)

    def group(self) -> str:
        """A group name: a department or role in some language, sometimes with a suffix."""
        r = self.rng
        return self._draw("group", lambda: r.choice(GROUPS) + (r.choice(_GROUP_SUFFIXES) if r.random() < 0.2 else ""))

    def password(self) -> str:
        """A password with no quotes, spaces or sentence punctuation, so it reads unambiguously in a sentence."""
        r = self.rng
        symbols = "#@$%&*-_+=^~"

        def make() -> str:
            form = r.randrange(4)
            if form == 0:
                w = word(r).capitalize()
                return f"{w}{r.choice(symbols)}{r.randint(1, 9999)}"
            if form == 1:
                alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789" + symbols
                return "".join(r.choice(alphabet) for _ in range(r.randint(10, 16)))
            if form == 2:
                return "-".join(word(r, 1, 2) for _ in range(3)) + str(r.randint(1, 99))
            w = r.choice(GIVEN + SURNAMES).capitalize().replace("a", "@").replace("o", "0")
            return f"{w}{r.randint(1990, 2030)}{r.choice(symbols)}"

        return self._draw("password", make)

    # --- shares ------------------------------------------------------------------------------------------------
    def share(self) -> str:
        """A samba share name."""
        r = self.rng

        def make() -> str:
            if r.random() < 0.25:
                w = word(r)
                return r.choice([w, w.capitalize(), f"{w}_{r.choice(['docs', 'data', 'files'])}"])
            return r.choice(SHARES)

        return self._draw("share", make)

    def path(self, share: str | None = None) -> str:
        """A directory for a share: a storage base plus the share name or another leaf."""
        r = self.rng

        def make() -> str:
            leaf = share if share and r.random() < 0.6 else r.choice(SHARES)
            leaf = leaf.lower() if r.random() < 0.5 else leaf
            if r.random() < 0.2:
                leaf = f"{r.choice(['dept', 'teams', 'groups', str(r.randint(2019, 2026))])}/{leaf}"
            return f"{r.choice(PATH_BASES)}/{leaf}"

        return self._draw("path", make)

    def comment(self) -> str:
        """A share comment (free text, several languages)."""
        return self._draw("comment", lambda: self.rng.choice(COMMENTS))

    # --- hosts and mail ----------------------------------------------------------------------------------------
    def _label(self) -> str:
        r = self.rng
        if r.random() < 0.3:
            return word(r) + (str(r.randint(1, 20)) if r.random() < 0.4 else "")
        return r.choice(HOST_LABELS)

    def domain(self) -> str:
        """A registered or internal domain, lower case (``acme.co.uk``, ``corp.local``)."""
        r = self.rng

        def make() -> str:
            if r.random() < 0.15:
                return f"{r.choice(['ad', 'corp', 'office', 'int', 'home'])}.{r.choice(INTERNAL_SUFFIXES)}"
            company = r.choice(COMPANIES) if r.random() < 0.7 else word(r)
            return f"{company}.{r.choice(TLDS)}"

        return self._draw("domain", make)

    def fqdn(self) -> str:
        """A fully qualified host name, lower case: label, sometimes a middle label, a domain."""
        r = self.rng

        def make() -> str:
            parts = [self._label()]
            if r.random() < 0.35:
                parts.append(r.choice(HOST_MIDS))
            return ".".join(parts + [self.domain()])

        return self._draw("host", make)

    def relay_host(self) -> str:
        """A mail relay: a provider's host name or one of the organisation's own."""
        r = self.rng

        def make() -> str:
            if r.random() < 0.35:
                return r.choice(RELAY_HOSTS)
            return f"{r.choice(['smtp', 'relay', 'mailgw', 'smarthost', 'mx-out', 'mail'])}.{self.domain()}"

        return self._draw("host", make)

    def alias(self) -> str:
        """A mail alias: a local part, sometimes with a domain."""
        r = self.rng

        def make() -> str:
            a = r.choice(ALIASES)
            return f"{a}@{self.domain()}" if r.random() < 0.3 else a

        return self._draw("alias", make)

    def destination(self) -> str:
        """Where an alias delivers: a local user or a mail address."""
        r = self.rng

        def make() -> str:
            u = self.username()
            return f"{u}@{self.domain()}" if r.random() < 0.5 else u

        return self._draw("user", make)

    def txt(self) -> str:
        """A TXT record text (SPF, DMARC, site verification)."""
        r = self.rng
        token = "".join(r.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(r.randint(12, 24)))
        form = r.choice(TXT_FORMS)
        return form.format(domain=self.domain(), token=token, digits=r.randint(10000000, 99999999))

    # --- addresses ---------------------------------------------------------------------------------------------
    def _v4(self) -> ipaddress.IPv4Address:
        nets, weights = zip(*_V4_NETS, strict=True)
        net = ipaddress.ip_network(self.rng.choices(nets, weights)[0])
        while True:
            ip = net.network_address + self.rng.randrange(1, net.num_addresses - 1)
            if 0 < int(ip) % 256 < 255:
                return ip

    def ipv4(self) -> str:
        """An IPv4 address (private, documentation and public-looking ranges)."""
        return self._draw("ip", lambda: str(self._v4()))

    def ipv6(self) -> tuple[str, str]:
        """An IPv6 address as (surface, canonical gold); the surface is sometimes upper-case or fully written out."""
        r = self.rng

        def make() -> str:
            prefix = r.choice(_V6_PREFIXES)
            groups = prefix.split(":")
            while len(groups) < 4:
                groups.append(f"{r.randrange(0, 0xFFFF):x}")
            tail = [f"{r.randrange(1, 0xFFFF):x}"] if r.random() < 0.6 else ["0", f"{r.randrange(1, 0xFFF):x}"]
            return str(ipaddress.IPv6Address(":".join(groups) + "::" + ":".join(tail)))

        gold = self._draw("ip", make)
        ip = ipaddress.IPv6Address(gold)
        x = r.random()
        if x < 0.15:
            surface = ip.exploded.upper()
        elif x < 0.3:
            surface = ip.exploded
        elif x < 0.45:
            surface = gold.upper()
        else:
            surface = gold
        return surface, gold

    def prefix_len(self) -> int:
        """A realistic prefix length for an interface address."""
        return self.rng.choice([24, 24, 24, 16, 22, 23, 25, 26, 27, 28, 29, 30, 20, 8])

    def network(self) -> str:
        """A network in CIDR form (its network address), as a firewall source."""
        plen = self.rng.choice([8, 12, 16, 20, 22, 24, 24, 24, 26, 28, 32])
        return self._draw("ip", lambda: str(ipaddress.ip_network(f"{self._v4()}/{plen}", strict=False)))

    def resolver(self) -> str:
        """A DNS resolver: a public one or an internal address."""
        r = self.rng
        return self._draw("ip", lambda: r.choice(RESOLVERS) if r.random() < 0.6 else str(self._v4()))

    # --- network services and numbers -------------------------------------------------------------------------
    def service(self) -> str:
        """A firewalld service name, lower case."""
        return self._draw("service", lambda: self.rng.choice(SERVICES))

    def port(self) -> int:
        """A port: a well-known one or a random high one."""
        r = self.rng
        while True:
            p = r.choice(PORTS) if r.random() < 0.7 else r.randint(1025, 65000)
            if not held_out_by_templates("port", str(p)):
                return p

    def interface(self) -> str:
        """A network interface name (predictable names, bonds, bridges, VLANs, wireless)."""
        r = self.rng

        def make() -> str:
            if r.random() < 0.3:
                n = r.randint(0, 9)
                return r.choice(
                    [
                        f"eth{n}",
                        f"ens{r.randint(1, 256)}",
                        f"enp{n}s{r.randint(0, 31)}",
                        f"eno{n}",
                        f"bond{n}",
                        f"br{n}",
                        f"vlan{r.randint(2, 4000)}",
                        f"wlp{n}s0",
                    ]
                )
            return r.choice(INTERFACES)

        return self._draw("interface", make)

"""Safety validator: what must never reach automation, each refusal with a clear reason.

The parser copies what was asked (spec rule 8, "validation is not extraction"); this module runs after it and
rejects invalid or dangerous values. It works by allow-lists and structure, not by short deny-lists:

- **Structure.** :func:`check_intent` checks the shape itself (known action, no unknown or wrongly cased keys such as
  ``Username`` or ``uid``, required fields present, JSON types right, no ``null``), so a malformed intent is a list
  of violations, never silence, even when the caller skipped :func:`microllm.schema.validate_intent`.
- **Characters.** Every string field is free of control, invisible-format and surrogate characters, and holds only
  what its target format can carry: names match an allow-list pattern (``useradd``, ``smb.conf`` sections,
  ``/etc/aliases``); host names are DNS labels; share paths and comments hold nothing that ``smb.conf`` would read
  as a variable (``%``), a continuation (``\\``) or a new line; TXT text fits one quoted zone-file string.
- **Addresses.** IP addresses never carry an IPv6 scope id (``fe80::1%eth0``): Python's :mod:`ipaddress` accepts
  any text after ``%``, which would reach ``main.cf`` or ``resolv.conf`` verbatim. Only ``servers`` (name servers:
  ``resolv.conf`` understands a scope) allows one, on a link-local address, with an interface-name charset.
- **Accounts and groups.** A documented list of reserved accounts (:data:`RESERVED_USERS`) and privileged groups
  (:data:`RESERVED_GROUPS`: root-equivalent ones such as ``sudo``, ``docker``, ``lxd``, ``libvirt``), plus the
  host's own data where it has any (:class:`HostAccounts`): an account or group whose UID/GID lies outside the login
  range of ``/etc/login.defs`` (``UID_MIN``..``UID_MAX``) is a system one and is never touched.
- **Share roots.** A share path must lie strictly below one of the allowed trees (:data:`DEFAULT_SHARE_ROOTS`,
  configurable through :class:`SafetyPolicy` or ``$MICROLLM_SHARE_ROOTS``); dot-directories in home directories
  (``.ssh``, ``.gnupg``) never qualify.

The host data and the share roots travel in a :class:`SafetyPolicy`; every public function takes one (``policy=``),
and :func:`set_default_policy` replaces the default (the real host, read once) so that tests are deterministic.
Intents are the plain dicts of :func:`microllm.schema.validate_intent`. Per-field rules are small checkers,
dispatched from the table :data:`CHECKS` keyed by ``(action, field)``; a checker takes ``(value, intent, policy)``
and returns a reason, or ``None`` when the value is fine.
"""

from __future__ import annotations

import fnmatch
import functools
import ipaddress
import os
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .schema import ACTIONS, MODEL_BY_ACTION, OPERATIONS, IntentError, required_fields, validate_intent

# Accounts owned by the OS or by daemons: creating, removing, locking, re-passwording or granting them anything
# breaks the system or hands out a service's privileges. Compared case-insensitively, since Samba resolves user
# names without regard to case ("Root" may map to root). The host's own data (HostAccounts) adds every account
# outside its login range; this list covers hosts where a package is not installed yet, or no data is available.
RESERVED_USERS = frozenset({
    # base system (Debian/Ubuntu, RHEL, Alpine, BSD names)
    "root", "toor", "daemon", "bin", "sys", "sync", "games", "man", "lp", "mail", "news", "uucp", "proxy",
    "www-data", "backup", "list", "irc", "gnats", "nobody", "nfsnobody", "nogroup", "operator", "halt", "shutdown",
    "adm", "ftp", "_apt", "syslog", "messagebus", "sshd", "tss", "uuidd", "tcpdump", "dnsmasq", "usbmux", "rtkit",
    "pulse", "colord", "geoclue", "lightdm", "gdm", "sddm", "saned", "kernoops", "whoopsie", "landscape",
    "pollinate", "fwupd-refresh", "polkitd", "avahi", "avahi-autoipd", "ntp", "chrony", "_chrony", "cups",
    "speech-dispatcher", "rpc", "rpcuser", "statd", "_rpc", "nscd", "sssd", "nslcd", "snapd", "tftp", "dhcpcd",
    "systemd-network", "systemd-resolve", "systemd-timesync",
    # daemons whose accounts own data (a new password opens a login into it)
    "postfix", "bind", "named", "samba", "postgres", "mysql", "mariadb", "redis", "mongodb", "memcached",
    "dovecot", "dovenull", "exim", "debian-exim", "opendkim", "clamav", "amavis", "spamd", "unbound", "openldap",
    "ldap", "slapd", "nginx", "apache", "httpd", "squid", "haproxy", "zabbix", "nagios", "prometheus", "grafana",
    "elasticsearch", "rabbitmq", "jenkins", "gitlab-runner", "libvirt-qemu", "libvirt-dnsmasq", "qemu", "lxd",
    "docker", "containerd", "kubelet", "etcd",
})  # fmt: skip
# Groups that carry system privileges or that the OS owns: they must not be created, removed, granted share access
# or re-membered. Root-equivalent ones first: membership is a path to root (sudo/wheel/admin run anything; docker,
# lxd, libvirt, kvm start privileged containers or VMs; disk, kmem read raw devices or memory; shadow reads password
# hashes; staff writes /usr/local; adm and systemd-journal read every log; lpadmin and ssl-cert reach CUPS and
# private keys; input reads every keystroke). Then groups the OS itself owns.
PRIVILEGED_GROUPS = frozenset({
    "root", "sudo", "wheel", "admin", "adm", "docker", "lxd", "libvirt", "libvirt-qemu", "kvm", "disk", "kmem",
    "shadow", "staff", "systemd-journal", "lpadmin", "ssl-cert", "input", "operator", "_ssh", "crontab", "tty",
})  # fmt: skip
RESERVED_GROUPS = PRIVILEGED_GROUPS | frozenset({
    "daemon", "bin", "sys", "lp", "mail", "utmp", "nogroup", "nobody", "man", "proxy", "www-data", "messagebus",
    "polkitd", "systemd-network", "systemd-timesync", "systemd-resolve", "sshd", "postfix", "postdrop",
})  # fmt: skip
# Section names with a special meaning in smb.conf: a "share" by that name rewrites Samba itself.
RESERVED_SHARES = frozenset({"global", "homes", "printers", "print$", "ipc$"})
# Named in refusals (a clearer reason than "not under an allowed root"): never shared themselves (SYSTEM_DIRS),
# nor anything below them (PROTECTED_TREES).
SYSTEM_DIRS = frozenset({"/", "/etc", "/root", "/bin", "/sbin", "/boot", "/dev", "/proc", "/sys", "/usr", "/var",
                         "/lib", "/lib64", "/lib32", "/opt", "/run", "/tmp", "/home", "/snap"})  # fmt: skip
PROTECTED_TREES = ("/etc", "/root", "/proc", "/sys", "/dev", "/boot", "/usr", "/bin", "/sbin", "/lib", "/lib64",
                   "/lib32", "/var", "/run", "/tmp", "/snap")  # fmt: skip
# Where shares may live (strictly below one of these; a component may be a shell-style pattern). Data trees by
# convention (FHS /srv, NFS-style /export, NAS /volumeN), mount points (/mnt, /media), backup and data disks, and
# sub-directories of a home directory (/home/<user>/<dir>, never the home itself nor its dot-directories).
# /var/www and the rest of /var are deliberately absent: a writable web root is code execution as the web server.
DEFAULT_SHARE_ROOTS = ("/srv", "/data", "/export", "/mnt", "/media", "/backup", "/opt/shares", "/volume[0-9]*",
                       "/home/*")  # fmt: skip
SHARE_ROOTS_ENV = "MICROLLM_SHARE_ROOTS"  # colon-separated roots that replace DEFAULT_SHARE_ROOTS
HOME_ROOTS = ("/home/*",)  # roots below which dot-directories (credentials: .ssh, .gnupg, .config) are refused
SHELL_METACHARACTERS = frozenset(";|&$`<>(){}[]*?!~'\"\\")
RECORD_TYPES = frozenset({"A", "AAAA", "CNAME", "MX", "TXT", "NS", "PTR", "SRV", "CAA"})
_RTYPES = tuple(sorted(RECORD_TYPES))
KEY_SIZES = {"rsa": frozenset({2048, 3072, 4096}), "ec": frozenset({256, 384, 521})}
_ANY_KEY_SIZE = KEY_SIZES["rsa"] | KEY_SIZES["ec"]  # key_size given without key_type
SECRET_FIELDS = frozenset({"password"})  # shown as '***', never echoed
LOOPBACK_PROTECTED = frozenset({"net_down", "net_set_address", "net_set_dhcp"})
SCOPED_ADDRESS_FIELDS = frozenset({"servers"})  # resolv.conf takes "fe80::1%eth0"; nothing else here does
MAX_LIST_ITEMS = 64  # alt_names, servers: a request names a handful, never thousands
MAX_TEXT = 256  # free text (full name, share comment): one line of a config file

_USER_RE = re.compile(r"[A-Za-z_][A-Za-z0-9._-]{0,31}")
_SHARE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._ -]{0,79}")
_ALIAS_RE = re.compile(r"[A-Za-z0-9._+-]{1,64}")
_EMAIL_LOCAL_RE = re.compile(r"[A-Za-z0-9._+-]{1,64}")  # no '%': the percent hack routes mail through the host
_SERVICE_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")
_IFACE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,14}")
_SCOPE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,14}")  # an interface name (no ':') or a numeric index
_LABEL_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
# A share path component: letters and digits of any script, and a few punctuation marks that mean nothing to
# smb.conf, the shell or Samba's variable substitution.
_PATH_PART_RE = re.compile(r"[^\W]|[ .,+@=-]")
_SRV_RE = re.compile(r"(\d{1,5}) (\d{1,5}) (\d{1,5}) (\S+)")
_CAA_RE = re.compile(r'(\d{1,3}) (issue|issuewild|iodef|issuemail|contactemail|contactphone) ("[^"\\]*"|[^\s"\\]+)')
_CHAR_NAMES = {"\n": "a newline", "\r": "a carriage return", "\x00": "a NUL byte"}

Check = Callable[[object, dict, "SafetyPolicy"], "str | None"]


@dataclass(frozen=True)
class Violation:
    path: str  # "username", or "steps[1].username" inside a multi
    field: str
    value: object
    reason: str

    def __str__(self) -> str:
        return f"{self.path}={self.value!r}: {self.reason}"


class UnsafeIntentError(ValueError):
    """An intent that must not be executed; ``violations`` lists every reason."""

    def __init__(self, violations):
        self.violations = tuple(violations)
        super().__init__("unsafe intent: " + "; ".join(str(v) for v in self.violations))


# --- host data and policy ----------------------------------------------------------------------
def _login_defs(path: str | Path) -> dict[str, int]:
    """The numeric settings of /etc/login.defs (``UID_MIN`` ...); empty when the file is absent or unreadable."""
    out: dict[str, int] = {}
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return out
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 2 and not parts[0].startswith("#") and parts[1].isdigit():
            out[parts[0]] = int(parts[1])
    return out


@dataclass(frozen=True)
class HostAccounts:
    """The accounts and groups of the host that runs the automation, with its login range.

    Names are compared lower-cased (Samba matches them without regard to case). An id outside
    ``uid_min..uid_max`` (``gid_min..gid_max``) is a system one: root (0), daemons (< 1000), nobody (65534)."""

    users: Mapping[str, int] = field(default_factory=dict)
    groups: Mapping[str, int] = field(default_factory=dict)
    uid_min: int = 1000
    uid_max: int = 60000
    gid_min: int = 1000
    gid_max: int = 60000

    @classmethod
    def from_host(cls, login_defs: str | Path = "/etc/login.defs") -> HostAccounts:
        """Read this machine's accounts (``pwd``/``grp``: files, LDAP, whatever NSS serves) and its login range."""
        import grp
        import pwd

        defs = _login_defs(login_defs)
        return cls(
            users={p.pw_name.lower(): p.pw_uid for p in pwd.getpwall()},
            groups={g.gr_name.lower(): g.gr_gid for g in grp.getgrall()},
            uid_min=defs.get("UID_MIN", 1000),
            uid_max=defs.get("UID_MAX", 60000),
            gid_min=defs.get("GID_MIN", 1000),
            gid_max=defs.get("GID_MAX", 60000),
        )

    def system_user(self, name: str) -> str | None:
        """Why ``name`` is a system account of this host, or None (a login account, or unknown here)."""
        uid = self.users.get(name.lower())
        if uid is None or self.uid_min <= uid <= self.uid_max:
            return None
        return f"system account on this host (UID {uid} outside the login range {self.uid_min}..{self.uid_max})"

    def system_group(self, name: str) -> str | None:
        """Why ``name`` is a system group of this host, or None."""
        gid = self.groups.get(name.lower())
        if gid is None or self.gid_min <= gid <= self.gid_max:
            return None
        return f"system group on this host (GID {gid} outside the login range {self.gid_min}..{self.gid_max})"


@dataclass(frozen=True)
class SafetyPolicy:
    """What the validator judges against: host accounts (None: the documented lists only) and share roots."""

    accounts: HostAccounts | None = None
    share_roots: tuple[str, ...] = DEFAULT_SHARE_ROOTS
    reserved_users: frozenset[str] = RESERVED_USERS
    reserved_groups: frozenset[str] = RESERVED_GROUPS

    @classmethod
    def from_host(cls, share_roots: tuple[str, ...] | None = None) -> SafetyPolicy:
        """The policy of this machine: its accounts (when readable) and ``$MICROLLM_SHARE_ROOTS`` or the defaults."""
        if share_roots is None:
            env = os.environ.get(SHARE_ROOTS_ENV, "")
            share_roots = tuple(r for r in env.split(":") if r) or DEFAULT_SHARE_ROOTS
        bad = [r for r in share_roots if not r.startswith("/") or r.rstrip("/") == ""]
        if bad:
            raise ValueError(f"share roots must be absolute directories other than '/': {bad}")
        return cls(accounts=_host_accounts(), share_roots=tuple(share_roots))


@functools.cache
def _host_accounts() -> HostAccounts | None:
    """This host's accounts, read once per process."""
    try:
        return HostAccounts.from_host()
    except (ImportError, OSError, KeyError):  # no pwd/grp (non-POSIX) or NSS trouble: the lists still apply
        return None


_default: SafetyPolicy | None = None


def default_policy() -> SafetyPolicy:
    """The policy used when none is passed: the one set by :func:`set_default_policy`, else this host's accounts
    (read once) with the share roots of ``$MICROLLM_SHARE_ROOTS`` (read at every call) or the defaults."""
    return _default if _default is not None else SafetyPolicy.from_host()


def set_default_policy(policy: SafetyPolicy | None) -> SafetyPolicy | None:
    """Replace the default policy (None: back to this host's); return the previous one."""
    global _default
    previous, _default = _default, policy
    return previous


# --- character-level helpers -------------------------------------------------------------
def _control_issue(v: str) -> str | None:
    """Newlines, NUL, other control characters, invisible format characters and lone surrogates."""
    for c in v:
        cat = unicodedata.category(c)
        if cat in ("Cc", "Zl", "Zp"):
            return "contains " + _CHAR_NAMES.get(c, f"control character {c!r}")
        if cat == "Cs":
            return f"contains a lone surrogate (U+{ord(c):04X})"
        if cat == "Cf":  # zero-width and bidi controls: the value would not read as what it is
            return f"contains invisible format character U+{ord(c):04X}"
    return None


def _chars_issue(v: str) -> str | None:
    if issue := _control_issue(v):
        return issue
    if any(c.isspace() for c in v):
        return "contains whitespace"
    bad = next((c for c in v if c in SHELL_METACHARACTERS), None)
    return f"contains shell metacharacter {bad!r}" if bad else None


def _name_issue(v: str, pattern: re.Pattern, what: str) -> str | None:
    if issue := _chars_issue(v):
        return issue
    if v.startswith("-"):
        return "must not start with '-' (it would be read as a command-line option)"
    return None if pattern.fullmatch(v) else f"not a valid {what}"


def _hostname_issue(v: str, *, underscore: bool = False, wildcard: bool = False) -> str | None:
    """Why ``v`` is not a DNS host name (labels of 1..63 letters/digits/hyphens, <= 253 in all)."""
    if issue := _control_issue(v):
        return issue
    name = v[:-1] if v.endswith(".") else v
    if wildcard and name.startswith("*."):
        name = name[2:]
    if len(name) > 253:
        return "longer than 253 characters"
    labels = name.split(".")
    for label in labels:
        core = label[1:] if underscore and label.startswith("_") else label
        if not label:
            return "empty label"
        if len(label) > 63:
            return "label longer than 63 characters"
        if not _LABEL_RE.fullmatch(core):
            return f"bad label {label[:70]!r}"
    return "numeric top-level label" if labels[-1].isdigit() else None


def _ip(v: str, version: int | None = None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """``v`` as an IP address without a scope id (Python accepts any text after '%'), else None."""
    if "%" in v:
        return None
    try:
        ip = ipaddress.ip_address(v)
    except ValueError:
        return None
    return ip if version in (None, ip.version) else None


def _scope_hint(v: str) -> str:
    return " (an IPv6 scope id '%...' is not allowed here)" if "%" in v else ""


# --- checker builders --------------------------------------------------------------------
def _string(fn: Callable[[str, dict, SafetyPolicy], str | None]) -> Check:
    def check(v: object, intent: dict, policy: SafetyPolicy) -> str | None:
        return fn(v, intent, policy) if isinstance(v, str) else "must be a string"

    check.__name__ = fn.__name__
    return check


def _int_between(lo: int, hi: int, too_big: str | None = None) -> Check:
    def check(v: object, _i: dict, _p: SafetyPolicy) -> str | None:
        if not isinstance(v, int) or isinstance(v, bool):
            return "must be an integer"
        if v > hi and too_big:
            return too_big
        return None if lo <= v <= hi else f"out of range {lo}..{hi}"

    return check


def _choice(*options: str) -> Check:
    def check(v: object, _i: dict, _p: SafetyPolicy) -> str | None:
        return None if isinstance(v, str) and v in options else f"must be one of {', '.join(options)}"

    return check


def _bool(v: object, _i: dict, _p: SafetyPolicy) -> str | None:
    return None if isinstance(v, bool) else "must be true or false"


@dataclass(frozen=True)
class _Each:
    """Marks a list field: the checker runs on every element, paths get an index."""

    check: Check
    max_items: int = MAX_LIST_ITEMS


# --- per-field checkers ------------------------------------------------------------------
@_string
def _user(v: str, _: dict, policy: SafetyPolicy) -> str | None:
    if issue := _name_issue(v, _USER_RE, "user name"):
        return issue
    if v.lower() in policy.reserved_users or v.lower().startswith("systemd-"):
        return "reserved system account"
    return policy.accounts.system_user(v) if policy.accounts else None


@_string
def _group(v: str, _: dict, policy: SafetyPolicy) -> str | None:
    if issue := _name_issue(v, _USER_RE, "group name"):
        return issue
    if v.lower() in policy.reserved_groups or v.lower().startswith("systemd-"):
        return "reserved system group"
    return policy.accounts.system_group(v) if policy.accounts else None


@_string
def _share(v: str, _: dict, _p: SafetyPolicy) -> str | None:
    # smb.conf section names may hold spaces ("[Temp Files]"), never at either end (the parser strips them)
    if issue := _control_issue(v):
        return issue
    if bad := next((c for c in v if c in SHELL_METACHARACTERS), None):
        return f"contains shell metacharacter {bad!r}"
    if v != v.strip() or "  " in v or any(c.isspace() and c != " " for c in v):
        return "contains whitespace other than single inner spaces"
    if v.startswith("-"):
        return "must not start with '-' (it would be read as a command-line option)"
    return None if _SHARE_RE.fullmatch(v) else "not a valid share name"


@_string
def _share_definition(v: str, intent: dict, policy: SafetyPolicy) -> str | None:
    issue = _share(v, intent, policy)
    return issue or ("reserved Samba section name" if v.lower() in RESERVED_SHARES else None)


def _under(parts: list[str], root: str) -> bool:
    """Whether the path ``parts`` lies strictly below ``root`` (each root component a shell-style pattern)."""
    rparts = [p for p in root.split("/") if p]
    return len(parts) > len(rparts) and all(fnmatch.fnmatchcase(p, r) for p, r in zip(parts, rparts, strict=False))


@_string
def _share_path(v: str, _: dict, policy: SafetyPolicy) -> str | None:
    if issue := _control_issue(v):
        return issue
    if bad := next((c for c in v if c in SHELL_METACHARACTERS), None):
        return f"contains shell metacharacter {bad!r}"
    if not v.startswith("/"):
        return "must be an absolute path"
    if len(v) > 4095:
        return "longer than 4095 characters"
    raw = v.split("/")
    if ".." in raw:
        return "must not contain a '..' component"
    parts = [p for p in raw if p not in ("", ".")]
    for part in parts:
        if bad := next((c for c in part if not _PATH_PART_RE.fullmatch(c)), None):
            what = "'%' (Samba variable substitution)" if bad == "%" else repr(bad)
            return f"contains {what}: share paths hold letters, digits, spaces and . , + @ = - _"
        if part != part.strip():
            return "a path component starts or ends with a space (smb.conf would strip it)"
        if len(part.encode("utf-8")) > 255:
            return "a path component is longer than 255 bytes"
    norm = "/" + "/".join(parts)
    if norm in SYSTEM_DIRS:
        return "refusing to share a system directory"
    root = next((r for r in policy.share_roots if _under(parts, r)), None)
    if root is None:
        tree = next((t for t in PROTECTED_TREES if norm.startswith(t + "/")), None)
        if tree:
            return f"refusing to share a path under {tree}"
        return "not under an allowed share root (" + ", ".join(policy.share_roots) + ")"
    if root in HOME_ROOTS and any(p.startswith(".") for p in parts[2:]):
        return "refusing to share a dot-directory of a home directory (keys and credentials live there)"
    return None


@_string
def _share_comment(v: str, _: dict, _p: SafetyPolicy) -> str | None:
    if issue := _control_issue(v):
        return issue
    if len(v) > MAX_TEXT:
        return f"longer than {MAX_TEXT} characters"
    if v.endswith("\\"):
        return "must not end with '\\' (smb.conf line continuation)"
    if "%" in v:
        return "must not contain '%' (smb.conf variable substitution)"
    return "must not start or end with whitespace (smb.conf strips it)" if v != v.strip() else None


@_string
def _full_name(v: str, _: dict, _p: SafetyPolicy) -> str | None:
    if issue := _control_issue(v):
        return issue
    if len(v) > MAX_TEXT:
        return f"longer than {MAX_TEXT} characters"
    return "must not contain ':' (GECOS field separator)" if ":" in v else None


@_string
def _password(v: str, _: dict, _p: SafetyPolicy) -> str | None:
    if not v:
        return "must not be empty"
    return "longer than 128 characters" if len(v) > 128 else _control_issue(v)


@_string
def _dns_name(v: str, _: dict, _p: SafetyPolicy) -> str | None:
    issue = _hostname_issue(v, underscore=True)
    return f"not a valid DNS name: {issue}" if issue else None


@_string
def _record_type(v: str, _: dict, _p: SafetyPolicy) -> str | None:
    return None if v.upper() in RECORD_TYPES else f"unsupported record type (use {', '.join(_RTYPES)})"


def _srv_issue(v: str) -> str | None:
    m = _SRV_RE.fullmatch(v)
    if not m:
        return "SRV value must be 'priority weight port target'"
    if any(int(n) > 65535 for n in m.groups()[:3]):
        return "SRV priority, weight and port must be 0..65535"
    target = m.group(4)
    issue = None if target == "." else _hostname_issue(target, underscore=True)
    return f"not a valid SRV target host name: {issue}" if issue else None


@_string
def _dns_value(v: str, intent: dict, _p: SafetyPolicy) -> str | None:
    rtype = str(intent.get("record_type", "")).upper()
    if rtype == "A" and not _ip(v, 4):
        return "not a valid IPv4 address" + (" (IPv6 needs record type AAAA)" if _ip(v, 6) else _scope_hint(v))
    if rtype == "AAAA" and not _ip(v, 6):
        return "not a valid IPv6 address" + (" (IPv4 needs record type A)" if _ip(v, 4) else _scope_hint(v))
    if rtype in ("CNAME", "MX", "NS", "PTR"):
        issue = _hostname_issue(v, underscore=rtype == "CNAME")
        return f"not a valid {rtype} target host name: {issue}" if issue else None
    if issue := _control_issue(v):
        return issue
    if rtype == "SRV":
        return _srv_issue(v)
    if rtype == "CAA":
        return None if _CAA_RE.fullmatch(v) else "CAA value must be 'flags tag value' (e.g. 0 issue \"ca.example\")"
    # TXT: written as one quoted character-string (quotes and backslashes escaped), at most 255 bytes
    return "longer than 255 bytes (one TXT string)" if len(v.encode("utf-8")) > 255 else None


def _mx_priority(v: object, intent: dict, policy: SafetyPolicy) -> str | None:
    issue = _int_between(0, 65535)(v, intent, policy)
    mx = str(intent.get("record_type", "")).upper() == "MX"
    return issue or (None if mx else "priority only applies to MX records")


@_string
def _cert_name(v: str, _: dict, _p: SafetyPolicy) -> str | None:
    if "%" in v:
        return "not a valid host name: an IPv6 scope id '%...' is not allowed"
    issue = None if _ip(v) else _hostname_issue(v, wildcard=True)
    return f"not a valid host name: {issue}" if issue else None


def _key_size(v: object, intent: dict, _p: SafetyPolicy) -> str | None:
    key_type = intent.get("key_type")
    allowed = KEY_SIZES.get(key_type, _ANY_KEY_SIZE) if isinstance(key_type, str) else _ANY_KEY_SIZE
    if not isinstance(v, int) or isinstance(v, bool):
        return "must be an integer"
    sizes = ", ".join(map(str, sorted(allowed)))
    return None if v in allowed else f"unsupported key size for {key_type or 'any key type'} (use {sizes})"


@_string
def _relay_host(v: str, _: dict, _p: SafetyPolicy) -> str | None:
    if "%" in v:
        return "not a valid host name or IP address: an IPv6 scope id '%...' is not allowed (main.cf)"
    issue = None if _ip(v) else _hostname_issue(v)
    return f"not a valid host name or IP address: {issue}" if issue else None


@_string
def _alias(v: str, _: dict, _p: SafetyPolicy) -> str | None:
    if "@" in v and not _chars_issue(v):
        # /etc/aliases keys are local names; an address with a domain needs virtual_alias_maps, not written here
        return "not a valid mail alias: /etc/aliases takes a local name, not an address with a domain"
    return _name_issue(v, _ALIAS_RE, "mail alias")


@_string
def _destination(v: str, _: dict, _p: SafetyPolicy) -> str | None:
    # /etc/aliases also accepts "|command", "/file" and ":include:": only a user or one address here.
    if issue := _chars_issue(v):
        return issue
    local, at, domain = v.rpartition("@")
    if at:
        ok = _EMAIL_LOCAL_RE.fullmatch(local) and not _hostname_issue(domain)
        return None if ok else "not a valid e-mail address"
    return None if _USER_RE.fullmatch(v) else "must be a local user name or one e-mail address"


@_string
def _service(v: str, _: dict, _p: SafetyPolicy) -> str | None:
    return _name_issue(v, _SERVICE_RE, "firewall service name (lower-case, e.g. 'ssh')")


@_string
def _fw_source(v: str, _: dict, _p: SafetyPolicy) -> str | None:
    if "%" in v:
        return "not a valid IP address or CIDR network: an IPv6 scope id '%...' is not allowed"
    try:
        ipaddress.ip_network(v, strict=False)
    except ValueError:
        return "not a valid IP address or CIDR network"
    return None


@_string
def _interface(v: str, intent: dict, _p: SafetyPolicy) -> str | None:
    if issue := _name_issue(v, _IFACE_RE, "interface name"):
        return issue
    if v == "lo" and intent.get("action") in LOOPBACK_PROTECTED:
        return "refusing to reconfigure the loopback interface"
    return None


@_string
def _interface_address(v: str, _: dict, _p: SafetyPolicy) -> str | None:
    if "%" in v:
        return "not a valid interface address: an IPv6 scope id '%...' is not allowed"
    if "/" not in v:
        return "address needs a prefix length (e.g. 10.0.0.5/24)"
    try:
        iface = ipaddress.ip_interface(v)
    except ValueError:
        return "not a valid interface address in CIDR form"
    ip, net = iface.ip, iface.network
    if ip.is_unspecified or ip.is_loopback or ip.is_multicast:
        return "not a usable host address"
    if ip.version == 4 and net.prefixlen < 31 and ip in (net.network_address, net.broadcast_address):
        return "is the network or broadcast address of its subnet, not a host address"
    return None


@_string
def _gateway(v: str, intent: dict, _p: SafetyPolicy) -> str | None:
    ip = _ip(v)
    if ip is None:
        return "not a valid IP address" + _scope_hint(v)
    address = intent.get("address")
    if not isinstance(address, str) or "%" in address:
        return None  # the address itself is reported
    try:
        own = ipaddress.ip_interface(address)
    except ValueError:
        return None
    if ip.version != own.version:
        return f"gateway is IPv{ip.version} but the address is IPv{own.version}"
    return "gateway is the interface's own address" if ip == own.ip else None


@_string
def _nameserver(v: str, _: dict, _p: SafetyPolicy) -> str | None:
    addr, pct, scope = v.partition("%")
    ip = _ip(addr)
    if ip is None:
        return "not a valid IP address"
    if pct:  # resolv.conf: "nameserver fe80::1%eth0" reaches a link-local server through that interface
        if ip.version != 6 or not ip.is_link_local:
            return "a scope id ('%...') only goes with an IPv6 link-local address (fe80::/10)"
        if not _SCOPE_RE.fullmatch(scope):
            return "the scope id after '%' must be an interface name (letters, digits, '_', '.', '-')"
    return None


# --- dispatch table: (action, field) -> checker -------------------------------------------
def _on(actions: tuple[str, ...], name: str, check: Check | _Each) -> dict[tuple[str, str], Check | _Each]:
    return {(a, name): check for a in actions}


_DNS = ("dns_add", "dns_remove", "dns_update", "dns_lookup")
_USER_ACTIONS = ("user_add", "user_remove", "user_set_password", "user_add_to_group",
                 "user_remove_from_group", "user_lock", "user_unlock")  # fmt: skip
_GROUP_ACTIONS = ("user_add_to_group", "user_remove_from_group", "group_add", "group_remove")
_ACCESS = ("share_grant_access", "share_revoke_access")
_CERT = ("cert_create", "cert_renew", "cert_revoke")
_FW = ("fw_allow", "fw_deny", "fw_remove")
_NET = ("net_set_address", "net_set_dhcp", "net_up", "net_down", "net_set_nameservers")

CHECKS: dict[tuple[str, str], Check | _Each] = {
    **_on(_DNS, "name", _dns_name),
    **_on(_DNS, "record_type", _record_type),
    **_on(("dns_add", "dns_update"), "value", _dns_value),
    **_on(("dns_add", "dns_update"), "ttl", _int_between(1, 2_147_483_647)),
    **_on(("dns_add",), "priority", _mx_priority),
    **_on(_USER_ACTIONS + _ACCESS, "username", _user),
    **_on(("user_add", "user_set_password"), "password", _password),
    **_on(("user_add",), "full_name", _full_name),
    **_on(("user_remove",), "remove_home", _bool),
    **_on(_GROUP_ACTIONS + _ACCESS, "group", _group),
    **_on(("share_create", "share_remove"), "name", _share_definition),
    **_on(("share_create",), "path", _share_path),
    **_on(("share_create",), "comment", _share_comment),
    **_on(("share_create",), "read_only", _bool),
    **_on(("share_create",), "guest_ok", _bool),
    **_on(_ACCESS, "share", _share),
    **_on(("share_grant_access",), "access", _choice("read", "write")),
    **_on(("mail_set_relay",), "host", _relay_host),
    **_on(("mail_set_relay",), "port", _int_between(1, 65535)),
    **_on(("mail_alias_add", "mail_alias_remove"), "alias", _alias),
    **_on(("mail_alias_add",), "destination", _destination),
    **_on(_CERT, "common_name", _cert_name),
    **_on(("cert_create", "cert_renew"), "days", _int_between(1, 3650, "over 3650 days is unreasonable")),
    **_on(("cert_create",), "alt_names", _Each(_cert_name)),
    **_on(("cert_create",), "key_type", _choice("rsa", "ec")),
    **_on(("cert_create",), "key_size", _key_size),
    **_on(_FW, "port", _int_between(1, 65535)),
    **_on(_FW, "service", _service),
    **_on(_FW, "protocol", _choice("tcp", "udp")),
    **_on(_FW, "source", _fw_source),
    **_on(_NET, "interface", _interface),
    **_on(("net_set_address",), "address", _interface_address),
    **_on(("net_set_address",), "gateway", _gateway),
    **_on(("net_set_nameservers",), "servers", _Each(_nameserver, max_items=8)),
}


# --- structure ---------------------------------------------------------------------------------
@functools.cache
def _fields(action: str) -> tuple[frozenset[str], tuple[str, ...], tuple[str, str] | None]:
    """(allowed keys, required keys, exactly-one-of pair) of an operation, from the schema's models."""
    model = MODEL_BY_ACTION[action]
    allowed = frozenset(model.model_fields)
    required = tuple(n for n, f in model.model_fields.items() if f.is_required() and n != "action")
    one_of = getattr(model, "one_of", ("", ""))
    return allowed, required, (one_of if one_of[0] else None)


def _key_text(key: object) -> str:
    return key if isinstance(key, str) else repr(key)


def _unknown_key(key: object, allowed: frozenset[str]) -> str:
    text = _key_text(key)
    fold = {a.lower(): a for a in allowed}
    if isinstance(key, str) and key.strip().lower() in fold:
        return f"unknown field: keys are exact and lower-case, did you mean {fold[key.strip().lower()]!r}?"
    return f"unknown field {text!r} (this action takes: {', '.join(sorted(allowed - {'action'}))})"


def _action_of(intent: dict, prefix: str) -> tuple[object, list[Violation]]:
    if "action" in intent:
        action = intent["action"]
        if isinstance(action, str) and action in ACTIONS:
            return action, []
        return action, [Violation(prefix + "action", "action", action, "unknown action")]
    near = next((k for k in intent if isinstance(k, str) and k.strip().lower() == "action"), None)
    hint = f" (found {near!r}: keys are exact and lower-case)" if near is not None else ""
    return None, [Violation(prefix + "action", "action", None, "missing 'action'" + hint)]


def _check_fields(intent: dict, action: str, prefix: str, policy: SafetyPolicy) -> Iterator[Violation]:
    allowed, required, one_of = _fields(action)
    for key, value in intent.items():
        if key == "action":
            continue
        path = prefix + _key_text(key)
        if key not in allowed:
            # The value is never echoed: an unexpected key ("pass", "secret") may well hold a password.
            yield Violation(path, _key_text(key), "***", _unknown_key(key, allowed))
            continue
        if value is None:
            yield _violation(path, key, value, "null is not a value: omit the field instead")
            continue
        check = CHECKS[(action, key)]
        if isinstance(check, _Each):
            if not isinstance(value, list):
                yield _violation(path, key, value, "must be a list")
                continue
            if not value:
                yield _violation(path, key, value, "must not be an empty list")
                continue
            if len(value) > check.max_items:
                yield _violation(path, key, f"<{len(value)} items>", f"more than {check.max_items} items")
                continue
            items = [(f"{path}[{i}]", item) for i, item in enumerate(value)]
            check = check.check
        else:
            items = [(path, value)]
        for item_path, item in items:
            if reason := check(item, intent, policy):
                yield _violation(item_path, key, item, reason)
    for name in required:
        if name not in intent:
            yield Violation(prefix + name, name, None, f"required field missing for {action}")
    if one_of is not None:
        a, b = one_of
        if (intent.get(a) is None) == (intent.get(b) is None):
            yield Violation(prefix + a, a, None, f"exactly one of '{a}' / '{b}' is required")


def _check_meta(intent: dict, action: str, prefix: str) -> Iterator[Violation]:
    allowed = {"unknown": {"action"}, "clarify": {"action", "intent", "missing"}}[action]
    for key in intent:
        if key not in allowed:
            reason = _unknown_key(key, frozenset(allowed)) if len(allowed) > 1 else "unknown takes no other field"
            yield Violation(prefix + _key_text(key), _key_text(key), "***", reason)
    if action == "clarify":
        meant, missing = intent.get("intent"), intent.get("missing")
        if not isinstance(meant, str) or meant not in OPERATIONS:
            yield Violation(prefix + "intent", "intent", meant, "must name an operation (e.g. 'dns_add')")
            return
        required = required_fields(meant)
        if not isinstance(missing, list) or not missing:
            yield Violation(prefix + "missing", "missing", missing, "must be a non-empty list of field names")
        elif bad := [m for m in missing if m not in required]:
            yield Violation(prefix + "missing", "missing", bad, f"not required fields of {meant} ({required})")


def _violation(path: str, name: object, value: object, reason: str) -> Violation:
    return Violation(path, _key_text(name), "***" if name in SECRET_FIELDS else value, reason)


def _check(intent: object, prefix: str, policy: SafetyPolicy, *, step: bool = False) -> Iterator[Violation]:
    if not isinstance(intent, dict):
        yield Violation(prefix.rstrip(".") or "intent", "", type(intent).__name__, "not a JSON object")
        return
    action, problems = _action_of(intent, prefix)
    if problems:
        yield from problems
        return
    if step and action in ("multi", "clarify", "unknown"):
        yield Violation(prefix + "action", "action", action, "a multi step must be an operation, not a meta action")
        return
    if action in ("clarify", "unknown"):
        yield from _check_meta(intent, action, prefix)
        return
    if action == "multi":
        for key in intent:
            if key not in ("action", "steps"):
                yield Violation(prefix + _key_text(key), _key_text(key), "***", _unknown_key(key, frozenset({"steps"})))
        steps = intent.get("steps")
        if not isinstance(steps, list):
            yield Violation(prefix + "steps", "steps", steps, "must be a list of actions")
            return
        if len(steps) < 2:
            yield Violation(prefix + "steps", "steps", len(steps), "a multi needs two or more steps")
        for i, s in enumerate(steps):
            yield from _check(s, f"{prefix}steps[{i}].", policy, step=True)
        return
    yield from _check_fields(intent, action, prefix, policy)


# --- public API ----------------------------------------------------------------------------
def check_intent(intent: dict, policy: SafetyPolicy | None = None) -> list[Violation]:
    """Every safety and structure problem of ``intent``; empty when it is safe to execute.

    ``policy``: host accounts and share roots to judge by (default: :func:`default_policy`, this host's)."""
    policy = policy or default_policy()
    violations = list(_check(intent, "", policy))
    if not violations:
        # Last line: whatever the schema refuses (a rule no checker above covers) is refused here too.
        try:
            validate_intent(intent)
        except IntentError as e:
            violations.append(Violation("intent", "", "***", f"does not match the intent schema: {e.message}"))
    return violations


def ensure_safe(intent: dict, policy: SafetyPolicy | None = None) -> dict:
    """Return ``intent`` unchanged, or raise :class:`UnsafeIntentError` listing every violation."""
    violations = check_intent(intent, policy)
    if violations:
        raise UnsafeIntentError(violations)
    return intent


def is_safe(intent: dict, policy: SafetyPolicy | None = None) -> bool:
    """Whether ``intent`` passes :func:`check_intent` (no violation at all)."""
    return not check_intent(intent, policy)

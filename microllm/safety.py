"""Safety validator: what must never reach automation, each refusal with a clear reason.

The parser copies what was asked (spec rule 8, "validation is not extraction"); this module runs
after it and rejects invalid or dangerous values: bad IPs and ports, reserved accounts, shell
metacharacters, newline injection into config files, system directories shared over Samba.
Intents are the plain dicts of :func:`microllm.schema.validate_intent`. The rules are small
per-field checkers, dispatched from the table :data:`CHECKS` keyed by ``(action, field)``; a
checker takes ``(value, intent)`` and returns a reason, or ``None`` when the value is fine.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from .schema import OPERATIONS

# Accounts owned by the OS or by daemons: creating, removing, locking, re-passwording or granting
# them anything breaks the system or hands out privileges. Compared case-insensitively, since
# Samba resolves user names without regard to case ("Root" may map to root).
RESERVED_USERS = frozenset({
    "root", "daemon", "bin", "sys", "sync", "games", "man", "lp", "mail", "news", "uucp", "proxy",
    "www-data", "backup", "list", "irc", "gnats", "nobody", "systemd-network", "systemd-resolve",
    "systemd-timesync", "messagebus", "sshd", "_apt", "syslog", "postfix", "bind", "named", "samba",
    "polkitd", "avahi", "ntp",
})  # fmt: skip
# Groups that carry system privileges (root-equivalent: sudo, wheel, disk, shadow, kmem...) or
# that the OS owns: they must not be created, removed, granted share access or re-membered.
RESERVED_GROUPS = frozenset({
    "root", "daemon", "bin", "sys", "adm", "tty", "disk", "lp", "mail", "kmem", "shadow", "utmp",
    "wheel", "sudo", "staff", "nogroup", "systemd-journal",
})  # fmt: skip
# Section names with a special meaning in smb.conf: a "share" by that name rewrites Samba itself.
RESERVED_SHARES = frozenset({"global", "homes", "printers", "print$", "ipc$"})
# Never shared themselves (SYSTEM_DIRS), nor anything below them (PROTECTED_TREES): config, keys, kernel.
SYSTEM_DIRS = frozenset({"/", "/etc", "/root", "/bin", "/sbin", "/boot", "/dev", "/proc", "/sys",
                         "/usr", "/var", "/lib", "/lib64"})  # fmt: skip
PROTECTED_TREES = ("/etc", "/root", "/proc", "/sys", "/dev", "/boot")
SHELL_METACHARACTERS = frozenset(";|&$`<>(){}[]*?!~'\"\\")
RECORD_TYPES = frozenset({"A", "AAAA", "CNAME", "MX", "TXT", "NS", "PTR", "SRV", "CAA"})
_RTYPES = tuple(sorted(RECORD_TYPES))
KEY_SIZES = {"rsa": frozenset({2048, 3072, 4096}), "ec": frozenset({256, 384, 521})}
_ANY_KEY_SIZE = KEY_SIZES["rsa"] | KEY_SIZES["ec"]  # key_size given without key_type
SECRET_FIELDS = frozenset({"password"})  # shown as '***', never echoed
LOOPBACK_PROTECTED = frozenset({"net_down", "net_set_address", "net_set_dhcp"})

_USER_RE = re.compile(r"[A-Za-z_][A-Za-z0-9._-]{0,31}")
_SHARE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,79}")
_ALIAS_RE = re.compile(r"[A-Za-z0-9._+-]{1,64}")
_EMAIL_LOCAL_RE = re.compile(r"[A-Za-z0-9._%+-]{1,64}")
_SERVICE_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")
_IFACE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,14}")
_LABEL_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_CHAR_NAMES = {"\n": "a newline", "\r": "a carriage return", "\x00": "a NUL byte"}

Check = Callable[[object, dict], "str | None"]


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


# --- character-level helpers -------------------------------------------------------------
def _control_issue(v: str) -> str | None:
    """Newlines, NUL and other control characters (config-file injection)."""
    for c in v:
        if unicodedata.category(c) in ("Cc", "Zl", "Zp"):
            return "contains " + _CHAR_NAMES.get(c, f"control character {c!r}")
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
            return f"bad label {label!r}"
    return "numeric top-level label" if labels[-1].isdigit() else None


def _ip(v: str, version: int | None = None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        ip = ipaddress.ip_address(v)
    except ValueError:
        return None
    return ip if version in (None, ip.version) else None


# --- checker builders --------------------------------------------------------------------
def _string(fn: Callable[[str, dict], str | None]) -> Check:
    def check(v: object, intent: dict) -> str | None:
        return fn(v, intent) if isinstance(v, str) else "must be a string"

    return check


def _int_between(lo: int, hi: int, too_big: str | None = None) -> Check:
    def check(v: object, _: dict) -> str | None:
        if not isinstance(v, int) or isinstance(v, bool):
            return "must be an integer"
        if v > hi and too_big:
            return too_big
        return None if lo <= v <= hi else f"out of range {lo}..{hi}"

    return check


def _choice(*options: str) -> Check:
    return lambda v, _: None if v in options else f"must be one of {', '.join(options)}"


@dataclass(frozen=True)
class _Each:
    """Marks a list field: the checker runs on every element, paths get an index."""

    check: Check


# --- per-field checkers ------------------------------------------------------------------
@_string
def _user(v: str, _: dict) -> str | None:
    if issue := _name_issue(v, _USER_RE, "user name"):
        return issue
    if v.lower() in RESERVED_USERS or v.lower().startswith("systemd-"):
        return "reserved system account"
    return None


@_string
def _group(v: str, _: dict) -> str | None:
    issue = _name_issue(v, _USER_RE, "group name")
    return issue or ("reserved system group" if v.lower() in RESERVED_GROUPS else None)


@_string
def _share(v: str, _: dict) -> str | None:
    return _name_issue(v, _SHARE_RE, "share name")


@_string
def _share_definition(v: str, intent: dict) -> str | None:
    issue = _share(v, intent)
    return issue or ("reserved Samba section name" if v.lower() in RESERVED_SHARES else None)


@_string
def _share_path(v: str, _: dict) -> str | None:
    if issue := _control_issue(v):
        return issue
    if bad := next((c for c in v if c in SHELL_METACHARACTERS), None):
        return f"contains shell metacharacter {bad!r}"
    if not v.startswith("/"):
        return "must be an absolute path"
    parts = v.split("/")
    if ".." in parts:
        return "must not contain a '..' component"
    norm = "/" + "/".join(p for p in parts if p not in ("", "."))
    if norm in SYSTEM_DIRS:
        return "refusing to share a system directory"
    tree = next((t for t in PROTECTED_TREES if norm.startswith(t + "/")), None)
    return f"refusing to share a path under {tree}" if tree else None


@_string
def _share_comment(v: str, _: dict) -> str | None:
    issue = _control_issue(v)
    return issue or ("must not end with '\\' (smb.conf line continuation)" if v.endswith("\\") else None)


@_string
def _full_name(v: str, _: dict) -> str | None:
    issue = _control_issue(v)
    return issue or ("must not contain ':' (GECOS field separator)" if ":" in v else None)


@_string
def _password(v: str, _: dict) -> str | None:
    if not v:
        return "must not be empty"
    return "longer than 128 characters" if len(v) > 128 else _control_issue(v)


@_string
def _dns_name(v: str, _: dict) -> str | None:
    issue = _hostname_issue(v, underscore=True)
    return f"not a valid DNS name: {issue}" if issue else None


@_string
def _record_type(v: str, _: dict) -> str | None:
    return None if v.upper() in RECORD_TYPES else f"unsupported record type (use {', '.join(_RTYPES)})"


@_string
def _dns_value(v: str, intent: dict) -> str | None:
    rtype = str(intent.get("record_type", "")).upper()
    if rtype == "A" and not _ip(v, 4):
        return "not a valid IPv4 address" + (" (IPv6 needs record type AAAA)" if _ip(v, 6) else "")
    if rtype == "AAAA" and not _ip(v, 6):
        return "not a valid IPv6 address" + (" (IPv4 needs record type A)" if _ip(v, 4) else "")
    if rtype in ("CNAME", "MX", "NS", "PTR"):
        issue = _hostname_issue(v, underscore=rtype == "CNAME")
        return f"not a valid {rtype} target host name: {issue}" if issue else None
    return _control_issue(v)  # TXT, SRV, CAA: text that lands in a zone file


def _mx_priority(v: object, intent: dict) -> str | None:
    issue = _int_between(0, 65535)(v, intent)
    mx = str(intent.get("record_type", "")).upper() == "MX"
    return issue or (None if mx else "priority only applies to MX records")


@_string
def _cert_name(v: str, _: dict) -> str | None:
    issue = None if _ip(v) else _hostname_issue(v, wildcard=True)
    return f"not a valid host name: {issue}" if issue else None


def _key_size(v: object, intent: dict) -> str | None:
    key_type = intent.get("key_type")
    allowed = KEY_SIZES.get(key_type, _ANY_KEY_SIZE) if isinstance(key_type, str) else _ANY_KEY_SIZE
    if not isinstance(v, int) or isinstance(v, bool):
        return "must be an integer"
    sizes = ", ".join(map(str, sorted(allowed)))
    return None if v in allowed else f"unsupported key size for {key_type or 'any key type'} (use {sizes})"


@_string
def _relay_host(v: str, _: dict) -> str | None:
    issue = None if _ip(v) else _hostname_issue(v)
    return f"not a valid host name or IP address: {issue}" if issue else None


@_string
def _alias(v: str, _: dict) -> str | None:
    return _name_issue(v, _ALIAS_RE, "mail alias")


@_string
def _destination(v: str, _: dict) -> str | None:
    # /etc/aliases also accepts "|command", "/file" and ":include:": only a user or one address here.
    if issue := _chars_issue(v):
        return issue
    local, at, domain = v.rpartition("@")
    if at:
        ok = _EMAIL_LOCAL_RE.fullmatch(local) and not _hostname_issue(domain)
        return None if ok else "not a valid e-mail address"
    return None if _USER_RE.fullmatch(v) else "must be a local user name or one e-mail address"


@_string
def _service(v: str, _: dict) -> str | None:
    return _name_issue(v, _SERVICE_RE, "firewall service name (lower-case, e.g. 'ssh')")


@_string
def _fw_source(v: str, _: dict) -> str | None:
    try:
        ipaddress.ip_network(v, strict=False)
    except ValueError:
        return "not a valid IP address or CIDR network"
    return None


@_string
def _interface(v: str, intent: dict) -> str | None:
    if issue := _name_issue(v, _IFACE_RE, "interface name"):
        return issue
    if v == "lo" and intent.get("action") in LOOPBACK_PROTECTED:
        return "refusing to reconfigure the loopback interface"
    return None


@_string
def _interface_address(v: str, _: dict) -> str | None:
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
def _gateway(v: str, intent: dict) -> str | None:
    ip = _ip(v)
    if ip is None:
        return "not a valid IP address"
    try:
        own = ipaddress.ip_interface(intent.get("address"))
    except (ValueError, TypeError):
        return None  # the address itself is reported
    if ip.version != own.version:
        return f"gateway is IPv{ip.version} but the address is IPv{own.version}"
    return "gateway is the interface's own address" if ip == own.ip else None


@_string
def _nameserver(v: str, _: dict) -> str | None:
    return None if _ip(v) else "not a valid IP address"


# --- dispatch table: (action, field) -> checker -------------------------------------------
def _on(actions: tuple[str, ...], field: str, check: Check | _Each) -> dict[tuple[str, str], Check | _Each]:
    return {(a, field): check for a in actions}


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
    **_on(_GROUP_ACTIONS + _ACCESS, "group", _group),
    **_on(("share_create", "share_remove"), "name", _share_definition),
    **_on(("share_create",), "path", _share_path),
    **_on(("share_create",), "comment", _share_comment),
    **_on(_ACCESS, "share", _share),
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
    **_on(("net_set_nameservers",), "servers", _Each(_nameserver)),
}


# --- public API ----------------------------------------------------------------------------
def _violation(path: str, field: str, value: object, reason: str) -> Violation:
    return Violation(path, field, "***" if field in SECRET_FIELDS else value, reason)


def _check(intent: object, prefix: str) -> Iterator[Violation]:
    if not isinstance(intent, dict):
        yield Violation(prefix.rstrip(".") or "intent", "", type(intent).__name__, "not a JSON object")
        return
    action = intent.get("action")
    if action in ("clarify", "unknown"):
        return  # nothing to execute
    if action == "multi":
        steps = intent.get("steps")
        if not isinstance(steps, list):
            yield Violation(prefix + "steps", "steps", steps, "must be a list of actions")
            return
        for i, step in enumerate(steps):
            yield from _check(step, f"{prefix}steps[{i}].")
        return
    if action not in OPERATIONS:
        yield Violation(prefix + "action", "action", action, "unknown action")
        return
    for field, value in intent.items():
        check = CHECKS.get((action, field))
        if isinstance(check, _Each):
            if not isinstance(value, list):
                yield _violation(prefix + field, field, value, "must be a list")
                continue
            items = [(f"{prefix}{field}[{i}]", item) for i, item in enumerate(value)]
            check = check.check
        else:
            items = [(prefix + field, value)] if check else []
        for path, item in items:
            if reason := check(item, intent):
                yield _violation(path, field, item, reason)


def check_intent(intent: dict) -> list[Violation]:
    """Every safety problem of ``intent`` (a parsed intent dict); empty when it is safe to execute."""
    return list(_check(intent, ""))


def ensure_safe(intent: dict) -> dict:
    """Return ``intent`` unchanged, or raise :class:`UnsafeIntentError` listing every violation."""
    violations = check_intent(intent)
    if violations:
        raise UnsafeIntentError(violations)
    return intent


def is_safe(intent: dict) -> bool:
    return not check_intent(intent)

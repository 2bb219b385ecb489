"""Example sections of man pages: (command, description) pairs and a mapper for the commands.

Pages are looked up in several roots (:data:`MAN_ROOTS`): the system's ``/usr/share/man`` and the man pages of
Debian packages that ``make man-pages`` downloads and unpacks without installing them (ufw, network-manager,
firewalld; ``artifacts/debian/``, with a ``packages.tsv`` that names each file's package and version).

Only the sections of :data:`SECTIONS` are read (``EXAMPLES`` unless a page is listed there; roff source, gzip or
plain). Four layouts occur:

* ``.PP`` / command line / ``.RS`` description ``.RE`` (iproute2, nmcli(1));
* ``.EX`` command blocks followed by a paragraph (nsupdate);
* ``.nf`` ... ``.fi`` blocks (DocBook pages: nmcli-examples(7), firewall-cmd(1)): the lines with a ``$``/``#``
  prompt before the tool's name are the commands (the other lines are output), or, in a block without prompts,
  every line when each one is a call of the tool; the description is the paragraph before the block (an
  ``Example N.`` title prefix removed);
* indented command lines inside prose (ufw(8), whose ``RULE SYNTAX`` section holds most of its examples): the
  description is the paragraph after the lines when it starts with "This"/"The above" (it describes them),
  otherwise the last sentence of the paragraph before them ("Deny all access to port 53:").

Each example gives up to two rows: the description (its first sentence, human prose) and the command itself
(terse command-like text), both mapped through :func:`map_command` (ip, nsupdate, ufw, nmcli, firewall-cmd).
"""

from __future__ import annotations

import gzip
import re
import shlex
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from microllm.data.mine.ground import is_address
from microllm.data.mine.mappers import Drop, dns_intent

MAN_ROOT = Path("/usr/share/man")
# `make man-pages` puts the .deb files and packages.tsv here and unpacks their usr/share/man under root/.
DEBIAN_DIR = Path(__file__).resolve().parents[3] / "artifacts" / "debian"
DEBIAN_MAN_ROOT = DEBIAN_DIR / "root" / "usr" / "share" / "man"
# Searched in order: an installed page wins over a downloaded one of the same name.
MAN_ROOTS = (MAN_ROOT, DEBIAN_MAN_ROOT)
MANIFEST = "packages.tsv"  # package, version, distribution, file (relative to usr/share/man): one file a line
# Pages of the tools behind the spec's actions (section/file stem); absent ones are reported as such.
PAGES = (
    "man8/useradd", "man8/usermod", "man8/userdel", "man8/groupadd", "man8/groupdel", "man8/adduser",
    "man8/deluser", "man8/addgroup", "man8/delgroup", "man1/gpasswd", "man1/passwd", "man8/chpasswd",
    "man8/smbpasswd", "man8/ufw", "man1/nmcli", "man7/nmcli-examples", "man1/firewall-cmd", "man8/ip",
    "man8/ip-address", "man8/ip-link", "man1/nsupdate", "man1/dig", "man1/host", "man1/postconf",
    "man1/openssl-req.1ssl", "man1/openssl-x509.1ssl", "man1/openssl-ca.1ssl",
)  # fmt: skip
# Sections read per page (default: EXAMPLES). ufw(8) has a short EXAMPLES section; most of its example rules
# are in RULE SYNTAX, each an indented command with prose around it. Its other sections (REMOTE MANAGEMENT,
# APPLICATION INTEGRATION) show commands as steps of a procedure or with <name> placeholders, not as examples.
SECTIONS = {"man8/ufw": ("RULE SYNTAX", "EXAMPLES")}
# The command a page documents, where it is not the page's name.
_TOOLS = {"man7/nmcli-examples": "nmcli", "man8/ip-address": "ip", "man8/ip-link": "ip"}


@dataclass(frozen=True)
class ManExample:
    """One example of a man page: the command (one or more lines), its description, the line it starts on."""

    page: str
    line: int
    command: str
    description: str


# --- finding pages and their packages ------------------------------------------------------------------------
def _roots(root: Path | Sequence[Path]) -> tuple[Path, ...]:
    return (Path(root),) if isinstance(root, (str, Path)) else tuple(Path(r) for r in root)


def locate(page: str, root: Path | Sequence[Path] = MAN_ROOTS) -> tuple[Path, Path] | None:
    """``(file, the root it was found in)`` of ``page`` in the first root that has it (gzip or plain), or None."""
    section_dir, stem = page.split("/")
    ext = stem.split(".")[1] if "." in stem else section_dir[3:]
    base = stem.split(".")[0]
    for r in _roots(root):
        for name in (f"{base}.{ext}.gz", f"{base}.{ext}"):
            if (r / section_dir / name).is_file():
                return r / section_dir / name, r
    return None


def page_path(page: str, root: Path | Sequence[Path] = MAN_ROOTS) -> Path | None:
    """The file of ``page`` (``man8/useradd`` -> ``/usr/share/man/man8/useradd.8.gz``) in the first of the roots
    (one path or several, searched in order) that has it, or None."""
    found = locate(page, root)
    return found[0] if found else None


def source_file(path: Path, root: Path) -> str:
    """The path a page file has once its package is installed (``/usr/share/man/man8/ufw.8.gz``), whichever root
    it was read from: rows and the split by source do not depend on where the .deb files were unpacked."""
    return str(MAN_ROOT / path.relative_to(root))


def read_manifest(path: Path) -> dict[str, str]:
    """``{file relative to usr/share/man: "ufw 0.36.2-1 (Debian bookworm)"}`` from a ``packages.tsv``."""
    if not path.is_file():
        return {}
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) == 4:
            package, version, dist, file = parts
            out[file] = f"{package} {version} ({dist})" if dist else f"{package} {version}"
    return out


@cache
def _os_label() -> str:
    """``Debian bookworm`` from /etc/os-release (the distribution whose packages dpkg reports), or ""."""
    try:
        text = Path("/etc/os-release").read_text(encoding="utf-8")
    except OSError:
        return ""
    info = {k: v.strip('"') for k, _, v in (line.partition("=") for line in text.splitlines())}
    return f"{info.get('NAME', '').split(' ')[0]} {info.get('VERSION_CODENAME', '')}".strip()


@cache
def _installed_package(path: str) -> str | None:
    """The package and version that installed ``path`` according to dpkg, or None (no dpkg, not owned)."""
    if shutil.which("dpkg-query") is None:
        return None
    try:
        owner = subprocess.run(["dpkg-query", "-S", path], capture_output=True, text=True, timeout=20, check=True)
        package = owner.stdout.splitlines()[0].rsplit(": ", 1)[0].split(",")[0].strip()
        version = subprocess.run(["dpkg-query", "-W", "-f=${Version}", package], capture_output=True, text=True,
                                 timeout=20, check=True).stdout.strip()  # fmt: skip
    except (OSError, subprocess.SubprocessError, IndexError):
        return None
    dist = _os_label()
    return f"{package} {version} ({dist})" if dist else f"{package} {version}"


def package_of(path: Path, root: Path) -> str | None:
    """The package (name, version, distribution) a page file comes from: the ``packages.tsv`` beside an unpacked
    root (``<dir>/root/usr/share/man`` -> ``<dir>/packages.tsv``), dpkg for the system root; None if unknown."""
    rel = path.relative_to(root).as_posix()
    if root.parts[-3:] == ("usr", "share", "man") and len(root.parts) > 4:
        found = read_manifest(root.parents[3] / MANIFEST).get(rel)
        if found:
            return found
    if root == MAN_ROOT:
        return _installed_package(str(path))
    return None


def read_roff(path: Path) -> str:
    """The roff source of a man page file (gzip or plain)."""
    data = path.read_bytes()
    return (gzip.decompress(data) if path.suffix == ".gz" else data).decode("utf-8", errors="replace")


# --- parsing -----------------------------------------------------------------------------------------------
_ESCAPES = (("\\(aq", "'"), ("\\*(Aq", "'"), ("\\(dq", '"'), ("\\*(lq", '"'), ("\\*(rq", '"'), ("\\-", "-"),
            ("\\ ", " "), ("\\~", " "), ("\\e", "\\"))  # fmt: skip


def _plain(line: str) -> str:
    """Roff escapes and font changes removed from one text line."""
    line = re.sub(r"\\f[BIRP]|\\f\(..|\\s[-+]?\d|\\&|\\:|\\%|\\m\[[^\]]*\]", "", line)
    for escape, char in _ESCAPES:
        line = line.replace(escape, char)
    return line.strip()


def _tool(page: str) -> str:
    return _TOOLS.get(page, page.split("/")[1].split(".")[0])


def _sections(lines: list[str], names: Sequence[str]) -> list[tuple[int, list[str]]]:
    """``(index of the first body line, body lines)`` of each ``.SH`` section named in ``names``, in page order
    (``EXAMPLE`` counts as ``EXAMPLES``)."""
    wanted = {n.upper() for n in names}
    out = []
    for i, x in enumerate(lines):
        m = re.match(r'\.SH\s+"?(.*?)"?\s*$', x.strip())
        if not m:
            continue
        heading = m.group(1).strip().upper()
        if (heading if heading != "EXAMPLE" else "EXAMPLES") in wanted:
            end = next((k for k in range(i + 1, len(lines)) if lines[k].startswith(".SH")), len(lines))
            out.append((i + 1, lines[i + 1 : end]))
    return out


def _is_macro(line: str) -> bool:
    return line.startswith((".", "'"))


def _paragraph_before(body: list[str], i: int) -> str:
    """The prose paragraph that leads to the block starting at ``body[i]`` (``.nf`` layout): back over layout
    macros to the nearest prose line, then up to the paragraph's start; "" when another block or a section
    heading comes first."""
    k = i - 1
    while k >= 0 and (_is_macro(body[k]) or not body[k].strip()):
        if body[k].startswith((".fi", ".EE", ".SS", ".SH")):
            return ""
        k -= 1
    end = k
    while k >= 0 and body[k].strip() and not _is_macro(body[k]):
        k -= 1
    text = " ".join(_plain(x) for x in body[k + 1 : end + 1])
    return re.sub(r"^Example\s+\d+\.\s*", "", text).strip()


def _block_commands(block: list[str], tool: str) -> list[tuple[int, str]]:
    """``(index in block, command)`` of the tool calls in a ``.nf`` block; continuation lines (``\\``) joined."""
    plain = [_plain(x) for x in block]
    call = re.compile(rf"{re.escape(tool)}(?:\s|$)")
    prompted = [(k, re.sub(r"^[$#]\s*", "", x)) for k, x in enumerate(plain) if re.match(r"[$#]\s*", x)]
    prompted = [(k, x) for k, x in prompted if call.match(x)]
    if prompted:
        starts = prompted
    elif any(plain) and all(call.match(x) for x in plain if x):
        starts = [(k, x) for k, x in enumerate(plain) if call.match(x)]  # a pure command block (firewall-cmd)
    else:
        return []
    out = []
    for k, cmd in starts:
        j = k
        while cmd.endswith("\\") and j + 1 < len(plain):
            j += 1
            cmd = cmd[:-1].rstrip() + " " + plain[j]
        out.append((k, cmd))
    return out


def _last_sentence(text: str) -> str:
    return re.split(r"(?<=[.!?])\s+", text.strip())[-1]


def _indented_description(body: list[str], start: int, end: int, is_cmd: re.Pattern) -> str:
    """The description of the indented command lines ``body[start:end]`` (ufw layout)."""
    k = end
    while k < len(body) and not body[k].strip():
        k += 1
    after = []
    while k < len(body) and body[k].strip() and not _is_macro(body[k]) and not is_cmd.match(body[k]):
        after.append(_plain(body[k]))
        k += 1
    if after and re.match(r"(This|The above)\b", after[0]):
        return " ".join(after)
    k = start - 1
    while k >= 0 and not body[k].strip():
        k -= 1
    before = []
    while k >= 0 and body[k].strip() and not _is_macro(body[k]) and not is_cmd.match(body[k]):
        before.insert(0, _plain(body[k]))
        k -= 1
    return _last_sentence(" ".join(before)).rstrip(":").strip() if before else ""


def _parse_body(body: list[str], offset: int, page: str) -> list[ManExample]:
    """The examples of one section body; ``offset`` is the index of ``body[0]`` in the page (line = index + 1)."""
    out: list[ManExample] = []
    tool = _tool(page)
    indented = re.compile(rf"\s+{re.escape(tool)}\s")
    i = 0
    while i < len(body):
        x = body[i].strip()
        if x == ".EX":  # nsupdate layout: a command block, then a prose paragraph
            j = body.index(".EE", i) if ".EE" in body[i:] else len(body)
            cmd = [_plain(c) for c in body[i + 1 : j]]
            k = j + 1
            while k < len(body) and (body[k].startswith(".") and not body[k].startswith(".EX")):
                k += 1
            prose = []
            while k < len(body) and not body[k].startswith("."):
                prose.append(_plain(body[k]))
                k += 1
            out.append(ManExample(page, offset + i + 1, "\n".join(c for c in cmd if c), " ".join(prose)))
            i = k
            continue
        if x == ".nf":  # DocBook layout: a block of prompted commands (and their output)
            j = next((k for k in range(i + 1, len(body)) if body[k].strip() == ".fi"), len(body))
            commands = _block_commands(body[i + 1 : j], tool)
            if commands:
                desc = _paragraph_before(body, i)
                out += [ManExample(page, offset + i + k + 2, cmd, desc) for k, cmd in commands]
            i = j + 1
            continue
        if x == ".PP" and i + 1 < len(body) and not body[i + 1].startswith("."):
            j = i + 1
            cmd = []
            while j < len(body) and not body[j].startswith("."):
                cmd.append(_plain(body[j]))
                j += 1
            if j < len(body) and body[j].strip().startswith(".RS"):
                k = j + 1
                desc = []
                while k < len(body) and not body[k].startswith(".RE"):
                    if not body[k].startswith("."):
                        desc.append(_plain(body[k]))
                    k += 1
                out.append(ManExample(page, offset + i + 2, " ".join(cmd), " ".join(desc)))
                i = k
                continue
        if indented.match(body[i]):  # ufw layout: indented command lines inside prose, one example each
            j = i
            while j < len(body) and indented.match(body[j]):
                j += 1
            desc = _indented_description(body, i, j, indented)
            out += [ManExample(page, offset + k + 1, _plain(body[k]), desc) for k in range(i, j)]
            i = j
            continue
        i += 1
    return out


def examples(roff: str, page: str, sections: Sequence[str] | None = None) -> list[ManExample]:
    """The examples of a page's example sections (``sections``, else :data:`SECTIONS` or ``EXAMPLES``), in page
    order; empty when it has none."""
    lines = roff.splitlines()
    names = sections or SECTIONS.get(page, ("EXAMPLES",))
    return [ex for offset, body in _sections(lines, names) for ex in _parse_body(body, offset, page)]


def first_sentence(text: str) -> str:
    """The first sentence of a description (up to the first full stop that ends a word)."""
    m = re.match(r"(.+?\.)(?:\s|$)", text.strip())
    return (m.group(1) if m else text).strip()


# --- mapping ------------------------------------------------------------------------------------------------
def _nsupdate(lines: list[str]) -> dict:
    steps = []
    for raw in lines:
        words = raw.lstrip("> ").split()
        if not words or words[0] in ("nsupdate", "#", "send", "prereq", "server", "zone", "key"):
            continue
        if words[0] != "update" or len(words) < 3:
            raise Drop("command_not_understood")
        op, name, rest = words[1], words[2], words[3:]
        if op == "delete":
            steps.append(dns_intent("absent", name.rstrip("."), rest[0] if rest else None, []))
        elif op == "add":
            ttl = rest.pop(0) if rest and rest[0].isdigit() else None
            if len(rest) < 2:
                raise Drop("command_not_understood")
            steps.append(dns_intent("present", name.rstrip("."), rest[0], [" ".join(rest[1:])], ttl))
        else:
            raise Drop("command_not_understood")
    if not steps:
        raise Drop("not_an_action")
    return steps[0] if len(steps) == 1 else {"action": "multi", "steps": steps}


def _ip(words: list[str]) -> dict:
    if words[:3] == ["ip", "link", "set"]:
        rest = [w for w in words[3:] if w != "dev"]
        if len(rest) == 2 and rest[1] in ("up", "down"):
            return {"action": f"net_{rest[1]}", "interface": rest[0]}
        raise Drop("not_an_action")
    if len(words) >= 2 and words[1] in ("address", "addr", "a"):
        rest = words[2:]
        if len(rest) == 4 and rest[0] == "add" and rest[2] == "dev":
            if "/" not in rest[1]:
                raise Drop("address_without_prefix")
            return {"action": "net_set_address", "interface": rest[3], "address": rest[1]}
    raise Drop("not_an_action")


def _split(command: str) -> list[str]:
    try:
        return shlex.split(command)
    except ValueError:
        raise Drop("command_not_understood") from None


def _placeholder(value: str) -> bool:
    return bool(re.search(r"[<>$]", value))


def _port_token(token: str) -> dict:
    """A ufw port token: ``53``, ``25/tcp``, ``smtp``, ``ssh/tcp`` (a service by its /etc/services name)."""
    port, _, proto = token.partition("/")
    if proto and proto not in ("tcp", "udp"):
        raise Drop("unsupported_protocol")
    if "," in port:
        raise Drop("port_list")
    if ":" in port or re.fullmatch(r"\d+-\d+", port):
        raise Drop("port_range")
    if re.fullmatch(r"\d{1,5}", port):
        out: dict = {"port": int(port)}
    elif re.fullmatch(r"[A-Za-z][A-Za-z0-9_.-]*", port):
        out = {"service": port.lower()}  # spec rule 6: a service is its lower-case name
    elif _placeholder(port):
        raise Drop("placeholder")
    else:
        raise Drop("port_not_understood")
    if proto:
        out["protocol"] = proto
    return out


_UFW_VERBS = {"allow": "fw_allow", "deny": "fw_deny", "reject": "fw_deny"}


def ufw_command(command: str) -> dict:
    """A ``ufw`` rule -> fw_allow (allow) / fw_deny (deny, reject) / fw_remove (``delete RULE``).

    Simple syntax ``ufw allow 22/tcp`` / ``ufw allow ssh``; full syntax ``[in] [proto P] [from SRC] [to any]
    [port N]`` (``from any``: no source; ``app NAME``: the service NAME). :class:`Drop` for what the spec cannot
    say: ``limit`` (rate limiting), routed rules, ``out`` rules, ``on IFACE``, a specific destination address, a
    source port, port ranges and lists, rule numbers and positions (``delete 3``, ``insert``, ``prepend``),
    logging and comments, app profiles with spaces, and the other commands (enable, status, app list, ...)."""
    words = _split(command)
    if not words or words[0] != "ufw":
        raise Drop("not_an_action")
    words = words[1:]
    if words[:1] == ["route"]:
        raise Drop("routed_rule")
    delete = words[:1] == ["delete"]
    if delete:
        words = words[1:]
        if words and words[0].isdigit():
            raise Drop("rule_number")
    if words[:1] and words[0] in ("insert", "prepend"):
        raise Drop("rule_position")
    if not words or words[0] not in (*_UFW_VERBS, "limit"):
        raise Drop("not_a_rule")  # enable, disable, status, default, logging, app list/info/update, reload
    if words[0] == "limit":
        raise Drop("rate_limit")
    action = "fw_remove" if delete else _UFW_VERBS[words[0]]
    rest = words[1:]
    if rest[:1] == ["out"]:
        raise Drop("outgoing_rule")
    if rest[:1] == ["in"]:
        rest = rest[1:]
    if rest[:1] and rest[0] in ("log", "log-all"):
        raise Drop("rule_logging")
    if "comment" in rest:
        raise Drop("rule_comment")  # the spec has no field for it; a row would teach the model to drop it
    if rest[:1] == ["on"]:
        raise Drop("interface_rule")
    target: dict = {}
    if len(rest) == 1 and rest[0] not in ("proto", "from", "to", "port", "app"):
        if " " in rest[0]:
            raise Drop("app_profile_with_spaces")
        target = _port_token(rest[0])
        return {"action": action, **target}
    if not rest or len(rest) % 2:
        raise Drop("command_not_understood")
    pairs = list(zip(rest[::2], rest[1::2], strict=True))
    for n, (key, value) in enumerate(pairs):
        if key == "proto":
            if value not in ("tcp", "udp"):
                raise Drop("unsupported_protocol")
            target["protocol"] = value
        elif key == "from":
            if n + 1 < len(pairs) and pairs[n + 1][0] == "port":
                raise Drop("source_port")
            if value != "any":
                if not is_address(value):
                    raise Drop("source_not_an_address")
                target["source"] = value
        elif key == "to":
            if value not in ("any", "0.0.0.0/0", "::/0"):
                raise Drop("destination_address")
        elif key in ("port", "app"):
            if "port" in target or "service" in target:
                raise Drop("port_and_app")
            if key == "app" and " " in value:
                raise Drop("app_profile_with_spaces")
            if key == "app" and _placeholder(value):
                raise Drop("placeholder")
            found = _port_token(value) if key == "port" else {"service": value.lower()}
            if "protocol" in found:
                raise Drop("command_not_understood")  # `port 25/tcp` is not the full syntax
            target.update(found)
        elif key == "on":
            raise Drop("interface_rule")
        else:
            raise Drop("command_not_understood")
    if "port" not in target and "service" not in target:
        raise Drop("no_port_or_service")  # `ufw allow from 10.0.0.0/8`: every port, no field says so
    return {"action": action, **target}


# A connection profile's id names the interface only when it is a kernel-style device name (eth0, em1, eno1,
# ens3, enp0s25, enx<MAC>, wlan0, wlp3s0, br0, bond0, team0, vlan10, eth0.10): profiles migrated from ifcfg files
# and many installers' profiles are named after their device. Any other id ("My wired connection", my-con-em1,
# Team1-slave1, ethernet-2) says nothing about the interface, so such commands are dropped.
_DEVICE_LIKE = re.compile(r"(?:eth|em|en[ops]|wlan|wl[ops]|br|bond|team|vlan)\d[0-9a-z.]*|en[x][0-9a-f]{12}")
_NMCLI_OPTS_WITH_ARG = {"-f", "--fields", "-g", "--get-values", "-m", "--mode", "-e", "--escape", "-c", "--colors",
                        "-w", "--wait"}  # fmt: skip


def _is_prefix(word: str, full: str, shortest: int = 1) -> bool:
    """nmcli accepts any prefix of an object or command name (``c``, ``con``, ``dev``, ``mod``)."""
    return len(word) >= shortest and full.startswith(word)


def _device(value: str) -> str:
    if _placeholder(value):
        raise Drop("placeholder")
    if not re.fullmatch(r"[A-Za-z0-9_.:-]{1,15}", value):
        raise Drop("not_an_interface_name")
    return value


def _nmcli_properties(iface: str, pairs: list[str]) -> dict:
    """``ipv4.addresses A/P [ipv4.gateway G] [ipv4.method manual]`` -> net_set_address, ``ipv4.method auto``
    -> net_set_dhcp, ``ipv4.dns "a b"`` -> net_set_nameservers (the servers in the order given)."""
    if not pairs or len(pairs) % 2:
        raise Drop("command_not_understood")
    props: dict[str, str] = {}
    for key, value in zip(pairs[::2], pairs[1::2], strict=True):
        if key[:1] in "+-":
            raise Drop("appends_or_removes_a_value")  # a change of a list, not the list the spec sets
        key = {"ip4": "ipv4.addresses", "gw4": "ipv4.gateway", "ipv4.addr": "ipv4.addresses"}.get(key, key)
        if key not in ("ipv4.addresses", "ipv4.gateway", "ipv4.method", "ipv4.dns"):
            raise Drop(f"unsupported_property:{key.split('.')[0]}")
        props[key] = value
    steps = []
    method = props.get("ipv4.method")
    if "ipv4.addresses" in props:
        if method not in (None, "manual"):
            raise Drop("unsupported_method")
        items = [x.strip() for x in props["ipv4.addresses"].split(",") if x.strip()]
        if len(items) != 1:
            raise Drop("several_addresses")
        if " " in items[0]:
            raise Drop("address_with_gateway_syntax")  # the old "ADDR/P GW" form
        if "/" not in items[0]:
            raise Drop("address_without_prefix")
        step = {"action": "net_set_address", "interface": iface, "address": items[0]}
        if "ipv4.gateway" in props:
            step["gateway"] = props["ipv4.gateway"]
        steps.append(step)
    elif "ipv4.gateway" in props:
        raise Drop("gateway_without_address")
    elif method == "auto":
        steps.append({"action": "net_set_dhcp", "interface": iface})
    elif method is not None:
        raise Drop("unsupported_method")  # manual without an address, shared, link-local, disabled
    if "ipv4.dns" in props:
        servers = [s for s in re.split(r"[,\s]+", props["ipv4.dns"]) if s]
        if not servers or not all(is_address(s) for s in servers):
            raise Drop("dns_not_an_address")
        steps.append({"action": "net_set_nameservers", "servers": servers, "interface": iface})
    return steps[0] if len(steps) == 1 else {"action": "multi", "steps": steps}


def nmcli_command(command: str) -> dict:
    """An ``nmcli`` call -> net_up / net_down / net_set_address / net_set_dhcp / net_set_nameservers.

    ``connection up|down ID`` and ``connection modify ID PROP VALUE ...`` (ID used as the interface only when it
    is a device name, see ``_DEVICE_LIKE``; ``ifname DEV`` alone names the device); ``device
    connect|up|disconnect|down DEV`` and ``device modify DEV PROP VALUE ...``. :class:`Drop` for the rest: Wi-Fi,
    VPN, bond/bridge/team profiles (``connection add``), show/list/status, radio, general, checkpoints, list
    edits (``+ipv4.dns``), IPv6 and other settings."""
    words = _split(command)
    if not words or words[0] != "nmcli":
        raise Drop("not_an_action")
    k = 1
    while k < len(words) and words[k].startswith("-"):
        k += 2 if words[k] in _NMCLI_OPTS_WITH_ARG else 1
    obj, verb, rest = (words[k : k + 1] or [""])[0], (words[k + 1 : k + 2] or [""])[0], words[k + 2 :]
    if _is_prefix(obj, "connection"):
        if _is_prefix(verb, "up") or _is_prefix(verb, "down"):
            action = "net_up" if verb.startswith("u") else "net_down"
            args = {}
            if rest and rest[0] not in ("id", "uuid", "path", "apath", "ifname"):
                args["id"], rest = rest[0], rest[1:]  # the `id` keyword is optional
            if len(rest) % 2 or not set(rest[::2]) <= {"id", "ifname"} or not args and not rest:
                raise Drop("connection_options")  # uuid, path, ap BSSID, passwd-file, ...
            args.update(zip(rest[::2], rest[1::2], strict=True))
            if "id" in args and "ifname" in args:
                raise Drop("profile_on_interface")  # which profile is activated is lost in net_up
            if "ifname" in args:
                return {"action": action, "interface": _device(args["ifname"])}
            if not _DEVICE_LIKE.fullmatch(args["id"]):
                raise Drop("connection_id_not_an_interface")
            return {"action": action, "interface": args["id"]}
        if _is_prefix(verb, "modify", 3):
            if rest[:1] == ["--temporary"]:
                rest = rest[1:]
            if rest[:1] == ["id"]:
                rest = rest[1:]
            if not rest or not _DEVICE_LIKE.fullmatch(rest[0]):
                raise Drop("connection_id_not_an_interface")
            return _nmcli_properties(rest[0], rest[1:])
        if _is_prefix(verb, "add"):
            raise Drop("adds_a_profile")
        raise Drop("not_an_action")  # show, delete, edit, import, export, reload, clone, monitor
    if _is_prefix(obj, "device"):
        if any(_is_prefix(verb, v, 3) for v in ("connect", "disconnect")) or verb in ("up", "down"):
            action = "net_down" if verb.startswith(("dis", "down")) else "net_up"
            if len(rest) != 1:
                raise Drop("several_interfaces" if rest else "no_interface")
            return {"action": action, "interface": _device(rest[0])}
        if _is_prefix(verb, "modify", 3):
            if not rest:
                raise Drop("no_interface")
            return _nmcli_properties(_device(rest[0]), rest[1:])
        if _is_prefix(verb, "wifi"):
            raise Drop("wifi")
        raise Drop("not_an_action")  # status, show, set, reapply, checkpoint, monitor, lldp
    raise Drop("not_an_action")  # general, networking, radio, monitor, agent


_FWCMD_OPS = {"--add-service": "fw_allow", "--add-port": "fw_allow", "--remove-service": "fw_remove",
              "--remove-port": "fw_remove"}  # fmt: skip
_FWCMD_DROPS = {"--add-rich-rule": "rich_rule", "--remove-rich-rule": "rich_rule", "--add-masquerade": "masquerade",
                "--remove-masquerade": "masquerade", "--add-forward-port": "forward_port",
                "--remove-forward-port": "forward_port", "--add-source": "zone_binding",
                "--add-interface": "zone_binding", "--change-interface": "zone_binding", "--policy": "policy",
                "--new-policy": "policy", "--timeout": "timeout", "--add-source-port": "source_port",
                "--add-protocol": "protocol_rule", "--add-icmp-block": "icmp_block",
                "--direct": "direct_rule"}  # fmt: skip


def firewall_cmd_command(command: str) -> dict:
    """A ``firewall-cmd`` call with one ``--add-service=S`` / ``--add-port=N/P`` (fw_allow) or ``--remove-service``
    / ``--remove-port`` (fw_remove).

    ``--permanent`` is ignored: it stores the same rule in the permanent configuration instead of the runtime
    one, and the spec has no runtime/permanent distinction (what traffic is allowed is the same). ``--zone=Z``
    drops the command: a rule in a named zone applies only to that zone's interfaces and sources (like ufw's
    ``on eth0``), which no field of the spec says. Rich rules, masquerading, port forwarding, policies, port
    ranges, timeouts and queries/listings drop too."""
    words = _split(command)
    if not words or words[0] != "firewall-cmd":
        raise Drop("not_an_action")
    ops = []
    k = 1
    while k < len(words):
        opt, eq, value = words[k].partition("=")
        k += 1
        if opt == "--permanent":
            continue
        if opt == "--zone":
            raise Drop("zone")
        if opt in _FWCMD_DROPS:
            raise Drop(_FWCMD_DROPS[opt])
        if opt not in _FWCMD_OPS:
            raise Drop("not_an_action" if opt.startswith(("--list", "--get", "--query", "--reload", "--state"))
                       else "unsupported_option")  # fmt: skip
        if not eq:
            if k >= len(words):
                raise Drop("command_not_understood")
            value, k = words[k], k + 1
        ops.append((opt, value))
    if not ops:
        raise Drop("not_an_action")
    if len(ops) > 1:
        raise Drop("several_rules")
    opt, value = ops[0]
    if _placeholder(value):
        raise Drop("placeholder")
    if opt.endswith("service"):
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", value):
            raise Drop("service_not_understood")
        return {"action": _FWCMD_OPS[opt], "service": value.lower()}
    port, _, proto = value.partition("/")
    if "-" in port:
        raise Drop("port_range")
    if proto not in ("tcp", "udp"):
        raise Drop("unsupported_protocol")  # firewalld requires one; sctp and dccp are not in the spec
    if not re.fullmatch(r"\d{1,5}", port):
        raise Drop("port_not_understood")
    return {"action": _FWCMD_OPS[opt], "port": int(port), "protocol": proto}


def map_command(command: str) -> dict:
    """The intent of an example command: ``ip link set DEV up|down``, ``ip address add CIDR dev DEV``, nsupdate
    ``update add|delete`` lines, ufw rules (:func:`ufw_command`), nmcli connection/device changes
    (:func:`nmcli_command`) and firewall-cmd services and ports (:func:`firewall_cmd_command`); :class:`Drop`
    for anything else (show, flush, help, tunnels, ...)."""
    lines = [x.strip() for x in command.splitlines() if x.strip()]
    if lines and lines[0].lstrip("# ").startswith("nsupdate"):
        return _nsupdate(lines[1:])
    words = command.split()
    tool = words[0] if words else ""
    if tool == "ip":
        return _ip(words)
    if tool == "ufw":
        return ufw_command(command)
    if tool == "nmcli":
        return nmcli_command(command)
    if tool == "firewall-cmd":
        return firewall_cmd_command(command)
    raise Drop("not_an_action")


def command_text(command: str) -> str:
    """An example command as one line of request text (shell prompts and nsupdate's own lines dropped)."""
    lines = [x.strip().lstrip(">").strip() for x in command.splitlines() if x.strip()]
    lines = [x for x in lines if x and not x.startswith("#") and x not in ("send",) and not x.startswith("prereq")]
    return "; ".join(lines)


# Verbs that state an action (spec rule 6 for the firewall; up/down for links). Grounding checks the values only,
# so "Use this to delete it" could otherwise become the text of an allow rule whose port it happens to name.
_ACTION_WORDS = {
    "fw_allow": r"\b(open|opens|allow|allows|permit|permits|enable|enables|accept|accepts)\b",
    "fw_deny": r"\b(block|blocks|deny|denies|close|closes|reject|rejects|drop|drops)\b",
    "fw_remove": r"\b(remove|removes|delete|deletes)\b",
    "net_up": r"\b(up|activates?|activating|connects?|connecting|enables?)\b",
    "net_down": r"\b(down|deactivates?|deactivating|disconnects?|disconnecting|disables?)\b",
}
_RIVALS = {"fw_allow": ("fw_deny", "fw_remove"), "fw_deny": ("fw_allow", "fw_remove"),
           "fw_remove": ("fw_allow", "fw_deny"), "net_up": ("net_down",), "net_down": ("net_up",)}  # fmt: skip


def check_action_words(intent: dict, text: str) -> None:
    """:class:`Drop` (``action_words_disagree``) when ``text`` names another firewall or link action with a verb
    and never its own ("This will deny ..." for an allow rule); other actions pass."""
    action = intent["action"]
    if action not in _ACTION_WORDS:
        return
    own = re.search(_ACTION_WORDS[action], text, re.IGNORECASE)
    if not own and any(re.search(_ACTION_WORDS[r], text, re.IGNORECASE) for r in _RIVALS[action]):
        raise Drop("action_words_disagree")

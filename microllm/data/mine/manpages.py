"""Example sections of installed man pages: (command, description) pairs and a mapper for the commands.

Only the ``EXAMPLES`` sections are read (roff source, gzip or plain). Two layouts occur: ``.PP`` / command line /
``.RS`` description ``.RE`` (iproute2) and ``.EX`` command blocks followed by a paragraph (nsupdate). Each example
gives up to two rows: the description (its first sentence, human prose) and the command itself (terse
command-like text), both mapped through :func:`map_command`.
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from pathlib import Path

from microllm.data.mine.mappers import Drop, dns_intent

MAN_ROOT = Path("/usr/share/man")
# Pages of the tools behind the spec's actions (section/file stem); absent ones are reported as such.
PAGES = (
    "man8/useradd", "man8/usermod", "man8/userdel", "man8/groupadd", "man8/groupdel", "man8/adduser",
    "man8/deluser", "man8/addgroup", "man8/delgroup", "man1/gpasswd", "man1/passwd", "man8/chpasswd",
    "man8/smbpasswd", "man8/ufw", "man1/nmcli", "man8/ip", "man8/ip-address", "man8/ip-link", "man1/nsupdate",
    "man1/dig", "man1/host", "man1/postconf", "man1/openssl-req.1ssl", "man1/openssl-x509.1ssl",
    "man1/openssl-ca.1ssl",
)  # fmt: skip


@dataclass(frozen=True)
class ManExample:
    """One example of a man page: the command (one or more lines), its description, the line it starts on."""

    page: str
    line: int
    command: str
    description: str


def page_path(page: str, root: Path = MAN_ROOT) -> Path | None:
    """The installed file of ``page`` (``man8/useradd`` -> ``/usr/share/man/man8/useradd.8.gz``), or None."""
    section_dir, stem = page.split("/")
    ext = stem.split(".")[1] if "." in stem else section_dir[3:]
    base = stem.split(".")[0]
    for name in (f"{base}.{ext}.gz", f"{base}.{ext}"):
        if (root / section_dir / name).is_file():
            return root / section_dir / name
    return None


def read_roff(path: Path) -> str:
    """The roff source of a man page file (gzip or plain)."""
    data = path.read_bytes()
    return (gzip.decompress(data) if path.suffix == ".gz" else data).decode("utf-8", errors="replace")


def _plain(line: str) -> str:
    """Roff escapes and font changes removed from one text line."""
    line = re.sub(r"\\f[BIRP]|\\f\(..|\\s[-+]?\d|\\&|\\:|\\%", "", line)
    return line.replace("\\-", "-").replace("\\(aq", "'").replace("\\e", "\\").strip()


def examples(roff: str, page: str) -> list[ManExample]:
    """The examples of a page's EXAMPLES section (empty when it has none)."""
    lines = roff.splitlines()
    start = next((i for i, x in enumerate(lines) if re.match(r'\.SH\s+"?EXAMPLES?"?\s*$', x.strip())), None)
    if start is None:
        return []
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith(".SH")), len(lines))
    body = lines[start + 1 : end]
    out: list[ManExample] = []
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
            out.append(ManExample(page, start + 2 + i, "\n".join(c for c in cmd if c), " ".join(prose)))
            i = k
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
                out.append(ManExample(page, start + 2 + i + 1, " ".join(cmd), " ".join(desc)))
                i = k
                continue
        i += 1
    return out


def first_sentence(text: str) -> str:
    """The first sentence of a description (up to the first full stop that ends a word)."""
    m = re.match(r"(.+?\.)(?:\s|$)", text.strip())
    return (m.group(1) if m else text).strip()


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


def map_command(command: str) -> dict:
    """The intent of an example command: ``ip link set DEV up|down``, ``ip address add CIDR dev DEV`` and
    nsupdate ``update add|delete`` lines; :class:`Drop` for anything else (show, flush, help, tunnels, ...)."""
    lines = [x.strip() for x in command.splitlines() if x.strip()]
    if lines and lines[0].lstrip("# ").startswith("nsupdate"):
        return _nsupdate(lines[1:])
    words = command.split()
    if words[:3] == ["ip", "link", "set"]:
        rest = [w for w in words[3:] if w != "dev"]
        if len(rest) == 2 and rest[1] in ("up", "down"):
            return {"action": f"net_{rest[1]}", "interface": rest[0]}
        raise Drop("not_an_action")
    if len(words) >= 2 and words[0] == "ip" and words[1] in ("address", "addr", "a"):
        rest = words[2:]
        if len(rest) == 4 and rest[0] == "add" and rest[2] == "dev":
            if "/" not in rest[1]:
                raise Drop("address_without_prefix")
            return {"action": "net_set_address", "interface": rest[3], "address": rest[1]}
        raise Drop("not_an_action")
    raise Drop("not_an_action")


def command_text(command: str) -> str:
    """An example command as one line of request text (shell prompts and nsupdate's own lines dropped)."""
    lines = [x.strip().lstrip(">").strip() for x in command.splitlines() if x.strip()]
    lines = [x for x in lines if x and not x.startswith("#") and x not in ("send",) and not x.startswith("prereq")]
    return "; ".join(lines)

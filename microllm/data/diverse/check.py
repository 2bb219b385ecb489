"""Copied values: every value the gold copies from a request must be in the request, in the form the spec says.

Names, passwords, paths and comments are copied exactly (case kept); host names appear up to case and a trailing
dot; IP addresses in any textual form of the same address; an interface address as CIDR or as an address with its
netmask; a TXT value in quotes; numbers that are copied (ports, priorities, key sizes) as digits. Durations ("a
year") are converted, not copied, and are not checked.
"""

from __future__ import annotations

import ipaddress
import re

VERBATIM = (
    "username",
    "group",
    "share",
    "password",
    "path",
    "comment",
    "full_name",
    "alias",
    "destination",
    "interface",
)
_IP_TOKEN = re.compile(r"(?<![\w:.])[0-9A-Fa-f:.]*[:.][0-9A-Fa-f:.]*(?:/[0-9.]+)?")
_V4 = re.compile(r"(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d.]*\d)")
_MASKED = re.compile(r"(\d+\.\d+\.\d+\.\d+),? (?:netmask|mask) (\d+\.\d+\.\d+\.\d+)")


def _addresses(text: str) -> tuple[set[str], set[str]]:
    """Canonical IP addresses and canonical interface/network forms (``ip/len``) written in ``text``."""
    ips, nets = set(), set()
    for token in _IP_TOKEN.findall(text):
        token = token.strip(".:")
        try:
            if "/" in token:
                iface = ipaddress.ip_interface(token)
                nets.add(str(iface))
                ips.add(str(iface.ip))
            else:
                ips.add(str(ipaddress.ip_address(token)))
        except ValueError:
            continue
    for token in _V4.findall(text):  # an IPv4 address inside a longer token ("10.0.0.1:587")
        try:
            ips.add(str(ipaddress.ip_address(token)))
        except ValueError:
            continue
    for ip, mask in _MASKED.findall(text):
        try:
            nets.add(str(ipaddress.ip_interface(f"{ip}/{mask}")))
        except ValueError:
            continue
    return ips, nets


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _number_in(n: int, text: str) -> bool:
    return re.search(rf"(?<!\d){n}(?!\d)", text) is not None


def copied_value_problems(row: dict) -> list[str]:
    """What the gold of ``row`` (``input``, ``output``) copies that its input does not hold; empty when all is
    there. ``multi`` steps are checked one by one; ``clarify`` and ``unknown`` copy nothing."""
    text, out = row["input"], row["output"]
    low = text.lower()
    ips, nets = _addresses(text)
    problems: list[str] = []
    for step in out["steps"] if out["action"] == "multi" else [out]:
        act = step["action"]
        for key in VERBATIM:
            if key in step and step[key] not in text:
                problems.append(f"{act}.{key} {step[key]!r} is not in the input")
        if act in ("share_create", "share_remove") and step["name"] not in text:
            problems.append(f"{act}.name {step['name']!r} is not in the input")
        hosts = [step["common_name"]] if "common_name" in step else []
        hosts += step.get("alt_names", [])
        if act.startswith("dns_"):
            hosts.append(step["name"])
            if step.get("record_type") in ("CNAME", "MX", "NS", "PTR", "SRV") and "value" in step:
                hosts.append(step["value"])
        if "host" in step and not _is_ip(step["host"]):
            hosts.append(step["host"])
        problems += [f"{act}: host {h!r} is not in the input" for h in hosts if h not in low]
        addrs = [step[k] for k in ("gateway",) if k in step] + step.get("servers", [])
        if step.get("record_type") in ("A", "AAAA") and "value" in step:
            addrs.append(step["value"])
        if "host" in step and _is_ip(step["host"]):
            addrs.append(step["host"])
        if "source" in step:
            (addrs if "/" not in step["source"] else []).append(step["source"])
            if "/" in step["source"] and step["source"] not in nets:
                problems.append(f"{act}: source {step['source']!r} is not in the input")
        problems += [f"{act}: address {a!r} is not in the input" for a in addrs if a not in ips]
        if "address" in step and step["address"] not in nets and step["address"] not in text:
            problems.append(f"{act}: interface address {step['address']!r} is not in the input")
        if step.get("record_type") == "TXT" and "value" in step:
            if f'"{step["value"]}"' not in text and f"'{step['value']}'" not in text:
                problems.append(f"{act}: TXT value {step['value']!r} is not quoted in the input")
        for key in ("port", "priority", "key_size"):
            if key in step and not _number_in(step[key], text):
                problems.append(f"{act}.{key} {step[key]} is not in the input")
    return problems

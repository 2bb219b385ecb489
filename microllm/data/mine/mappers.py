"""Pure mappers from an Ansible module call ``(module, args)`` to an intent of the spec, or a counted drop.

A mapper sees the arguments only; it returns the intent the arguments mean, or raises :class:`Drop` naming why no
intent follows deterministically. Arguments the spec has no field for and that do not change the action (a UID,
a shell, a firewalld zone, API credentials) are ignored; arguments that change what the call does (a routed ufw
rule, a rich rule, several record values) drop the task. Which of the mapped fields the task's *name* states is
decided afterwards (:mod:`microllm.data.mine.ground`).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable

RECORD_TYPES = frozenset({"A", "AAAA", "CNAME", "MX", "TXT", "NS", "PTR", "SRV", "CAA"})  # the validator's set


class Drop(Exception):
    """No intent follows from these arguments; ``reason`` is a short counted key."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _short(module: str) -> str:
    """``community.general.ufw`` -> ``community.general.ufw``; ``ufw`` / ``ansible.legacy.user`` -> canonical."""
    return ALIASES.get(module, module)


def _check_keys(args: dict, allowed: set[str]) -> None:
    for key in args:
        if key not in allowed:
            raise Drop(f"unsupported_arg:{key}")


def _state(args: dict, default: str = "present") -> str:
    return str(args.get("state", default)).lower()


def _truthy(value: object) -> bool:
    return value is True or str(value).lower() in ("yes", "true", "1", "on")


def _as_list(value: object) -> list:
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [v.strip() for v in str(value).split(",") if v.strip()]


def _one(values: list, what: str) -> object:
    if not values:
        raise Drop(f"no_{what}")
    if len(values) > 1:
        raise Drop(f"several_{what}s")
    return values[0]


def _int(value: object, what: str) -> int:
    text = str(value).strip()
    if not re.fullmatch(r"\d{1,6}", text):
        raise Drop(f"{what}_not_a_number")
    return int(text)


def _steps(steps: list[dict]) -> dict:
    return steps[0] if len(steps) == 1 else {"action": "multi", "steps": steps}


# --- users and groups ----------------------------------------------------------------------------------------
# Attributes of an account that the spec does not carry and that do not change the action.
_USER_IGNORED = {"uid", "shell", "home", "create_home", "createhome", "group", "system", "move_home",
                 "non_unique", "local", "seuser", "skeleton", "umask", "update_password", "force", "hidden",
                 "login_class"}  # fmt: skip
# Changes of an existing account that no action of the spec expresses.
_USER_UNMAPPED = {"expires", "password_expire_max", "password_expire_min", "password_expire_warn",
                  "password_expire_account_disable", "generate_ssh_key", "ssh_key_bits", "ssh_key_file",
                  "ssh_key_type", "ssh_key_comment", "ssh_key_passphrase", "authorization", "profile", "role",
                  "append"}  # fmt: skip


def map_user(args: dict) -> dict:
    """``ansible.builtin.user``: absent -> user_remove; ``password_lock`` -> user_lock/unlock; present ->
    user_add, followed by one user_add_to_group per supplementary group (a multi)."""
    name = args.get("name")
    if not name:
        raise Drop("no_username")
    if _state(args) == "absent":
        intent = {"action": "user_remove", "username": name}
        if _truthy(args.get("remove")):
            intent["remove_home"] = True
        return intent
    if "password" in args:
        raise Drop("password_is_a_hash")  # the module takes a crypt hash, never the password a request states
    if "password_lock" in args:
        if set(args) - {"name", "password_lock", "state"}:
            raise Drop("lock_with_other_changes")
        return {"action": "user_lock" if _truthy(args["password_lock"]) else "user_unlock", "username": name}
    unmapped = sorted(set(args) & (_USER_UNMAPPED - {"append"}))
    if unmapped:
        raise Drop(f"unsupported_arg:{unmapped[0]}")
    _check_keys(args, {"name", "state", "comment", "groups", "append"} | _USER_IGNORED)
    intent = {"action": "user_add", "username": name}
    if args.get("comment"):
        intent["full_name"] = str(args["comment"])
    groups = _as_list(args.get("groups"))
    return _steps([intent] + [{"action": "user_add_to_group", "username": name, "group": g} for g in groups])


def map_group(args: dict) -> dict:
    """``ansible.builtin.group`` (and Windows/IPA groups without members): group_add / group_remove."""
    _check_keys(args, {"name", "state", "gid", "gidnumber", "system", "local", "non_unique", "force", "description",
                       "ipa_host", "ipa_user", "ipa_pass", "ipa_port", "ipa_prot", "validate_certs"})  # fmt: skip
    if not args.get("name"):
        raise Drop("no_group")
    return {"action": "group_remove" if _state(args) == "absent" else "group_add", "group": str(args["name"])}


def map_win_user(args: dict) -> dict:
    """``ansible.windows.win_user``: present -> user_add (password in clear text, as the request states it);
    absent -> user_remove; groups -> further user_add_to_group steps."""
    _check_keys(args, {"name", "password", "state", "fullname", "groups", "groups_action", "description",
                       "password_never_expires", "user_cannot_change_password", "update_password"})  # fmt: skip
    name = args.get("name")
    if not name:
        raise Drop("no_username")
    if _state(args) == "absent":
        return {"action": "user_remove", "username": name}
    if args.get("groups_action", "add") != "add":
        raise Drop("unsupported_arg:groups_action")
    intent = {"action": "user_add", "username": name}
    if args.get("password"):
        intent["password"] = str(args["password"])
    if args.get("fullname"):
        intent["full_name"] = str(args["fullname"])
    groups = _as_list(args.get("groups"))
    return _steps([intent] + [{"action": "user_add_to_group", "username": name, "group": g} for g in groups])


def map_ipa_user(args: dict) -> dict:
    """``community.general.ipa_user``: present -> user_add (given name + surname as full name), absent ->
    user_remove, disabled/enabled -> user_lock/user_unlock."""
    name = args.get("name")
    if not name:
        raise Drop("no_username")
    state = _state(args)
    if state == "absent":
        return {"action": "user_remove", "username": name}
    if state in ("disabled", "enabled"):
        return {"action": "user_lock" if state == "disabled" else "user_unlock", "username": name}
    intent = {"action": "user_add", "username": name}
    if args.get("password"):
        intent["password"] = str(args["password"])
    if args.get("givenname") and args.get("sn"):
        intent["full_name"] = f"{args['givenname']} {args['sn']}"
    return intent


def map_ipa_group(args: dict) -> dict:
    """``community.general.ipa_group``: members appended -> user_add_to_group steps; an exact member list
    (no ``append``) also removes everyone else, which no action expresses; no members -> group_add/remove."""
    if "user" not in args:
        if "group" in args or "external_user" in args:
            raise Drop("unsupported_arg:group_members")
        return map_group({k: v for k, v in args.items() if k not in ("append",)})
    if not _truthy(args.get("append")):
        raise Drop("exact_member_list")
    if _state(args) == "absent":
        raise Drop("ambiguous_state")
    users = _as_list(args["user"])
    return _steps([{"action": "user_add_to_group", "username": u, "group": args["name"]} for u in users])


def map_win_group_membership(args: dict) -> dict:
    """``ansible.windows.win_group_membership``: present/absent members -> user_add_to/remove_from_group."""
    _check_keys(args, {"name", "members", "state"})
    state = _state(args)
    if state not in ("present", "absent"):
        raise Drop("exact_member_list")
    action = "user_add_to_group" if state == "present" else "user_remove_from_group"
    members = _as_list(args.get("members"))
    if not members:
        raise Drop("no_username")
    return _steps([{"action": action, "username": m, "group": args["name"]} for m in members])


# Active Directory: how the module reaches the domain, and attributes of the account the spec does not carry.
_AD_CONNECTION = {"domain_username", "domain_password", "domain_server", "domain_credentials"}
_AD_USER_IGNORED = {"firstname", "surname", "display_name", "company", "street", "city", "state_province",
                    "postal_code", "country", "email", "upn", "path", "description", "attributes",
                    "password_never_expires", "user_cannot_change_password", "update_password",
                    "protect_from_deletion"}  # fmt: skip
# An AD identity may also be a distinguished name, a UPN, DOMAIN\user, a SID or a GUID: none is the account name
# a request states.
_AD_NOT_A_NAME = re.compile(r"[=@\\]|^S-1-\d|^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-")


def map_ad_user(args: dict) -> dict:
    """``microsoft.ad.user``: absent -> user_remove; present -> user_add (the password in clear text, the display
    name or first name + surname as full name), followed by one user_add_to_group per group of ``groups.add`` /
    ``groups.set`` (as :func:`map_user` treats ``groups``); ``account_locked: false`` alone -> user_unlock.

    ``identity`` names an existing account, ``name`` the object to create; both together rename or move it."""
    unmapped = sorted(set(args) & {"sam_account_name", "spn", "delegates", "password_expired", "managed_by"})
    if unmapped:
        raise Drop(f"unsupported_arg:{unmapped[0]}")
    _check_keys(args, {"identity", "name", "state", "password", "groups", "enabled", "account_locked"}
                | _AD_CONNECTION | _AD_USER_IGNORED)  # fmt: skip
    if args.get("identity") and args.get("name") and str(args["identity"]) != str(args["name"]):
        raise Drop("rename_or_move")
    name = args.get("identity") or args.get("name")
    if not name:
        raise Drop("no_username")
    name = str(name)
    if _AD_NOT_A_NAME.search(name):
        raise Drop("identity_not_a_name")
    state = _state(args)
    if state == "absent":
        return {"action": "user_remove", "username": name}
    if state != "present":
        raise Drop("ambiguous_state")
    if "account_locked" in args:
        # The module can only unlock (an administrator cannot lock an AD account); with other changes the call
        # is more than one unlock.
        if _truthy(args["account_locked"]):
            raise Drop("unsupported_arg:account_locked")
        if set(args) - {"identity", "name", "account_locked", "state"} - _AD_CONNECTION:
            raise Drop("unlock_with_other_changes")
        return {"action": "user_unlock", "username": name}
    if "enabled" in args and not _truthy(args["enabled"]):
        raise Drop("account_disabled")  # disabling is not the lock a request asks for (the lock is the user's doing)
    intent = {"action": "user_add", "username": name}
    if args.get("password"):
        intent["password"] = str(args["password"])
    if args.get("display_name"):
        intent["full_name"] = str(args["display_name"])
    elif args.get("firstname") and args.get("surname"):
        intent["full_name"] = f"{args['firstname']} {args['surname']}"
    return _steps([intent] + [{"action": "user_add_to_group", "username": name, "group": g}
                              for g in _ad_groups(args.get("groups"))])  # fmt: skip


def _ad_groups(groups: object) -> list[str]:
    """The groups of an AD ``groups: {add: [...]} / {set: [...]}`` option; a removal is no step of ``user_add``."""
    if groups is None:
        return []
    if not isinstance(groups, dict) or set(groups) - {"add", "set"}:
        raise Drop("unsupported_arg:groups")
    names = [g for key in ("add", "set") for g in _as_list(groups.get(key))]
    if not all(isinstance(g, str) for g in names):
        raise Drop("group_not_a_name")  # {name, server}: a group of another domain
    if "set" in groups and not names:
        raise Drop("unsupported_arg:groups")  # an empty set clears every membership
    return names


# --- firewall ------------------------------------------------------------------------------------------------
def _port_or_service(port: object, service_ok: bool = True) -> dict:
    text = str(port).strip()
    if re.fullmatch(r"\d{1,5}", text):
        return {"port": int(text)}
    if re.search(r"[:\-,]", text) and re.search(r"\d", text):
        raise Drop("port_range")
    if service_ok and re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", text):
        return {"service": text.lower()}
    raise Drop("port_not_understood")


def map_ufw(args: dict) -> dict:
    """``community.general.ufw``: rule allow -> fw_allow, deny/reject -> fw_deny, ``delete`` -> fw_remove; port
    (number or /etc/services name) or app profile ``name`` -> port/service; proto, src."""
    rule = args.get("rule")
    if rule is None:
        raise Drop("not_a_rule")  # enabling ufw, default policies, logging
    if rule == "limit":
        raise Drop("rate_limit")
    _check_keys(args, {"rule", "port", "to_port", "name", "proto", "protocol", "src", "from_ip", "from",
                       "delete", "comment", "log", "insert", "insert_relative_to", "direction", "to_ip", "dest",
                       "to"})  # fmt: skip
    if str(args.get("direction", "in")) not in ("in", "incoming"):
        raise Drop("outgoing_rule")
    if str(args.get("to_ip", args.get("dest", args.get("to", "any")))) not in ("any", "::", "0.0.0.0/0"):
        raise Drop("unsupported_arg:dest")
    if _truthy(args.get("delete")):
        action = "fw_remove"
    else:
        action = {"allow": "fw_allow", "deny": "fw_deny", "reject": "fw_deny"}.get(str(rule))
        if action is None:
            raise Drop("unknown_rule")
    port = args.get("port", args.get("to_port"))
    if port is not None and args.get("name"):
        raise Drop("port_and_app")
    if port is not None:
        target = _port_or_service(port)
    elif args.get("name"):
        target = {"service": str(args["name"]).lower()}
    else:
        raise Drop("no_port_or_service")
    intent = {"action": action, **target}
    proto = str(args.get("proto", args.get("protocol", "any"))).lower()
    if proto in ("tcp", "udp"):
        intent["protocol"] = proto
    elif proto != "any":
        raise Drop("unsupported_protocol")
    src = args.get("src", args.get("from_ip", args.get("from")))
    if src is not None and str(src) != "any":
        intent["source"] = str(src)
    return intent


def map_firewalld(args: dict) -> dict:
    """``ansible.posix.firewalld``: a service or port enabled -> fw_allow; disabled is undecidable from the
    arguments (closing a port and deleting the rule are the same call), so it is left to the hand labels."""
    _check_keys(args, {"service", "port", "state", "permanent", "immediate", "offline", "zone", "source",
                       "timeout"})  # fmt: skip
    if "service" in args and "port" in args:
        raise Drop("port_and_service")
    if "service" in args:
        intent = {"service": str(args["service"]).lower()}
    elif "port" in args:
        port, _, proto = str(args["port"]).partition("/")
        intent = _port_or_service(port, service_ok=False)
        if proto in ("tcp", "udp"):
            intent["protocol"] = proto
        elif proto:
            raise Drop("unsupported_protocol")
    else:
        raise Drop("no_port_or_service")
    if args.get("source"):
        intent["source"] = str(args["source"])
    state = _state(args, "")
    if state == "enabled":
        return {"action": "fw_allow", **intent}
    if state == "disabled":
        raise Drop("needs_label:firewalld_disabled")
    raise Drop("ambiguous_state")


def map_iptables(args: dict) -> dict:
    """``ansible.builtin.iptables`` on the INPUT chain of the filter table: jump ACCEPT -> fw_allow, DROP/REJECT ->
    fw_deny, state absent -> fw_remove; one destination port."""
    _check_keys(args, {"chain", "protocol", "destination_port", "source", "jump", "state", "comment", "action",
                       "table", "ip_version", "rule_num"})  # fmt: skip
    if str(args.get("table", "filter")) != "filter" or str(args.get("chain", "")) != "INPUT":
        raise Drop("not_an_input_rule")
    if "destination_port" not in args:
        raise Drop("no_port_or_service")
    jump = str(args.get("jump", ""))
    if _state(args) == "absent":
        action = "fw_remove"
    else:
        action = {"ACCEPT": "fw_allow", "DROP": "fw_deny", "REJECT": "fw_deny"}.get(jump)
        if action is None:
            raise Drop("unknown_rule")
    intent = {"action": action, "port": _int(args["destination_port"], "port")}
    if str(args.get("protocol", "")).lower() in ("tcp", "udp"):
        intent["protocol"] = str(args["protocol"]).lower()
    if args.get("source"):
        intent["source"] = str(args["source"])
    return intent


# Windows firewall rule arguments that narrow the rule beyond what fw_allow / fw_deny carry: any value but ``any``
# drops the task. (``service`` is a Windows service, not a network service name.)
_WIN_FW_NARROWING = ("localip", "remoteport", "program", "service")


def map_win_firewall_rule(args: dict) -> dict:
    """``community.windows.win_firewall_rule``: an enabled inbound rule on one ``localport`` -> fw_allow (action
    allow, the default) or fw_deny (block); state absent -> fw_remove; ``protocol`` tcp/udp; ``remoteip`` one IP or
    network -> source. The rule's display name, description, rule group and profiles do not change the action."""
    _check_keys(args, {"name", "enabled", "enable", "state", "direction", "action", "description", "group",
                       "localip", "remoteip", "localport", "remoteport", "program", "service", "protocol",
                       "profiles", "profile", "icmp_type_code"})  # fmt: skip
    if not args.get("name"):
        raise Drop("rule_group")  # without a name the call edits every rule of the group
    absent = _state(args) == "absent"
    if not absent and not _truthy(args.get("enabled", args.get("enable", True))):
        raise Drop("rule_disabled")
    if str(args.get("direction", "in")).lower() != "in":
        raise Drop("outgoing_rule")
    for key in _WIN_FW_NARROWING:
        if str(args.get(key, "any")).lower() != "any":
            raise Drop(f"unsupported_arg:{key}")
    proto = str(args.get("protocol", "any")).lower()
    if proto not in ("tcp", "udp", "any"):
        raise Drop("unsupported_protocol")
    port = str(args.get("localport", "any")).strip()
    if port.lower() == "any":
        raise Drop("no_port_or_service")
    if "," in port:
        raise Drop("several_ports")
    if absent:
        action = "fw_remove"
    else:
        action = {"allow": "fw_allow", "block": "fw_deny"}.get(str(args.get("action", "allow")).lower())
        if action is None:
            raise Drop("unknown_rule")
    intent = {"action": action, **_port_or_service(port, service_ok=False)}
    if proto != "any":
        intent["protocol"] = proto
    source = str(args.get("remoteip", "any")).strip()
    if source.lower() != "any":
        try:
            ipaddress.ip_network(source, strict=False)
        except ValueError:
            raise Drop("source_not_an_address") from None  # a range, a list or a keyword such as LocalSubnet
        intent["source"] = source
    return intent


# --- network -------------------------------------------------------------------------------------------------
def map_nmcli(args: dict) -> dict:
    """``community.general.nmcli`` on an ethernet connection: up/down -> net_up/net_down; ``ip4`` (one address)
    -> net_set_address with ``gw4``; ``method4: auto`` -> net_set_dhcp; ``dns4`` -> net_set_nameservers."""
    _check_keys(args, {"conn_name", "ifname", "type", "ip4", "gw4", "dns4", "method4", "state", "autoconnect"})
    if str(args.get("type", "ethernet")) != "ethernet":
        raise Drop("not_an_ethernet_connection")
    iface = args.get("ifname") or args.get("conn_name")
    if not iface:
        raise Drop("no_interface")
    state = _state(args)
    if state in ("up", "down"):
        if set(args) - {"conn_name", "ifname", "state", "type"}:
            raise Drop("state_with_other_changes")
        return {"action": f"net_{state}", "interface": str(iface)}
    if state != "present":
        raise Drop("ambiguous_state")
    steps = []
    if args.get("ip4"):
        address = str(_one(_as_list(args["ip4"]), "address"))
        if "/" not in address:
            raise Drop("address_without_prefix")
        step = {"action": "net_set_address", "interface": str(iface), "address": address}
        if args.get("gw4"):
            step["gateway"] = str(args["gw4"])
        steps.append(step)
    elif str(args.get("method4", "")) == "auto":
        steps.append({"action": "net_set_dhcp", "interface": str(iface)})
    if args.get("dns4"):
        servers = [str(s) for s in _as_list(args["dns4"])]
        steps.append({"action": "net_set_nameservers", "servers": servers, "interface": str(iface)})
    if not steps:
        raise Drop("no_address_change")
    return _steps(steps)


# --- dns -----------------------------------------------------------------------------------------------------
def fqdn(record: object, zone: object) -> str:
    """The fully qualified name of ``record`` in ``zone`` (``@``/empty: the zone; a trailing dot: absolute)."""
    record = "" if record is None else str(record).strip()
    zone = "" if zone is None else str(zone).strip().rstrip(".")
    if record in ("", "@"):
        if not zone:
            raise Drop("no_record_name")
        return zone
    if record.endswith("."):
        return record.rstrip(".")
    if not zone or record == zone or record.endswith("." + zone):
        return record
    return f"{record}.{zone}"


def dns_intent(state: str, name: str, rtype: object, values: list, ttl: object = None) -> dict:
    """A dns_add / dns_remove / dns_lookup from a record's parts (MX values ``"10 mail.x"`` split into priority
    and host; TXT values unquoted)."""
    rtype = str(rtype).upper() if rtype else None
    if rtype is not None and rtype not in RECORD_TYPES:
        raise Drop("record_type_not_in_spec")
    if state in ("absent", "delete"):
        return {"action": "dns_remove", "name": name, **({"record_type": rtype} if rtype else {})}
    if state == "get":
        return {"action": "dns_lookup", "name": name, **({"record_type": rtype} if rtype else {})}
    if state not in ("present", "create"):
        raise Drop("ambiguous_state")
    value = str(_one(values, "value"))
    if rtype is None:
        raise Drop("no_record_type")
    intent = {"action": "dns_add", "name": name, "record_type": rtype}
    if rtype == "MX":
        priority, _, host = value.partition(" ")
        if host and priority.isdigit():
            intent["priority"] = int(priority)
            value = host
    if rtype == "TXT" and len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    intent["value"] = value
    if ttl is not None:
        intent["ttl"] = _int(ttl, "ttl")
    return intent


def _record_mapper(
    zone: tuple[str, ...], record: tuple[str, ...], rtype: tuple[str, ...], value: tuple[str, ...],
    ttl: tuple[str, ...], allowed: set[str], default_type: str | None = None, state_key: str = "state",
) -> Callable[[dict], dict]:  # fmt: skip
    """A mapper for a DNS-record module whose arguments go by the given names."""

    def first(args: dict, keys: tuple[str, ...]) -> object:
        return next((args[k] for k in keys if k in args), None)

    def mapper(args: dict) -> dict:
        _check_keys(args, allowed | set(zone) | set(record) | set(rtype) | set(value) | set(ttl) | {state_key})
        name = fqdn(first(args, record), first(args, zone))
        values = [v for k in value if k in args for v in _as_list(args[k])]
        state = str(args.get(state_key, "present")).lower()
        return dns_intent(state, name, first(args, rtype) or default_type, values, first(args, ttl))

    return mapper


_API = {"account_email", "account_api_key", "api_token", "hetzner_token", "hosttech_token", "hosttech_username",
        "hosttech_password", "ipa_host", "ipa_user", "ipa_pass", "ipa_port", "ipa_prot", "validate_certs",
        "provider", "key_name", "key_secret", "key_algorithm", "server", "port", "protocol", "wait",
        "wait_timeout", "overwrite", "comment", "solo", "tags", "view", "computer_name", "on_existing",
        "prefix_is_absolute", "zone_id", "hosted_zone_id", "private_zone"}  # fmt: skip

map_nsupdate = _record_mapper(("zone",), ("record",), ("type",), ("value",), ("ttl",), _API, default_type="A")
map_cloudflare_dns = _record_mapper(("zone", "domain"), ("record",), ("type",), ("value",), ("ttl",),
                                    _API | {"priority", "proxied"})  # fmt: skip
map_route53 = _record_mapper(("zone",), ("record",), ("type",), ("value",), ("ttl",), _API, state_key="state")
map_community_dns = _record_mapper(("zone", "zone_name"), ("record", "prefix"), ("type",), ("value", "values"),
                                   ("ttl",), _API)  # fmt: skip
map_ipa_dnsrecord = _record_mapper(("zone_name",), ("record_name", "name"), ("record_type",),
                                   ("record_value", "record_values"), ("record_ttl",), _API)  # fmt: skip
map_win_dns_record = _record_mapper(("zone",), ("name",), ("type",), ("value", "values"), ("ttl",), _API)


def map_route53_command(args: dict) -> dict:
    """``amazon.aws.route53`` (``command`` is the old name of ``state``)."""
    if "command" in args:
        args = {**{k: v for k, v in args.items() if k != "command"}, "state": args["command"]}
    return map_route53(args)


def _nios(rtype: str, value_key: str, priority_key: str | None = None) -> Callable[[dict], dict]:
    """A mapper for an Infoblox NIOS record module (``name`` is already fully qualified)."""

    def mapper(args: dict) -> dict:
        _check_keys(args, {"name", value_key, "state", "ttl", "comment", "view", "provider", "extattrs"}
                    | ({priority_key} if priority_key else set()))  # fmt: skip
        if not isinstance(args.get("name"), str):
            raise Drop("record_rename")
        values = _as_list(args.get(value_key))
        if values and not isinstance(values[0], str):
            raise Drop("value_not_understood")
        if priority_key and args.get(priority_key) is not None and values:
            values = [f"{args[priority_key]} {values[0]}"]
        return dns_intent(_state(args), fqdn(args["name"], None), rtype, values, args.get("ttl"))

    return mapper


# --- registry --------------------------------------------------------------------------------------------------
MAPPERS: dict[str, Callable[[dict], dict]] = {
    "ansible.builtin.user": map_user,
    "ansible.builtin.group": map_group,
    "ansible.windows.win_user": map_win_user,
    "ansible.windows.win_group": map_group,
    "ansible.windows.win_group_membership": map_win_group_membership,
    "microsoft.ad.user": map_ad_user,
    "community.general.ipa_user": map_ipa_user,
    "community.general.ipa_group": map_ipa_group,
    "community.general.ufw": map_ufw,
    "ansible.posix.firewalld": map_firewalld,
    "ansible.builtin.iptables": map_iptables,
    "community.windows.win_firewall_rule": map_win_firewall_rule,
    "community.general.nmcli": map_nmcli,
    "community.general.nsupdate": map_nsupdate,
    "community.general.cloudflare_dns": map_cloudflare_dns,
    "amazon.aws.route53": map_route53_command,
    "community.dns.hetzner_dns_record_set": map_community_dns,
    "community.dns.hetzner_dns_record": map_community_dns,
    "community.dns.hosttech_dns_record_set": map_community_dns,
    "community.dns.hosttech_dns_record": map_community_dns,
    "community.general.ipa_dnsrecord": map_ipa_dnsrecord,
    "ansible.windows.win_dns_record": map_win_dns_record,
    "infoblox.nios_modules.nios_a_record": _nios("A", "ipv4addr"),
    "infoblox.nios_modules.nios_aaaa_record": _nios("AAAA", "ipv6addr"),
    "infoblox.nios_modules.nios_cname_record": _nios("CNAME", "canonical"),
    "infoblox.nios_modules.nios_mx_record": _nios("MX", "mail_exchanger", "preference"),
    "infoblox.nios_modules.nios_txt_record": _nios("TXT", "text"),
    "infoblox.nios_modules.nios_ptr_record": _nios("PTR", "ptrdname"),
}
# Modules whose every call is outside all actions of the spec (spec rule 5: requests for other systems give
# ``unknown``): package managers, services, files and templates, source checkouts, cron, reboots and updates,
# containers and Kubernetes, cloud instances and buckets, databases, mounts and kernel settings. Modules that touch
# accounts, groups, DNS, firewalls, shares, mail, certificates, keys or network settings are left out even where
# most of their calls are out of scope (a database *user*, an ``authorized_key``, a ``docker_network``), so that
# no in-scope request is labelled ``unknown``. Their EXAMPLES task names become ``unknown`` rows (filtered and
# capped per file by the miner).
OUT_OF_SCOPE_MODULES: frozenset[str] = frozenset({
    # ansible-core
    "ansible.builtin.apt", "ansible.builtin.apt_repository", "ansible.builtin.dnf", "ansible.builtin.package",
    "ansible.builtin.pip", "ansible.builtin.service", "ansible.builtin.systemd_service", "ansible.builtin.copy",
    "ansible.builtin.template", "ansible.builtin.file", "ansible.builtin.lineinfile", "ansible.builtin.blockinfile",
    "ansible.builtin.get_url", "ansible.builtin.unarchive", "ansible.builtin.git", "ansible.builtin.cron",
    "ansible.builtin.reboot",
    # other package managers
    "community.general.npm", "community.general.gem", "community.general.snap", "community.general.flatpak",
    "community.general.homebrew", "community.general.pacman", "community.general.zypper",
    "community.general.timezone",
    # containers and Kubernetes
    "community.docker.docker_container", "community.docker.docker_image", "community.docker.docker_volume",
    "containers.podman.podman_container", "containers.podman.podman_image", "kubernetes.core.k8s",
    "kubernetes.core.helm",
    # cloud and virtualisation
    "amazon.aws.ec2_instance", "amazon.aws.s3_bucket", "azure.azcollection.azure_rm_virtualmachine",
    "google.cloud.gcp_compute_instance", "openstack.cloud.server", "community.vmware.vmware_guest",
    # databases
    "community.mysql.mysql_db", "community.postgresql.postgresql_db",
    # system
    "ansible.posix.mount", "ansible.posix.sysctl", "ansible.posix.synchronize",
    # Windows
    "ansible.windows.win_package", "ansible.windows.win_service", "ansible.windows.win_copy",
    "ansible.windows.win_reboot", "ansible.windows.win_updates", "ansible.windows.win_feature",
    "ansible.windows.win_regedit", "chocolatey.chocolatey.win_chocolatey",
})  # fmt: skip
# Short and legacy spellings that examples use for the same module. The short names of microsoft.ad modules are
# left out: ``user`` / ``group`` alone mean the ansible.builtin modules.
ALIASES: dict[str, str] = {
    **{name.rsplit(".", 1)[1]: name for name in OUT_OF_SCOPE_MODULES},
    **{f"ansible.legacy.{name.rsplit('.', 1)[1]}": name for name in OUT_OF_SCOPE_MODULES
       if name.startswith("ansible.builtin.")},
    "systemd": "ansible.builtin.systemd_service", "ansible.builtin.systemd": "ansible.builtin.systemd_service",
    "ansible.legacy.systemd": "ansible.builtin.systemd_service",
    **{name.rsplit(".", 1)[1]: name for name in MAPPERS if not name.startswith("microsoft.ad.")},
    **{f"ansible.legacy.{n}": f"ansible.builtin.{n}" for n in ("user", "group", "iptables")},
    **{f"community.general.{n}": f"ansible.posix.{n}" for n in ("firewalld",)},
    **{f"community.windows.{n}": f"ansible.windows.{n}" for n in ("win_user", "win_group", "win_dns_record")},
    "community.aws.route53": "amazon.aws.route53",
    **{f"community.general.{n}": f"infoblox.nios_modules.{n}" for n in
       ("nios_a_record", "nios_aaaa_record", "nios_cname_record", "nios_mx_record", "nios_txt_record",
        "nios_ptr_record")},
}  # fmt: skip


def canonical_module(module: str) -> str:
    """The registry name of a module as an example writes it (``ufw`` -> ``community.general.ufw``)."""
    return _short(module)


def is_out_of_scope(module: str) -> bool:
    """Whether a module as an example writes it is one of :data:`OUT_OF_SCOPE_MODULES` (its calls are ``unknown``)."""
    return _short(module) in OUT_OF_SCOPE_MODULES


def map_task(module: str, args: object) -> dict:
    """The intent of one module call; :class:`Drop` when the module has no mapper or the call does not map."""
    mapper = MAPPERS.get(_short(module))
    if mapper is None:
        raise Drop("module_not_mapped")
    if not isinstance(args, dict):
        raise Drop("free_form_args")
    return mapper(args)

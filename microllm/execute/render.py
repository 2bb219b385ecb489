"""Intent -> Ansible playbook, as plain Python data (then YAML).

One play (``hosts: all``) whose tasks come from a table of small per-action builders; ``multi``
gives the tasks of each step in order. The intent's values travel as data: step ``i`` is the play
variable ``step<i>`` (every string marked ``!unsafe``, so Ansible never evaluates a ``{{`` inside a
value), and tasks only reference it (``"{{ step0.username }}"``). No value is ever spliced into a
shell string: modules do the work; the few commands (testparm, postalias, postfix reload) get
``argv`` lists. Secrets (passwords) are not written into the playbook at all: the play reads them
from environment variables that :func:`microllm.execute.run.execute` sets for the ansible process.

Connection details are variables with sane defaults, overridable from the inventory or extra vars:

- DNS: ``dns_server`` (127.0.0.1), ``dns_port`` (53), ``dns_zone`` (looked up from the SOA),
  ``dns_key_name`` (microllm), ``dns_key_algorithm`` (hmac-sha256), ``dns_key_secret`` or
  ``dns_key_file`` (a file holding the base64 secret; /etc/microllm/tsig.secret), ``dns_protocol`` (tcp).
- Samba: ``samba_conf`` (/etc/samba/smb.conf), ``samba_testparm`` (testparm), ``samba_passwords``
  (false: also set the Samba password with smbpasswd).
- Mail: ``postfix_main_cf`` (/etc/postfix/main.cf), ``mail_aliases_file`` (/etc/aliases),
  ``postfix_reload`` (true).
- PKI: ``pki_dir`` (/etc/ssl/microllm), ``pki_ca_cert`` / ``pki_ca_key`` (sign with this CA instead of
  self-signing; required to revoke), ``pki_crl`` (<pki_dir>/crl.pem).
- Firewall: ``firewall_backend`` (ufw or firewalld). Network: ``nm_type`` (ethernet),
  ``resolv_conf`` (/etc/resolv.conf, for name servers without an interface).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass, field

import yaml

from microllm.safety import RECORD_TYPES, ensure_safe
from microllm.schema import OPERATIONS, validate_intent

SECRET_ENV_PREFIX = "MICROLLM_SECRET_"
NOT_EXECUTABLE = ("clarify", "unknown")


class NotExecutableError(ValueError):
    """``clarify`` / ``unknown``: there is nothing to execute."""


class Unsafe(dict):
    """A mapping Ansible must treat as data, never as a template: dumped as a YAML ``!unsafe`` mapping.

    The tag goes on the mapping, not on each string: ansible-core 2.19 re-resolves a tagged scalar's
    type (``!unsafe "no"`` would become ``False``), while the members of a tagged mapping keep theirs."""


@dataclass
class Rendered:
    """A playbook (list of plays) and the secrets its play reads from the environment."""

    playbook: list[dict]
    secrets: dict[str, str] = field(default_factory=dict)  # env var name -> value (never written to disk)

    def to_yaml(self) -> str:
        return to_yaml(self.playbook)


class _Ctx:
    """What a task builder needs: its step's variable name, and a place to register secrets."""

    def __init__(self, index: int, secrets: dict[str, str]):
        self.index = index
        self.var = f"step{index}"
        self._secrets = secrets

    def ref(self, name: str) -> str:
        return f"{{{{ {self.var}.{name} }}}}"

    def opt(self, name: str) -> str:
        return f"{{{{ {self.var}.{name} | default(omit) }}}}"

    def reg(self, name: str) -> str:
        return f"microllm_{self.var}_{name}"

    def secret(self, value: str) -> str:
        """Name of a play variable holding ``value``, read from the environment at run time."""
        env = f"{SECRET_ENV_PREFIX}{len(self._secrets)}"
        self._secrets[env] = value
        return f"microllm_secret_{env[len(SECRET_ENV_PREFIX) :]}"


Builder = Callable[[dict, _Ctx], tuple[list[dict], dict]]
BUILDERS: dict[str, Builder] = {}


def _builder(*actions: str):
    def deco(fn: Builder) -> Builder:
        for a in actions:
            BUILDERS[a] = fn
        return fn

    return deco


def _task(name: str, module: str, args: dict, **extra) -> dict:
    return {"name": name, module: args, **extra}


# --- dns: community.general.nsupdate (RFC 2136) ----------------------------------------------------
_DNS_CONN = {
    "server": "{{ dns_server | default('127.0.0.1') }}",
    "port": "{{ dns_port | default(53) | int }}",
    "zone": "{{ dns_zone | default(omit) }}",
    "protocol": "{{ dns_protocol | default('tcp') }}",
    "key_name": "{{ dns_key_name | default('microllm') }}",
    "key_algorithm": "{{ dns_key_algorithm | default('hmac-sha256') }}",
    "key_secret": "{{ dns_key_secret if dns_key_secret is defined else "
    "lookup('ansible.builtin.file', dns_key_file | default('/etc/microllm/tsig.secret')) }}",
}
_HOST_TYPES = ("CNAME", "MX", "NS", "PTR")


def _rdata(it: dict) -> str:
    rtype, value = it["record_type"], it["value"]
    if rtype in _HOST_TYPES:
        value = value.rstrip(".") + "."
    elif rtype == "TXT":
        value = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if rtype == "MX":
        value = f"{it.get('priority', 10)} {value}"
    return value


@_builder("dns_add", "dns_update")
def _dns_set(it: dict, c: _Ctx):
    derived = {"record": it["name"] + ".", "rdata": _rdata(it)}
    args = {**_DNS_CONN, "record": c.ref("record"), "type": c.ref("record_type"), "value": c.ref("rdata")}
    args |= {"ttl": f"{{{{ {c.var}.ttl | default(3600) }}}}", "state": "present"}
    verb = "add" if it["action"] == "dns_add" else "update"
    return [_task(f"dns: {verb} {{{{ {c.var}.name }}}}", "community.general.nsupdate", args)], derived


@_builder("dns_remove")
def _dns_remove(it: dict, c: _Ctx):
    types = [it["record_type"]] if "record_type" in it else sorted(RECORD_TYPES - {"NS"})
    derived = {"record": it["name"] + ".", "types": types}
    args = {**_DNS_CONN, "record": c.ref("record"), "type": "{{ item }}", "state": "absent"}
    task = _task(
        f"dns: remove {{{{ {c.var}.name }}}}",
        "community.general.nsupdate",
        args,
        loop=f"{{{{ {c.var}.types }}}}",
        loop_control={"label": "{{ item }}"},
    )
    return [task], derived


@_builder("dns_lookup")
def _dns_lookup(it: dict, c: _Ctx):
    expr = (
        f"lookup('community.general.dig', {c.var}.name, '@' ~ (dns_server | default('127.0.0.1')), "
        f"qtype={c.var}.record_type | default('A'), port=dns_port | default(53) | int, real_empty=true, wantlist=true)"
    )
    return [_task(f"dns: look up {{{{ {c.var}.name }}}}", "ansible.builtin.debug", {"msg": "{{ " + expr + " }}"})], {}


# --- users and groups: ansible.builtin.user / group ---------------------------------------------------
def _user_must_exist(c: _Ctx) -> dict:
    return _task(
        f"users: {{{{ {c.var}.username }}}} must exist",
        "ansible.builtin.getent",
        {"database": "passwd", "key": c.ref("username")},
    )


def _samba_password(c: _Ctx, secret: str) -> dict:
    return _task(
        f"samba: set the Samba password of {{{{ {c.var}.username }}}}",
        "ansible.builtin.command",
        {"argv": ["smbpasswd", "-s", "-a", c.ref("username")], "stdin": f"{{{{ {secret} }}}}\n{{{{ {secret} }}}}"},
        no_log=True,
        when="samba_passwords | default(false) | bool",
    )


@_builder("user_add")
def _user_add(it: dict, c: _Ctx):
    args = {"name": c.ref("username"), "state": "present", "create_home": True, "update_password": "on_create"}
    if "full_name" in it:
        args["comment"] = c.ref("full_name")
    extra, tasks = {}, []
    if "password" in it:
        secret = c.secret(it["password"])
        args["password"] = f"{{{{ {secret} | password_hash('sha512') }}}}"
        extra["no_log"] = True
    tasks.append(_task(f"users: add {{{{ {c.var}.username }}}}", "ansible.builtin.user", args, **extra))
    if "password" in it:
        tasks.append(_samba_password(c, secret))
    return tasks, {}


@_builder("user_remove")
def _user_remove(it: dict, c: _Ctx):
    args = {"name": c.ref("username"), "state": "absent", "remove": f"{{{{ {c.var}.remove_home | default(false) }}}}"}
    return [_task(f"users: remove {{{{ {c.var}.username }}}}", "ansible.builtin.user", args)], {}


@_builder("user_set_password")
def _user_set_password(it: dict, c: _Ctx):
    secret = c.secret(it["password"])
    args = {"name": c.ref("username"), "password": f"{{{{ {secret} | password_hash('sha512') }}}}"}
    args["update_password"] = "always"
    task = _task(f"users: set the password of {{{{ {c.var}.username }}}}", "ansible.builtin.user", args, no_log=True)
    return [_user_must_exist(c), task, _samba_password(c, secret)], {}


@_builder("user_add_to_group")
def _user_add_to_group(it: dict, c: _Ctx):
    args = {"name": c.ref("username"), "groups": [c.ref("group")], "append": True}
    name = f"users: add {{{{ {c.var}.username }}}} to {{{{ {c.var}.group }}}}"
    return [_user_must_exist(c), _task(name, "ansible.builtin.user", args)], {}


@_builder("user_remove_from_group")
def _user_remove_from_group(it: dict, c: _Ctx):
    groups, primary = c.reg("groups"), c.reg("primary")
    read = {"check_mode": False, "changed_when": False}
    tasks = [
        _task("users: read supplementary groups", "ansible.builtin.command",
              {"argv": ["id", "-nG", c.ref("username")]}, register=groups, **read),
        _task("users: read primary group", "ansible.builtin.command",
              {"argv": ["id", "-gn", c.ref("username")]}, register=primary, **read),
        _task(
            f"users: remove {{{{ {c.var}.username }}}} from {{{{ {c.var}.group }}}}",
            "ansible.builtin.user",
            {
                "name": c.ref("username"),
                "groups": f"{{{{ {groups}.stdout.split() | difference([{primary}.stdout, {c.var}.group])"
                          " | join(',') }}",
                "append": False,
            },
            when=f"{c.var}.group in {groups}.stdout.split()",
        ),
    ]  # fmt: skip
    return tasks, {}


@_builder("user_lock", "user_unlock")
def _user_lock(it: dict, c: _Ctx):
    lock = it["action"] == "user_lock"
    args = {"name": c.ref("username"), "password_lock": lock}
    name = f"users: {'lock' if lock else 'unlock'} {{{{ {c.var}.username }}}}"
    return [_user_must_exist(c), _task(name, "ansible.builtin.user", args)], {}


@_builder("group_add", "group_remove")
def _group(it: dict, c: _Ctx):
    state = "present" if it["action"] == "group_add" else "absent"
    name = f"groups: {'add' if state == 'present' else 'remove'} {{{{ {c.var}.group }}}}"
    return [_task(name, "ansible.builtin.group", {"name": c.ref("group"), "state": state})], {}


# --- samba: community.general.ini_file on smb.conf, testparm --------------------------------------------
_SMB_CONF = "{{ samba_conf | default('/etc/samba/smb.conf') }}"
_TESTPARM = "{{ samba_testparm | default('testparm') }}"


def _testparm_check() -> dict:
    return _task(
        "samba: testparm accepts the configuration",
        "ansible.builtin.command",
        {"argv": [_TESTPARM, "-s", "--suppress-prompt", _SMB_CONF]},
        changed_when=False,
        when="not ansible_check_mode",
    )


def _link_checks(path: str) -> list[str]:
    """The prefixes of ``path`` to check for symbolic links: every one below the top-level directory.

    A top-level directory (/srv, /home) is root's own layout (it may legitimately be a link, /home -> /var/home);
    anything deeper may have been made by a user who can write there, and a link would carry the share (and its
    new permissions) to wherever it points."""
    parts = [p for p in path.split("/") if p not in ("", ".")]
    return ["/" + "/".join(parts[: i + 1]) for i in range(1, len(parts))] or ["/" + "/".join(parts)]


@_builder("share_create")
def _share_create(it: dict, c: _Ctx):
    options = [{"option": "path", "value": it["path"]}]
    if "comment" in it:
        options.append({"option": "comment", "value": it["comment"]})
    for key, opt in (("read_only", "read only"), ("guest_ok", "guest ok")):
        if key in it:
            options.append({"option": opt, "value": "yes" if it[key] else "no"})
    stats = c.reg("path_stat")
    last = f"{stats}.results[-1].stat"
    tasks = [
        # stat never follows a link (follow: false), so a link is seen as a link, not as its target
        _task(f"samba: inspect {{{{ {c.var}.path }}}} and its parents", "ansible.builtin.stat",
              {"path": "{{ item }}", "follow": False, "get_checksum": False, "get_mime": False,
               "get_attributes": False},
              loop=f"{{{{ {c.var}.link_checks }}}}", loop_control={"label": "{{ item }}"}, register=stats,
              check_mode=False),
        _task(f"samba: {{{{ {c.var}.path }}}} is no symbolic link, nor under one", "ansible.builtin.assert",
              {"that": ["not (item.stat.islnk | default(false))"],
               "fail_msg": "{{ item.item }} is a symbolic link: refusing to share (or chmod) what it points to",
               "quiet": True},
              loop=f"{{{{ {stats}.results }}}}", loop_control={"label": "{{ item.item }}"}),
        _task(f"samba: {{{{ {c.var}.path }}}} is a directory if it exists", "ansible.builtin.assert",
              {"that": [f"not {last}.exists or {last}.isdir"],
               "fail_msg": f"{{{{ {c.var}.path }}}} exists and is not a directory", "quiet": True}),
        # Created (with its mode) only when absent: an existing directory keeps its owner and permissions.
        _task(f"samba: create the directory {{{{ {c.var}.path }}}}", "ansible.builtin.file",
              {"path": c.ref("path"), "state": "directory", "mode": "0775", "follow": False},
              when=f"not {last}.exists"),
        _task(
            f"samba: options of share [{{{{ {c.var}.name }}}}]",
            "community.general.ini_file",
            {"path": _SMB_CONF, "section": c.ref("name"), "option": "{{ item.option }}",
             "value": "{{ item.value }}", "create": False},
            loop=f"{{{{ {c.var}.options }}}}",
            loop_control={"label": "{{ item.option }}"},
        ),
        _testparm_check(),
    ]  # fmt: skip
    return tasks, {"options": options, "link_checks": _link_checks(it["path"])}


@_builder("share_remove")
def _share_remove(it: dict, c: _Ctx):
    args = {"path": _SMB_CONF, "section": c.ref("name"), "state": "absent", "create": False}
    return [_task(f"samba: remove share [{{{{ {c.var}.name }}}}]", "community.general.ini_file", args)], {}


_ACL_OPTIONS = ("valid users", "invalid users", "read list", "write list")


@_builder("share_grant_access", "share_revoke_access")
def _share_access(it: dict, c: _Ctx):
    principal = it["username"] if "username" in it else "@" + it["group"]
    if it["action"] == "share_grant_access":
        access = it.get("access")
        ops = {"valid users": "add", "invalid users": "remove", "read list": "keep", "write list": "keep"}
        if access:
            ops |= {"read list": "add" if access == "read" else "remove",
                    "write list": "add" if access == "write" else "remove"}  # fmt: skip
    else:
        ops = {"valid users": "remove", "invalid users": "add", "read list": "remove", "write list": "remove"}
    acl = c.reg("acl")
    current = "item.stdout | regex_findall('[^,\\s]+')"
    new = (
        f"(({current}) + [{c.var}.principal]) | unique if {c.var}.ops[item.item] == 'add' "
        f"else ({current}) | difference([{c.var}.principal])"
    )
    tasks = [
        _task(
            f"samba: read the access lists of [{{{{ {c.var}.share }}}}] (testparm)",
            "ansible.builtin.command",
            {"argv": [_TESTPARM, "-s", "--suppress-prompt", f"--section-name={{{{ {c.var}.share }}}}",
                      "--parameter-name={{ item }}", _SMB_CONF]},
            loop=list(_ACL_OPTIONS), loop_control={"label": "{{ item }}"}, register=acl, check_mode=False,
            changed_when=False,
        ),
        _task(
            "samba: never open a restricted share to everyone by emptying 'valid users'",
            "ansible.builtin.assert",
            {"that": [f"({acl}.results[0].stdout | regex_findall('[^,\\s]+') | length == 0) or "
                      f"({acl}.results[0].stdout | regex_findall('[^,\\s]+') | difference([{c.var}.principal]) "
                      "| length > 0) or "
                      f"{c.var}.ops['valid users'] != 'remove'"],
             "fail_msg": "revoking the last entry of 'valid users' would open the share to every user; "
                         "grant someone else first or remove the share"},
        ),
        _task(
            f"samba: update the access lists of [{{{{ {c.var}.share }}}}]",
            "community.general.ini_file",
            {"path": _SMB_CONF, "section": c.ref("share"), "option": "{{ item.item }}",
             "value": "{{ microllm_new | join(', ') }}",
             "state": "{{ 'present' if microllm_new else 'absent' }}", "create": False},
            loop=f"{{{{ {acl}.results }}}}",
            loop_control={"label": "{{ item.item }}"},
            vars={"microllm_new": "{{ " + new + " }}"},
            when=f"{c.var}.ops[item.item] != 'keep'",
        ),
        _testparm_check(),
    ]  # fmt: skip
    return tasks, {"principal": principal, "ops": ops}


# --- mail: postfix main.cf relayhost, aliases + postalias -------------------------------------------------
_MAIN_CF = "{{ postfix_main_cf | default('/etc/postfix/main.cf') }}"
_ALIASES = "{{ mail_aliases_file | default('/etc/aliases') }}"


def _relayhost(it: dict) -> str:
    host = it["host"]
    try:
        host = f"ipv6:{host}" if ipaddress.ip_address(host).version == 6 else host
    except ValueError:
        pass
    return f"[{host}]" + (f":{it['port']}" if "port" in it else "")


@_builder("mail_set_relay")
def _mail_set_relay(it: dict, c: _Ctx):
    reg = c.reg("relay")
    tasks = [
        _task("mail: postfix relayhost", "ansible.builtin.lineinfile",
              {"path": _MAIN_CF, "regexp": r"^\s*relayhost\s*=", "line": f"relayhost = {c.ref('relayhost')}"},
              register=reg),
        _task("mail: reload postfix", "ansible.builtin.command", {"argv": ["postfix", "reload"]},
              when=f"{reg} is changed and not ansible_check_mode and (postfix_reload | default(true) | bool)"),
    ]  # fmt: skip
    return tasks, {"relayhost": _relayhost(it)}


def _postalias(reg: str) -> dict:
    return _task(
        "mail: rebuild the aliases database (postalias)",
        "ansible.builtin.command",
        {"argv": ["postalias", _ALIASES]},
        when=f"{reg} is changed and not ansible_check_mode and (postfix_reload | default(true) | bool)",
    )


@_builder("mail_alias_add", "mail_alias_remove")
def _mail_alias(it: dict, c: _Ctx):
    reg = c.reg("alias")
    args = {"path": _ALIASES, "regexp": f"^{{{{ {c.var}.alias | regex_escape }}}}\\s*:"}
    if it["action"] == "mail_alias_add":
        args |= {"line": f"{c.ref('alias')}: {c.ref('destination')}", "create": True}
        name = f"mail: alias {{{{ {c.var}.alias }}}} -> {{{{ {c.var}.destination }}}}"
    else:
        args["state"] = "absent"
        name = f"mail: remove alias {{{{ {c.var}.alias }}}}"
    return [_task(name, "ansible.builtin.lineinfile", args, register=reg), _postalias(reg)], {}


# --- pki: community.crypto ----------------------------------------------------------------------------------
_PKI_DIR = "{{ pki_dir | default('/etc/ssl/microllm') }}"
_CURVES = {256: "secp256r1", 384: "secp384r1", 521: "secp521r1"}


def _pki_paths(it: dict) -> dict:
    return {"base": it["common_name"].replace("*", "wildcard")}


def _pki_file(c: _Ctx, ext: str) -> str:
    return f"{_PKI_DIR}/{{{{ {c.var}.base }}}}.{ext}"


def _certificate(c: _Ctx, force: bool) -> dict:
    days = f"+{{{{ {c.var}.days | default(365) }}}}d"
    args = {
        "path": _pki_file(c, "crt"),
        "csr_path": _pki_file(c, "csr"),
        "privatekey_path": _pki_file(c, "key"),
        "provider": "{{ 'ownca' if pki_ca_cert is defined else 'selfsigned' }}",
        "ownca_path": "{{ pki_ca_cert | default(omit) }}",
        "ownca_privatekey_path": "{{ pki_ca_key | default(omit) }}",
        "ownca_not_after": days,
        "selfsigned_not_after": days,
        "force": force,
    }
    verb = "renew" if force else "issue"
    return _task(
        f"pki: {verb} the certificate of {{{{ {c.var}.common_name }}}}", "community.crypto.x509_certificate", args
    )


@_builder("cert_create")
def _cert_create(it: dict, c: _Ctx):
    names = [it["common_name"], *it.get("alt_names", [])]
    san = [("IP:" if _is_ip(n) else "DNS:") + n for n in dict.fromkeys(names)]
    key_type = it.get("key_type", "rsa")
    derived = {**_pki_paths(it), "san": san, "key_type": "ECC" if key_type == "ec" else "RSA"}
    if key_type == "ec":
        derived["curve"] = _CURVES[it.get("key_size", 256)]
    else:
        derived["size"] = it.get("key_size", 3072)
    tasks = [
        _task("pki: inspect the directory", "ansible.builtin.stat", {"path": _PKI_DIR, "follow": False},
              register=c.reg("pki_dir"), check_mode=False),
        # Created (0755) only when absent: an existing directory keeps its, possibly tighter, permissions.
        _task("pki: create the directory", "ansible.builtin.file",
              {"path": _PKI_DIR, "state": "directory", "mode": "0755", "follow": False},
              when=f"not {c.reg('pki_dir')}.stat.exists"),
        _task(
            f"pki: private key of {{{{ {c.var}.common_name }}}}",
            "community.crypto.openssl_privatekey",
            {"path": _pki_file(c, "key"), "type": c.ref("key_type"), "size": c.opt("size"), "curve": c.opt("curve"),
             "mode": "0600"},
        ),
        _task(
            f"pki: CSR of {{{{ {c.var}.common_name }}}}",
            "community.crypto.openssl_csr",
            {"path": _pki_file(c, "csr"), "privatekey_path": _pki_file(c, "key"), "common_name": c.ref("common_name"),
             "subject_alt_name": c.ref("san")},
        ),
        _task("pki: is there a CSR yet", "ansible.builtin.stat", {"path": _pki_file(c, "csr")}, register=c.reg("csr")),
        # check mode creates neither key nor CSR: the certificate can only be previewed once they exist
        {**_certificate(c, force=False), "when": f"not ansible_check_mode or {c.reg('csr')}.stat.exists"},
    ]  # fmt: skip
    return tasks, derived


@_builder("cert_renew")
def _cert_renew(it: dict, c: _Ctx):
    return [_certificate(c, force=True)], _pki_paths(it)


@_builder("cert_revoke")
def _cert_revoke(it: dict, c: _Ctx):
    ca = c.reg("ca")
    tasks = [
        _task("pki: revocation needs the CA", "ansible.builtin.assert",
              {"that": ["pki_ca_cert is defined", "pki_ca_key is defined"],
               "fail_msg": "cert_revoke needs the CA: set pki_ca_cert and pki_ca_key (inventory or extra vars)"}),
        _task("pki: read the CA certificate", "community.crypto.x509_certificate_info",
              {"path": "{{ pki_ca_cert }}"}, register=ca),
        _task(
            f"pki: revoke {{{{ {c.var}.common_name }}}} (CRL)",
            "community.crypto.x509_crl",
            {"path": "{{ pki_crl | default((pki_dir | default('/etc/ssl/microllm')) ~ '/crl.pem') }}",
             "crl_mode": "update", "privatekey_path": "{{ pki_ca_key }}", "issuer": f"{{{{ {ca}.subject }}}}",
             "next_update": "+7d", "ignore_timestamps": True,
             "revoked_certificates": [{"path": _pki_file(c, "crt")}]},
        ),
    ]  # fmt: skip
    return tasks, _pki_paths(it)


def _is_ip(v: str) -> bool:
    try:
        ipaddress.ip_address(v)
        return True
    except ValueError:
        return False


# --- firewall: community.general.ufw or ansible.posix.firewalld ------------------------------------------
_UFW = "(firewall_backend | default('ufw')) == 'ufw'"
_FIREWALLD = "(firewall_backend | default('ufw')) == 'firewalld'"


def _rich_rule(it: dict, verdict: str) -> str:
    parts = ["rule"]
    if "source" in it:
        family = "ipv6" if ipaddress.ip_network(it["source"], strict=False).version == 6 else "ipv4"
        parts += [f'family="{family}"', f'source address="{it["source"]}"']
    if "port" in it:
        parts.append(f'port port="{it["port"]}" protocol="{it.get("protocol", "tcp")}"')
    else:
        parts.append(f'service name="{it["service"]}"')
    return " ".join([*parts, verdict])


@_builder("fw_allow", "fw_deny", "fw_remove")
def _firewall(it: dict, c: _Ctx):
    action = it["action"]
    target = str(it["port"]) if "port" in it else it["service"]
    derived: dict = {"target": target}
    ufw = {"to_port": c.ref("target"), "proto": c.opt("protocol"),
           "from_ip": f"{{{{ {c.var}.source | default('any') }}}}"}  # fmt: skip
    what = f"{{{{ {c.var}.target }}}}"
    if action == "fw_remove":
        ufw_task = _task(f"firewall: remove the rules for {what} (ufw)", "community.general.ufw",
                         {**ufw, "rule": "{{ item }}", "delete": True}, loop=["allow", "deny"],
                         loop_control={"label": "{{ item }}"}, when=_UFW)  # fmt: skip
    else:
        rule = "allow" if action == "fw_allow" else "deny"
        ufw_task = _task(f"firewall: {rule} {what} (ufw)", "community.general.ufw", {**ufw, "rule": rule}, when=_UFW)
    # firewalld: a plain port/service rule, or rich rules where a source or a deny needs them
    plain = action in ("fw_allow", "fw_remove") and "source" not in it
    rich = {"fw_allow": ["accept"], "fw_deny": ["reject"], "fw_remove": ["accept", "reject"]}[action]
    if action == "fw_allow" and plain:
        rich = []
    derived["rich_rules"] = [_rich_rule(it, v) for v in rich]
    if "port" in it:
        derived["fw_port"] = f"{it['port']}/{it.get('protocol', 'tcp')}"
    state = "disabled" if action == "fw_remove" else "enabled"
    common = {"permanent": True, "immediate": True, "state": state}
    tasks = [ufw_task]
    if plain:
        args = {**common, "port": c.opt("fw_port"), "service": c.opt("service")}
        tasks.append(_task(f"firewall: {state} {what} (firewalld)", "ansible.posix.firewalld", args, when=_FIREWALLD))
    if rich:
        tasks.append(_task(f"firewall: {state} rich rule for {what} (firewalld)", "ansible.posix.firewalld",
                           {**common, "rich_rule": "{{ item }}"}, loop=f"{{{{ {c.var}.rich_rules }}}}",
                           loop_control={"label": "{{ item }}"}, when=_FIREWALLD))  # fmt: skip
    return tasks, derived


# --- network: community.general.nmcli ------------------------------------------------------------------------
def _nmcli(c: _Ctx, name: str, **args) -> dict:
    base = {
        "conn_name": c.ref("interface"),
        "ifname": c.ref("interface"),
        "type": "{{ nm_type | default('ethernet') }}",
    }
    return _task(name, "community.general.nmcli", {**base, **args})


@_builder("net_set_address")
def _net_set_address(it: dict, c: _Ctx):
    v = ipaddress.ip_interface(it["address"]).version
    derived = {"ip_version": v}
    args = {f"ip{v}": c.ref("address"), f"method{v}": "manual", "state": "present", "autoconnect": True}
    if "gateway" in it:
        args[f"gw{v}"] = c.ref("gateway")
    iface = f"{{{{ {c.var}.interface }}}}"
    tasks = [_nmcli(c, f"network: address of {iface}", **args), _nmcli(c, f"network: bring {iface} up", state="up")]
    return tasks, derived


@_builder("net_set_dhcp")
def _net_set_dhcp(it: dict, c: _Ctx):
    iface = f"{{{{ {c.var}.interface }}}}"
    tasks = [_nmcli(c, f"network: DHCP on {iface}", method4="auto", state="present", autoconnect=True),
             _nmcli(c, f"network: bring {iface} up", state="up")]  # fmt: skip
    return tasks, {}


@_builder("net_up", "net_down")
def _net_updown(it: dict, c: _Ctx):
    state = "up" if it["action"] == "net_up" else "down"
    return [_nmcli(c, f"network: {{{{ {c.var}.interface }}}} {state}", state=state)], {}


@_builder("net_set_nameservers")
def _net_set_nameservers(it: dict, c: _Ctx):
    v4 = [s for s in it["servers"] if ipaddress.ip_address(s).version == 4]
    v6 = [s for s in it["servers"] if ipaddress.ip_address(s).version == 6]
    derived = {"dns4": v4, "dns6": v6}
    if "interface" in it:
        args = {"dns4": c.ref("dns4") if v4 else "{{ omit }}", "dns6": c.ref("dns6") if v6 else "{{ omit }}"}
        return [_nmcli(c, f"network: name servers of {{{{ {c.var}.interface }}}}", state="present", **args)], derived
    content = f"{{% for s in {c.var}.servers %}}nameserver {{{{ s }}}}\n{{% endfor %}}"
    task = _task(
        "network: name servers (resolv.conf)",
        "ansible.builtin.copy",
        # no mode: an existing file keeps its own
        {"dest": "{{ resolv_conf | default('/etc/resolv.conf') }}", "content": content},
    )
    return [task], derived


assert set(BUILDERS) == set(OPERATIONS), sorted(set(OPERATIONS) ^ set(BUILDERS))


# --- the playbook ------------------------------------------------------------------------------------------------
def _steps(intent: dict) -> list[dict]:
    return intent["steps"] if intent["action"] == "multi" else [intent]


def render_playbook(intent: dict) -> Rendered:
    """The playbook of a parsed intent. Raises ``IntentError`` (schema), ``UnsafeIntentError`` (safety
    validator) or :class:`NotExecutableError` (clarify/unknown) before anything is built."""
    intent = validate_intent(intent)
    if intent["action"] in NOT_EXECUTABLE:
        raise NotExecutableError(f"{intent['action']!r} intent: nothing to execute")
    ensure_safe(intent)
    secrets: dict[str, str] = {}
    variables: dict = {}
    tasks: list[dict] = []
    steps = _steps(intent)
    for i, step in enumerate(steps):
        ctx = _Ctx(i, secrets)
        step_tasks, derived = BUILDERS[step["action"]](step, ctx)
        public = {k: v for k, v in step.items() if k != "password"}
        variables[ctx.var] = Unsafe({**public, **derived})
        prefix = f"[{i + 1}/{len(steps)}] " if len(steps) > 1 else ""
        tasks += [{**t, "name": prefix + t["name"]} for t in step_tasks]
    for env in secrets:  # a lookup result is data, never re-templated
        variables[f"microllm_secret_{env[len(SECRET_ENV_PREFIX) :]}"] = (
            f"{{{{ lookup('ansible.builtin.env', '{env}') }}}}"
        )
    play = {
        "name": f"microllm: {intent['action']}"
        + (" (" + ", ".join(s["action"] for s in steps) + ")" if len(steps) > 1 else ""),
        "hosts": "all",
        "gather_facts": False,
        "vars": variables,
        "tasks": tasks,
    }
    return Rendered([play], secrets)


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(Unsafe, lambda d, v: d.represent_mapping("!unsafe", dict(v)))


def to_yaml(playbook: list[dict]) -> str:
    return yaml.dump(playbook, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1000)

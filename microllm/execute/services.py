"""Throwaway real services for tests and demos: a BIND 9 ``named`` on loopback with a TSIG key.

``with BindServer() as dns: execute(intent, check=False, extra_vars=dns.extra_vars())`` applies DNS
intents to a real server through RFC 2136 updates; :func:`query` reads the answer back (dnspython).
Everything lives in a temporary directory; the server listens on 127.0.0.1 on a free unprivileged port.
"""

from __future__ import annotations

import base64
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

SBIN_DIRS = ("/usr/sbin", "/sbin", "/usr/local/sbin")
DEFAULT_ZONES = ("local", "example.com")
KEY_NAME = "microllm"
KEY_ALGORITHM = "hmac-sha256"


def find_binary(name: str) -> str | None:
    """``name`` on PATH or in the sbin directories (Debian puts ``named`` in /usr/sbin)."""
    return shutil.which(name) or shutil.which(name, path=os.pathsep.join(SBIN_DIRS))


def free_port(host: str = "127.0.0.1") -> int:
    """A port that is free for both UDP and TCP on ``host``."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            tcp.bind((host, 0))
            port = tcp.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                try:
                    udp.bind((host, port))
                except OSError:
                    continue
            return port
    raise RuntimeError("no free port on loopback")


def _zone_file(zone: str) -> str:
    return (
        "$TTL 300\n"
        f"@ IN SOA ns.{zone}. hostmaster.{zone}. 1 3600 600 86400 300\n"
        f"@ IN NS ns.{zone}.\n"
        "ns IN A 127.0.0.1\n"
    )


class BindServer:
    """A BIND 9 authoritative server on 127.0.0.1:<port> for ``zones``, updatable with a TSIG key."""

    def __init__(self, zones=DEFAULT_ZONES, port: int | None = None, workdir: str | os.PathLike | None = None):
        self.zones = tuple(zones)
        self.host = "127.0.0.1"
        self.port = port
        self.key_name = KEY_NAME
        self.key_algorithm = KEY_ALGORITHM
        self.key_secret = base64.b64encode(secrets.token_bytes(32)).decode()
        self._own_dir = workdir is None
        self.dir = Path(workdir) if workdir else None
        self.proc: subprocess.Popen | None = None

    @property
    def key_file(self) -> Path:
        return self.dir / "tsig.secret"

    def extra_vars(self) -> dict:
        """The DNS connection variables for :func:`microllm.execute.execute`."""
        return {
            "dns_server": self.host,
            "dns_port": self.port,
            "dns_key_name": self.key_name,
            "dns_key_algorithm": self.key_algorithm,
            "dns_key_file": str(self.key_file),
        }

    def _write_config(self) -> Path:
        d = self.dir
        zones = "".join(
            f'zone "{z}" {{ type primary; file "{d}/db.{z}"; allow-update {{ key "{self.key_name}"; }}; }};\n'
            for z in self.zones
        )
        for z in self.zones:
            (d / f"db.{z}").write_text(_zone_file(z))
        conf = d / "named.conf"
        conf.write_text(
            f'options {{\n  directory "{d}";\n  pid-file "{d}/named.pid";\n  session-keyfile "{d}/session.key";\n'
            f'  managed-keys-directory "{d}";\n  listen-on port {self.port} {{ 127.0.0.1; }};\n'
            "  listen-on-v6 { none; };\n  recursion no;\n  dnssec-validation no;\n  notify no;\n"
            "  allow-query { 127.0.0.1; };\n};\n"
            f'key "{self.key_name}" {{ algorithm {self.key_algorithm}; secret "{self.key_secret}"; }};\n'
            "controls { };\n" + zones
        )
        self.key_file.write_text(self.key_secret + "\n")
        self.key_file.chmod(0o600)
        return conf

    def start(self, timeout: float = 15) -> BindServer:
        named = find_binary("named")
        if not named:
            raise RuntimeError("BIND 9 'named' not found (Debian: apt-get install bind9)")
        if self.dir is None:
            self.dir = Path(tempfile.mkdtemp(prefix="microllm-bind-"))
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = self.port or free_port(self.host)
        conf = self._write_config()
        check = find_binary("named-checkconf")
        if check:
            res = subprocess.run([check, str(conf)], capture_output=True, text=True)
            if res.returncode:
                raise RuntimeError(f"named-checkconf: {res.stdout}{res.stderr}")
        log = open(self.dir / "named.log", "wb")  # noqa: SIM115 - closed in stop()
        # -g: foreground, log to stderr; -n 1: one worker thread; -4: IPv4 only
        cmd = [named, "-g", "-4", "-n", "1", "-c", str(conf)]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd += ["-u", "root"]  # a temp dir owned by root: do not switch to the 'bind' user
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=self.dir)
        self._log = log
        try:
            self._wait_ready(timeout)
        except BaseException:  # never leave a server behind
            self.stop()
            raise
        return self

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"named exited ({self.proc.returncode}): {self.log_tail()}")
            if all(query(z, "SOA", self.host, self.port, timeout=0.5) for z in self.zones):
                return
            time.sleep(0.1)
        raise RuntimeError(f"named did not answer within {timeout:g} s: {self.log_tail()}")

    def log_tail(self, n: int = 2000) -> str:
        path = self.dir / "named.log" if self.dir else None
        return path.read_text(errors="replace")[-n:] if path and path.exists() else ""

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if getattr(self, "_log", None):
            self._log.close()
        if self._own_dir and self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    def query(self, name: str, rtype: str = "A") -> list[str]:
        return query(name, rtype, self.host, self.port)

    def __enter__(self) -> BindServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def query(name: str, rtype: str = "A", server: str = "127.0.0.1", port: int = 53, timeout: float = 3) -> list[str]:
    """The records of ``name``/``rtype`` as text (``[]`` for none or NXDOMAIN), asked directly of ``server``."""
    import dns.exception
    import dns.message
    import dns.query
    import dns.rdatatype

    q = dns.message.make_query(name.rstrip(".") + ".", dns.rdatatype.from_text(rtype))
    try:
        resp = dns.query.udp(q, server, port=port, timeout=timeout)
    except (dns.exception.Timeout, OSError):
        return []
    return [rd.to_text() for rrset in resp.answer if rrset.rdtype == q.question[0].rdtype for rd in rrset]

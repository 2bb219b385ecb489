"""Where a number came from: command, git commit, data hash, date, machine, and the threads and device it ran on."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

_PACKAGES = ("microllm", "pydantic", "numpy", "scipy", "scikit-learn", "pandas")


def file_sha256(path: str | Path) -> str:
    """sha256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def git_commit(cwd: str | Path | None = None) -> str:
    """HEAD commit, with '+dirty' when tracked files differ; 'unknown' outside a checkout."""
    cwd = cwd or Path(__file__).resolve().parents[1]
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True, text=True, check=True)
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=cwd,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head.stdout.strip() + ("+dirty" if dirty else "")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


ISA_FLAGS = ("avx2", "avx512f", "avx512_bf16", "amx_bf16")  # they decide which matrix kernels torch can use


def cpu_isa(cpuinfo: str | None = None) -> list[str]:
    """The :data:`ISA_FLAGS` this CPU reports (``/proc/cpuinfo``; empty where it cannot be read)."""
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text()
        except OSError:
            return []
    flags = next((line.split(":", 1)[1].split() for line in cpuinfo.splitlines() if line.startswith("flags")), [])
    return [f for f in ISA_FLAGS if f in flags]


def machine() -> dict:
    """The facts about this machine that a timing or a score may depend on."""
    return {
        "hostname_hash": hashlib.sha256(platform.node().encode()).hexdigest()[:12],
        "platform": platform.platform(),
        "cpu": _cpu_model(),
        "cpu_isa": cpu_isa(),  # "AMD EPYC" names CPUs with and without AVX-512: training speed differs ~20x
        "cpu_count": os.cpu_count(),
        "python": sys.version.split()[0],
    }


def packages() -> dict:
    """Versions of the libraries a result depends on."""
    out = {}
    for name in _PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def provenance(data_files: dict[str, str | Path] | None = None, command: str | None = None,
               runtime: dict | None = None) -> dict:  # fmt: skip
    """A provenance record to store next to a result. ``runtime`` (device, threads, ...) adds to what
    :func:`microllm.hardware.runtime_facts` knows of this process (cores, torch threads, each backend's setup)."""
    from microllm.hardware import runtime_facts

    return {
        "command": command or " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        "git_commit": git_commit(),
        "date_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "runtime": {**runtime_facts(), **(runtime or {})},
        "packages": packages(),
        "data": {k: {"path": str(v), "sha256": file_sha256(v)} for k, v in (data_files or {}).items()},
    }

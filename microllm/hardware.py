"""What hardware training and inference run on: a CUDA GPU when there is one, all the cores this process may use.

Every choice made here is also recorded (:func:`note_backend`) so that :func:`runtime_facts` (part of every
provenance record) says which device and how many threads produced a number.
"""

from __future__ import annotations

import os
import re
import sys

DEVICES = ("auto", "cpu", "cuda")

_BACKENDS: dict[str, dict] = {}


def available_cores() -> int:
    """The CPU cores this process may run on (its affinity mask: a container or ``taskset`` may allow fewer than
    the machine has), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # macOS and Windows have no affinity call
        return max(1, os.cpu_count() or 1)


def threads(requested: int | str | None = None) -> int:
    """The thread count to use: ``requested`` when given (a positive integer), else every available core."""
    if requested is None or requested == "":
        return available_cores()
    n = int(requested)
    if n < 1:
        raise ValueError(f"n_threads must be a positive integer, not {requested!r}")
    return n


def cuda_available() -> bool:
    """True when torch is installed and sees a CUDA device (False without torch: the llama.cpp-only install)."""
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())


def torch_device(requested: str = "auto") -> str:
    """``"cuda"`` or ``"cpu"`` for ``requested`` in :data:`DEVICES`; ``auto`` takes the GPU when there is one, and
    asking for ``cuda`` without one is an error rather than a silent CPU run."""
    requested = str(requested).lower()
    if requested not in DEVICES:
        raise ValueError(f"device must be one of {', '.join(DEVICES)}, not {requested!r}")
    if requested == "cpu":
        return "cpu"
    if cuda_available():
        return "cuda"
    if requested == "cuda":
        raise ValueError("device=cuda, but torch sees no CUDA GPU (use device=auto or device=cpu)")
    return "cpu"


def cuda_bf16() -> bool:
    """True when the current CUDA device computes in bfloat16 natively (Ampere and later)."""
    import torch

    return bool(torch.cuda.is_available() and torch.cuda.is_bf16_supported())


def llama_gpu_offload() -> bool:
    """True when the installed llama.cpp was built with a GPU backend (CUDA, Metal, Vulkan...) that can hold layers."""
    try:
        import llama_cpp
    except ImportError:
        return False
    try:
        return bool(llama_cpp.llama_supports_gpu_offload())
    except (AttributeError, OSError):  # an older binding without the call: assume a CPU build
        return False


def llama_cpu_kernels(system_info: str | None = None) -> list[str]:
    """The CPU instruction sets the installed llama.cpp was built for (``AVX2``, ``AVX512``, ``AVX512_VNNI``, ...),
    from its system-info line: a timing depends on the build as much as on the CPU. Empty without llama.cpp."""
    if system_info is None:
        try:
            import llama_cpp

            system_info = llama_cpp.llama_print_system_info().decode("utf-8", errors="replace")
        except (ImportError, AttributeError, OSError):
            return []
    # "CPU : SSE3 = 1 | AVX2 = 1 | AVX512 = 1 | LLAMAFILE = 1 | ..."
    found = re.findall(r"\b(AVX[0-9A-Z_]*|AMX[0-9A-Z_]*|F16C|FMA)\s*=\s*1\b", system_info)
    return sorted(set(found))


def gpu_name() -> str | None:
    """The first CUDA device's name, without importing torch when nothing else did (None when there is none)."""
    torch = sys.modules.get("torch")
    if torch is None:
        return None
    try:
        return torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
    except Exception:  # a broken driver must not break a provenance record
        return None


def note_backend(name: str, facts: dict) -> None:
    """Record how a backend was set up in this process (device, threads, offloaded layers...)."""
    _BACKENDS[name] = dict(facts)


def runtime_facts() -> dict:
    """Threads and devices this process computes with: the cores it may use, torch's threads and device when torch
    is loaded, and each backend's recorded setup (:func:`note_backend`)."""
    facts: dict = {"cores_available": available_cores()}
    torch = sys.modules.get("torch")
    if torch is not None:
        facts["torch_threads"] = torch.get_num_threads()
        facts["gpu"] = gpu_name()
    if _BACKENDS:
        facts["backends"] = {k: dict(v) for k, v in _BACKENDS.items()}
    return facts

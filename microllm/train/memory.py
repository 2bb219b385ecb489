"""Keep freed tensor memory inside the training process, and count what the kernel does for a step.

glibc's malloc serves every block above its mmap threshold (dynamic, 32 MiB at most) with a fresh ``mmap`` and
hands it back with ``munmap`` on free, so a training step that frees and reallocates the same large buffers has the
kernel zero-fill them again, page by page. :func:`keep_freed_memory` serves them from the heap instead and never
trims it. Measured on a 2-core Xeon (``microllm-research train-profile --levers memory``,
results/finetune/profile-qwen-coder-lora-v3-memory/): a Qwen2.5-Coder-0.5B LoRA step took 117k page faults with
glibc's defaults and 2.4k with memory kept, but only 0.40 against 0.15 s of kernel time in a 12.7-15.1 s step: the
faults were not where the time went (the op profile, ``--ops``, shows the math and LoRA dropout). On a 2-core AVX-512
AMD EPYC a Gemma 3 270M full fine-tuning step took 1.75M faults and 5.3 s of kernel time with glibc's defaults, 99k
and 1.2 s with memory kept: 7.8 -> 4.7 s a step, the same loss (results/finetune/profile-gemma-full-v4-onepass-memory/).
So it pays on some machines and models, not all; it stays off by default and a config turns it on (as
research/gemma-full/sft-one-pass-lr2e-4.yaml does). The arithmetic is untouched either way: only where buffers live
changes.
"""

from __future__ import annotations

import ctypes
import resource

# mallopt(3) parameter numbers from glibc's malloc.h
M_TRIM_THRESHOLD = -1
M_MMAP_MAX = -4
_KEEP_UP_TO = 2**31 - 1  # the largest trim threshold mallopt takes (an int): free heap top is kept up to 2 GiB


def keep_freed_memory(libc: ctypes.CDLL | None = None) -> bool:
    """Ask glibc malloc to serve large blocks from its heap (no per-block mmap) and not to trim the heap's top;
    process-wide, from now on. Returns whether it took effect: False where the C library is not glibc (musl, macOS),
    which keeps its own behaviour."""
    try:
        libc = libc or ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    # mallopt returns 1 on success, 0 on a refused value
    return bool(mallopt(M_MMAP_MAX, 0)) and bool(mallopt(M_TRIM_THRESHOLD, _KEEP_UP_TO))


def usage() -> dict:
    """This process's page faults and CPU seconds so far (all threads): the kernel's share of a step shows here."""
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return {"minor_faults": ru.ru_minflt, "user_s": ru.ru_utime, "sys_s": ru.ru_stime}


def usage_delta(before: dict, after: dict) -> dict:
    """What happened between two :func:`usage` readings."""
    return {key: after[key] - before[key] for key in before}

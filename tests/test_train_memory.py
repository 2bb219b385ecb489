"""Freed memory kept in the process (train/memory.py): glibc stops unmapping large blocks, so a buffer allocated,
filled and freed again and again faults its pages in once instead of every time; off glibc it says it did nothing."""

import json
import subprocess
import sys
import textwrap

import pytest

from microllm.train.memory import keep_freed_memory, usage, usage_delta

# A 64 MiB block, filled and freed five times: the page faults of the last four rounds.
_ROUNDS = textwrap.dedent("""
    import ctypes, json, sys
    from microllm.train.memory import keep_freed_memory, usage, usage_delta
    kept = keep_freed_memory() if sys.argv[1] == "keep" else False
    libc = ctypes.CDLL("libc.so.6")
    libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
    libc.free.argtypes = [ctypes.c_void_p]
    n, faults = 64 * 2**20, []
    for _ in range(5):
        before = usage()
        block = libc.malloc(n)
        ctypes.memset(block, 1, n)
        libc.free(block)
        faults.append(usage_delta(before, usage())["minor_faults"])
    print(json.dumps({"kept": kept, "faults": sum(faults[1:])}))
""")


def _rounds(mode: str) -> dict:
    out = subprocess.run([sys.executable, "-c", _ROUNDS, mode], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_kept_memory_is_reused_without_new_page_faults():
    default, kept = _rounds("default"), _rounds("keep")
    assert default["kept"] is False and kept["kept"] is True
    assert default["faults"] >= 4 * 32  # every round maps its pages again: 16,384 of 4 KiB, or 32 huge pages
    assert kept["faults"] < default["faults"] / 20


def test_a_c_library_without_mallopt_is_left_alone():
    class Musl:  # no mallopt attribute
        pass

    class Refusing:
        @staticmethod
        def mallopt(param, value):
            return 0

    assert keep_freed_memory(Musl()) is False
    assert keep_freed_memory(Refusing()) is False


def test_usage_counts_faults_and_cpu_seconds():
    before = usage()
    sum(i * i for i in range(200_000))
    delta = usage_delta(before, usage())
    assert set(delta) == {"minor_faults", "user_s", "sys_s"} and delta["user_s"] >= 0 and delta["minor_faults"] >= 0

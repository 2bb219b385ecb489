"""bf16 autocast on a CPU without bf16 kernels is flagged before a run starts; the CPU's ISA is recorded."""

import warnings

import pytest

from microllm.provenance import cpu_isa, machine
from microllm.train.precision import SlowBF16Warning, native_bf16, warn_if_slow_bf16

CPUINFO = "processor\t: 0\nmodel name\t: AMD EPYC\nflags\t\t: fpu sse2 avx avx2 fma bmi2\n\nprocessor\t: 1\n"


def test_cpu_isa_reads_the_flags_line():
    assert cpu_isa(CPUINFO) == ["avx2"]
    assert cpu_isa(CPUINFO.replace("avx2", "avx2 avx512f avx512_bf16 amx_bf16")) == [
        "avx2",
        "avx512f",
        "avx512_bf16",
        "amx_bf16",
    ]
    assert cpu_isa("no flags here") == []
    assert isinstance(machine()["cpu_isa"], list)


def test_bf16_without_native_kernels_warns_and_says_how_to_avoid_it():
    with pytest.warns(SlowBF16Warning, match="bf16=false"):
        assert warn_if_slow_bf16(True, native=False) is False
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning: native kernels, or bf16 not asked for
        assert warn_if_slow_bf16(True, native=True) is True
        assert warn_if_slow_bf16(False, native=False) is False


def test_native_bf16_asks_torch():
    assert isinstance(native_bf16(), bool)

"""Is bfloat16 autocast fast on this CPU? Without AVX-512 (or AMX) torch has no bf16 matrix kernel and falls back to a
reference GEMM: on a 2-core AVX2-only AMD EPYC one Qwen2.5-Coder-0.5B LoRA step in bf16 had not finished after 801 s,
against 43 s in fp32 (``microllm-research train-profile --levers precision``,
results/finetune/profile-qwen-coder-lora-v3-avx2/);
the machines of the recorded runs took 5.3-8.2 s per bf16 step."""

from __future__ import annotations

import warnings

from microllm.provenance import cpu_isa


def native_bf16() -> bool:
    """True when torch runs bf16 matrix products through oneDNN on this CPU (AVX-512 or AMX), not a reference loop."""
    from microllm.compat import torch_native_bf16

    return torch_native_bf16()


class SlowBF16Warning(UserWarning):
    """bf16 autocast was asked for on a CPU without bf16 matrix kernels."""


def warn_if_slow_bf16(bf16: bool, native: bool | None = None) -> bool:
    """Warn (once per run, before training starts) when ``bf16`` is on but the CPU has no bf16 kernels; returns
    whether bf16 runs natively. The run is not changed behind the config's back: fp32 gives other numbers than the
    recorded bf16 runs, so switching is the user's call (``--set bf16=false``)."""
    native = native_bf16() if native is None else native
    if bf16 and not native:
        warnings.warn(
            "bf16 autocast on a CPU without bf16 matrix kernels (no AVX-512/AMX; this one has "
            f"{', '.join(cpu_isa()) or 'no known flags'}): torch falls back to a reference GEMM, over 18x slower "
            "than fp32 (results/finetune/profile-qwen-coder-lora-v3-avx2/). `--set bf16=false` trains in fp32, "
            "though not to the bit-for-bit numbers of the recorded bf16 runs.",
            SlowBF16Warning,
            stacklevel=2,
        )
    return native

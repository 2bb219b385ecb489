"""The one module where microllm touches library internals, each access guarded by the versions it was checked on.

- TRL's fused LM head decides by a private helper (``trl.trainer.utils._use_triton``) whether it drops the prompt
  positions before projecting through the vocabulary; :func:`trl_compact_head` switches that one decision
  (microllm.train.model.compact_lm_head says why it pays). On another TRL version it changes nothing and warns.
- torch has no public call that says whether oneDNN runs bf16 matrix products natively on this CPU
  (:func:`torch_native_bf16`); on another torch version the answer is read from the CPU's flags instead.

The product's llama.cpp code uses only llama-cpp-python's public API and its C API bindings
(tests/test_compat.py checks that no other module reaches into these libraries' private attributes).
"""

from __future__ import annotations

import warnings
from contextlib import contextmanager
from importlib import metadata

TRL_CHECKED = ("1.16.",)  # versions whose _use_triton has the signature (device) -> bool and the meaning above
TORCH_CHECKED = ("2.13.",)


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return ""


def checked(package: str, prefixes: tuple[str, ...]) -> bool:
    """Whether the installed ``package`` is one of the versions an internal access was checked on."""
    return _version(package).startswith(prefixes)


@contextmanager
def trl_compact_head(enabled: bool = True):
    """Within the block, TRL's fused LM head projects only the labelled positions (on a checked TRL version)."""
    if not enabled:
        yield
        return
    if not checked("trl", TRL_CHECKED):
        warnings.warn(f"trl {_version('trl')} is not a version the compact LM head was checked on "
                      f"({', '.join(TRL_CHECKED)}x): training runs with TRL's own head", stacklevel=3)  # fmt: skip
        yield
        return
    import trl.trainer.utils as trl_utils

    original = trl_utils._use_triton
    trl_utils._use_triton = lambda device: True
    try:
        yield
    finally:
        trl_utils._use_triton = original


def torch_native_bf16() -> bool:
    """True when torch runs bf16 matrix products through oneDNN on this CPU (AVX-512 or AMX), not a reference loop."""
    if checked("torch", TORCH_CHECKED):
        import torch

        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    from microllm.provenance import cpu_isa

    return bool({"avx512_bf16", "amx_bf16"} & set(cpu_isa()))

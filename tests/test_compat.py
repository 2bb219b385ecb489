"""Library internals are touched in one module only (microllm.compat), each access behind a version check."""

import re
import warnings
from pathlib import Path

import pytest

from microllm import compat

ROOT = Path(__file__).resolve().parents[1]
# A private attribute of another object than self/cls (x._name), or a private module of llama_cpp / trl.
PRIVATE = re.compile(r"(?<![\w])(?!self\b|cls\b)[A-Za-z_][\w.]*\._[a-z]\w*|llama_cpp\._|trl\.\w+\._")


def test_no_product_module_but_compat_reaches_into_private_attributes():
    offenders = []
    for path in sorted((ROOT / "microllm").rglob("*.py")):
        if path.name == "compat.py":
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if re.search(r"^\s*(\"\"\"|''')|^\s*[A-Z]", code):
                continue
            for hit in PRIVATE.findall(re.sub(r"(\"[^\"]*\"|'[^']*')", "", code)):
                offenders.append(f"{path.relative_to(ROOT)}:{n}: {hit}")
    assert not offenders, "\n".join(offenders)


def test_the_compact_head_switch_is_version_checked(monkeypatch):
    pytest.importorskip("trl")
    import trl.trainer.utils as trl_utils

    original = trl_utils._use_triton
    if compat.checked("trl", compat.TRL_CHECKED):
        with compat.trl_compact_head():
            assert trl_utils._use_triton("cpu") is True
    assert trl_utils._use_triton is original
    monkeypatch.setattr(compat, "TRL_CHECKED", ("0.0.",))  # as on a TRL the switch was not checked on
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with compat.trl_compact_head():
            assert trl_utils._use_triton is original
    assert any("not a version" in str(w.message) for w in caught)


def test_native_bf16_falls_back_to_the_cpu_flags(monkeypatch):
    monkeypatch.setattr(compat, "TORCH_CHECKED", ("0.0.",))
    monkeypatch.setattr("microllm.provenance.cpu_isa", lambda cpuinfo=None: ["avx2"])
    assert compat.torch_native_bf16() is False
    monkeypatch.setattr("microllm.provenance.cpu_isa", lambda cpuinfo=None: ["avx512_bf16"])
    assert compat.torch_native_bf16() is True

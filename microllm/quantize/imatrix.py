"""4-bit quantization with an importance matrix, by llama.cpp's own tools (llama-imatrix, llama-quantize).

Plain 4-bit rounding treats every weight alike; the importance matrix weighs each input column by how strongly the
model's activations use it on calibration text, so the rounding error lands where it matters least. The calibration
text is the recipe's own training conversations (chat template, request and answer), read through the evaluation
contract (:mod:`microllm.data.contract`): never a validation, test, dev or hidden-list row.

The two tools are built once from the vendored llama.cpp of the pinned llama-cpp-python sdist (the same source the
converter comes from, :mod:`microllm.quantize.converter`), with the portable CPU flags the Python package is built
with, into ``artifacts/llama-tools``. The shared library of llama-cpp-python cannot do this itself: its quantize
parameters take the importance matrix as a C++ map pointer.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import tarfile
from pathlib import Path

from microllm.quantize.converter import _artifacts, _download_sdist, llama_cpp_version

TOOLS = ("llama-imatrix", "llama-quantize")
# As the Makefile builds llama-cpp-python: portable AVX2 (a native build crashed on some CPUs' AMX path).
CMAKE_FLAGS = ("-DGGML_NATIVE=OFF", "-DGGML_AVX=ON", "-DGGML_AVX2=ON", "-DGGML_FMA=ON", "-DGGML_F16C=ON",
               "-DGGML_BMI2=ON", "-DLLAMA_CURL=OFF", "-DLLAMA_BUILD_TESTS=OFF", "-DLLAMA_BUILD_EXAMPLES=OFF",
               "-DLLAMA_BUILD_SERVER=OFF", "-DBUILD_SHARED_LIBS=OFF", "-DCMAKE_BUILD_TYPE=Release")  # fmt: skip
# llama-quantize's type names for the 4-bit formats compared (rows of Qwen2.5-0.5B are 896 wide: k-quants and IQ4_XS
# fall back to 32-wide blocks for those tensors, which the tool reports).
IMATRIX_FORMATS = ("Q4_0", "Q4_K_M", "IQ4_NL", "IQ4_XS")
TENSOR_TYPES = ("q4_0", "q4_1", "q5_0", "q5_1", "q8_0", "iq4_nl", "f16")


def tools_dir(artifacts_dir: str | Path | None = None) -> Path:
    """Where the built tools live: ``artifacts/llama-tools/build/bin``."""
    return Path(artifacts_dir or _artifacts()) / "llama-tools" / "build" / "bin"


def ensure_tools(version: str | None = None, artifacts_dir: str | Path | None = None, jobs: int = 2) -> Path:
    """Build llama-imatrix and llama-quantize from the pinned sdist (once; minutes on 2 cores); their folder."""
    version = version or llama_cpp_version()
    root = Path(artifacts_dir or _artifacts())
    bin_dir = tools_dir(root)
    if all((bin_dir / t).is_file() for t in TOOLS):
        return bin_dir
    if shutil.which("cmake") is None:
        raise RuntimeError("building llama.cpp's imatrix/quantize tools needs cmake and a C++ compiler")
    sdist = root / "sdist" / f"llama_cpp_python-{version}.tar.gz"
    if not sdist.is_file():
        sdist = _download_sdist(version, sdist.parent)
    src_root = root / "llama-tools"
    prefix = f"llama_cpp_python-{version}/vendor/llama.cpp/"
    with tarfile.open(sdist, "r:gz") as tar:
        members = [m for m in tar.getmembers() if m.name.startswith(prefix) and ".." not in Path(m.name).parts]
        tar.extractall(src_root, members=members, filter="data")
    source, build = src_root / prefix, src_root / "build"
    generator = ["-G", "Ninja"] if shutil.which("ninja") else []
    _run(["cmake", "-S", str(source), "-B", str(build), *generator, *CMAKE_FLAGS], "configuring llama.cpp tools")
    _run(["cmake", "--build", str(build), "-j", str(jobs), "--target", *TOOLS], "building llama.cpp tools")
    return bin_dir


def _run(cmd: list[str], what: str, timeout: float | None = None) -> str:
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"{what} failed (exit {result.returncode}): {(result.stderr or result.stdout)[-1500:]}")
    return result.stdout + result.stderr


def calibration_text(train_file: str | Path, model_dir: str | Path, rows: int = 320, seed: int = 0,
                     style: str = "short") -> tuple[str, dict]:  # fmt: skip
    """``rows`` training conversations rendered with the model's chat template, and what the contract dropped."""
    from transformers import AutoTokenizer

    from microllm.data.contract import read_rows
    from microllm.train.data import to_example

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    data, dropped = read_rows(train_file, role="train")
    random.Random(seed).shuffle(data)
    texts = []
    for row in data[:rows]:
        example = to_example(row, style)
        texts.append(tokenizer.apply_chat_template(example["prompt"] + example["completion"], tokenize=False))
    return "".join(texts), {"rows": len(texts), "dropped": dropped, "train_file": str(train_file)}


def compute_imatrix(gguf: str | Path, calibration: str | Path, out: str | Path, n_threads: int = 2,
                    ctx: int = 512, bin_dir: str | Path | None = None) -> Path:  # fmt: skip
    """Run llama-imatrix on an F16 GGUF over the calibration text; the importance matrix (GGUF) at ``out``."""
    exe = Path(bin_dir or tools_dir()) / "llama-imatrix"
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part.gguf")
    _run([str(exe), "-m", str(gguf), "-f", str(calibration), "-o", str(tmp), "-c", str(ctx), "-t", str(n_threads),
          "--no-ppl"], f"llama-imatrix on {gguf}")  # fmt: skip
    os.replace(tmp, out)
    return out


def quantize_imatrix(src: str | Path, out: str | Path, qtype: str, imatrix: str | Path | None, n_threads: int = 2,
                     output_type: str | None = None, embedding_type: str | None = None,
                     tensor_types: dict[str, str] | None = None,
                     bin_dir: str | Path | None = None) -> Path:  # fmt: skip
    """llama-quantize ``src`` (F16) to ``qtype`` with the importance matrix (None: without one, to compare);
    ``output_type`` / ``embedding_type`` set the output head's and token embedding's types, ``tensor_types`` others
    by name (``{"ffn_down": "q5_0"}``: every layer's), all among TENSOR_TYPES."""
    if qtype not in IMATRIX_FORMATS:
        raise ValueError(f"unknown 4-bit format {qtype!r}; one of {IMATRIX_FORMATS}")
    tensor_types = tensor_types or {}
    for name, value in (("output_type", output_type), ("embedding_type", embedding_type), *tensor_types.items()):
        if value is not None and value not in TENSOR_TYPES:
            raise ValueError(f"{name} {value!r} is not one of {TENSOR_TYPES}")
    exe = Path(bin_dir or tools_dir()) / "llama-quantize"
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    cmd = [str(exe)]
    if imatrix is not None:
        cmd += ["--imatrix", str(imatrix)]
    if output_type:
        cmd += ["--output-tensor-type", output_type]
    if embedding_type:
        cmd += ["--token-embedding-type", embedding_type]
    for name, value in tensor_types.items():
        cmd += ["--tensor-type", f"{name}={value}"]
    _run([*cmd, str(src), str(tmp), qtype, str(n_threads)], f"llama-quantize {qtype} of {src}")
    os.replace(tmp, out)
    return out

"""llama.cpp's own HF -> GGUF converter, taken from the pinned llama-cpp-python sdist and run in a subprocess.

The converter is not copied into this repository: ``ensure_converter`` extracts convert_hf_to_gguf.py, the
``conversion`` package it imports and its vendored ``gguf-py`` into artifacts/llama.cpp-<version>/. Using the
llama.cpp that ships with the pinned llama-cpp-python keeps the writer and the runtime that loads the file in step.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tarfile
from importlib import metadata
from pathlib import Path

_REPO_ROOT = Path(__file__).resolve().parents[2]
OUTTYPES = ("f32", "f16", "bf16", "q8_0")
# What convert_hf_to_gguf.py imports from its own tree (torch, transformers, numpy, sentencepiece come from .venv).
_MEMBERS = (
    "convert_hf_to_gguf.py",
    "convert_lora_to_gguf.py",
    "LICENSE",
    "conversion/",
    "gguf-py/gguf/",
    "gguf-py/LICENSE",
)
_RUNNER = Path(__file__).with_name("convert_runner.py")


def _artifacts() -> Path:
    return Path(os.environ.get("MICROLLM_ARTIFACTS", "artifacts"))


def llama_cpp_version() -> str:
    """The llama-cpp-python version pinned in pyproject.toml (the installed one when the file is not at hand)."""
    pyproject = _REPO_ROOT / "pyproject.toml"
    if pyproject.is_file():
        match = re.search(r"llama-cpp-python==([0-9][0-9A-Za-z.]*)", pyproject.read_text(encoding="utf-8"))
        if match:
            return match.group(1)
    return metadata.version("llama-cpp-python")


def _download_sdist(version: str, dest: Path) -> Path:
    """pip's ordinary client fetches the source distribution (the wheel would not contain the converter)."""
    dest.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", f"llama-cpp-python=={version}", "--no-deps",
           "--no-binary", "llama-cpp-python", "-d", str(dest), "--quiet"]  # fmt: skip
    result = subprocess.run(cmd, capture_output=True, text=True)
    sdist = dest / f"llama_cpp_python-{version}.tar.gz"
    if result.returncode != 0 or not sdist.is_file():
        raise RuntimeError(f"could not download the llama-cpp-python {version} sdist (needs PyPI): "
                           f"{(result.stderr or result.stdout).strip()[-500:]}")  # fmt: skip
    return sdist


def ensure_converter(version: str | None = None, artifacts_dir: str | Path | None = None) -> Path:
    """The folder holding convert_hf_to_gguf.py and convert_lora_to_gguf.py (extracted once from the sdist,
    downloaded if missing)."""
    version = version or llama_cpp_version()
    root = Path(artifacts_dir) if artifacts_dir else _artifacts()
    dest = root / f"llama.cpp-{version}"
    needed = ("convert_hf_to_gguf.py", "convert_lora_to_gguf.py", "gguf-py/gguf/__init__.py")
    if all((dest / f).is_file() for f in needed):
        return dest
    sdist = root / "sdist" / f"llama_cpp_python-{version}.tar.gz"
    if not sdist.is_file():
        sdist = _download_sdist(version, sdist.parent)
    prefix = f"llama_cpp_python-{version}/vendor/llama.cpp/"
    tmp = dest.with_name(f"{dest.name}.part{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    with tarfile.open(sdist, "r:gz") as tar:
        for member in tar.getmembers():
            rel = member.name[len(prefix) :] if member.name.startswith(prefix) else ""
            wanted = any(rel == m or (m.endswith("/") and rel.startswith(m)) for m in _MEMBERS)
            # Regular files only, and never a path that climbs out of the target folder.
            if not wanted or not member.isfile() or ".." in Path(rel).parts:
                continue
            target = tmp / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            with tar.extractfile(member) as src, open(target, "wb") as out:
                shutil.copyfileobj(src, out)
    if not (tmp / "convert_hf_to_gguf.py").is_file():
        shutil.rmtree(tmp, ignore_errors=True)
        raise RuntimeError(f"{sdist} has no {prefix}convert_hf_to_gguf.py")
    shutil.rmtree(dest, ignore_errors=True)
    os.replace(tmp, dest)  # a crash never leaves a half-extracted converter that looks complete
    return dest


def convert_to_gguf(model_dir: str | Path, out_path: str | Path, outtype: str = "f16",
                    vocab_from: str | Path | None = None, timeout: float | None = None) -> Path:  # fmt: skip
    """Convert a transformers model directory to one GGUF file with llama.cpp's convert_hf_to_gguf.py.

    ``vocab_from``: a GGUF whose tokenizer to reuse verbatim, for models whose directory lacks what the converter
    needs to rebuild it (Gemma fine-tuned from a GGUF has tokenizer.json but no tokenizer.model); see convert_runner.
    """
    model_dir, out = Path(model_dir), Path(out_path)
    if outtype not in OUTTYPES:
        raise ValueError(f"outtype must be one of {OUTTYPES}, got {outtype!r}")
    if not (model_dir / "config.json").is_file():
        raise FileNotFoundError(f"{model_dir} is not a transformers model directory (no config.json)")
    if vocab_from is not None and not Path(vocab_from).is_file():
        raise FileNotFoundError(f"vocab_from: GGUF {vocab_from} does not exist")
    converter = ensure_converter()
    return run_converter([str(_RUNNER), str(converter), str(vocab_from or ""), str(model_dir)], out, outtype,
                         f"convert_hf_to_gguf failed on {model_dir}", timeout)  # fmt: skip


def run_converter(args: list[str], out: Path, outtype: str, what: str, timeout: float | None = None) -> Path:
    """Run one of llama.cpp's converter scripts (``args``: script and inputs) into ``out``, atomically: it writes
    ``<out>.part`` and only a successful run is renamed, so a failure never leaves a file that looks complete."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    cmd = [sys.executable, *args, "--outfile", str(tmp), "--outtype", outtype]
    # The scripts import the vendored gguf-py, never the installed `gguf` wheel (an older writer).
    env = {**os.environ, "PYTHONNOUSERSITE": "1"}
    env.pop("NO_LOCAL_GGUF", None)
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    if result.returncode != 0 or not tmp.is_file():
        tmp.unlink(missing_ok=True)
        raise RuntimeError(f"{what} (exit {result.returncode}): {result.stderr.strip()[-1500:]}")
    os.replace(tmp, out)
    return out

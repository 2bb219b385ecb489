"""Test helpers that ship with the library (tests and SMOKE-mode notebooks use them): tiny local models."""

from microllm.testing.tiny import (
    build_tiny_finetuned,
    build_tiny_llama,
    build_tiny_tokenizer,
    is_schema_prefix,
    make_tiny_gguf,
    save_tiny_finetuned,
    save_tiny_model,
    write_tiny_gguf,
)

__all__ = [
    "build_tiny_finetuned",
    "build_tiny_llama",
    "build_tiny_tokenizer",
    "is_schema_prefix",
    "make_tiny_gguf",
    "save_tiny_finetuned",
    "save_tiny_model",
    "write_tiny_gguf",
]

"""Runs llama.cpp's convert_hf_to_gguf.py unchanged, plus two narrow, logged additions for tokenizers it cannot place.

Usage (converter.convert_to_gguf builds it): ``python convert_runner.py <converter dir> <vocab GGUF or ""> <args>``.

1. A byte-level BPE whose pre-tokenizer hash ("chkhsh") the script does not list. The hash is over token *ids*, so
   every locally trained vocabulary is "unknown" even when its pre-tokenization is exactly GPT-2's. Only when the
   script gives up, and only when tokenizer.json's pre-tokenizer is the plain ``ByteLevel`` one (whose split regex is
   GPT-2's, which llama.cpp implements as "gpt-2"), is that name used; anything else still fails as before.
2. ``vocab GGUF``: the tokenizer is copied verbatim from a GGUF (for a model fine-tuned from that GGUF the ids are the
   same). Gemma fine-tuned from the catalog GGUF has tokenizer.json but no tokenizer.model, and the script would
   otherwise treat Gemma's SentencePiece vocabulary as GPT-2 BPE. The vocabulary is checked token by token first.

Standalone on purpose: it must import the converter's vendored gguf-py before anything imports the installed one.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

logger = logging.getLogger("microllm.convert")
# tokenizer.json pre-tokenizers that are exactly one llama.cpp pre-tokenizer (see llama-vocab.cpp).
_PRE_TOKENIZERS = {"ByteLevel": "gpt-2"}


def _pre_tokenizer_name(tokenizer_json: Path) -> str | None:
    """llama.cpp's name for this tokenizer's pre-tokenization, when it is unambiguous; else None."""
    if not tokenizer_json.is_file():
        return None
    data = json.loads(tokenizer_json.read_text(encoding="utf-8"))
    pre = data.get("pre_tokenizer") or {}
    if data.get("normalizer") or pre.get("add_prefix_space") or not pre.get("use_regex", True):
        return None
    return _PRE_TOKENIZERS.get(pre.get("type"))


def _patch_pre_tokenizer(base) -> None:
    original = base.TextModel.get_vocab_base_pre

    def get_vocab_base_pre(self, tokenizer):
        try:
            return original(self, tokenizer)
        except NotImplementedError:
            name = _pre_tokenizer_name(Path(self.dir_model) / "tokenizer.json")
            if name is None:
                raise
            logger.warning("pre-tokenizer hash not listed; tokenizer.json's pre-tokenizer is plain ByteLevel: %r", name)
            return name

    base.TextModel.get_vocab_base_pre = get_vocab_base_pre


def _hf_tokens(tokenizer_json: Path) -> dict[int, str]:
    data = json.loads(tokenizer_json.read_text(encoding="utf-8"))
    vocab = {i: t for t, i in data["model"]["vocab"].items()}
    vocab.update({t["id"]: t["content"] for t in data.get("added_tokens", [])})
    return vocab


def _set_vocab_from_gguf(model, source: Path, gguf) -> None:
    """Copy every tokenizer.* key of ``source``; the chat template is the model directory's (training's) if any."""
    reader = gguf.GGUFReader(source)
    tokens = reader.fields["tokenizer.ggml.tokens"].contents()
    n_vocab = model.hparams.get("vocab_size", len(tokens))
    if n_vocab != len(tokens):
        raise ValueError(f"{source} has {len(tokens)} tokens, the model's vocab_size is {n_vocab}: not its vocabulary")
    tokenizer_json = Path(model.dir_model) / "tokenizer.json"
    if tokenizer_json.is_file():
        hf = _hf_tokens(tokenizer_json)
        # llama.cpp stores user-defined tokens with "▁" already turned into spaces (as the converter does).
        wrong = [i for i, t in hf.items() if i >= len(tokens) or tokens[i] not in (t, t.replace("\u2581", " "))]
        if wrong:
            raise ValueError(f"{source}'s vocabulary differs from {tokenizer_json} at {len(wrong)} ids "
                             f"(first: {wrong[0]}): not the tokenizer this model was trained with")  # fmt: skip
    for field in reader.fields.values():
        if field.name.startswith("tokenizer.") and not field.name.startswith("tokenizer.chat_template"):
            vtype = field.types[0]
            sub_type = field.types[-1] if vtype == gguf.GGUFValueType.ARRAY else None
            model.gguf_writer.add_key_value(field.name, field.contents(), vtype, sub_type=sub_type)
    template = gguf.SpecialVocab(model.dir_model, load_merges=False).chat_template
    if template is None and "tokenizer.chat_template" in reader.fields:
        template = reader.fields["tokenizer.chat_template"].contents()
    if template:
        model.gguf_writer.add_chat_template(template)
    logger.info("tokenizer copied from %s (%d tokens)", source, len(tokens))


def main() -> None:
    converter, vocab_from, args = Path(sys.argv[1]).resolve(), sys.argv[2], sys.argv[3:]
    sys.path[0:1] = [str(converter), str(converter / "gguf-py")]  # not this folder: the converter's tree first
    import gguf

    if converter not in Path(gguf.__file__).resolve().parents:
        raise RuntimeError(f"imported {gguf.__file__}, not the converter's vendored gguf-py")
    import convert_hf_to_gguf as script
    from conversion import base

    _patch_pre_tokenizer(base)
    if vocab_from:
        original = script.get_model_class

        def get_model_class(*a, **kw):
            cls = original(*a, **kw)
            cls.set_vocab = lambda self: _set_vocab_from_gguf(self, Path(vocab_from), gguf)
            return cls

        script.get_model_class = get_model_class
    sys.argv = [str(converter / "convert_hf_to_gguf.py"), *args]
    script.main()


if __name__ == "__main__":
    main()

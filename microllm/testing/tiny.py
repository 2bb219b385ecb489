"""Tiny, random, fully local models for tests and SMOKE notebooks: a byte-level BPE tokenizer, a 2-layer Llama, and
the same model as a llama.cpp GGUF. Nothing is downloaded; everything is deterministic and builds in seconds."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

SPECIAL_TOKENS = ["<s>", "</s>", "<pad>", "<unk>"]  # ids 0..3, in this order
# ChatML-like: every turn is `<s>role\ncontent</s>\n`; the assistant's turn ends with the EOS token `</s>`.
CHAT_TEMPLATE = (
    "{% for m in messages %}<s>{{ m['role'] }}\n{{ m['content'] }}</s>\n{% endfor %}"
    "{% if add_generation_prompt %}<s>assistant\n{% endif %}"
)
TRAIN_FILE = "data/synthetic/train.jsonl"
_REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLE_TEXTS = [
    "Add DNS record api.local to 10.0.0.5",
    '{"action": "dns_add", "name": "api.local", "record_type": "A", "value": "10.0.0.5"}',
    "Create user john with password abc123",
    '{"action": "user_add", "password": "abc123", "username": "john"}',
    "Give john access to the family share",
    '{"action": "share_grant_access", "share": "family", "username": "john"}',
    "Open port 443/tcp from 10.0.0.0/8",
    '{"action": "fw_allow", "port": 443, "protocol": "tcp", "source": "10.0.0.0/8"}',
    "Why is my DNS not working?",
    '{"action": "unknown"}',
]


def default_texts(n_rows: int = 300) -> list[str]:
    """Inputs and canonical JSON outputs of the first rows of the synthetic train split, else built-in samples."""
    from microllm.schema import canonical_json

    for path in (Path(TRAIN_FILE), _REPO_ROOT / TRAIN_FILE):
        if path.is_file():
            rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()[:n_rows] if line]
            return [t for r in rows for t in (r["input"], canonical_json(r["output"]))]
    return list(SAMPLE_TEXTS)


def build_tiny_tokenizer(texts: list[str] | None = None, vocab_size: int = 512):
    """A byte-level BPE (all 256 bytes + merges) trained here, with special tokens and a chat template."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=SPECIAL_TOKENS, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())  # fmt: skip
    tok.train_from_iterator(texts or default_texts(), trainer=trainer)
    hf = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>", pad_token="<pad>",
                                 unk_token="<unk>", clean_up_tokenization_spaces=False)  # fmt: skip
    hf.chat_template = CHAT_TEMPLATE
    return hf


def build_tiny_llama(tokenizer, hidden_size: int = 64, layers: int = 2, heads: int = 4, seed: int = 0):
    """A randomly initialised LlamaForCausalLM (fixed seed) whose vocabulary is the tokenizer's."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=hidden_size, intermediate_size=2 * hidden_size,
                         num_hidden_layers=layers, num_attention_heads=heads, num_key_value_heads=heads,
                         max_position_embeddings=4096, rms_norm_eps=1e-6, tie_word_embeddings=False,
                         bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
                         pad_token_id=tokenizer.pad_token_id)  # fmt: skip
    torch.manual_seed(seed)
    model = LlamaForCausalLM(config).to(torch.float32)
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    return model.eval()


def save_tiny_model(out_dir: str | Path, seed: int = 0) -> Path:
    """Tokenizer + model as a transformers directory (config.json, weights, tokenizer files)."""
    out = Path(out_dir)
    tokenizer = build_tiny_tokenizer()
    build_tiny_llama(tokenizer, seed=seed).save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out


def build_tiny_finetuned(seed: int = 0):
    """(model, tokenizer) shaped like a `microllm train` result: the plain Request:/Intent: chat template, and every
    matrix dimension a multiple of 256 (hidden 256, MLP 512, vocabulary 512) so the k-quants apply to every tensor."""
    from microllm.train.data import PLAIN_CHAT_TEMPLATE

    tokenizer = build_tiny_tokenizer()
    tokenizer.chat_template = PLAIN_CHAT_TEMPLATE
    return build_tiny_llama(tokenizer, hidden_size=256, layers=2, heads=4, seed=seed), tokenizer


def save_tiny_finetuned(out_dir: str | Path, model=None, tokenizer=None, seed: int = 0) -> Path:
    """A fake fine-tuned model directory as `microllm train` leaves its ``merged`` folder: weights, tokenizer and the
    prompt record (short system prompt) that predictors and ``microllm quantize`` read. Builds one unless given."""
    from microllm.prompts import PROMPT_FILE
    from microllm.train.data import SHORT_SYSTEM_PROMPT

    if model is None or tokenizer is None:
        model, tokenizer = build_tiny_finetuned(seed)
    out = Path(out_dir)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    (out / PROMPT_FILE).write_text(json.dumps({"system_prompt": "short", "system": SHORT_SYSTEM_PROMPT}))
    return out


def _permute(w: np.ndarray, n_head: int) -> np.ndarray:
    """HF's rotate-half rope layout -> llama.cpp's interleaved one (as llama.cpp's convert_hf_to_gguf does)."""
    return w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def write_tiny_gguf(model, tokenizer, path: str | Path) -> Path:
    """The model as an F32 llama GGUF with its byte-level BPE vocabulary and chat template (llama.cpp loads it)."""
    import gguf

    cfg, path = model.config, Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    n_head, n_kv = cfg.num_attention_heads, cfg.num_key_value_heads
    head_dim = getattr(cfg, "head_dim", None) or cfg.hidden_size // n_head
    w = gguf.GGUFWriter(path, gguf.MODEL_ARCH_NAMES[gguf.MODEL_ARCH.LLAMA])
    w.add_name("microllm-tiny-llama")
    w.add_context_length(cfg.max_position_embeddings)
    w.add_embedding_length(cfg.hidden_size)
    w.add_block_count(cfg.num_hidden_layers)
    w.add_feed_forward_length(cfg.intermediate_size)
    w.add_head_count(n_head)
    w.add_head_count_kv(n_kv)
    w.add_rope_dimension_count(head_dim)
    w.add_rope_freq_base(float((cfg.rope_parameters or {}).get("rope_theta", 10000.0)))
    w.add_layer_norm_rms_eps(cfg.rms_norm_eps)
    w.add_file_type(gguf.LlamaFileType.ALL_F32)

    # Tokenizer: the vocabulary in id order (byte-level spelling, as in tokenizer.json), merges as "a b".
    state = json.loads(tokenizer.backend_tokenizer.to_str())
    vocab = {**state["model"]["vocab"], **{t["content"]: t["id"] for t in state["added_tokens"]}}
    tokens = [t for t, _ in sorted(vocab.items(), key=lambda kv: kv[1])]
    assert len(tokens) == cfg.vocab_size and [vocab[t] for t in tokens] == list(range(len(tokens)))
    special = set(tokenizer.all_special_tokens)
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre("gpt-2")  # the GPT-2 split regex, which tokenizers' ByteLevel pre-tokenizer uses too
    w.add_token_list(tokens)
    w.add_token_types([gguf.TokenType.CONTROL if t in special else gguf.TokenType.NORMAL for t in tokens])
    w.add_token_merges([m if isinstance(m, str) else " ".join(m) for m in state["model"]["merges"]])
    w.add_bos_token_id(tokenizer.bos_token_id)
    w.add_eos_token_id(tokenizer.eos_token_id)
    w.add_unk_token_id(tokenizer.unk_token_id)
    w.add_pad_token_id(tokenizer.pad_token_id)
    w.add_add_bos_token(False)  # the chat template writes `<s>` itself
    w.add_add_eos_token(False)
    if tokenizer.chat_template:
        w.add_chat_template(tokenizer.chat_template)

    names = gguf.get_tensor_name_map(gguf.MODEL_ARCH.LLAMA, cfg.num_hidden_layers)
    for hf_name, tensor in model.state_dict().items():
        if hf_name.endswith("rotary_emb.inv_freq"):
            continue
        data = tensor.detach().to("cpu").float().numpy()
        if hf_name.endswith("self_attn.q_proj.weight"):
            data = _permute(data, n_head)
        elif hf_name.endswith("self_attn.k_proj.weight"):
            data = _permute(data, n_kv)
        name = names.get_name(hf_name, try_suffixes=(".weight", ".bias"))
        if name is None:
            raise ValueError(f"no GGUF name for tensor {hf_name}")
        w.add_tensor(name, np.ascontiguousarray(data, dtype=np.float32))

    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path


def is_schema_prefix(text: str, complete: bool = False) -> bool:
    """Whether ``text`` is a prefix (or with ``complete``, all) of some intent the JSON Schema allows.

    Whitespace between tokens and key order are free here: this checks any backend's constrained output.
    """
    import xgrammar

    from microllm.schema import intent_json_schema

    grammar = xgrammar.Grammar.from_json_schema(json.dumps(intent_json_schema()), any_whitespace=True, any_order=True)
    compiled = xgrammar.GrammarCompiler(xgrammar.TokenizerInfo([]), cache_enabled=False).compile_grammar(grammar)
    matcher = xgrammar.GrammarMatcher(compiled, terminate_without_stop_token=True)
    return matcher.accept_string(text.encode("utf-8")) and (not complete or matcher.is_terminated())


def make_tiny_gguf(path: str | Path, seed: int = 0) -> Path:
    """One call for smoke runs: a locally trained tokenizer, a random tiny llama, written as a GGUF."""
    tokenizer = build_tiny_tokenizer()
    return write_tiny_gguf(build_tiny_llama(tokenizer, seed=seed), tokenizer, path)

"""Stage 5: fine-tuned transformers model -> GGUF (llama.cpp's converter) -> Q8_0/Q5_K_M/Q4_K_M/Q4_0, NF4, export.

Heavy libraries (torch, transformers, llama_cpp, bitsandbytes) are imported inside the functions that need them.
"""

from microllm.quantize.config import QuantizeConfig
from microllm.quantize.converter import convert_to_gguf, ensure_converter, llama_cpp_version
from microllm.quantize.export import detect_format, export_model
from microllm.quantize.nf4 import load_nf4, save_nf4
from microllm.quantize.pipeline import main_quantize, quantize_model, quantize_or_load
from microllm.quantize.quant import FORMATS, QTYPES, copy_prompt, quantize_gguf

__all__ = [
    "FORMATS",
    "QTYPES",
    "QuantizeConfig",
    "convert_to_gguf",
    "copy_prompt",
    "detect_format",
    "ensure_converter",
    "export_model",
    "llama_cpp_version",
    "load_nf4",
    "main_quantize",
    "quantize_gguf",
    "quantize_model",
    "quantize_or_load",
    "save_nf4",
]

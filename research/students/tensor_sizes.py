"""Where the bytes of a GGUF file go (repeating blocks by quantization type, the embedding, the output head), in MiB
as `size_mb` is reported everywhere else, and how many bits a weight the blocks could keep in a size budget with the
rest as it is: the arithmetic behind the students study's question.

python research/students/tensor_sizes.py [file.gguf] [--budget-mib 150]
"""

import argparse
from collections import Counter

from gguf import GGUFReader

SHIPPED = "artifacts/quantized/qwen-coder-0.5b-lora/qwen-coder-0.5b-lora-IQ4_NL-IMAT-V32000.gguf"
MIB = 1024 * 1024


def main() -> None:
    """Print one line per tensor group (MiB, parameters, bits a weight), then the blocks' bits a weight that fit."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gguf", nargs="?", default=SHIPPED)
    parser.add_argument("--budget-mib", type=float, default=150.0)
    args = parser.parse_args()
    size, params = Counter(), Counter()
    for t in GGUFReader(args.gguf).tensors:
        group = f"blocks ({t.tensor_type.name})" if t.name.startswith("blk.") else t.name
        size[group] += int(t.n_bytes)
        params[group] += int(t.n_elements)
    for group, n_bytes in size.most_common():
        bits = 8 * n_bytes / params[group]
        print(f"{group:28s} {n_bytes / MIB:8.1f} MiB {params[group] / 1e6:8.1f}M params {bits:5.2f} bits")
    block_groups = [g for g in size if g.startswith("blocks")]
    block_params = sum(params[g] for g in block_groups)
    rest = sum(size[g] for g in size if g not in block_groups)
    bits = 8 * (args.budget_mib * MIB - rest) / block_params
    print(f"tensors {sum(size.values()) / MIB:.1f} MiB; the rest as it is ({rest / MIB:.1f} MiB), the blocks' "
          f"{block_params / 1e6:.1f}M weights fit {args.budget_mib:g} MiB at {bits:.2f} bits a weight")  # fmt: skip


if __name__ == "__main__":
    main()

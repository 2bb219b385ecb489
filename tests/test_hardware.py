"""Any hardware: all available cores by default, a CUDA GPU when there is one (mocked here: tests stay on the CPU),
llama.cpp layers offloaded when its build can, and the choices recorded in provenance."""

import json
import os
from types import SimpleNamespace

import pytest
from conftest import ROOT

from microllm import hardware
from microllm.provenance import provenance
from microllm.train import FinetuneConfig

torch = pytest.importorskip("torch")


def pretend_gpu(monkeypatch) -> None:
    """Pretend torch sees one bf16-capable CUDA GPU (after the heavy imports: some probe CUDA while importing)."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: True)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda *a, **k: "Mock GPU")


@pytest.fixture
def gpu(monkeypatch):
    pretend_gpu(monkeypatch)


@pytest.fixture
def no_gpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)


def test_threads_default_to_every_core_the_process_may_use(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 3, 4, 5, 6, 7}, raising=False)
    assert hardware.available_cores() == 8 and hardware.threads(None) == 8 and hardware.threads("3") == 3
    with pytest.raises(ValueError, match="positive"):
        hardware.threads(0)


def test_device_auto_takes_the_gpu_when_there_is_one(gpu):
    assert hardware.torch_device("auto") == "cuda" and hardware.torch_device("cpu") == "cpu"
    assert hardware.cuda_bf16()


def test_device_cuda_without_a_gpu_is_an_error_not_a_silent_cpu_run(no_gpu):
    assert hardware.torch_device("auto") == "cpu"
    with pytest.raises(ValueError, match="no CUDA GPU"):
        hardware.torch_device("cuda")
    with pytest.raises(ValueError, match="device must be one of"):
        hardware.torch_device("tpu")


def test_finetune_config_device_and_threads():
    cfg = FinetuneConfig()
    assert cfg.device == "auto" and cfg.n_threads is None and cfg.gpu_bf16
    with pytest.raises(ValueError, match="device"):
        FinetuneConfig(device="tpu")
    with pytest.raises(ValueError, match="n_threads"):
        FinetuneConfig(n_threads=0)


def test_training_arguments_on_a_gpu_and_on_the_cpu(monkeypatch):
    pytest.importorskip("trl")
    import trl

    from microllm.train.sft import precision, sft_args

    cfg = FinetuneConfig(output_dir="/tmp/microllm-test-never-written", bf16=False)
    on_cpu = sft_args(cfg, has_eval=False, device="cpu")  # the real TRL arguments, on this CPU-only machine
    assert on_cpu.use_cpu and not on_cpu.bf16
    pretend_gpu(monkeypatch)
    assert precision(cfg, "cuda") is True  # bf16 where the GPU has it, whatever the CPU flag says
    assert precision(FinetuneConfig(gpu_bf16=False), "cuda") is False
    assert precision(cfg, "cpu") is False and precision(FinetuneConfig(bf16=True), "cpu") is True
    # TRL's arguments would select the (absent) GPU as they are built: record what they are given instead.
    monkeypatch.setattr(trl, "SFTConfig", lambda **kw: SimpleNamespace(**kw))
    on_gpu = sft_args(cfg, has_eval=False, device="cuda")
    assert not on_gpu.use_cpu and on_gpu.bf16


def test_llamacpp_offloads_layers_when_its_build_can(monkeypatch):
    llama_cpp = pytest.importorskip("llama_cpp")
    from microllm.backends import llamacpp

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 3}, raising=False)
    monkeypatch.setattr(llama_cpp, "llama_supports_gpu_offload", lambda: True)
    cfg = llamacpp.LlamaCppConfig()
    assert cfg.n_gpu_layers == -1 and cfg.n_threads == 4
    assert llamacpp.LlamaCppConfig(n_gpu_layers=0).n_gpu_layers == 0  # an explicit choice stands
    seen = {}
    monkeypatch.setattr(llama_cpp, "Llama", lambda **kw: seen.update(kw) or SimpleNamespace())
    llamacpp._load("model.gguf", cfg)
    assert seen["n_gpu_layers"] == -1 and seen["n_threads"] == seen["n_threads_batch"] == 4
    runtime = provenance()["runtime"]
    kernels = hardware.llama_cpu_kernels()
    assert runtime["backends"]["llamacpp"] == {"n_threads": 4, "n_gpu_layers": -1, "gpu_offload": True,
                                               "draft": "rules", "cpu_kernels": kernels}  # fmt: skip
    assert runtime["cores_available"] == 4
    monkeypatch.setattr(llama_cpp, "llama_supports_gpu_offload", lambda: False)
    assert llamacpp.LlamaCppConfig().n_gpu_layers == 0  # a CPU build keeps every layer on the CPU


def test_transformers_backend_loads_onto_the_gpu_in_bf16(monkeypatch):
    pytest.importorskip("transformers")
    import transformers

    from microllm.backends import transformers_hf

    transformers.AutoModelForCausalLM, transformers.AutoTokenizer  # noqa: B018 - lazy imports, before the mock
    pretend_gpu(monkeypatch)

    moved = {}

    class FakeModel:
        def to(self, device=None, dtype=None):
            moved.update(device=device, dtype=dtype)
            return self

        def eval(self):
            return self

    monkeypatch.setattr(transformers.AutoModelForCausalLM, "from_pretrained", lambda *a, **k: FakeModel())
    monkeypatch.setattr(transformers.AutoTokenizer, "from_pretrained", lambda *a, **k: "tokenizer")
    resolved = SimpleNamespace(kind="hf", path=ROOT)
    transformers_hf._load(resolved, None, "cuda")
    assert moved == {"device": "cuda", "dtype": torch.bfloat16}
    transformers_hf._load(resolved, None, "cpu")
    assert moved == {"device": "cpu", "dtype": torch.float32}


def test_provenance_records_threads_and_device():
    record = provenance(runtime={"device": "cpu", "threads": 3})
    assert record["runtime"]["device"] == "cpu" and record["runtime"]["threads"] == 3
    assert record["runtime"]["cores_available"] == hardware.available_cores()
    json.dumps(record)  # stored as JSON next to every result


def test_llama_cpu_kernels_reads_the_build_flags():
    info = "CPU : SSE3 = 1 | AVX = 1 | AVX2 = 1 | F16C = 1 | FMA = 1 | AVX512 = 1 | AVX512_VNNI = 1 | AMX_INT8 = 0 | "
    assert hardware.llama_cpu_kernels(info) == ["AVX", "AVX2", "AVX512", "AVX512_VNNI", "F16C", "FMA"]
    assert hardware.llama_cpu_kernels("CPU : SSE3 = 1 | LLAMAFILE = 1 |") == []


def test_llama_cpu_kernels_of_the_installed_build():
    import platform

    pytest.importorskip("llama_cpp")
    if platform.machine() != "x86_64":
        pytest.skip("the build flags are x86 ones")
    assert "AVX2" in hardware.llama_cpu_kernels()  # `make setup` always builds the AVX2 kernels

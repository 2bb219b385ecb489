"""Fine-tuning at tiny size: the real TRL/PEFT pipeline on a tiny local model (HF directory and GGUF), a few CPU
steps. Loss falls, only answer tokens are labelled, runs resume, and the saved model reloads and predicts."""

import json
import os

import pytest
from conftest import ROOT

pytest.importorskip("trl")
pytest.importorskip("peft")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from microllm.config import load_config  # noqa: E402
from microllm.data.io import read_jsonl  # noqa: E402
from microllm.prompts import ordered_json  # noqa: E402
from microllm.train import FinetuneConfig, build_trainer, compact_lm_head, load_rows, subsample, train  # noqa: E402

TRAIN = ROOT / "data" / "synthetic" / "train.jsonl"
VAL = ROOT / "data" / "synthetic" / "val.jsonl"


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """One tiny tokenizer + random Llama, saved both as a transformers directory and as a GGUF."""
    from microllm.testing import build_tiny_llama, build_tiny_tokenizer, write_tiny_gguf

    root = tmp_path_factory.mktemp("tiny_base")
    tokenizer = build_tiny_tokenizer()
    model = build_tiny_llama(tokenizer, seed=0)
    model.save_pretrained(root / "hf")
    tokenizer.save_pretrained(root / "hf")
    return {"hf": root / "hf", "gguf": write_tiny_gguf(model, tokenizer, root / "tiny.gguf"), "root": root}


def tiny(base_model, tmp, run, **overrides) -> FinetuneConfig:
    """40 train rows (every category), batches of 8 seen twice: a high learning rate must lower the loss."""
    values = dict(run=run, base_model=str(base_model), train_file=str(TRAIN), val_file=None, max_examples=40,
                  max_steps=10, batch_size=8, learning_rate=2e-2, warmup_ratio=0.0, lora_r=8, lora_alpha=16,
                  lora_dropout=0.0, n_threads=1, save_every=5, output_dir=str(tmp / "out" / run),
                  results_dir=str(tmp / "results" / run))  # fmt: skip
    return FinetuneConfig(**{**values, **overrides})


@pytest.fixture(scope="module")
def lora_run(base, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("lora")
    cfg = tiny(base["hf"], tmp, "tiny-lora", val_file=str(VAL), val_examples=8, eval_every=5)
    return cfg, train(cfg)


def test_every_finetune_config_loads():
    paths = [
        ROOT / "recipes" / "qwen-coder-0.5b-lora" / "sft.yaml",
        ROOT / "configs" / "sft-tiny.yaml",
        *sorted((ROOT / "research").rglob("sft*.yaml")),
    ]
    assert len(paths) > 10
    for path in paths:
        cfg = load_config(FinetuneConfig, path)
        assert cfg.output_dir.endswith(f"finetune/{cfg.run}") and cfg.results_dir == f"results/finetune/{cfg.run}"
    full = load_config(FinetuneConfig, ROOT / "research" / "gemma-full" / "sft-data-v2.yaml")
    assert full.method == "full" and full.freeze_embeddings
    cfg = load_config(FinetuneConfig, None, ["max_examples=250", "run=lc-250", "learning_rate=1e-3"])
    assert cfg.max_examples == 250 and cfg.learning_rate == 1e-3 and cfg.output_dir.endswith("finetune/lc-250")
    with pytest.raises(ValueError, match="method"):
        FinetuneConfig(method="qlora")


def test_subsample_keeps_every_category_and_nests():
    rows = read_jsonl(TRAIN)
    categories = {r["category"] for r in rows}
    small, large = subsample(rows, 20, seed=3), subsample(rows, 60, seed=3)
    assert len(small) == 20 and {r["category"] for r in small} == categories
    assert {r["id"] for r in small} <= {r["id"] for r in large}  # the learning curve adds data, never redraws
    assert small == subsample(rows, 20, seed=3) and small != subsample(rows, 20, seed=4)
    assert subsample(rows, None) == rows


def test_the_held_out_dev_set_is_refused():
    with pytest.raises(ValueError, match="dev split: measurement only"):
        load_rows(ROOT / "data" / "eval" / "dev.jsonl")  # refused by its path, before it is read


def test_labels_cover_the_answer_only_and_compact_head_changes_nothing(base, tmp_path):
    import torch

    trainer, facts = build_trainer(tiny(base["hf"], tmp_path, "labels", max_examples=12))
    assert facts["examples"] == 12 and not facts["chat_template_added"]
    tokenizer, rows = trainer.processing_class, load_rows(TRAIN, 12, 0)
    batch = trainer.data_collator([trainer.train_dataset[i] for i in range(4)])
    for i, (ids, labels, mask) in enumerate(
        zip(batch["input_ids"], batch["labels"], batch["attention_mask"], strict=True)
    ):
        answer = labels != -100
        first = int(answer.nonzero()[0])
        assert not answer[:first].any() and answer[first : int(mask.sum())].all()  # prompt masked, answer kept
        assert tokenizer.decode(labels[answer]) == ordered_json(rows[i]["output"]) + "</s>\n"  # answer + turn end
        prompt = tokenizer.apply_chat_template(trainer.train_dataset[i]["prompt"], tokenize=False,
                                               add_generation_prompt=True)  # fmt: skip
        assert tokenizer.decode(ids[:first]) == prompt and prompt.endswith("<s>assistant\n")

    import trl.trainer.utils as trl_utils

    model = trainer.model
    grads = []
    for compact in (False, True):
        model.zero_grad()
        with compact_lm_head(compact):
            assert trl_utils._use_triton(torch.device("cpu")) is compact  # the one switch the context flips
            loss = trainer.compute_loss(model, dict(batch))
        loss.backward()
        grads.append((loss.item(), [p.grad.clone() for p in model.parameters() if p.requires_grad]))
    assert grads[0][0] == pytest.approx(grads[1][0], rel=1e-5)
    assert all(torch.allclose(a, b, atol=1e-6) for a, b in zip(grads[0][1], grads[1][1], strict=True))


def test_lora_loss_falls_and_results_are_written(lora_run):
    cfg, metrics = lora_run
    assert metrics["steps"] == 10 and metrics["examples"] == 40 and metrics["method"] == "lora"
    assert metrics["final_loss"] < metrics["first_loss"] - 0.25, metrics
    assert 0 < metrics["trainable_params"] < metrics["total_params"] and metrics["eval_loss"] is not None
    assert metrics["seconds_per_step"] > 0 and metrics["provenance"]["data"]["train"]["sha256"]
    results = cfg.results_dir
    log = read_jsonl(f"{results}/train_log.jsonl")
    assert [r["step"] for r in log if "loss" in r] == list(range(1, 11))
    assert all({"step", "loss", "lr", "seconds"} <= set(r) for r in log if "loss" in r)
    assert [r["step"] for r in log if "eval_loss" in r] == [5, 10]
    assert json.loads(open(f"{results}/metrics.json").read())["final_loss"] == metrics["final_loss"]
    assert load_config(FinetuneConfig, f"{results}/config.yaml") == cfg
    assert os.path.getsize(f"{results}/loss_curve.png") > 1000


def test_merged_lora_model_equals_base_plus_adapter_and_predicts(lora_run, base):
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    from microllm.backends.transformers_hf import TransformersPredictor

    _, metrics = lora_run
    ids = torch.tensor([[0, 5, 17, 42, 99, 7]])
    with torch.no_grad():
        merged = AutoModelForCausalLM.from_pretrained(metrics["model_dir"])(ids).logits
        base_model = AutoModelForCausalLM.from_pretrained(base["hf"])
        before = base_model(ids).logits
        adapted = PeftModel.from_pretrained(base_model, metrics["adapter_dir"])(ids).logits
    assert torch.allclose(merged, adapted, atol=1e-4) and not torch.allclose(merged, before, atol=1e-3)
    assert json.loads(open(f"{metrics['model_dir']}/microllm_prompt.json").read())["system_prompt"] == "short"
    predictor = TransformersPredictor(model=metrics["model_dir"], prompt="zero-shot", max_tokens=12, n_threads=1)
    pred = predictor.predict("Remove user jane")
    assert isinstance(pred.raw, str) and (pred.intent is None) == (pred.error is not None)


def test_full_finetune_from_gguf_saves_a_plain_model(base, tmp_path, monkeypatch):
    import torch
    from transformers import AutoModelForCausalLM

    from microllm.backends.transformers_hf import TransformersPredictor

    monkeypatch.setenv("MICROLLM_ARTIFACTS", str(tmp_path / "artifacts"))  # the GGUF tokenizer cache
    cfg = tiny(base["gguf"], tmp_path, "tiny-full", method="full", freeze_embeddings=True, learning_rate=1e-2)
    metrics = train(cfg)
    assert metrics["base_kind"] == "gguf" and metrics["final_loss"] < metrics["first_loss"] - 0.5, metrics
    saved = json.loads(open(f"{metrics['model_dir']}/config.json").read())
    assert "quantization_config" not in saved  # else the directory would load as a GGUF again
    trained = AutoModelForCausalLM.from_pretrained(metrics["model_dir"])
    original = AutoModelForCausalLM.from_pretrained(base["hf"])
    assert torch.equal(trained.get_input_embeddings().weight, original.get_input_embeddings().weight)  # frozen
    assert not torch.equal(trained.lm_head.weight, original.lm_head.weight)  # untied head: trained
    pred = TransformersPredictor(model=metrics["model_dir"], prompt="zero-shot", constrained=False, max_tokens=8,
                                 n_threads=1).predict("Create group devs")  # fmt: skip
    assert (pred.intent is None) == (pred.error is not None)


def test_an_interrupted_run_resumes_from_its_last_checkpoint(base, tmp_path):
    first = train(tiny(base["hf"], tmp_path, "resume", max_steps=4, save_every=2, merge=False))
    assert first["resumed_from_step"] is None and first["model_dir"] is None
    again = train(tiny(base["hf"], tmp_path, "resume", max_steps=6, save_every=2, resume=True, merge=False))
    assert again["resumed_from_step"] == 4 and again["steps"] == 6
    log = read_jsonl(tmp_path / "results" / "resume" / "train_log.jsonl")
    assert [r["step"] for r in log] == list(range(1, 7))
    assert all(a["seconds"] <= b["seconds"] for a, b in zip(log, log[1:], strict=False))


def test_a_run_can_continue_from_another_runs_checkpoint(base, tmp_path):
    train(tiny(base["hf"], tmp_path, "one-epoch", max_steps=4, save_every=2, merge=False))
    more = train(tiny(base["hf"], tmp_path, "two-epochs", max_steps=6, save_every=2, merge=False,
                      continue_from="one-epoch"))  # fmt: skip
    assert more["resumed_from_step"] == 4 and more["steps"] == 6
    assert more["continued_from"]["run"] == "one-epoch" and more["continued_from"]["checkpoint"].endswith("-4")
    log = read_jsonl(tmp_path / "results" / "two-epochs" / "train_log.jsonl")
    steps = [r["step"] for r in log if "loss" in r]
    assert steps[0] == 1 and steps[-1] == 6  # the first run's rows carried over, then this run's
    assert (tmp_path / "out" / "two-epochs" / "checkpoint-6").is_dir()
    assert not (tmp_path / "out" / "one-epoch" / "checkpoint-6").exists()  # the source run is left as it was
    with pytest.raises(FileNotFoundError, match="no checkpoint"):
        train(tiny(base["hf"], tmp_path, "orphan", max_steps=2, continue_from="never-trained"))


def test_new_rows_are_all_kept_beside_a_replay_sample_of_the_extra_files(tmp_path):
    from microllm.data.io import write_jsonl
    from microllm.train.data import load_train_rows

    rows = read_jsonl(TRAIN)
    new, seen = write_jsonl(rows[:5], tmp_path / "new.jsonl"), write_jsonl(rows[5:25], tmp_path / "seen.jsonl")
    mixed = load_train_rows(new, [seen], seed=0, extra_max_examples=6)
    assert mixed[:5] == rows[:5] and len(mixed) == 11 and all(r in rows[5:25] for r in mixed[5:])
    assert load_train_rows(new, [seen], seed=0) == rows[:25]
    more = write_jsonl(rows[25:28], tmp_path / "more.jsonl")
    both = load_train_rows(new, [seen], seed=0, extra_max_examples=6, more_files=[more])
    assert both[:8] == rows[:5] + rows[25:28] and len(both) == 14  # every new row, then the same replay sample
    assert both[8:] == mixed[5:]
    # max_examples cuts the union (more rows drawn in place of others), unless the more files are kept whole on top.
    cut = load_train_rows(new, [], max_examples=5, seed=0, more_files=[more])
    assert len(cut) == 5
    whole = load_train_rows(new, [seen], max_examples=5, seed=0, more_files=[more], more_whole=True)
    assert len(whole) == 8 and whole[5:] == rows[25:28]
    assert whole[:5] == load_train_rows(new, [seen], max_examples=5, seed=0)  # the same sample underneath
    with pytest.raises(ValueError, match="extra_max_examples"):
        FinetuneConfig(extra_max_examples=0)


def test_a_run_can_start_from_another_runs_final_model_on_more_files(base, tmp_path):
    from microllm.data.io import write_jsonl

    rows = read_jsonl(TRAIN)
    a, b = write_jsonl(rows[:10], tmp_path / "a.jsonl"), write_jsonl(rows[10:16], tmp_path / "b.jsonl")
    first = train(tiny(base["hf"], tmp_path, "first", max_steps=2, max_examples=None, train_file=a))
    final = train(tiny(base["hf"], tmp_path, "final", max_steps=2, max_examples=None, train_file=a,
                       extra_train_files=[b], init_from="first"))  # fmt: skip
    assert first["examples"] == 10 and final["examples"] == 16
    assert final["initialised_from"] == first["model_dir"] and final["resumed_from_step"] is None
    assert final["steps"] == 2 and "train_extra_1" in json.dumps(final["provenance"])
    with pytest.raises(FileNotFoundError, match="no finished model"):
        train(tiny(base["hf"], tmp_path, "orphan2", max_steps=1, init_from="never-trained"))
    with pytest.raises(ValueError, match="dev split: measurement only"):
        train(tiny(base["hf"], tmp_path, "leak", max_steps=1, extra_train_files=[str(ROOT / "data/eval/dev.jsonl")]))
    with pytest.raises(ValueError, match="init_from"):
        tiny(base["hf"], tmp_path, "both", init_from="first", continue_from="first")


def test_the_smoke_config_runs_through_main_train_and_is_seeded(base, tmp_path):
    from microllm.train import main_train

    losses = []
    for attempt in ("a", "b"):
        out = tmp_path / attempt
        overrides = [f"base_model={base['hf']}", f"train_file={TRAIN}", f"val_file={VAL}", "max_steps=3",
                     f"output_dir={out / 'out'}", f"results_dir={out / 'results'}"]  # fmt: skip
        metrics = main_train(ROOT / "configs" / "sft-tiny.yaml", overrides)
        assert metrics["run"] == "tiny-smoke" and metrics["steps"] == 3 and metrics["model_dir"]
        losses.append(
            [r["loss"] for r in read_jsonl(tmp_path / attempt / "results" / "train_log.jsonl") if "loss" in r]
        )
    assert losses[0] == losses[1]  # same seed, same data order, same adapter init: the same run


def test_a_finetuned_model_is_prompted_as_trained_and_found_by_run_name(lora_run, monkeypatch, tmp_path):
    from microllm.backends.transformers_hf import TransformersPredictor
    from microllm.models import resolve_model
    from microllm.prompts import prompt_for_model
    from microllm.train.data import finetune_messages

    _, metrics = lora_run
    predictor = TransformersPredictor(model=metrics["model_dir"], max_tokens=4, n_threads=1)  # prompt="auto"
    assert predictor.prompt_cfg.style == "trained" and predictor.shots == []
    # The rendered prompt is the training prompt: the chat template applied to finetune_messages(query).
    expected = predictor.tokenizer.apply_chat_template(
        finetune_messages("Remove user jane", "short"), add_generation_prompt=True, tokenize=False
    )
    assert predictor.render_prompt("Remove user jane") == expected
    with pytest.raises(FileNotFoundError, match="microllm_prompt.json"):
        prompt_for_model("trained", tmp_path)
    # `--model <run>` finds artifacts/finetune/<run>/merged under $MICROLLM_ARTIFACTS.
    run_dir = tmp_path / "finetune" / "my-run"
    run_dir.mkdir(parents=True)
    os.symlink(metrics["model_dir"], run_dir / "merged")
    monkeypatch.setenv("MICROLLM_ARTIFACTS", str(tmp_path))
    resolved = resolve_model("my-run")
    assert resolved.kind == "hf" and resolved.path == run_dir / "merged"


def test_a_model_from_scratch_builds_its_own_tokenizer_and_trains(tmp_path):
    from transformers import AutoTokenizer

    with pytest.raises(ValueError, match="method: full"):
        FinetuneConfig(base_model="scratch", method="lora")
    scratch = {"vocab_size": 320, "hidden_size": 32, "layers": 1, "heads": 2}
    cfg = tiny("scratch", tmp_path, "scratch", method="full", scratch=scratch, max_steps=4, learning_rate=5e-3,
               system_prompt="none")  # fmt: skip
    metrics = train(cfg)
    assert metrics["steps"] == 4 and metrics["final_loss"] < metrics["first_loss"]
    init = tmp_path / "out" / "scratch" / "init"
    assert len(AutoTokenizer.from_pretrained(init)) == 320  # learned from the train split, not downloaded
    assert metrics["total_params"] < 100_000 and metrics["trainable_params"] == metrics["total_params"]

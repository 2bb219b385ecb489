"""Notebook 04's record-or-run step, format sweep chart and export preview on small fabricated results trees."""

import json

import pytest
from matplotlib.figure import Figure

import microllm_research.report_quantize as rq
from microllm.config import save_config
from microllm.quantize import QuantizeConfig


def write(path, obj):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj))


ARM = {"backend": "llamacpp", "prompt": "trained", "constrained": True, "n": 4, "em_ci95_low": 0.5,
       "em_ci95_high": 1.0, "field_f1": 1, "action_accuracy": 1, "valid_json_rate": 1.0, "p50_ms": 5, "p95_ms": 9,
       "size_mb": 1, "rss_load_mb": 1, "metrics": "x"}  # fmt: skip


def test_format_sweep_keeps_scored_formats_per_run_and_decoding(tmp_path):
    formats = [{"format": f, "model": f"a/run-{f}.gguf", "path": f"a/run-{f}.gguf", "size_bytes": mib * 2**20}
               for f, mib in (("F16", 4), ("Q8_0", 2), ("Q4_0", 1))]  # fmt: skip
    write(tmp_path / "quantize" / "run" / "metrics.json", {"run": "run", "formats": formats})
    write(tmp_path / "compare" / "q" / "summary.json", [
        {**ARM, "model": "a/run-F16.gguf", "dataset": "dev", "exact_match": 0.75, "grounded": False},
        {**ARM, "model": "a/run-Q8_0.gguf", "dataset": "dev", "exact_match": 0.75, "grounded": False},
        {**ARM, "model": "a/run-Q8_0.gguf", "dataset": "dev", "exact_match": 1.0, "grounded": True},
    ])  # fmt: skip
    plain = rq.format_sweep(tmp_path, {"run": False})
    assert plain["format"].tolist() == ["F16", "Q8_0"] and plain["size_mb"].tolist() == [4.0, 2.0]  # Q4_0 unscored
    grounded = rq.format_sweep(tmp_path, {"run": True, "absent": False})
    assert grounded[["format", "exact_match", "decoding"]].values.tolist() == [["Q8_0", 1.0, "grounded"]]
    fig = rq.plot_format_sweep(plain, "dev")
    assert isinstance(fig, Figure) and len(fig.axes) == 1
    assert [t.get_text().split("\n")[0] for t in fig.axes[0].get_yticklabels()] == ["Q8_0", "F16"]  # smallest first
    assert rq.format_sweep(tmp_path, {"absent": False}).empty


def test_quantize_or_record_never_converts_without_the_model(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shipped = QuantizeConfig(model="absent-run", run="shipped", results_dir="results/quantize/shipped")
    earlier = QuantizeConfig(model="absent-run", run="earlier", results_dir="results/quantize/earlier")
    save_config(shipped, tmp_path / "shipped.yaml")
    save_config(earlier, tmp_path / "earlier.yaml")
    record = {"run": "earlier", "formats": [{"format": "Q8_0", "model": "x/earlier-Q8_0.gguf", "size_bytes": 2**20,
                                             "ratio_to_f16": 0.5, "seconds": 1.0}]}  # fmt: skip
    write(tmp_path / "results" / "quantize" / "earlier" / "metrics.json", record)

    def no_quantize(cfg):
        raise AssertionError("quantized")

    monkeypatch.setattr(rq, "quantize_or_load", no_quantize)
    cfg, path, metrics = rq.quantize_or_record(("shipped.yaml", "earlier.yaml"))
    assert path == "earlier.yaml" and cfg.run == "earlier" and metrics == record
    assert rq.formats_table(metrics).loc[0, "vocabulary"] == "full"
    with pytest.raises(FileNotFoundError):
        rq.quantize_or_record(("shipped.yaml",))
    exported = rq.export_if_present(rq.format_model(metrics, "Q8_0"))
    assert "earlier-Q8_0.gguf is not on disk" in exported["skipped"]
    assert rq.export_preview(exported).startswith("Nothing exported")

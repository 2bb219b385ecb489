"""Typed stage configs: dataclasses loadable from YAML and overridable from the command line."""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml

C = TypeVar("C")


GENERATORS = ("templates", "diverse", "mixed")


@dataclass
class DataConfig:
    """Stage 1a: the synthetic dataset."""

    seed: int = 13
    scale: float = 1.0  # < 1 gives a proportionally smaller dataset (smoke runs)
    fresh: float = 0.0  # share of made-up names (users, hosts, shares, ...) in the train split; 0 = data v2
    out_dir: str = "data/synthetic"
    splits: list[str] | None = None  # the splits to write (default all); one copy of each split on disk
    # templates: the template generator (microllm.data.generate); diverse: compositional phrase grammars
    # (microllm.data.diverse); mixed: the template splits with diverse_share of the train rows from diverse
    generator: str = "templates"
    diverse_share: float = 0.5  # mixed only: share of train rows that come from the diverse generator

    def __post_init__(self):
        if self.generator not in GENERATORS:
            raise ValueError(f"generator must be one of {list(GENERATORS)}, got {self.generator!r}")
        if not 0.0 <= self.diverse_share <= 1.0:
            raise ValueError(f"diverse_share must be in [0, 1], got {self.diverse_share}")


@dataclass
class BaselineConfig:
    """Stage 1b: score the non-LLM baselines on the synthetic test split and the dev set."""

    predictors: list[str] = field(default_factory=lambda: ["rules", "classic"])
    datasets: dict[str, str] = field(
        default_factory=lambda: {"test": "data/synthetic/test.jsonl", "dev": "data/eval/dev.jsonl"}
    )
    train_file: str = "data/synthetic/train.jsonl"  # what `classic` is fitted on
    results_dir: str = "results"
    bootstrap_resamples: int = 2000
    seed: int = 0
    limit: int | None = None  # score only the first N rows of each dataset (smoke runs)


def _coerce(value: str, kind: Any) -> Any:
    """Turn a command-line string into the field's type (YAML rules, so lists/dicts work too)."""
    parsed = yaml.safe_load(value)
    origin = typing.get_origin(kind)
    if kind is str or (origin is typing.Union and str in typing.get_args(kind) and not isinstance(parsed, str)):
        return value if kind is str else parsed
    return parsed


BASE_KEY = "base"


def read_config_values(path: str | Path, _seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """The keys of a YAML config, composed: a ``base:`` key names another config (relative to this file) whose keys
    come first and are then overridden, key by key, by this file's own. Bases compose the same way, so a study's
    config holds only what differs from the recipe it varies."""
    file = Path(path).resolve()
    if file in _seen:
        raise ValueError(f"{path}: config bases form a cycle: {' -> '.join(str(p) for p in (*_seen, file))}")
    if not file.is_file():
        raise FileNotFoundError(f"config file not found: {path}")
    loaded = yaml.safe_load(file.read_text()) or {}
    if not isinstance(loaded, dict):
        raise ValueError(f"{path}: expected a mapping of config fields, got {type(loaded).__name__}")
    base = loaded.pop(BASE_KEY, None)
    if base is None:
        return loaded
    if not isinstance(base, str):
        raise ValueError(f"{path}: `{BASE_KEY}` must be a path to another config, got {base!r}")
    return {**read_config_values(file.parent / base, (*_seen, file)), **loaded}


def load_config(cls: type[C], path: str | Path | None = None, overrides: list[str] | None = None) -> C:
    """Build ``cls`` from an optional YAML file (composed from its ``base:`` chain), then ``key=value`` overrides;
    unknown keys are errors."""
    values: dict[str, Any] = read_config_values(path) if path is not None else {}
    hints = typing.get_type_hints(cls)
    for item in overrides or []:
        key, sep, raw = item.partition("=")
        if not sep:
            raise ValueError(f"override {item!r} is not key=value")
        if key not in hints:
            raise ValueError(f"{cls.__name__} has no field {key!r}; fields: {sorted(hints)}")
        values[key] = _coerce(raw, hints[key])
    unknown = set(values) - {f.name for f in dataclasses.fields(cls)}
    if unknown:
        raise ValueError(f"{cls.__name__} has no field(s) {sorted(unknown)}")
    return cls(**values)


def config_to_dict(cfg: Any) -> dict:
    """Plain dict of a config, for writing next to results."""
    return dataclasses.asdict(cfg)


def save_config(cfg: Any, path: str | Path) -> None:
    """Write a config as YAML (results keep the exact config that made them)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(yaml.safe_dump(config_to_dict(cfg), sort_keys=False))

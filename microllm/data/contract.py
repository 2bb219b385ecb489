"""The evaluation contract: named splits, and what training and validation may never read.

Splits have names: ``train`` (what models learn from; extra training files get their own names), ``val``
(synthetic validation), ``val-real`` (real human-written text, held out by source) and the measurement-only
``test`` and ``dev``. Every training or validation reader goes through :func:`read_rows` (or
:func:`check_readable` plus :func:`filter_rows`), which

- refuses a whole file that is ``test`` or ``dev``: by name (``test.jsonl``, ``dev.jsonl``, anything under an
  ``eval/`` folder), by content (a byte-identical copy of a known test or dev file, whatever its name) or by its
  rows (a ``split`` field saying ``test`` or ``dev``); training also refuses ``val-real``, which selects models;
- drops every row whose normalised input is in the hidden-inputs list (the sha256 of the inputs of the hidden
  evaluation sets, :data:`HIDDEN_INPUTS`) or is a dev input, and returns how many each filter dropped, so that a
  data card can report them.

A reader that writes a report or card puts those counts in it; one that writes none reads through
:func:`read_rows_and_warn`, which issues a :class:`HeldOutRowsWarning` counting them.

Normalisation (:func:`normalise_input`): lower-case, every run of characters other than ``a-z`` and ``0-9``
replaced by one space, trimmed; the hash is the sha256 hex digest of the UTF-8 text.
"""

from __future__ import annotations

import functools
import hashlib
import re
import warnings
from collections.abc import Iterable
from pathlib import Path

from microllm.data.io import read_jsonl

SPLITS = ("train", "val", "val-real", "test", "dev")
MEASUREMENT_ONLY = frozenset({"test", "dev"})
# Readers by role: what each may read. Training never reads val-real, which exists to select models.
ROLES = {"train": frozenset({"train"}), "val": frozenset({"train", "val", "val-real"})}

ROOT = Path(__file__).resolve().parents[2]
HIDDEN_INPUTS = ROOT / "data" / "eval" / "hidden-inputs.sha256"
SHARED_HIDDEN_INPUTS = ROOT.parent / "shared" / "eval" / "hidden-inputs.sha256"
DEV_FILE = ROOT / "data" / "eval" / "dev.jsonl"
# Known measurement-only files: a copy of one under another name is refused by its content hash.
KNOWN_HELD_OUT = (DEV_FILE, ROOT / "data" / "synthetic" / "test.jsonl", ROOT.parent / "shared" / "eval" / "dev.jsonl")

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


class HeldOutError(ValueError):
    """A file that a training or validation reader must never read (test, dev, or val-real for training)."""


class HeldOutRowsWarning(UserWarning):
    """Rows of a training/validation file dropped because their input is a hidden-evaluation or dev input."""


def normalise_input(text: str) -> str:
    """The contract's normal form of a request: lower-case, runs of non ``[a-z0-9]`` -> one space, trimmed."""
    return _NON_ALNUM.sub(" ", text.lower()).strip()


def input_hash(text: str) -> str:
    """sha256 hex digest of the UTF-8 normal form of ``text``."""
    return hashlib.sha256(normalise_input(text).encode("utf-8")).hexdigest()


def read_hash_list(path: str | Path) -> frozenset[str]:
    """The hashes of a ``.sha256`` list (one hex digest a line; blank lines and ``#`` comments skipped)."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return frozenset(x.split()[0].lower() for x in lines if x.strip() and not x.lstrip().startswith("#"))


@functools.cache
def hidden_hashes(path: str | None = None) -> frozenset[str]:
    """The hidden evaluation inputs' hashes: the project's copy, else the shared one; empty when neither exists."""
    for candidate in (Path(path) if path else None, HIDDEN_INPUTS, SHARED_HIDDEN_INPUTS):
        if candidate is not None and candidate.is_file():
            return read_hash_list(candidate)
    return frozenset()


@functools.cache
def dev_hashes(path: str | None = None) -> frozenset[str]:
    """Hashes of the dev inputs (empty when the dev file is absent)."""
    dev = Path(path) if path else DEV_FILE
    return frozenset(input_hash(r["input"]) for r in read_jsonl(dev)) if dev.is_file() else frozenset()


@functools.cache
def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _known_held_out_digests() -> dict[str, str]:
    return {_file_digest(p): str(p) for p in KNOWN_HELD_OUT if p.is_file()}


def split_of_path(path: str | Path) -> str | None:
    """The split a file is by its name: ``test``/``dev`` (also anything under ``eval/``), ``val-real``, ``val``,
    ``train``; None when the name does not say."""
    path = Path(path)
    if "eval" in path.resolve().parent.parts[-1:]:
        return "dev"
    stem = path.name.split(".")[0].lower()
    for split in ("val-real", "test", "dev", "val", "train"):
        if stem == split or stem.startswith(split + "-") or stem.endswith("-" + split):
            return split
    return None


def check_readable(path: str | Path, role: str = "train", rows: Iterable[dict] | None = None) -> Path:
    """Return ``path`` if a ``role`` reader ("train" or "val") may read it; raise :class:`HeldOutError` otherwise.

    Refused: test and dev by name, by content (a copy of a known test/dev file) or by a row's ``split`` field;
    for training, also val-real."""
    if role not in ROLES:
        raise ValueError(f"unknown reader role {role!r}: {sorted(ROLES)}")
    path = Path(path)
    split = split_of_path(path)
    if split in MEASUREMENT_ONLY:
        raise HeldOutError(f"{path} is the {split} split: measurement only, never train or validate on it")
    if path.is_file() and (copy_of := _known_held_out_digests().get(_file_digest(path.resolve()))):
        raise HeldOutError(f"{path} is a copy of {copy_of}: measurement only, never train or validate on it")
    if role == "train" and split == "val-real":
        raise HeldOutError(f"{path} is val-real: it selects models, so training never reads it")
    for row in rows or ():
        if (marked := row.get("split")) in MEASUREMENT_ONLY or (role == "train" and marked == "val-real"):
            raise HeldOutError(f"{path} holds rows of the {marked} split: a {role} reader never reads it")
    return path


def filter_rows(rows: Iterable[dict], hidden: frozenset[str] | None = None, dev: frozenset[str] | None = None):
    """``(kept, dropped)``: ``rows`` without any whose normalised input hashes into the hidden list or dev;
    ``dropped`` counts each filter (``{"hidden": n, "dev": n}``; a row in both counts as hidden)."""
    hidden = hidden_hashes() if hidden is None else hidden
    dev = dev_hashes() if dev is None else dev
    kept, dropped = [], {"hidden": 0, "dev": 0}
    for row in rows:
        h = input_hash(row["input"])
        if h in hidden:
            dropped["hidden"] += 1
        elif h in dev:
            dropped["dev"] += 1
        else:
            kept.append(row)
    return kept, dropped


def read_rows(path: str | Path, role: str = "train") -> tuple[list[dict], dict[str, int]]:
    """The rows of a training (``role="train"``) or validation (``role="val"``) file under the contract, and the
    count each filter dropped."""
    check_readable(path, role)
    rows = read_jsonl(path)
    check_readable(path, role, rows)
    return filter_rows(rows)


def warn_dropped(source: str | Path, dropped: dict[str, int], stacklevel: int = 2) -> None:
    """Issue a :class:`HeldOutRowsWarning` counting what :func:`filter_rows` dropped from ``source`` (nothing when
    it dropped none), for readers that write no report to put the counts in. ``stacklevel`` counts from the caller,
    as in :func:`warnings.warn`."""
    if any(dropped.values()):
        counts = ", ".join(f"{n} {k}" for k, n in dropped.items() if n)
        warnings.warn(f"{source}: dropped {counts} row(s) whose input is held out", HeldOutRowsWarning,
                      stacklevel=stacklevel + 1)  # fmt: skip


def read_rows_and_warn(path: str | Path, role: str = "train", stacklevel: int = 2) -> list[dict]:
    """:func:`read_rows` for a reader that writes no report: the kept rows, with a :class:`HeldOutRowsWarning`
    counting any dropped. ``stacklevel`` counts from the caller, as in :func:`warnings.warn`."""
    rows, dropped = read_rows(path, role)
    warn_dropped(path, dropped, stacklevel + 1)
    return rows


def filter_digest() -> str:
    """sha256 of the hidden and dev lists that :func:`filter_rows` applies by default: a cache of anything fitted on
    filtered rows keys on it, so that a changed list refits rather than reusing a fit that saw a held-out input."""
    h = hashlib.sha256()
    for name, hashes in (("hidden", hidden_hashes()), ("dev", dev_hashes())):
        h.update(f"{name}:{','.join(sorted(hashes))};".encode())
    return h.hexdigest()

"""A small model registry in one JSON file: every version with its metrics, which one serves, and its history.

``current()`` is what the service loads; ``promote(id)`` makes a registered version current; ``rollback()`` returns
to the version that served before. Writes go to a temporary file first and replace the registry in one rename, so
a crash never leaves half a registry.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from pathlib import Path

DEFAULT_PATH = "artifacts/registry.json"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class Registry:
    """Versions ``v1, v2, ...``: ``{"id", "model_path", "run", "metrics", "parent", "created_at", "promoted_at"}``."""

    def __init__(self, path: str | Path = DEFAULT_PATH):
        self.path = Path(path)

    def _load(self) -> dict:
        if not self.path.exists():
            return {"current": None, "history": [], "versions": {}}
        return json.loads(self.path.read_text())

    def _save(self, data: dict) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=self.path.name, suffix=".tmp")
        with os.fdopen(fd, "w") as f:
            f.write(json.dumps(data, indent=2) + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)

    def versions(self) -> list[dict]:
        """Every registered version, oldest first."""
        return list(self._load()["versions"].values())

    def get(self, version: str) -> dict:
        """One version by id (KeyError if unknown)."""
        versions = self._load()["versions"]
        if version not in versions:
            raise KeyError(f"no model version {version!r}; registered: {sorted(versions)}")
        return versions[version]

    def current(self) -> dict | None:
        """The version in service, or None before the first promotion."""
        data = self._load()
        return data["versions"][data["current"]] if data["current"] else None

    def register(self, model_path: str, run: str, metrics: dict, parent: str | None = None, **extra) -> dict:
        """Add a version (not in service yet); ``extra`` keeps facts such as the gate decision."""
        data = self._load()
        version = f"v{len(data['versions']) + 1}"
        entry = {"id": version, "model_path": str(model_path), "run": run, "metrics": metrics, "parent": parent,
                 "created_at": _now(), "promoted_at": None, **extra}  # fmt: skip
        data["versions"][version] = entry
        self._save(data)
        return entry

    def promote(self, version: str) -> dict:
        """Put ``version`` in service (it must be registered)."""
        data = self._load()
        if version not in data["versions"]:
            raise KeyError(f"no model version {version!r}; registered: {sorted(data['versions'])}")
        data["versions"][version]["promoted_at"] = _now()
        data["current"] = version
        data["history"].append({"version": version, "at": _now(), "event": "promote"})
        self._save(data)
        return data["versions"][version]

    def rollback(self) -> dict:
        """Return to the version that served before the current one (ValueError when there is none)."""
        data = self._load()
        served = self._served(data["history"])
        if len(served) < 2:
            raise ValueError("nothing to roll back to: fewer than two versions have served")
        previous = served[-2]
        data["versions"][served[-1]]["rolled_back_at"] = _now()
        data["current"] = previous
        data["history"].append({"version": previous, "at": _now(), "event": "rollback", "from": served[-1]})
        self._save(data)
        return data["versions"][previous]

    @staticmethod
    def _served(history: list[dict]) -> list[str]:
        """The stack of versions in service: a promotion pushes, a rollback pops."""
        stack: list[str] = []
        for h in history:
            if h["event"] == "promote":
                stack.append(h["version"])
            elif stack:
                stack.pop()
        return stack

    def summary(self) -> dict:
        """Current version, history and each version's exact matches: small enough to commit under results/."""
        data = self._load()
        versions = [{"id": v["id"], "run": v["run"], "parent": v["parent"], "promoted_at": v["promoted_at"],
                     "exact_match": {name: m["exact_match"] for name, m in v["metrics"].items()}}
                    for v in data["versions"].values()]  # fmt: skip
        return {"current": data["current"], "history": data["history"], "versions": versions}

    def write_summary(self, path: str | Path) -> Path:
        """Write :meth:`summary` as JSON to ``path``."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.summary(), indent=2) + "\n")
        return path

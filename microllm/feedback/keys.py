"""The per-store redaction key: outside the database on purpose, so that whoever copies the database alone cannot
test password guesses against the fakes in it."""

from __future__ import annotations

import os
import time
from pathlib import Path

KEY_ENV = "MICROLLM_DECISIONS_KEY"


def key_path(url: str) -> Path:
    """Next to a SQLite file (``decisions.db.key``); for a server database, ``artifacts/decisions.key``."""
    if url.startswith("sqlite:///") and ":memory:" not in url:
        return Path(url[len("sqlite:///") :] + ".key")
    return Path("artifacts") / "decisions.key"


def load_key(path: str | Path) -> bytes:
    """``$MICROLLM_DECISIONS_KEY``, else the key file, created (32 random bytes, mode 0600) when absent."""
    if os.environ.get(KEY_ENV):
        return os.environ[KEY_ENV].encode("utf-8")
    path = Path(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process is creating it: wait for its bytes
            for _ in range(100):
                if key := path.read_bytes().strip():
                    return key
                time.sleep(0.01)
            raise RuntimeError(f"{path} exists but stays empty: remove it to create a new key") from None
        with os.fdopen(fd, "wb") as f:
            f.write(os.urandom(32).hex().encode())
            f.flush()
            os.fsync(f.fileno())
    key = path.read_bytes().strip()
    if not key:
        raise RuntimeError(f"{path} is empty: remove it to create a new key (fakes already stored will differ)")
    return key

"""Run an intent's playbook with ``ansible-playbook``: check mode and diff by default, structured outcome.

Order of events: schema + safety validator (an unsafe intent is refused here, before any file or
directory exists) -> render -> write the playbook (no secrets in it) -> ``ansible-playbook`` with the
JSON stdout callback, secrets passed in its environment only -> an :class:`Outcome`, with every
secret value replaced by ``***`` in what it keeps.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from microllm.safety import UnsafeIntentError, check_intent
from microllm.schema import IntentError, validate_intent

from .render import NOT_EXECUTABLE, render_playbook

REDACTED = "***"
STATUSES = ("ok", "changed", "failed", "refused")


@dataclass
class TaskResult:
    task: str
    host: str
    status: str  # ok | changed | failed | skipped | unreachable
    msg: str = ""
    module: str = ""
    diff: list | dict | None = None


@dataclass
class Outcome:
    """What executing one intent did. ``status``: ok | changed | failed | refused."""

    status: str
    intent: dict | None
    check: bool = True
    message: str = ""
    reason: str = ""  # refused: unsafe | invalid | clarify | unknown
    violations: list[str] = field(default_factory=list)
    tasks: list[TaskResult] = field(default_factory=list)
    stats: dict = field(default_factory=dict)
    playbook: str | None = None
    workdir: str | None = None
    returncode: int | None = None
    duration_s: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status in ("ok", "changed")

    def to_dict(self) -> dict:
        return asdict(self)


def _redact(value, secrets: list[str]):
    if isinstance(value, str):
        for s in secrets:
            value = value.replace(s, REDACTED)
        return value
    if isinstance(value, list):
        return [_redact(v, secrets) for v in value]
    if isinstance(value, dict):
        return {k: (REDACTED if k == "password" else _redact(v, secrets)) for k, v in value.items()}
    return value


def _public(intent: dict | None) -> dict | None:
    return _redact(intent, []) if isinstance(intent, dict) else intent


def _refused(intent, reason: str, message: str, violations=()) -> Outcome:
    return Outcome("refused", _public(intent), reason=reason, message=message, violations=[str(v) for v in violations])


def ansible_playbook_binary() -> str:
    """``ansible-playbook`` next to this Python (the virtual environment), else from PATH."""
    here = Path(sys.executable).parent / "ansible-playbook"
    found = str(here) if here.exists() else shutil.which("ansible-playbook")
    if not found:
        raise RuntimeError("ansible-playbook not found: install the 'execute' extra (pip install -e '.[execute]')")
    return found


def ansible_env(workdir: Path) -> dict[str, str]:
    """Environment for ansible: JSON results, no retry files, temp dirs inside ``workdir``, no cows."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    env.update({
        "ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json",
        "ANSIBLE_CALLBACK_RESULT_FORMAT": "json",
        "ANSIBLE_RETRY_FILES_ENABLED": "False",
        "ANSIBLE_NOCOLOR": "True",
        "ANSIBLE_NOCOWS": "True",
        "ANSIBLE_HOST_KEY_CHECKING": "False",
        "ANSIBLE_DEPRECATION_WARNINGS": "False",
        "ANSIBLE_LOCALHOST_WARNING": "False",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "False",
        "ANSIBLE_LOCAL_TEMP": str(workdir / "tmp"),
        "ANSIBLE_REMOTE_TEMP": str(workdir / "tmp"),
        "ANSIBLE_HOME": str(workdir / "ansible-home"),
        "ANSIBLE_CONFIG": str(workdir / "ansible.cfg"),  # ours: no ansible.cfg from elsewhere
    })  # fmt: skip
    return env


def default_inventory(workdir: Path) -> Path:
    """localhost over the local connection, with this Python (which has dnspython for nsupdate)."""
    path = workdir / "inventory.ini"
    path.write_text(f"localhost ansible_connection=local ansible_python_interpreter={sys.executable}\n")
    return path


def _task_results(report: dict) -> list[TaskResult]:
    out = []
    for play in report.get("plays", []):
        for t in play.get("tasks", []):
            name = t.get("task", {}).get("name", "")
            for host, r in t.get("hosts", {}).items():
                if r.get("unreachable"):
                    status = "unreachable"
                elif r.get("failed"):
                    status = "failed"
                elif r.get("skipped"):
                    status = "skipped"
                else:
                    status = "changed" if r.get("changed") else "ok"
                msg = r.get("msg", "") or r.get("censored", "")
                if status == "failed" and not msg:
                    msg = r.get("stderr", "") or r.get("module_stderr", "")
                if not msg and r.get("results"):  # a loop: the items' messages
                    msg = "; ".join(str(x.get("msg")) for x in r["results"] if isinstance(x, dict) and x.get("msg"))
                out.append(TaskResult(name, host, status, str(msg), r.get("action", ""), r.get("diff")))
    return out


def _status(returncode: int, stats: dict, tasks: list[TaskResult]) -> str:
    if returncode != 0 or any(s.get("failures") or s.get("unreachable") for s in stats.values()):
        return "failed"
    if any(t.status in ("failed", "unreachable") for t in tasks):
        return "failed"
    return "changed" if any(s.get("changed") for s in stats.values()) else "ok"


def execute(
    intent: dict,
    inventory: str | os.PathLike | None = None,
    check: bool = True,
    diff: bool = True,
    extra_vars: dict | None = None,
    workdir: str | os.PathLike | None = None,
    timeout: float = 300,
    limit: str | None = None,
) -> Outcome:
    """Validate, render and run ``intent``; never raises for a bad intent or a failed run.

    ``check=True`` (the default) runs ``ansible-playbook --check``: nothing on the hosts changes.
    ``extra_vars`` (e.g. ``dns_server``, ``dns_port``, ``dns_key_file``) go to ansible as a JSON file.
    ``workdir`` keeps the playbook, inventory and redacted JSON report (a new temporary one by default).
    """
    try:
        intent = validate_intent(intent)
    except IntentError as e:
        return _refused(intent, "invalid", f"not a valid intent: {e.message}")
    if intent["action"] in NOT_EXECUTABLE:
        what = "required information is missing" if intent["action"] == "clarify" else "out of scope"
        detail = f" ({intent['intent']}: {', '.join(intent['missing'])})" if intent["action"] == "clarify" else ""
        return _refused(intent, intent["action"], f"nothing to execute: {what}{detail}")
    violations = check_intent(intent)
    if violations:  # refused before any file or directory exists
        return _refused(intent, "unsafe", str(UnsafeIntentError(violations)), violations)

    rendered = render_playbook(intent)
    secrets = sorted(rendered.secrets.values(), key=len, reverse=True)
    work = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="microllm-execute-"))
    work.mkdir(parents=True, exist_ok=True)
    (work / "tmp").mkdir(exist_ok=True)
    (work / "ansible.cfg").write_text("[defaults]\n")
    playbook = work / "playbook.yml"
    playbook.write_text(rendered.to_yaml())
    inv = Path(inventory) if inventory else default_inventory(work)
    cmd = [ansible_playbook_binary(), "-i", str(inv), str(playbook)]
    if check:
        cmd.append("--check")
    if diff:
        cmd.append("--diff")
    if limit:
        cmd += ["--limit", limit]
    if extra_vars:
        ev = work / "extra_vars.json"
        ev.write_text(json.dumps(extra_vars))
        ev.chmod(0o600)
        cmd += ["--extra-vars", f"@{ev}"]
    env = ansible_env(work) | rendered.secrets
    base = Outcome("failed", _public(intent), check=check, playbook=str(playbook), workdir=str(work))
    start = time.monotonic()
    try:
        proc = subprocess.run(cmd, env=env, cwd=work, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        base.message = f"ansible-playbook timed out after {timeout:g} s"
        base.duration_s = round(time.monotonic() - start, 3)
        return base
    base.duration_s = round(time.monotonic() - start, 3)
    base.returncode = proc.returncode
    try:
        report = json.loads(proc.stdout[proc.stdout.index("{") :]) if "{" in proc.stdout else {}
    except json.JSONDecodeError:
        report = {}
    report = _redact(report, secrets)
    (work / "ansible.json").write_text(json.dumps(report, indent=1, default=str))
    if not report:
        base.message = _redact((proc.stderr or proc.stdout).strip()[-2000:], secrets) or "no report from ansible"
        return base
    base.stats = report.get("stats", {})
    base.tasks = _task_results(report)
    base.status = _status(proc.returncode, base.stats, base.tasks)
    failed = [t for t in base.tasks if t.status in ("failed", "unreachable")]
    if failed:
        base.message = "; ".join(f"{t.task}: {t.msg}" for t in failed)
    elif base.status == "failed":
        base.message = _redact(proc.stderr.strip()[-2000:], secrets) or f"ansible-playbook exited {proc.returncode}"
    else:
        n = sum(t.status == "changed" for t in base.tasks)
        base.message = f"{n} task(s) {'would change' if check else 'changed'}" if n else "nothing to change"
    return base

"""microllm.execute: every action renders to a playbook that ansible accepts; unsafe intents never do."""

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import ONE_PER_ACTION as SAMPLES

from microllm.cli import main
from microllm.execute import BUILDERS, NotExecutableError, execute, render_playbook, to_yaml
from microllm.execute.run import ansible_env, ansible_playbook_binary
from microllm.safety import UnsafeIntentError
from microllm.schema import OPERATIONS

ANSIBLE = Path(sys.executable).parent / "ansible-playbook"
needs_ansible = pytest.mark.skipif(
    not (ANSIBLE.exists() or shutil.which("ansible-playbook")),
    reason="ansible-playbook not installed (pip install -e '.[execute]')",
)

# A multi-step intent over three of the samples (conftest.ONE_PER_ACTION).
MULTI = {"action": "multi", "steps": [SAMPLES["user_add"], SAMPLES["user_add_to_group"], SAMPLES["share_grant_access"]]}

# The modules of the field each domain must use (at least one of them per action).
DOMAIN_MODULES = {
    "dns_": {"community.general.nsupdate", "ansible.builtin.debug"},
    "user_": {"ansible.builtin.user"},
    "group_": {"ansible.builtin.group"},
    "share_": {"community.general.ini_file"},
    "mail_": {"ansible.builtin.lineinfile"},
    "cert_": {"community.crypto.x509_certificate", "community.crypto.x509_crl"},
    "fw_": {"community.general.ufw", "ansible.posix.firewalld"},
    "net_": {"community.general.nmcli", "ansible.builtin.copy"},
}
TASK_KEYS = {"name", "loop", "loop_control", "when", "register", "no_log", "check_mode", "changed_when", "vars"}


@pytest.fixture(autouse=True)
def _workdirs_in_tmp_path(tmp_path, monkeypatch):
    """execute() without a workdir makes a temp dir: keep those under pytest's tmp_path."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))


def _module(task: dict) -> str:
    (module,) = [k for k in task if k not in TASK_KEYS]
    return module


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def test_every_action_has_a_builder_and_a_sample():
    assert set(BUILDERS) == set(OPERATIONS) == set(SAMPLES)


@pytest.mark.parametrize("action", sorted(SAMPLES))
def test_render_uses_the_field_modules_and_passes_values_as_data(action):
    intent = SAMPLES[action]
    (play,) = render_playbook(intent).playbook
    assert play["hosts"] == "all" and play["tasks"]
    modules = [_module(t) for t in play["tasks"]]
    prefix = next(p for p in DOMAIN_MODULES if action.startswith(p))
    assert set(modules) & DOMAIN_MODULES[prefix], modules
    assert not {"ansible.builtin.shell", "ansible.builtin.raw", "shell", "command", "raw"} & set(modules)
    for task in play["tasks"]:
        if _module(task) == "ansible.builtin.command":
            assert set(task["ansible.builtin.command"]) <= {"argv", "stdin"}  # argv lists only
            assert isinstance(task["ansible.builtin.command"]["argv"], list)
    # values live in the step's vars; no task text contains them (only references)
    task_text = "\n".join(_strings(play["tasks"]))
    values = [v for k, v in intent.items() if k not in ("action", "access") and isinstance(v, str) and len(v) > 3]
    assert not [v for v in values if v in task_text]
    assert play["vars"]["step0"]["action"] == action
    assert "password" not in play["vars"]["step0"]


def test_values_are_marked_unsafe_and_secrets_are_not_in_the_playbook():
    rendered = render_playbook(MULTI)
    text = rendered.to_yaml()
    assert text.count("!unsafe") == 3  # one per step: ansible never templates a value
    assert "Pa55-word-7f3k" not in text
    assert list(rendered.secrets.values()) == ["Pa55-word-7f3k"]
    secret_var = rendered.playbook[0]["vars"]["microllm_secret_0"]
    assert secret_var == "{{ lookup('ansible.builtin.env', 'MICROLLM_SECRET_0') }}"
    names = [t["name"] for t in rendered.playbook[0]["tasks"]]
    assert names[0].startswith("[1/3] users: add") and names[-1].startswith("[3/3] samba:")


def test_unsafe_and_meta_intents_are_never_rendered():
    with pytest.raises(UnsafeIntentError):
        render_playbook({"action": "user_add", "username": "root"})
    with pytest.raises(UnsafeIntentError):
        render_playbook({"action": "multi", "steps": [SAMPLES["group_add"], {"action": "group_add", "group": "sudo"}]})
    for meta in ({"action": "unknown"}, {"action": "clarify", "intent": "dns_add", "missing": ["value"]}):
        with pytest.raises(NotExecutableError):
            render_playbook(meta)


@pytest.mark.parametrize(
    "intent, reason",
    [
        ({"action": "user_add", "username": "root", "password": "hunter2-secret"}, "unsafe"),
        ({"action": "share_create", "name": "etc", "path": "/etc"}, "unsafe"),
        ({"action": "multi", "steps": [SAMPLES["user_add"], {"action": "dns_add", "name": "a;rm -rf /.local",
                                                             "record_type": "A", "value": "10.0.0.1"}]}, "unsafe"),
        ({"action": "unknown"}, "unknown"),
        ({"action": "clarify", "intent": "dns_add", "missing": ["record_type", "value"]}, "clarify"),
        ({"action": "dns_add", "name": "x.local"}, "invalid"),
    ],
)  # fmt: skip
def test_execute_refuses_before_any_file_exists(tmp_path, monkeypatch, intent, reason):
    def no_run(*a, **k):
        raise AssertionError("nothing may run for a refused intent")

    monkeypatch.setattr(subprocess, "run", no_run)
    monkeypatch.setattr("microllm.execute.run.render_playbook", no_run)
    work = tmp_path / "work"
    outcome = execute(intent, workdir=work, check=False)
    assert outcome.status == "refused" and outcome.reason == reason and not outcome.ok
    assert outcome.playbook is None and not work.exists()
    assert "hunter2-secret" not in json.dumps(outcome.to_dict(), default=str)
    if reason == "unsafe":
        assert outcome.violations and "unsafe intent" in outcome.message


def test_cli_execute_refuses_an_unsafe_intent(capsys):
    assert main(["execute", "--intent", json.dumps({"action": "group_add", "group": "wheel"})]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["status"] == "refused" and "reserved system group" in out["message"]


@needs_ansible
def test_every_action_passes_ansible_syntax_check(tmp_path):
    plays = [play for intent in [*SAMPLES.values(), MULTI] for play in render_playbook(intent).playbook]
    assert len(plays) == len(OPERATIONS) + 1
    (tmp_path / "ansible.cfg").write_text("[defaults]\n")
    (tmp_path / "tmp").mkdir()
    path = tmp_path / "all.yml"
    path.write_text(to_yaml(plays))
    res = subprocess.run(
        [ansible_playbook_binary(), "--syntax-check", "-i", "localhost,", str(path)],
        env=ansible_env(tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 0, res.stdout + res.stderr


def _getent(db: str, key: str) -> bool:
    return subprocess.run(["getent", db, key], capture_output=True).returncode == 0


@needs_ansible
def test_check_mode_users_and_groups_change_nothing_and_never_leak_the_password(tmp_path):
    assert not _getent("passwd", "zed") and not _getent("group", "staffers")
    intent = {"action": "multi", "steps": [SAMPLES["group_add"], SAMPLES["user_add"], SAMPLES["user_remove"]]}
    outcome = execute(intent, workdir=tmp_path)  # check mode is the default
    assert outcome.status == "changed", outcome.message
    assert outcome.check and outcome.returncode == 0
    assert [t.status for t in outcome.tasks if t.status != "skipped"] == ["changed", "changed", "ok"]
    assert not _getent("passwd", "zed") and not _getent("group", "staffers")  # nothing changed
    dumped = json.dumps(outcome.to_dict(), default=str)
    assert "Pa55-word-7f3k" not in dumped and '"password": "***"' in dumped
    for f in tmp_path.rglob("*"):
        if f.is_file():
            assert "Pa55-word-7f3k" not in f.read_text(errors="replace"), f
    assert (tmp_path / "ansible.json").exists() and Path(outcome.playbook).exists()


@needs_ansible
def test_check_mode_reports_a_failure_with_the_module_message(tmp_path):
    outcome = execute(SAMPLES["user_lock"], workdir=tmp_path)
    assert outcome.status == "failed" and not outcome.ok
    failed = [t for t in outcome.tasks if t.status == "failed"]
    assert failed and "could not be found" in failed[0].msg and "must exist" in outcome.message


def test_loop_task_names_never_reference_the_loop_item():
    """A task name is templated before its loop runs: 'item' there renders as '<< error ... undefined >>'."""
    for intent in [*SAMPLES.values(), MULTI]:
        for task in render_playbook(intent).playbook[0]["tasks"]:
            assert "item" not in task["name"], task["name"]
            if "loop" in task:
                assert "label" in task.get("loop_control", {}), task["name"]


def test_share_create_never_loosens_an_existing_directory_nor_follows_a_link():
    tasks = render_playbook(SAMPLES["share_create"]).playbook[0]["tasks"]
    play_vars = render_playbook(SAMPLES["share_create"]).playbook[0]["vars"]["step0"]
    stat = next(t for t in tasks if _module(t) == "ansible.builtin.stat")
    assert stat["ansible.builtin.stat"]["follow"] is False and stat["loop"] == "{{ step0.link_checks }}"
    assert play_vars["link_checks"] == ["/srv/media"]
    assert render_playbook({**SAMPLES["share_create"], "path": "/srv/a/b"}).playbook[0]["vars"]["step0"][
        "link_checks"
    ] == ["/srv/a", "/srv/a/b"]
    asserts = [t for t in tasks if _module(t) == "ansible.builtin.assert"]
    assert any("islnk" in t["ansible.builtin.assert"]["that"][0] for t in asserts)
    (mkdir,) = [t for t in tasks if _module(t) == "ansible.builtin.file"]
    assert mkdir["ansible.builtin.file"]["mode"] == "0775" and mkdir["ansible.builtin.file"]["follow"] is False
    assert "not " in mkdir["when"] and ".exists" in mkdir["when"]  # created (with its mode) only when absent
    cert = render_playbook(SAMPLES["cert_create"]).playbook[0]["tasks"]
    (pki_dir,) = [t for t in cert if _module(t) == "ansible.builtin.file"]
    assert ".exists" in pki_dir["when"]

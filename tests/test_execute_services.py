"""Real services on loopback: DNS intents applied to a BIND 9 server through RFC 2136, smb.conf checked by testparm."""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from microllm.execute import execute
from microllm.execute.services import BindServer, find_binary
from microllm.predictors import get_predictor

HAVE_ANSIBLE = (Path(sys.executable).parent / "ansible-playbook").exists() or shutil.which("ansible-playbook")
pytestmark = pytest.mark.skipif(not HAVE_ANSIBLE, reason="ansible-playbook not installed (pip install -e '.[execute]')")
needs_named = pytest.mark.skipif(
    not find_binary("named"), reason="BIND 9 'named' not installed (apt-get install bind9)"
)
needs_testparm = pytest.mark.skipif(
    not find_binary("testparm"), reason="Samba 'testparm' not installed (apt-get install samba-common-bin)"
)


@pytest.fixture(autouse=True)
def _workdirs_in_tmp_path(tmp_path, monkeypatch):
    """execute() without a workdir makes a temp dir: keep those under pytest's tmp_path."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))


@pytest.fixture(scope="module")
def bind():
    with BindServer(zones=("local", "example.com")) as server:
        yield server


@needs_named
def test_request_to_intent_to_applied_dns_change(bind, tmp_path):
    pred = get_predictor("rules").predict("Add DNS record api.local to 10.0.0.5")
    assert pred.intent == {"action": "dns_add", "name": "api.local", "record_type": "A", "value": "10.0.0.5"}

    preview = execute(pred.intent, extra_vars=bind.extra_vars(), workdir=tmp_path / "check")
    assert preview.status == "changed", preview.message  # check mode: would change...
    assert bind.query("api.local") == []  # ...but did not

    applied = execute(pred.intent, check=False, extra_vars=bind.extra_vars(), workdir=tmp_path / "apply")
    assert applied.status == "changed" and not applied.check, applied.message
    assert bind.query("api.local") == ["10.0.0.5"]

    again = execute(pred.intent, check=False, extra_vars=bind.extra_vars())
    assert again.status == "ok"  # idempotent

    updated = execute(
        {"action": "dns_update", "name": "api.local", "record_type": "A", "value": "10.0.0.6", "ttl": 60},
        check=False,
        extra_vars=bind.extra_vars(),
    )
    assert updated.status == "changed", updated.message
    assert bind.query("api.local") == ["10.0.0.6"]

    looked_up = execute({"action": "dns_lookup", "name": "api.local"}, extra_vars=bind.extra_vars())
    assert looked_up.status == "ok" and "10.0.0.6" in looked_up.tasks[0].msg

    removed = execute({"action": "dns_remove", "name": "api.local"}, check=False, extra_vars=bind.extra_vars())
    assert removed.status == "changed", removed.message
    assert bind.query("api.local") == []


@needs_named
def test_multi_mx_and_template_looking_txt_values_are_data(bind):
    intent = {
        "action": "multi",
        "steps": [
            {"action": "dns_add", "name": "mx1.example.com", "record_type": "A", "value": "10.0.0.25"},
            {
                "action": "dns_add",
                "name": "example.com",
                "record_type": "MX",
                "value": "mx1.example.com",
                "priority": 5,
            },
            {"action": "dns_add", "name": "note.example.com", "record_type": "TXT", "value": "{{ 7*7 }} no 123"},
        ],
    }
    outcome = execute(intent, check=False, extra_vars=bind.extra_vars())
    assert outcome.status == "changed", outcome.message
    assert bind.query("example.com", "MX") == ["5 mx1.example.com."]
    assert bind.query("note.example.com", "TXT") == ['"{{ 7*7 }} no 123"']  # never templated by ansible


@needs_named
def test_wrong_tsig_key_fails_with_the_module_message(bind, tmp_path):
    bad = tmp_path / "bad.secret"
    bad.write_text("c2VjcmV0LXRoYXQtaXMtd3Jvbmc=\n")
    intent = {"action": "dns_add", "name": "evil.local", "record_type": "A", "value": "10.9.9.9"}
    outcome = execute(intent, check=False, extra_vars={**bind.extra_vars(), "dns_key_file": str(bad)})
    assert outcome.status == "failed" and outcome.message
    assert bind.query("evil.local") == []


@needs_testparm
def test_share_actions_produce_an_smb_conf_that_testparm_accepts(tmp_path, monkeypatch):
    monkeypatch.setenv("MICROLLM_SHARE_ROOTS", str(tmp_path))  # shares live under allowed roots only
    conf = tmp_path / "smb.conf"
    conf.write_text("[global]\n   workgroup = WORKGROUP\n   security = user\n")
    ev = {"samba_conf": str(conf)}
    share = {"action": "share_create", "name": "family", "path": str(tmp_path / "family"), "read_only": False,
             "comment": "Family {{ 7*7 }}"}  # fmt: skip
    steps = [
        share,
        {"action": "share_grant_access", "share": "family", "username": "john", "access": "write"},
        {"action": "share_grant_access", "share": "family", "group": "staff2"},
    ]
    outcome = execute({"action": "multi", "steps": steps}, check=False, extra_vars=ev)
    assert outcome.status == "changed", outcome.message
    res = subprocess.run(
        [find_binary("testparm"), "-s", "--suppress-prompt", str(conf)], capture_output=True, text=True
    )
    assert res.returncode == 0, res.stderr
    section = res.stdout[res.stdout.index("[family]") :]
    assert "comment = Family {{ 7*7 }}" in section and "read only = No" in section
    assert "valid users = john @staff2" in section and "write list = john" in section
    assert (tmp_path / "family").is_dir()

    revoke = {"action": "share_revoke_access", "share": "family", "username": "john"}
    assert execute(revoke, check=False, extra_vars=ev).status == "changed"
    res = subprocess.run(
        [find_binary("testparm"), "-s", "--suppress-prompt", str(conf)], capture_output=True, text=True
    )
    assert "valid users = @staff2" in res.stdout and "invalid users = john" in res.stdout
    assert "write list" not in res.stdout

    # revoking the last entry would open the share to everyone: refused by the playbook, file untouched
    before = conf.read_text()
    last = execute({"action": "share_revoke_access", "share": "family", "group": "staff2"}, check=False, extra_vars=ev)
    assert last.status == "failed" and "open the share" in last.message
    assert conf.read_text() == before

    removed = execute({"action": "share_remove", "name": "family"}, check=False, extra_vars=ev)
    assert removed.status == "changed" and "[family]" not in conf.read_text()


@needs_testparm
def test_share_create_keeps_an_existing_directory_and_refuses_links(tmp_path, monkeypatch):
    monkeypatch.setenv("MICROLLM_SHARE_ROOTS", str(tmp_path))
    conf = tmp_path / "smb.conf"
    conf.write_text("[global]\n   workgroup = WORKGROUP\n")
    ev = {"samba_conf": str(conf)}
    existing = tmp_path / "private"
    existing.mkdir(mode=0o750)
    existing.chmod(0o750)
    outcome = execute({"action": "share_create", "name": "priv", "path": str(existing)}, check=False, extra_vars=ev)
    assert outcome.status == "changed", outcome.message
    assert existing.stat().st_mode & 0o777 == 0o750  # never loosened to 0775
    assert outcome.tasks and all("<< error" not in t.task and "undefined" not in t.task for t in outcome.tasks)
    fresh = tmp_path / "fresh" / "dir"
    assert execute({"action": "share_create", "name": "fresh", "path": str(fresh)}, check=False,
                   extra_vars=ev).status == "changed"  # fmt: skip
    assert fresh.is_dir() and fresh.stat().st_mode & 0o777 == 0o775

    target = tmp_path / "target"
    target.mkdir(mode=0o700)
    target.chmod(0o700)
    (tmp_path / "link").symlink_to(target)
    before = conf.read_text()
    for path in (tmp_path / "link", tmp_path / "link" / "sub"):
        linked = execute({"action": "share_create", "name": "linked", "path": str(path)}, check=False, extra_vars=ev)
        assert linked.status == "failed" and "symbolic link" in linked.message, linked.message
    assert target.stat().st_mode & 0o777 == 0o700 and not (target / "sub").exists()
    assert conf.read_text() == before

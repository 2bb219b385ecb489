"""One redactor for store, log, export and review: passwords in many phrasings never land in any file or table."""

from __future__ import annotations

import json
import logging
import sqlite3
import stat

import pytest

pytest.importorskip("sqlalchemy")

from microllm.feedback.export import export_jsonl  # noqa: E402
from microllm.feedback.redact import query_passwords, redact_intent, redact_text  # noqa: E402
from microllm.feedback.review import format_queue, queue  # noqa: E402
from microllm.feedback.store import DecisionStore  # noqa: E402
from microllm.predictors.base import Prediction  # noqa: E402
from microllm.serve.engine import Decision, validate  # noqa: E402
from microllm.serve.engine import redact_text as engine_redact_text  # noqa: E402

# (request, user, password): the phrasings that leaked before, and more, in several languages and shapes.
PHRASINGS = [
    ("Create user john with password Xq7!zebra-42", "john", "Xq7!zebra-42"),
    ("add user maria, pw: Tr0ub4dor&3", "maria", "Tr0ub4dor&3"),
    ("new account bob with the credentials Sup3rS3cret", "bob", "Sup3rS3cret"),
    ("set alice's password to 'correct horse battery'", "alice", "correct horse battery"),
    ("his secret is Blue-Moon-77, create user tim with it", "tim", "Blue-Moon-77"),
    ("créer l'utilisateur paul avec le mot de passe Soleil#2024", "paul", "Soleil#2024"),
    ("crear usuario ana con contraseña Luna$3456", "ana", "Luna$3456"),
    ("Benutzer hans anlegen, Passwort: Wald&Berg99", "hans", "Wald&Berg99"),
    ("criar usuário joao com senha Praia@123", "joao", "Praia@123"),
    ("crea l'utente luca con parola Pizza!789", "luca", "Pizza!789"),
    ("user add kim pass Kim2024!x", "kim", "Kim2024!x"),
    ('{"action": "user_add", "username": "eve", "password": "J$0n-Sh4ped"}', "eve", "J$0n-Sh4ped"),
    ("reset password for dave to N3wP@ss", "dave", "N3wP@ss"),
    ("passwd=Eq9^tree for user frank", "frank", "Eq9^tree"),
    ("useradd grace --password Gr@ce-2025", "grace", "Gr@ce-2025"),
    ("set the pw of heidi to H31di*pw", "heidi", "H31di*pw"),
    ("pwd for ivan: Iv@n_pass1", "ivan", "Iv@n_pass1"),
    ("Make Qz8#lemon the new password for judy", "judy", "Qz8#lemon"),
    ("user karl, secret: plainword", "karl", "plainword"),
    ("create mallory with passphrase 'open sesame 42'", "mallory", "open sesame 42"),
    ('password is "quoted-Pa55" for user niaj', "niaj", "quoted-Pa55"),
    ("change olivia's password to Olivia.2024!", "olivia", "Olivia.2024!"),
    ("peggy needs a new password: p3ggy_P4ss", "peggy", "p3ggy_P4ss"),
    ("wachtwoord voor sybil is Tulp!2024", "sybil", "Tulp!2024"),
    ("hasło dla trent: Kr4k0w#1", "trent", "Kr4k0w#1"),
    ("create user walter with password Wa1ter (temporary)", "walter", "Wa1ter"),
    ("{'password': 'Py-Dict_99', 'username': 'zoe'}", "zoe", "Py-Dict_99"),
    ("mot de passe de yves: Yv3s-Paris", "yves", "Yv3s-Paris"),
    ("contraseña para ximena es Xim3na!", "ximena", "Xim3na!"),
    ("with the credentials hunter2 create user uma", "uma", "hunter2"),
    ('{"password": "a \\"quoted\\" one", "username": "vic"}', "vic", 'a "quoted" one'),
    ("Passwort für wanda lautet Wanda-Pw-7", "wanda", "Wanda-Pw-7"),
]


def _leaks(data: bytes, password: str) -> bool:
    forms = {password, json.dumps(password)[1:-1], json.dumps(password, ensure_ascii=False)[1:-1]}
    return any(f.encode("utf-8") in data for f in forms if len(f) >= 3)


def test_there_are_enough_phrasings():
    assert len(PHRASINGS) >= 25 and len({p for _, _, p in PHRASINGS}) == len(PHRASINGS)


@pytest.mark.parametrize(("query", "user", "password"), PHRASINGS, ids=[p for _, _, p in PHRASINGS])
def test_the_wording_alone_reveals_the_password(query, user, password):
    assert password in query_passwords(query)
    assert password not in redact_text(query) and password not in engine_redact_text(query)
    assert password not in redact_text(query, {"action": "user_add", "username": user, "password": password})


@pytest.mark.parametrize("text", [
    "create a secret share called docs at /srv/docs",
    "pass the ticket to ops",
    "Create share called 'family' at /srv/shares/family",
    "Add DNS record api.local to 10.0.0.5",
    "john says the password reset email never arrived",
    "passwd -l john",
    "Open port 443/tcp from 10.0.0.0/8",
])  # fmt: skip
def test_requests_without_a_password_are_left_alone(text):
    assert redact_text(text) == text


def test_redact_intent_masks_every_password():
    steps = [{"action": "user_add", "username": "a", "password": "x1"},
             {"action": "user_set_password", "username": "b", "password": "y2"}]  # fmt: skip
    intent = {"action": "multi", "steps": steps}
    masked = redact_intent(intent)
    assert [s["password"] for s in masked["steps"]] == ["***", "***"] and intent["steps"][0]["password"] == "x1"


def test_no_password_reaches_any_file_or_table(tmp_path):
    db = tmp_path / "decisions.db"
    store = DecisionStore(f"sqlite:///{db}", key=b"k" * 32)
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    log_path = tmp_path / "service.log"
    logger = logging.getLogger("microllm.test.redact")
    handler = logging.FileHandler(log_path, encoding="utf-8")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    ids = []
    try:
        for query, user, password in PHRASINGS:
            intent = {"action": "user_add", "username": user, "password": password}
            # the model parsed it: the service logs the request and the decision, the store records it
            decision = validate(
                Decision(Prediction(intent, json.dumps(intent), 0.5, 1.0, None), "m", "micro", "r", 1.0)
            )
            logger.info("query=%s intent=%s validation=%s", engine_redact_text(query, intent),
                        json.dumps(redact_intent(intent)), decision.validation)  # fmt: skip
            ids.append(store.record(query, intent, "m", "micro", 0.5, 1.0, f"password {password} is weak",
                                    execution={"status": "failed", "ok": False,
                                               "message": f"ansible: {password} rejected"}))  # fmt: skip
            # the model failed: only the wording says where the password is
            logger.info("query=%s (no intent)", engine_redact_text(query))
            ids.append(store.record(query, None, "m", "micro", None, 1.0, f"not_json: {query}"))
        for (_query, user, password), i, j in zip(PHRASINGS, ids[0::2], ids[1::2], strict=True):
            # an execution message that repeats the password without any cue word (only decisions with an
            # intent are ever executed), then a human verifies it / corrects the one the model missed
            store.set_execution(i, {"status": "failed", "message": f"could not set {password}"})
            store.review(i, "verified")
            store.review(j, "corrected", {"action": "user_add", "username": user, "password": password})
        (tmp_path / "review.txt").write_text(format_queue(queue(store)), encoding="utf-8")
        report = export_jsonl(store, tmp_path / "export.jsonl")
        (tmp_path / "rejects.json").write_text(json.dumps(report["rejects"], ensure_ascii=False), encoding="utf-8")
        con = sqlite3.connect(db)
        con.row_factory = sqlite3.Row
        rows = [dict(r) for r in con.execute("select * from ai_decisions").fetchall()]
        con.close()
    finally:
        logger.removeHandler(handler)
        handler.close()
    # the redacted rows stay usable training rows; the JSON-escaped password ('a \"quoted\" one' in the request,
    # 'a "quoted" one' in the intent) gets two different fakes, so export refuses that row rather than guess
    assert report["rows"] == len(PHRASINGS) - 1, report["rejects"]
    assert {r["input"] for r in report["rejects"] if "does not contain" in r["reason"]} == {store.get(ids[-4])["query"]}
    table = json.dumps(rows, ensure_ascii=False).encode("utf-8")
    files = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    assert {"decisions.db", "service.log", "export.jsonl", "review.txt"} <= set(files)
    leaks = [(name, password) for _, _, password in PHRASINGS
             for name, data in [*files.items(), ("ai_decisions", table)] if _leaks(data, password)]  # fmt: skip
    assert leaks == []
    for name in ("decisions.db", "decisions.db-wal", "decisions.db-shm"):
        if (tmp_path / name).exists():
            assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600, name


def test_an_existing_world_readable_store_is_made_private(tmp_path):
    db = tmp_path / "old.db"
    DecisionStore(f"sqlite:///{db}", key=b"k").engine.dispose()
    db.chmod(0o644)
    DecisionStore(f"sqlite:///{db}", key=b"k")
    assert stat.S_IMODE(db.stat().st_mode) == 0o600

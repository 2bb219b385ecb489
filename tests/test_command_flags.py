"""userdel / usermod / gpasswd flags decide among the actions a model chose between; nothing else changes."""

from microllm.rules.command_flags import command_flags

ADD = {"action": "user_add_to_group", "username": "lars.e", "group": "editors"}
REMOVE = {**ADD, "action": "user_remove_from_group"}


def test_flags_pick_the_action_and_remove_home():
    assert command_flags(ADD, "usermod -r -G editors lars.e") == REMOVE
    assert command_flags(ADD, "sudo usermod -rG editors lars.e") == REMOVE
    assert command_flags(REMOVE, "usermod -a -G editors lars.e") == ADD
    assert command_flags(REMOVE, "usermod --append --groups editors lars.e") == ADD
    assert command_flags(ADD, "gpasswd -d lars.e editors") == REMOVE
    assert command_flags(REMOVE, "gpasswd --add lars.e editors") == ADD
    gone = {"action": "user_remove", "username": "yuki.s"}
    assert command_flags(gone, "userdel -r yuki.s") == {**gone, "remove_home": True}
    assert command_flags(gone, "sudo userdel --remove yuki.s") == {**gone, "remove_home": True}


def test_other_requests_and_answers_are_returned_unchanged():
    gone = {"action": "user_remove", "username": "yuki.s"}
    cases = [
        (ADD, "usermod -a -G editors lars.e"),  # already right
        (gone, "userdel yuki.s"),  # no -r
        (ADD, "Please run usermod -r -G editors lars.e"),  # not typed as the command
        (ADD, "usermod -G editors lars.e"),  # -G alone sets the list: neither add nor remove
        ({"action": "user_lock", "username": "lars.e"}, "usermod -L lars.e"),  # another family
        ({"action": "multi", "steps": [ADD, gone]}, "usermod -r -G editors lars.e"),
        ({**gone, "remove_home": True}, "userdel -r yuki.s"),
    ]
    for intent, text in cases:
        assert command_flags(intent, text) is intent, text
    assert command_flags(None, "userdel -r x") is None

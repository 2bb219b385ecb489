"""User and group templates (users domain)."""

from __future__ import annotations

from microllm.data.templates_base import Template, family

_U = {"username": "{user}"}
_UG = {"username": "{user}", "group": "{group}"}


def templates() -> list[Template]:
    """All users-domain templates."""
    t: list[Template] = []
    t += family(
        "user_add",
        "plain",
        _U,
        [
            ("imperative", "Create user {user}"),
            ("imperative", "Add a new user {user}"),
            ("command", "useradd {user}"),
            ("polite", "Could you please create an account for {user}?"),
            ("ticket", "{ticket}: new starter, create the login {user}"),
            ("question", "Can you set up a user account named {user}?"),
            ("passive", "A user account {user} should be created"),
            ("terse", "new user {user}"),
            ("context", "We have a new intern starting Monday, please add the user '{user}'"),
        ],
    )
    t += family(
        "user_add",
        "pw",
        {**_U, "password": "{password}"},
        [
            ("imperative", "Create user {user} with password {password}"),
            ("imperative", "Add user {user}, initial password '{password}'"),
            ("terse", "user add {user} pw {password}"),
            ("polite", "Please create the account {user} with the password {password}"),
            ("question", 'Can you add a user called "{user}" with password "{password}"?'),
            ("swapped", "With the password {password}, create a new user {user}"),
            ("ticket", "{ticket} - create account {user} / password: {password}"),
        ],
    )
    t += family(
        "user_add",
        "fullname",
        {**_U, "full_name": "{full_name}"},
        [
            ("imperative", "Create user {user} for {full_name}"),
            ("polite", "Could you set up a login for {full_name}? Username {user}"),
            ("terse", "new user {user} ({full_name})"),
            ("swapped", "Add an account for {full_name} with the username {user}"),
            ("passive", "An account {user} should be created for {full_name}"),
        ],
    )
    t += family(
        "user_add",
        "full",
        {**_U, "password": "{password}", "full_name": "{full_name}"},
        [
            ("imperative", 'Create user {user} (full name "{full_name}") with password {password}'),
            ("terse", "new user: {user}, full name {full_name}, password {password}"),
            (
                "context",
                "{full_name} starts today; create the account {user} for them with password {password}",
            ),
        ],
    )

    t += family(
        "user_remove",
        "plain",
        _U,
        [
            ("imperative", "Remove user {user}"),
            ("imperative", "Delete the account {user}"),
            ("command", "userdel {user}"),
            ("polite", "Could you please remove the user {user}?"),
            ("ticket", "{ticket}: leaver, delete user {user}"),
            ("question", "Can you get rid of the account {user}?"),
            ("passive", "The user {user} should be deleted"),
            ("context", "{user} left the company last week, remove the account"),
        ],
    )
    t += family(
        "user_remove",
        "home",
        {**_U, "remove_home": True},
        [
            ("imperative", "Delete user {user} and remove the home directory"),
            ("command", "userdel -r {user}"),
            ("polite", "Please remove the account {user} including the home folder"),
            ("context", "{user} has left; delete the account and wipe the home directory too"),
        ],
    )
    t += family(
        "user_remove",
        "keephome",
        {**_U, "remove_home": False},
        [
            ("imperative", "Remove user {user} but keep the home directory"),
            ("polite", "Please delete the account {user}, keep {pron_pos} home folder though"),
            ("terse", "remove user {user}, keep home"),
        ],
    )

    t += family(
        "user_set_password",
        "main",
        {**_U, "password": "{password}"},
        [
            ("imperative", "Set password for {user} to {password}"),
            ("imperative", "Reset {user}'s password to {password}"),
            ("command", "passwd {user} {password}"),
            ("polite", "Could you please change the password of {user} to '{password}'?"),
            ("ticket", "{ticket}: {user} locked out, set the password to {password}"),
            ("question", 'Can you set the password of user {user} to "{password}"?'),
            ("passive", "The password for {user} should be changed to {password}"),
            ("context", "{user} forgot their password, please set it to {password}"),
            ("swapped", "Make {password} the new password for {user}"),
            ("terse", "pw {user} {password}"),
            ("imperative", "Change the password of the account {user}; the new one is {password}"),
            ("ticket", "{ticket} password reset for {user} -> {password}"),
            ("polite", "Please update {user}'s password, use {password}"),
        ],
    )

    t += family(
        "user_add_to_group",
        "main",
        _UG,
        [
            ("imperative", "Add {user} to {group} group"),
            ("imperative", "Put {user} in the {group} group"),
            ("command", "usermod -aG {group} {user}"),
            ("polite", "Could you please add {user} to the group {group}?"),
            ("ticket", "{ticket}: {user} needs membership in {group}"),
            ("question", "Can you make {user} a member of {group}?"),
            ("passive", "{user} should be added to the {group} group"),
            ("context", "{user} joined the team, so add them to {group}"),
            ("swapped", "Add to the {group} group the user {user}"),
            ("terse", "group {group} += {user}"),
            ("command", "gpasswd -a {user} {group}"),
            ("imperative", "Grant {user} membership of the {group} group"),
        ],
    )
    t += family(
        "user_remove_from_group",
        "main",
        _UG,
        [
            ("imperative", "Remove {user} from the {group} group"),
            ("imperative", "Take {user} out of {group}"),
            ("command", "gpasswd -d {user} {group}"),
            ("polite", "Could you please remove {user} from group {group}?"),
            ("ticket", "{ticket}: revoke {group} group membership for {user}"),
            ("question", "Can you drop {user} from {group}?"),
            ("passive", "{user} should no longer be a member of {group}"),
            ("context", "{user} moved teams, remove them from the {group} group"),
            ("swapped", "From the {group} group, remove {user}"),
            ("terse", "group {group} -= {user}"),
            ("command", "deluser {user} {group}"),
            ("polite", "Please drop {user} from the {group} group"),
        ],
    )
    t += family(
        "user_lock",
        "main",
        _U,
        [
            ("imperative", "Lock the account {user}"),
            ("imperative", "Disable user {user}"),
            ("command", "usermod -L {user}"),
            ("polite", "Could you please lock {user}'s account?"),
            ("ticket", "{ticket}: suspicious logins, lock user {user} now"),
            ("question", "Can you lock out {user}?"),
            ("passive", "The account {user} should be locked"),
            ("context", "{user} is on parental leave from tomorrow, please lock the account"),
            ("terse", "lock {user}"),
            ("command", "passwd -l {user}"),
            ("swapped", "Until further notice, lock {user}"),
            ("polite", "Please block logins for the account {user}"),
        ],
    )
    t += family(
        "user_unlock",
        "main",
        _U,
        [
            ("imperative", "Unlock the account {user}"),
            ("imperative", "Re-enable user {user}"),
            ("command", "usermod -U {user}"),
            ("polite", "Could you please unlock {user}?"),
            ("ticket", "{ticket}: {user} is locked out, unlock the account"),
            ("question", "Can you unlock the user {user}?"),
            ("passive", "The account {user} should be unlocked again"),
            ("context", "{user} is back from leave, unlock their account"),
            ("terse", "unlock {user}"),
            ("command", "passwd -u {user}"),
            ("swapped", "Unlock {user}, the account was locked by mistake"),
            ("polite", "Please let {user} log in again, the account is locked"),
        ],
    )
    t += family(
        "group_add",
        "main",
        {"group": "{group}"},
        [
            ("imperative", "Create group {group}"),
            ("imperative", "Add a new group called {group}"),
            ("command", "groupadd {group}"),
            ("polite", "Could you please create the group '{group}'?"),
            ("ticket", "{ticket}: new team, we need a group named {group}"),
            ("question", "Can you set up a {group} group?"),
            ("passive", "A group {group} should be created"),
            ("context", "We are starting a new project, create the group {group} for it"),
            ("terse", "new group {group}"),
            ("swapped", 'The group "{group}" needs to be created'),
            ("command", "addgroup {group}"),
            ("polite", "Please set up the {group} group"),
        ],
    )
    t += family(
        "group_remove",
        "main",
        {"group": "{group}"},
        [
            ("imperative", "Delete group {group}"),
            ("imperative", "Remove the {group} group"),
            ("command", "groupdel {group}"),
            ("polite", "Could you please remove the group '{group}'?"),
            ("ticket", "{ticket}: clean-up, drop group {group}"),
            ("question", "Can you delete the {group} group?"),
            ("passive", "The group {group} should be removed"),
            ("context", "The {group} team was dissolved, delete the group"),
            ("terse", "rm group {group}"),
            ("swapped", "The group {group} is obsolete, remove it"),
            ("command", "delgroup {group}"),
            ("polite", "Please get rid of the {group} group"),
        ],
    )
    return t

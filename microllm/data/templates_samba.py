"""Samba share templates: share_create (with read_only / guest_ok / comment), share_remove, access grants."""

from __future__ import annotations

from microllm.data.templates_base import Template, family

_SC = {"name": "{share}", "path": "{path}"}
_GU = {"share": "{share}", "username": "{user}"}
_GG = {"share": "{share}", "group": "{group}"}


def templates() -> list[Template]:
    """All samba-domain templates."""
    t: list[Template] = []
    t += family(
        "share_create",
        "plain",
        _SC,
        [
            ("imperative", "Create share called '{share}' at {path}"),
            ("imperative", "Create a samba share {share} for {path}"),
            ("terse", "share add {share} {path}"),
            ("polite", "Could you please share {path} as '{share}'?"),
            ("ticket", "{ticket}: new SMB share {share} on {path}"),
            ("question", "Can you set up a share named {share} pointing at {path}?"),
            ("passive", "A share {share} should be created for the folder {path}"),
            ("swapped", "Export {path} over samba under the name {share}"),
            ("context", "The scanner drops files into {path}; create a share '{share}' for it"),
            ("command", "net usershare add {share} {path}"),
            ("imperative", "Make a new file share {share} with path {path}"),
        ],
    )
    t += family(
        "share_create",
        "ro",
        {**_SC, "read_only": True},
        [
            ("imperative", "Create a read-only share {share} at {path}"),
            ("terse", "share add {share} {path} read only"),
            ("polite", "Please share {path} as {share}, read-only"),
            ("context", "Auditors need to browse {path}; share it as '{share}' but make it read only"),
        ],
    )
    t += family(
        "share_create",
        "rw",
        {**_SC, "read_only": False},
        [
            ("imperative", "Create a writable share {share} at {path}"),
            ("polite", "Could you create the share '{share}' on {path}, not read-only?"),
        ],
    )
    t += family(
        "share_create",
        "guest",
        {**_SC, "guest_ok": True},
        [
            ("imperative", "Create a guest-accessible share {share} at {path}"),
            ("polite", "Please set up a share {share} on {path} with guest access allowed"),
            ("terse", "share add {share} {path} guest ok"),
        ],
    )
    t += family(
        "share_create",
        "noguest",
        {**_SC, "guest_ok": False},
        [
            ("imperative", "Create share {share} at {path} with no guest access"),
            ("passive", "A share {share} for {path} should be created, guests must not be allowed"),
        ],
    )
    t += family(
        "share_create",
        "comment",
        {**_SC, "comment": "{comment}"},
        [
            ("imperative", 'Create share {share} at {path} with comment "{comment}"'),
            ("terse", 'share add {share} {path} comment "{comment}"'),
            ("polite", "Could you create the share '{share}' ({path})? Description: \"{comment}\""),
        ],
    )
    t += family(
        "share_create",
        "ro_guest",
        {**_SC, "read_only": True, "guest_ok": True},
        [
            ("imperative", "Create a read-only share {share} at {path} that guests can open"),
            ("terse", "share add {share} {path} read only, guest ok"),
        ],
    )
    t += family(
        "share_create",
        "full",
        {**_SC, "read_only": False, "guest_ok": False, "comment": "{comment}"},
        [
            ("imperative", 'Create a writable share {share} at {path}, no guests, comment "{comment}"'),
        ],
    )

    t += family(
        "share_remove",
        "main",
        {"name": "{share}"},
        [
            ("imperative", "Remove the share {share}"),
            ("imperative", "Delete samba share '{share}'"),
            ("terse", "share rm {share}"),
            ("polite", "Could you please remove the {share} share?"),
            ("ticket", "{ticket}: decommission the {share} share"),
            ("question", "Can you delete the share called {share}?"),
            ("passive", "The share {share} should be removed"),
            ("context", "Nobody uses the {share} share anymore, remove it"),
            ("imperative", "Stop sharing {share}"),
            ("command", "net usershare delete {share}"),
            ("swapped", 'The "{share}" share can go, delete it'),
            ("polite", "Please take the {share} share offline and remove it"),
        ],
    )

    t += family(
        "share_grant_access",
        "user",
        _GU,
        [
            ("imperative", "Give {user} access to {share} share"),
            ("imperative", "Grant {user} access to the {share} share"),
            ("terse", "share {share} allow {user}"),
            ("polite", "Could you please give {user} access to the share '{share}'?"),
            ("ticket", "{ticket}: {user} needs access to {share}"),
            ("question", "Can you let {user} into the {share} share?"),
            ("passive", "{user} should be given access to the {share} share"),
            ("swapped", "On the {share} share, allow user {user}"),
            ("context", "{user} joined accounting; add them to the {share} share"),
        ],
    )
    t += family(
        "share_grant_access",
        "user_rw",
        {**_GU, "access": "write"},
        [
            ("imperative", "Give {user} write access to the {share} share"),
            ("polite", "Please grant {user} read-write access on '{share}'"),
            ("passive", "{user} should be able to write to the {share} share"),
            ("terse", "share {share} allow {user} rw"),
            ("context", "{user} needs to upload scans, give them write access to {share}"),
        ],
    )
    t += family(
        "share_grant_access",
        "user_ro",
        {**_GU, "access": "read"},
        [
            ("imperative", "Give {user} read-only access to {share}"),
            ("question", "Can you grant {user} read access on the {share} share?"),
            ("terse", "share {share} allow {user} ro"),
        ],
    )
    t += family(
        "share_grant_access",
        "group",
        _GG,
        [
            ("imperative", "Give the {group} group access to the {share} share"),
            ("polite", "Could you grant group {group} access to '{share}'?"),
            ("terse", "share {share} allow @{group}"),
            ("passive", "Members of {group} should get access to {share}"),
        ],
    )
    t += family(
        "share_grant_access",
        "group_rw",
        {**_GG, "access": "write"},
        [
            ("imperative", "Grant the group {group} write access to {share}"),
            ("context", "The {group} team edits files in {share}, give the group write access"),
        ],
    )
    t += family(
        "share_grant_access",
        "group_ro",
        {**_GG, "access": "read"},
        [
            ("imperative", "Give group {group} read access to the {share} share"),
            ("polite", "Please let the {group} group read {share}, read-only"),
        ],
    )

    t += family(
        "share_revoke_access",
        "user",
        _GU,
        [
            ("imperative", "Revoke {user}'s access to {share}"),
            ("imperative", "Remove {user} from the {share} share"),
            ("terse", "share {share} deny {user}"),
            ("polite", "Could you please take away {user}'s access to the '{share}' share?"),
            ("ticket", "{ticket}: {user} should no longer see {share}"),
            ("question", "Can you revoke access to {share} for {user}?"),
            ("passive", "{user} should lose access to the {share} share"),
            ("context", "{user} moved to sales, remove their access to {share}"),
            ("swapped", "On the {share} share, revoke user {user}"),
            ("imperative", "Take {user} off the {share} share"),
        ],
    )
    t += family(
        "share_revoke_access",
        "group",
        _GG,
        [
            ("imperative", "Revoke the {group} group's access to {share}"),
            ("polite", "Please remove group {group} from the share '{share}'"),
            ("terse", "share {share} deny @{group}"),
            ("passive", "The {group} group should no longer have access to {share}"),
            ("context", "{share} holds salary data now, so take away access for the group {group}"),
        ],
    )
    return t

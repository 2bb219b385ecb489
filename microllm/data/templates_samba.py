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
        "share_create",
        "alt",
        _SC,
        [
            ("command", "[{share}] path = {path}"),
            ("imperative", "Set up a Samba share {share} on {path}"),
            ("imperative", "Share the folder {path} as {share}"),
            ("imperative", "Publish {path} on the network as '{share}'"),
            ("imperative", "Add an SMB share named {share} pointing to {path}"),
            ("imperative", "Create a CIFS share {share} for {path}"),
            ("terse", "smb share {share} -> {path}"),
            ("terse", "new share {share} path={path}"),
            ("ticket", "{ticket}: please share {path} as {share}"),
            ("ticket", "[{ticket}] New file share '{share}' ({path})"),
            ("question", "Could you make {path} available as a share called {share}?"),
            ("question", "Can we get an SMB share {share} for {path}?"),
            ("passive", "{path} should be shared on the network as {share}"),
            ("swapped", "{path} -> share it as {share}"),
            ("swapped", "Under the name {share}, share out {path}"),
            ("context", "The design team needs a place for drafts; create a share '{share}' at {path}"),
            ("context", "Windows clients need to reach {path}, so export it over SMB as {share}"),
            ("polite", "Hi, could you set up a network share {share} at {path}? Thanks"),
            ("polite", "Please add a share called {share} with the path {path}"),
        ],
    )
    t += family(
        "share_create",
        "ro_alt",
        {**_SC, "read_only": True},
        [
            ("command", "[{share}] path = {path}, read only = yes"),
            ("imperative", "Share {path} as {share}, read only"),
            ("imperative", "Set up a read-only SMB share {share} for {path}"),
            ("terse", "share add {share} {path} ro"),
            ("ticket", "{ticket}: read-only share {share} on {path}"),
            ("question", "Can you share {path} as '{share}' without write access?"),
            ("passive", "{path} should be shared as {share}, read-only"),
            ("context", "The installers in {path} must not be changed; share them as {share}, read only"),
        ],
    )
    t += family(
        "share_create",
        "rw_alt",
        {**_SC, "read_only": False},
        [
            ("command", "[{share}] path = {path}, writable = yes"),
            ("command", "[{share}] path = {path}, read only = no"),
            ("imperative", "Create a read-write share {share} at {path}"),
            ("terse", "share add {share} {path} rw"),
            ("question", "Can you set up a writable share {share} on {path}?"),
            ("context", "People need to save files into {path}; share it as {share} with write access enabled"),
        ],
    )
    t += family(
        "share_create",
        "guest_alt",
        {**_SC, "guest_ok": True},
        [
            ("command", "[{share}] path = {path}, guest ok = yes"),
            ("imperative", "Create a share {share} at {path} that allows anonymous guest access"),
            ("question", "Could you share {path} as {share} and allow guests?"),
            ("context", "Visitors need the brochures in {path}, so share it as {share} with guest access"),
        ],
    )
    t += family(
        "share_create",
        "noguest_alt",
        {**_SC, "guest_ok": False},
        [
            ("command", "[{share}] path = {path}, guest ok = no"),
            ("imperative", "Create share {share} on {path}, guests not allowed"),
            ("context", "{path} holds internal files; share it as {share} but disable guest access"),
        ],
    )
    t += family(
        "share_create",
        "comment_alt",
        {**_SC, "comment": "{comment}"},
        [
            ("command", "[{share}] path = {path}, comment = {comment}"),
            ("imperative", 'Share {path} as {share} and describe it as "{comment}"'),
            ("ticket", '{ticket}: new share {share} at {path}, comment: "{comment}"'),
            ("question", "Can you create a share {share} for {path} with the description '{comment}'?"),
            ("swapped", 'With the comment "{comment}", share {path} as {share}'),
            ("passive", 'A share {share} should be created at {path}, labelled "{comment}"'),
        ],
    )
    t += family(
        "share_create",
        "ro_comment",
        {**_SC, "read_only": True, "comment": "{comment}"},
        [
            ("imperative", 'Create a read-only share {share} at {path} with comment "{comment}"'),
            ("terse", 'share add {share} {path} ro comment="{comment}"'),
        ],
    )
    t += family(
        "share_create",
        "rw_guest",
        {**_SC, "read_only": False, "guest_ok": True},
        [
            ("imperative", "Create a writable share {share} at {path} that guests can use"),
            ("command", "[{share}] path = {path}, writable = yes, guest ok = yes"),
        ],
    )
    t += family(
        "share_create",
        "ro_noguest",
        {**_SC, "read_only": True, "guest_ok": False},
        [
            ("imperative", "Create a read-only share {share} at {path}, no guest access"),
        ],
    )
    t += family(
        "share_create",
        "guest_comment",
        {**_SC, "guest_ok": True, "comment": "{comment}"},
        [
            ("polite", 'Please create a guest-accessible share {share} at {path} with the comment "{comment}"'),
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
        "share_remove",
        "alt",
        {"name": "{share}"},
        [
            ("command", "net conf delshare {share}"),
            ("imperative", "Delete the {share} share"),
            ("imperative", "Unshare {share}"),
            ("imperative", "Decommission the SMB share {share}"),
            ("imperative", "Get rid of the share called {share}"),
            ("imperative", "Drop the samba share {share}"),
            ("imperative", "Tear down the {share} file share"),
            ("imperative", "Remove the [{share}] section from smb.conf"),
            ("imperative", "Stop exporting the {share} share"),
            ("terse", "share del {share}"),
            ("terse", "-share {share}"),
            ("ticket", "{ticket}: remove share {share}"),
            ("ticket", "[{ticket}] Share cleanup - delete '{share}'"),
            ("question", "Could you remove the {share} share from the file server?"),
            ("question", "Can the share {share} be deleted?"),
            ("passive", "The {share} share is no longer needed and should be removed"),
            ("passive", "The samba share {share} has to be deleted"),
            ("swapped", "{share} - please remove this share"),
            ("swapped", "From the file server, remove the share {share}"),
            ("context", "The {share} project is archived, so delete the share"),
            ("context", "We migrated everything to the new NAS; remove the old {share} share"),
            ("context", "Since nobody has opened {share} in a year, delete that share"),
            ("polite", "Would you mind deleting the share {share}?"),
            ("polite", "Please remove the samba share '{share}', thanks"),
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
        "share_grant_access",
        "user_alt",
        _GU,
        [
            ("imperative", "Allow {user} on the {share} share"),
            ("imperative", "Let {user} access the {share} share"),
            ("imperative", "Add {user} to the valid users of {share}"),
            ("terse", "{share}: +{user}"),
            ("ticket", "{ticket}: grant {user} access to share {share}"),
            ("ticket", "[{ticket}] Access request - {user} -> {share}"),
            ("question", "Could {user} get access to the {share} share?"),
            ("question", "Can you give user {user} access to '{share}'?"),
            ("passive", "Access to {share} should be granted to {user}"),
            ("swapped", "To the {share} share, add access for {user}"),
            ("context", "{user} is covering for a colleague this week; give {pron} access to {share}"),
            ("context", "Since {user} now works on the {share} files, grant {pron} access to that share"),
            ("polite", "Would you mind granting {user} access to {share}?"),
            ("imperative", "Grant access to the {share} share for {user}"),
        ],
    )
    t += family(
        "share_grant_access",
        "user_rw_alt",
        {**_GU, "access": "write"},
        [
            ("imperative", "Give {user} read-write access to {share}"),
            ("imperative", "Add {user} to the write list of {share}"),
            ("terse", "{share}: {user} rw"),
            ("ticket", "{ticket}: {user} needs write permission on the {share} share"),
            ("question", "Could {user} get write access to {share}?"),
            ("swapped", "On {share}, let {user} read and write"),
            ("context", "{user} has to upload invoices to {share}, so give {pron} write access"),
            ("polite", "Please let {user} modify files on the {share} share"),
        ],
    )
    t += family(
        "share_grant_access",
        "user_ro_alt",
        {**_GU, "access": "read"},
        [
            ("imperative", "Let {user} read the {share} share, but not write to it"),
            ("imperative", "Add {user} to the read list of {share}"),
            ("terse", "{share}: {user} ro"),
            ("ticket", "{ticket}: read-only access to {share} for {user}"),
            ("passive", "{user} should be able to view {share}, read only"),
            ("context", "{user} only needs to look at the files in {share}; grant read access"),
            ("polite", "Please give {user} view-only access to the {share} share"),
        ],
    )
    t += family(
        "share_grant_access",
        "group_alt",
        _GG,
        [
            ("imperative", "Allow the group {group} on {share}"),
            ("imperative", "Add @{group} to the valid users of {share}"),
            ("terse", "{share}: +@{group}"),
            ("ticket", "{ticket}: {group} team needs access to the {share} share"),
            ("question", "Can everyone in {group} get access to {share}?"),
            ("swapped", "To the {share} share, give access to the {group} group"),
            ("context", "The {group} people start using {share} next week, so give the group access"),
        ],
    )
    t += family(
        "share_grant_access",
        "group_rw_alt",
        {**_GG, "access": "write"},
        [
            ("imperative", "Give the {group} group read-write access to {share}"),
            ("terse", "{share}: @{group} rw"),
            ("question", "Can members of {group} get write access on {share}?"),
            ("polite", "Please add group {group} to the write list of the {share} share"),
        ],
    )
    t += family(
        "share_grant_access",
        "group_ro_alt",
        {**_GG, "access": "read"},
        [
            ("imperative", "Give {group} members read-only access to {share}"),
            ("terse", "{share}: @{group} ro"),
            ("question", "Could the {group} group get read access to the {share} share?"),
            ("context", "Auditors in {group} must not change anything in {share}; give the group read-only access"),
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
    t += family(
        "share_revoke_access",
        "user_alt",
        _GU,
        [
            ("imperative", "Remove {user}'s access to the {share} share"),
            ("imperative", "Take away {user}'s permissions on {share}"),
            ("imperative", "Cut off {user} from the {share} share"),
            ("imperative", "Remove {user} from the valid users of {share}"),
            ("imperative", "Deny {user} access to the {share} share from now on"),
            ("imperative", "Revoke access to {share} for {user}"),
            ("terse", "{share}: -{user}"),
            ("terse", "revoke {user} from share {share}"),
            ("ticket", "{ticket}: remove access to {share} for {user}"),
            ("ticket", "[{ticket}] Leaver {user} - revoke access to share {share}"),
            ("question", "Could you take {user} off the {share} share?"),
            ("question", "Can {user}'s access to {share} be removed?"),
            ("passive", "Access to {share} should be revoked for {user}"),
            ("passive", "{user} must no longer be able to open {share}"),
            ("swapped", "From the {share} share, remove user {user}"),
            ("context", "{user} finished the audit, so revoke {pron_pos} access to {share}"),
            ("context", "Since {user} moved to another department, {user} should not see {share} anymore; revoke it"),
            ("polite", "Would you mind revoking {user}'s access to {share}?"),
            ("polite", "Please remove {user} from the allowed users of the {share} share"),
        ],
    )
    t += family(
        "share_revoke_access",
        "group_alt",
        _GG,
        [
            ("imperative", "Remove the {group} group from the {share} share"),
            ("imperative", "Take away access to {share} for group {group}"),
            ("terse", "{share}: -@{group}"),
            ("ticket", "{ticket}: revoke group {group} access on {share}"),
            ("question", "Can you remove group {group}'s access to {share}?"),
            ("swapped", "From the {share} share, revoke the group {group}"),
            ("context", "The {group} team no longer works on {share}, so revoke the group's access"),
            ("polite", "Would you mind removing @{group} from the valid users of {share}?"),
            ("passive", "Members of {group} should lose access to the {share} share"),
        ],
    )
    return t

"""Execute intents with Ansible: one playbook per intent, check mode by default.

``render_playbook(intent)`` builds the playbook (a table of per-action task builders);
``execute(intent, ...)`` validates, refuses what is unsafe before any file exists, runs
``ansible-playbook`` and returns a structured :class:`Outcome`. ``microllm.execute.services``
starts throwaway BIND 9 servers on loopback for tests and demos.
"""

from .render import BUILDERS, NotExecutableError, Rendered, render_playbook, to_yaml
from .run import Outcome, TaskResult, execute

__all__ = [
    "BUILDERS",
    "NotExecutableError",
    "Outcome",
    "Rendered",
    "TaskResult",
    "execute",
    "render_playbook",
    "to_yaml",
]

"""Example tasks of installed Ansible module documentation, read without executing anything.

A module file's ``EXAMPLES`` string is found with :mod:`ast` (or, for a module whose docs are a ``.yml`` file, as
that file's ``EXAMPLES`` key) and parsed with ``yaml.SafeLoader``; each task keeps its ``name:`` (human-written),
the module it calls, its arguments and its line in the module file.
"""

from __future__ import annotations

import ast
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

# Task keywords that are not a module call (playbook syntax, not arguments).
TASK_KEYWORDS = frozenset({
    "name", "register", "when", "become", "become_user", "become_method", "tags", "vars", "notify", "delegate_to",
    "run_once", "changed_when", "failed_when", "ignore_errors", "no_log", "environment", "check_mode", "diff",
    "retries", "until", "delay", "args", "loop_control", "connection", "async", "poll", "throttle", "module_defaults",
    "any_errors_fatal", "local_action", "debugger", "timeout", "collections", "listen",
})  # fmt: skip
LOOP_KEYS = ("loop", "with_items", "with_dict", "with_list", "with_nested", "with_together", "with_fileglob",
             "with_subelements", "with_sequence", "with_indexed_items")  # fmt: skip
NESTED_KEYS = ("tasks", "pre_tasks", "post_tasks", "block", "rescue", "always", "handlers")


@dataclass(frozen=True)
class ExampleTask:
    """One task of a module's EXAMPLES: its name, the module called, the arguments, where it is."""

    file: str  # relative to site-packages
    line: int  # 1-based line in the module file
    name: str | None
    module: str | None  # as written: "community.general.ufw" or "ufw"
    args: object = None
    loop: bool = False
    extra: dict = field(default_factory=dict)  # other task keys (when, register, ...)


class _LineLoader(yaml.SafeLoader):
    """A SafeLoader that remembers the 0-based line of every mapping it builds (by object id)."""

    def __init__(self, stream):
        super().__init__(stream)
        self.lines: dict[int, int] = {}

    def construct_mapping(self, node, deep=False):
        mapping = super().construct_mapping(node, deep=deep)
        self.lines[id(mapping)] = node.start_mark.line
        return mapping


# Mappings are built through construct_yaml_map (a generator that fills the dict later): route it through
# construct_mapping so that every mapping gets a line.
def _construct_map(loader: _LineLoader, node):
    data: dict = {}
    yield data
    data.update(loader.construct_mapping(node))
    loader.lines[id(data)] = node.start_mark.line


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)


def yaml_doc_examples(text: str) -> tuple[str | None, int]:
    """The ``EXAMPLES`` key of a YAML documentation file (a module written in PowerShell keeps its docs in a
    ``.yml`` file beside the ``.ps1``) and the 1-based line of its first text line (``(None, 0)`` when absent)."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None, 0
    if not isinstance(node, yaml.MappingNode):
        return None, 0
    for key, value in node.value:
        if key.value == "EXAMPLES" and isinstance(value, yaml.ScalarNode):
            # A block scalar (``EXAMPLES: |``) starts on the line after its indicator; the mark is 0-based.
            return value.value, value.start_mark.line + (2 if value.style in ("|", ">") else 1)
    return None, 0


def examples_string(path: str | Path) -> tuple[str | None, int]:
    """The module's ``EXAMPLES`` string and the line it starts on (``(None, 0)`` when it has none); from a Python
    module or, for a ``.yml`` / ``.yaml`` path, from a YAML documentation file."""
    if Path(path).suffix in (".yml", ".yaml"):
        return yaml_doc_examples(Path(path).read_text(encoding="utf-8"))
    tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if any(isinstance(t, ast.Name) and t.id == "EXAMPLES" for t in targets):
            if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                return node.value.value, node.value.lineno
    return None, 0


def free_form_args(text: str) -> dict | None:
    """``"name=foo state=absent"`` -> ``{"name": "foo", "state": "absent"}``; None unless every token is key=value."""
    try:
        tokens = shlex.split(text)
    except ValueError:
        return None
    if not tokens or not all("=" in t for t in tokens):
        return None
    return dict(t.split("=", 1) for t in tokens)


def _tasks(node: object, lines: dict[int, int]) -> Iterator[tuple[dict, int]]:
    """Every task mapping below ``node`` (plays, blocks and task lists walked), with its 0-based line."""
    if isinstance(node, list):
        for item in node:
            yield from _tasks(item, lines)
    elif isinstance(node, dict):
        nested = [k for k in NESTED_KEYS if isinstance(node.get(k), list)]
        if nested:
            for k in nested:
                yield from _tasks(node[k], lines)
        else:
            yield node, lines.get(id(node), 0)


def example_tasks(path: str | Path, root: str | Path) -> tuple[list[ExampleTask], str | None]:
    """The example tasks of one module file (``root``: site-packages, for relative paths), and why there are none
    when the EXAMPLES string is missing or is not YAML."""
    rel = str(Path(path).relative_to(root))
    text, start = examples_string(path)
    if text is None:
        return [], "no_examples"
    loader = _LineLoader(text)
    try:
        data = loader.get_single_data()
    except yaml.YAMLError:
        return [], "examples_not_yaml"
    finally:
        loader.dispose()
    out = []
    for task, line0 in _tasks(data, loader.lines):
        keys = [k for k in task if k not in TASK_KEYWORDS and k not in LOOP_KEYS]
        module = keys[0] if len(keys) == 1 else None
        args = task.get(module) if module else None
        if isinstance(args, str):
            args = free_form_args(args) or args
        if module and isinstance(task.get("args"), dict) and isinstance(args, dict | type(None)):
            args = {**(args or {}), **task["args"]}
        name = task.get("name")
        out.append(
            ExampleTask(
                file=rel,
                line=start + line0,
                name=name if isinstance(name, str) else None,
                module=module,
                args=args,
                loop=any(k in task for k in LOOP_KEYS),
                extra={k: task[k] for k in task if k in TASK_KEYWORDS and k != "name"},
            )
        )
    return out, None

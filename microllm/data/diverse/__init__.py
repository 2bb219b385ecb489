"""A request generator built for diversity: compositional phrase grammars instead of fixed templates.

A request is a composition of independently drawn parts: an operation's slots (realistic values,
:mod:`~microllm.data.diverse.values`), a genre that says them (:mod:`~microllm.data.diverse.genres`: imperative,
chat, ticket, Ansible task, exam task, man page, shell command, ``key=value``, arrows, ...), the phrase grammar of
the operation in that genre (:mod:`~microllm.data.diverse.lexicon`: verb synonyms, slot orders, prepositions) and a
wrapper (context sentences, reminders, conditions, urgency), with abbreviations, casing changes and typos that never
touch a value the gold copies. ``multi``, ``clarify`` and ``unknown`` compose the same parts
(:mod:`~microllm.data.diverse.compose`). Splits hold out whole (action, genre) compositions
(:func:`~microllm.data.diverse.build.split_of`).
"""

from microllm.data.diverse.build import build_diverse, compositions, held_out, parse_template, split_of
from microllm.data.diverse.check import copied_value_problems
from microllm.data.diverse.dataset import build_for_config, write_built

__all__ = [
    "build_diverse",
    "build_for_config",
    "compositions",
    "copied_value_problems",
    "held_out",
    "parse_template",
    "split_of",
    "write_built",
]

"""The domain: what a subject, a role, a list entry and a measure are, and how a
restriction follows from them.

Subpackages, lowest layer first (docs/architecture.md; ``tests/test_layout.py``
keeps the order): ``vocabulary`` (kinds, days, free text), ``errors`` and
``settings``; ``store`` (adapters over ``cypher``); ``identity`` (identifiers,
names, regions, the keyed hash, key -> subject) and ``catalogue`` (lists,
measures, rules, terms as data); ``lifecycle`` (acts, history, propagation,
tasks); ``check`` (is this subject restricted, and why); ``views`` (the graph and
entry views); ``privacy`` (what each reader may see). A subpackage imports only
from those below it.
"""

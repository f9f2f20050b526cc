"""The rules as data: lists, measures, target roles, terms, legal bases and the action
tree, read from the versioned YAML under ``data/`` (``model``, ``specs``,
``actions``, ``terms``, ``workdays``) and published for policy officers
(``publish``). Imports vocabulary and errors only.
"""

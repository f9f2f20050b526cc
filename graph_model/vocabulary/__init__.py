"""The words every layer shares: subject kinds, role types, entry states, keys and
labels (``kinds``), and the days an input may name, with date arithmetic (``days``).
Imports nothing of the project, so ``cypher`` and the store can use it.
"""

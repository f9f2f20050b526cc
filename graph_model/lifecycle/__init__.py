"""A list entry's life with due process: the acts a registrar submits (``acts``), the
transitions that record them (``transitions``), the dated history they build
(``history``), the restrictions derived from an entry along the named roles
(``propagation``), the tasks it creates (``tasks``), and the minors rule
(``minors``). Imports the catalogue, identity, the store and vocabulary.
"""
